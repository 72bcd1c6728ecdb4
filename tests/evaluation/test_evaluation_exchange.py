"""Evaluations in the exchange format (issue 11, decision 0010; EVA-1..3, PUB-10): an
evaluation line replays through the live services with `history=ImportedHistory(...)` and
gives the live payloads (but for the import marker), counts, ratings and flags; no line says
who graded whom how; export → import → export is byte-identical but for the header."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from wuquan.approvals import exchange
from wuquan.evaluation import events, services
from wuquan.evaluation.exchange import evaluation_line
from wuquan.evaluation.models import Evaluation, Flag
from wuquan.ledger.models import Event
from wuquan.org.models import Person
from wuquan.org.services import ensure_unit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def t(month, day, hour=9):
    return datetime(2025, month, day, hour, tzinfo=SH)


def play_live(village, year, grades, *, paper=None):
    """An evaluation of two cadres: commitments, reports, a question answered, online ballots
    (`grades`: one (a, b) per ballot) and, with `paper`, a batch keyed by two clerks."""
    kw = {"actor": "clerk"}
    ev = services.do_create_evaluation(village, year, f"{year}年度勤廉双述", "village_cadres",
                                       10, **kw, at=t(1, 5))  # fmt: skip
    subjects = []
    for n, name in enumerate(("甲", "乙")):
        person = Person.objects.filter(name=name).first() or Person.objects.create(name=name)
        s = services.do_add_subject(ev, person, "村委会委员", **kw, at=t(1, 6, 9 + n))
        services.do_record_commitment(s, f"承诺{n}", date(2025, 1, 10), **kw, at=t(1, 10))
        services.do_record_report(s, f"述职{n}", date(2025, 12, 20), **kw, at=t(12, 20))
        subjects.append(s)
    q = services.do_ask_question(
        subjects[0], "村民张某", "修路款怎么花的？", **kw, at=t(12, 20, 10)
    )
    services.do_answer_question(q, "已逐笔公开", **kw, at=t(12, 20, 11))
    codes = services.do_issue_codes(ev, len(grades), **kw, at=t(12, 21))
    services.do_open_voting(ev, **kw, at=t(12, 21, 10))
    for n, (code, (ga, gb)) in enumerate(zip(codes, grades, strict=True)):
        services.do_cast_online(ev, code, {subjects[0].pk: ga, subjects[1].pk: gb},
                                at=t(12, 21, 11 + n))  # fmt: skip
    if paper:
        clerks = [get_user_model().objects.create(username=f"clerk{year}{i}") for i in (1, 2)]
        batch = [{subjects[0].pk: ga, subjects[1].pk: gb} for ga, gb in paper]
        for clerk in clerks:
            services.do_enter_paper_batch(ev, "P1", batch, actor=clerk, at=t(12, 22))
    services.do_close_voting(ev, **kw, at=t(12, 23))
    services.do_publish_results(ev, **kw, at=t(12, 24))
    return ev


def _events(ev):
    subjects = {str(s.pk): s.person_id for s in ev.subjects.all()}
    out = []
    for e in Event.objects.order_by("index"):
        if (e.subject_type, e.subject_id) == ("evaluation.evaluation", str(ev.pk)):
            where = "evaluation"
        elif e.subject_type == "evaluation.subject" and e.subject_id in subjects:
            where = subjects[e.subject_id]
        else:
            continue
        payload = {k: v for k, v in e.payload.items() if k not in events.IMPORT_MARKER_KEYS}
        payload.pop("question", None)  # the question's own id differs
        out.append((e.action, where, e.at, payload))
    return out


def _import(ev, ref):
    line = evaluation_line(ev)
    line["ref"] = ref
    report = exchange.import_lines([json.dumps(line, ensure_ascii=False)])
    assert report.ok, report.errors
    return Evaluation.objects.get(source_ref=ref)


def test_eva_import_gives_the_live_payloads_counts_and_ratings():
    village = ensure_unit("xvillage", "交换村", "village")
    live = play_live(village, 2025, [("优秀", "称职"), ("称职", "称职"), ("优秀", "不称职")])
    line = evaluation_line(live)
    ballots = [a for a in line["actions"] if a["do"] == "ballot"]
    assert len(ballots) == 3 and all(set(a) == {"do", "at"} for a in ballots)  # EVA-1
    imported = _import(live, "legacy/eva/1")
    assert _events(imported) == _events(live)
    rows = lambda ev: sorted((s.person_id, s.counts, s.rating) for s in ev.subjects.all())  # noqa: E731
    assert rows(imported) == rows(live)
    assert all(
        e.payload["source"] == "import"
        for e in Event.objects.filter(subject_type="evaluation.evaluation", subject_id=str(imported.pk))
    )  # fmt: skip


def test_eva3_an_imported_second_unqualified_year_raises_the_live_flag():
    village = ensure_unit("xvillage", "交换村", "village")
    bad = [("不称职", "称职")] * 2 + [("称职", "称职")]
    live_2024 = play_live(village, 2024, bad)
    line = evaluation_line(live_2024)
    live_2025 = play_live(village, 2025, bad)
    assert Flag.objects.filter(kind="resign_or_recall").count() == 1
    # the same two years through import, in another village
    other = ensure_unit("yvillage", "另一村", "village")
    for ev, ref in ((live_2024, "legacy/2024"), (live_2025, "legacy/2025")):
        line = evaluation_line(ev)
        line.update(ref=ref, unit=other.code)
        assert exchange.import_lines([json.dumps(line, ensure_ascii=False)]).ok
    flags = Flag.objects.filter(kind="resign_or_recall").order_by("id")
    assert [(f.unit.code, f.person.name) for f in flags] == [
        ("xvillage", "甲"), ("yvillage", "甲")
    ]  # fmt: skip


def test_eva_a_tally_that_does_not_match_the_ballots_imports_nothing():
    village = ensure_unit("xvillage", "交换村", "village")
    live = play_live(village, 2025, [("优秀", "称职"), ("称职", "称职")])
    line = evaluation_line(live)
    line["ref"] = "legacy/bad"
    close = next(a for a in line["actions"] if a["do"] == "close")
    next(iter(close["results"].values()))["优秀"] += 1
    before = Event.objects.count()
    report = exchange.import_lines([json.dumps(line, ensure_ascii=False)])
    assert not report.ok and Event.objects.count() == before
    assert not Evaluation.objects.filter(source_ref="legacy/bad").exists()


@pytest.mark.django_db(transaction=True)
def test_eva_export_import_export_is_byte_identical_but_for_the_header(settings, tmp_path):
    settings.WUQUAN_BALLOT_KEY_DIR = str(tmp_path / "keys")
    village = ensure_unit("xvillage", "交换村", "village")
    play_live(village, 2025, [("优秀", "称职"), ("称职", "优秀")], paper=[("称职", "称职")])
    first = [exchange.dumps(o) for o in exchange.export_lines()]
    assert any(json.loads(x)["type"] == "evaluation" for x in first)
    call_command("flush", "--noinput", verbosity=0)
    report = exchange.import_lines(first)
    assert report.ok, report.errors
    second = [exchange.dumps(o) for o in exchange.export_lines()]
    assert first[1:] == second[1:]
