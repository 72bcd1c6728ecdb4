"""Democratic evaluation: cycle, one-time codes, anonymous ballots, paper double entry, flags
(EVA-1..4, PUB-10)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from wuquan.common.exceptions import InvalidInput
from wuquan.evaluation import services
from wuquan.evaluation.models import (
    Ballot,
    Evaluation,
    EvaluationStatus,
    Flag,
    FlagKind,
    SealedBallot,
    SheetStatus,
    VoterCode,
)
from wuquan.ledger.models import Event
from wuquan.org.models import Person, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(db):
    from wuquan.org.services import ensure_unit

    return ensure_unit("evalvillage", "测评村", "village")


def make(village, year=2025, voters=10, names=("甲", "乙")):
    ev = services.do_create_evaluation(
        village, year, f"{year}年度勤廉双述", "village_cadres", voters, actor="clerk"
    )
    subjects = []
    for name in names:
        person = Person.objects.filter(name=name).first() or Person.objects.create(name=name)
        subjects.append(services.do_add_subject(ev, person, "村委会委员", actor="clerk"))
    return ev, subjects


def test_eva2_cycle_commitment_report_questions_vote_publish(village, client):
    ev, (a, b) = make(village)
    services.do_record_commitment(a, "廉洁履职承诺", date(2025, 1, 10), actor="clerk")
    services.do_record_report(a, "全年述职述廉", date(2025, 12, 20), actor="clerk")
    q = services.do_ask_question(a, "村民张某", "修路款怎么花的？", actor="clerk")
    services.do_answer_question(q, "已在公开栏逐笔公开", actor="clerk")
    codes = services.do_issue_codes(ev, 3, actor="clerk")
    services.do_open_voting(ev, actor="clerk")
    for code, grade in zip(codes, ["优秀", "称职", "优秀"], strict=True):
        services.do_cast_online(ev, code, {a.pk: grade, b.pk: "称职"})
    services.do_close_voting(ev, actor="clerk")
    a.refresh_from_db()
    assert a.counts == {"优秀": 2, "称职": 1, "基本称职": 0, "不称职": 0} and a.rating == "优秀"
    services.do_publish_results(ev, actor="clerk")
    page = client.get("/gk/evaluation/").content.decode()
    assert "2025年度勤廉双述" in page and "修路款怎么花的" in page and "已在公开栏逐笔公开" in page


def test_eva1_codes_are_stored_hashed_single_use_and_unlinkable(village):
    ev, (a, b) = make(village)
    codes = services.do_issue_codes(ev, 2, actor="clerk")
    services.do_open_voting(ev, actor="clerk")
    stored = list(VoterCode.objects.filter(evaluation=ev).values_list("code_hash", flat=True))
    assert not set(codes) & set(stored) and all(len(h) == 64 for h in stored)
    services.do_cast_online(ev, codes[0].lower(), {a.pk: "不称职", b.pk: "优秀"})
    with pytest.raises(InvalidInput):  # used once
        services.do_cast_online(ev, codes[0], {a.pk: "优秀", b.pk: "优秀"})
    with pytest.raises(InvalidInput):
        services.do_cast_online(ev, "WRONGCODE1", {a.pk: "优秀", b.pk: "优秀"})
    # no column ties a ballot to a code or a time; no event carries a code or a grade
    assert {f.column for f in Ballot._meta.get_fields() if hasattr(f, "column")} == {
        "id",
        "evaluation_id",
        "subject_id",
        "grade",
    }
    assert {f.column for f in VoterCode._meta.get_fields() if hasattr(f, "column")} == {
        "id",
        "evaluation_id",
        "code_hash",
        "used",
    }
    for event in Event.objects.filter(action__startswith="evaluation.ballot"):
        assert (
            codes[0] not in event.leaf
            and "不称职" not in event.leaf
            and event.payload == {"channel": "online"}
        )


def test_eva1_bad_ballots_are_refused_and_nothing_is_written(village):
    ev, (a, b) = make(village)
    [code] = services.do_issue_codes(ev, 1, actor="clerk")
    services.do_open_voting(ev, actor="clerk")
    before = Event.objects.count()
    with pytest.raises(InvalidInput):
        services.do_cast_online(ev, code, {a.pk: "优秀"})  # b not graded
    with pytest.raises(InvalidInput):
        services.do_cast_online(ev, code, {a.pk: "很好", b.pk: "优秀"})
    assert Event.objects.count() == before and not Ballot.objects.exists()
    assert VoterCode.objects.get(evaluation=ev).used is False


def test_eva1_codes_cannot_exceed_eligible_voters(village):
    ev, _s = make(village, voters=2)
    with pytest.raises(InvalidInput):
        services.do_issue_codes(ev, 3, actor="clerk")


def test_eva1_paper_ballots_count_only_when_two_clerks_agree(village):
    users = get_user_model().objects
    c1, c2 = users.create(username="c1"), users.create(username="c2")
    ev, (a, b) = make(village)
    services.do_open_voting(ev, actor="clerk")
    sheet = services.do_enter_paper_sheet(ev, "001", {a.pk: "称职", b.pk: "优秀"}, actor=c1)
    assert sheet.status == SheetStatus.PENDING and not Ballot.objects.exists()
    with pytest.raises(InvalidInput):  # the same clerk cannot confirm their own entry
        services.do_enter_paper_sheet(ev, "001", {a.pk: "称职", b.pk: "优秀"}, actor=c1)
    sheet = services.do_enter_paper_sheet(ev, "001", {a.pk: "称职", b.pk: "优秀"}, actor=c2)
    assert sheet.status == SheetStatus.COUNTED and SealedBallot.objects.count() == 1
    assert not Ballot.objects.exists()  # DEC-5/EVA-1: nothing in clear until the count
    services.do_enter_paper_sheet(ev, "002", {a.pk: "优秀", b.pk: "优秀"}, actor=c1)
    sheet = services.do_enter_paper_sheet(ev, "002", {a.pk: "不称职", b.pk: "优秀"}, actor=c2)
    assert sheet.status == SheetStatus.MISMATCH and SealedBallot.objects.count() == 1
    assert Event.objects.filter(action="evaluation.paper.mismatch").count() == 1


def test_eva2_unqualified_when_more_than_a_third_vote_so(village):
    ev, (a,) = make(village, names=("丙",))
    assert services.rate(ev, {"优秀": 4, "称职": 0, "基本称职": 0, "不称职": 2})[0] == "优秀"
    assert services.rate(ev, {"优秀": 3, "称职": 0, "基本称职": 0, "不称职": 2})[0] == "不称职"


def _year(village, year, grade_for_a):
    ev, (a,) = make(village, year=year, voters=3, names=("丁",))
    codes = services.do_issue_codes(ev, 3, actor="clerk")
    services.do_open_voting(ev, actor="clerk")
    for code in codes:
        services.do_cast_online(ev, code, {a.pk: grade_for_a})
    services.do_close_voting(ev, actor="clerk")
    return ev


def test_eva3_two_unqualified_years_in_a_row_flag_resignation_or_recall(village):
    _year(village, 2024, "不称职")
    assert not Flag.objects.exists()
    _year(village, 2025, "不称职")
    [flag] = Flag.objects.all()
    assert flag.kind == FlagKind.RESIGN_OR_RECALL and "2024" in flag.reason
    assert Event.objects.filter(action="evaluation.flag.resign_or_recall").count() == 1


def test_eva3_one_bad_year_between_good_ones_raises_no_flag(village):
    _year(village, 2023, "不称职")
    _year(village, 2024, "称职")
    _year(village, 2025, "不称职")
    assert not Flag.objects.exists()


@pytest.mark.parametrize(
    "basis, signatures, total, flagged",
    [
        ("voters", 199, 1000, False),
        ("voters", 200, 1000, True),
        ("representatives", 9, 30, False),
        ("representatives", 10, 30, True),
    ],
)
def test_eva4_recall_petition_thresholds(village, basis, signatures, total, flagged):
    person = Person.objects.create(name="戊")
    petition = services.do_file_recall_petition(
        village, person, basis, signatures, total, actor="clerk"
    )
    assert petition.reaches_threshold is flagged
    assert Flag.objects.filter(kind=FlagKind.RECALL_PETITION).exists() is flagged


def test_pub10_unpublished_results_are_not_shown(village, client):
    ev, _s = make(village)
    assert ev.status == EvaluationStatus.DRAFT
    assert "勤廉双述" not in client.get("/gk/evaluation/").content.decode()
    assert Evaluation.objects.count() == 1 and Unit.objects.filter(code="evalvillage").exists()


def test_eva1_online_ballot_page_takes_a_code_once(village, client):
    ev, (a, b) = make(village)
    [code] = services.do_issue_codes(ev, 1, actor="clerk")
    services.do_open_voting(ev, actor="clerk")
    url = f"/gk/evaluation/{ev.pk}/vote/"
    assert "投票码" in client.get(url).content.decode()
    form = {"code": code, f"grade-{a.pk}": "优秀", f"grade-{b.pk}": "称职"}
    assert client.post(url, form).status_code == 302
    again = client.post(url, form, follow=True).content.decode()
    assert "投票码无效或已使用" in again
    assert SealedBallot.objects.count() == 1 and not Ballot.objects.exists()
