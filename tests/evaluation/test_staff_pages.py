"""Staff pages running an evaluation end to end: list/create, cycle, codes, paper double entry,
close/publish with the EVA-3/EVA-4 flags (EVA-1..4, PUB-10). Every bad input shows a clear
message and writes nothing."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from wuquan.evaluation import demo, services
from wuquan.evaluation.models import (
    Ballot,
    Evaluation,
    EvaluationStatus,
    Flag,
    PaperEntry,
    PaperSheet,
    Question,
    SealedBallot,
    SheetStatus,
    Subject,
    VoterCode,
)
from wuquan.ledger.models import Event
from wuquan.org.models import Person, Post, Unit
from wuquan.org.selectors import holders_of

pytestmark = pytest.mark.django_db

BASE = "/staff/evaluation/"


@pytest.fixture
def clerks(demo_org):
    demo.load_clerks()
    users = get_user_model().objects
    return users.get(username="ceping-a"), users.get(username="ceping-b")


@pytest.fixture
def a(client, clerks):
    client.force_login(clerks[0])
    return client


@pytest.fixture
def b(clerks):
    from django.test import Client

    c = Client()
    c.force_login(clerks[1])
    return c


@pytest.fixture
def hantun(demo_org):
    return Unit.objects.get(code="hantun")


def _holders(unit):
    out = []
    for post in Post.objects.filter(unit=unit, code__in=["secretary", "director"]).order_by(
        "-is_head", "code"
    ):
        person = holders_of(post).first()
        if person is None:
            person = Person.objects.create(name=f"{post.name}甲")
            from wuquan.org.services import do_appoint

            do_appoint(person, post, date(2024, 1, 1), actor="system")
        out.append((person, post))
    return out


@pytest.fixture
def draft(clerks, hantun):
    ev = services.do_create_evaluation(
        hantun, 2026, "韩屯村2026年度勤廉双述", "village_cadres", 10, actor=clerks[0]
    )
    for person, post in _holders(hantun):
        services.do_add_subject(ev, person, post.name, actor=clerks[0])
    return ev


@pytest.fixture
def voting(draft, clerks):
    services.do_open_voting(draft, actor=clerks[0])
    return draft


def page(client, url, data=None):
    """The page after a POST: followed to 200 when it was done; a refused one is answered 400
    on the same page, its error beside the field (issue 12, finding 6)."""
    resp = client.post(url, data, follow=True) if data is not None else client.get(url)
    assert resp.status_code in ((200, 400) if data is not None else (200,)), resp.status_code
    return resp.content.decode()


class Unchanged:
    """Asserts that nothing was written to the ledger or the given models."""

    def __init__(self, *models):
        self.models = (Event, *models)

    def __enter__(self):
        self.before = [m.objects.count() for m in self.models]

    def __exit__(self, *exc):
        if exc[0] is None:
            assert [m.objects.count() for m in self.models] == self.before


# 1. list and create ----------------------------------------------------------------------


def test_eva2_list_shows_evaluations_of_the_users_units_only(a, clerks, hantun, client):
    services.do_create_evaluation(hantun, 2026, "韩屯测评", "village_cadres", 5, actor="x")
    other = Unit.objects.get(code="jmf-village")
    services.do_create_evaluation(other, 2026, "姜家村外测评", "village_cadres", 5, actor="x")
    html = page(a, BASE)
    assert "韩屯测评" in html and "姜家村外测评" not in html and "民主测评" in html


def test_eva2_clerk_creates_an_evaluation(a, hantun):
    before = Event.objects.count()
    resp = a.post(
        BASE,
        {
            "unit": hantun.pk,
            "year": "2026",
            "title": "韩屯村2026年度测评",
            "kind": "village_cadres",
            "eligible_voters": "30",
            "scale": "好，较好、一般 差",
        },
    )
    ev = Evaluation.objects.get(title="韩屯村2026年度测评")
    assert resp.status_code == 302 and resp["Location"] == f"{BASE}{ev.pk}/"
    assert ev.scale == ["好", "较好", "一般", "差"] and ev.eligible_voters == 30
    assert Event.objects.count() == before + 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"title": ""}, "请填写名称"),
        ({"year": "二〇二六"}, "请填写正确的年度"),
        ({"eligible_voters": "0"}, "参评人数须大于 0"),
        ({"eligible_voters": ""}, "请填写正确的参评人数"),
        ({"scale": "好 好"}, "测评等次至少两个且不能重复"),
        ({"kind": "other"}, "请选择测评类别"),
        ({"unit": "foreign"}, "请选择单位"),
    ],
)
def test_eva2_create_with_bad_input_shows_message_and_writes_nothing(a, hantun, change, message):
    data = {
        "unit": hantun.pk,
        "year": "2026",
        "title": "测评",
        "kind": "village_cadres",
        "eligible_voters": "30",
        "scale": "",
    }
    if change.get("unit") == "foreign":
        change = {"unit": Unit.objects.get(code="jmf-village").pk}
    data.update(change)
    with Unchanged(Evaluation):
        html = page(a, BASE, data)
    assert message in html


def test_org1_a_user_of_another_unit_cannot_open_the_evaluation(draft, client, demo_org):
    client.force_login(get_user_model().objects.get(username="window"))
    resp = client.get(f"{BASE}{draft.pk}/")
    assert resp.status_code == 403 and "无权" in resp.content.decode()


# 2. subjects, commitment, report, questions ---------------------------------------------------


def test_eva2_add_subjects_from_the_units_current_holders(a, clerks, hantun):
    ev = services.do_create_evaluation(hantun, 2026, "测评", "village_cadres", 10, actor=clerks[0])
    (p1, post1), (p2, _post2) = _holders(hantun)
    html = page(a, f"{BASE}{ev.pk}/")
    assert f'value="{p1.pk}:{post1.pk}"' in html
    page(a, f"{BASE}{ev.pk}/add-subjects/", {"holder": [f"{p1.pk}:{post1.pk}"]})
    assert list(ev.subjects.values_list("person", "role_title")) == [(p1.pk, post1.name)]


@pytest.mark.parametrize("holder, message", [(None, "请勾选至少一名"), ("x", "不是本单位在任")])
def test_eva2_add_subjects_bad_input(a, clerks, hantun, holder, message):
    ev = services.do_create_evaluation(hantun, 2026, "测评", "village_cadres", 10, actor=clerks[0])
    if holder == "x":
        outsider = Person.objects.create(name="外人")
        holder = f"{outsider.pk}:{Post.objects.filter(unit=hantun).first().pk}"
    with Unchanged(Subject):
        html = page(a, f"{BASE}{ev.pk}/add-subjects/", {"holder": holder} if holder else {})
    assert message in html


def test_eva2_record_commitment_report_question_and_answer(a, draft):
    s = draft.subjects.first()
    url = f"{BASE}{draft.pk}/"
    page(a, url + "commitment/", {"subject": s.pk, "on": "2026-01-10", "text": "廉洁履职"})
    page(a, url + "report/", {"subject": s.pk, "on": "2026-12-20", "text": "全年述职"})
    page(a, url + "question/", {"subject": s.pk, "asker": "村民王某", "text": "账目何时公开？"})
    q = Question.objects.get(subject=s)
    html = page(a, url + "answer/", {"question": q.pk, "answer": "每月公开"})
    s.refresh_from_db()
    q.refresh_from_db()
    assert s.commitment == "廉洁履职" and s.commitment_on == date(2026, 1, 10)
    assert s.report == "全年述职" and q.answer == "每月公开"
    assert "账目何时公开" in html and "每月公开" in html


@pytest.mark.parametrize(
    "action, data, message",
    [
        ("commitment", {"on": "2026-01-10", "text": " "}, "请填写承诺内容"),
        ("commitment", {"on": "10/01/2026", "text": "承诺"}, "请填写正确的承诺日期"),
        ("report", {"on": "", "text": "述职"}, "请填写正确的述职日期"),
        ("report", {"on": "2026-12-01", "text": ""}, "请填写述职述廉内容"),
        ("question", {"asker": "", "text": "问"}, "请填写提问人"),
        ("question", {"asker": "张", "text": ""}, "请填写问题"),
        ("commitment", {"subject": "0", "on": "2026-01-10", "text": "x"}, "请选择被测评人"),
    ],
)
def test_eva2_cycle_bad_input_shows_message_and_writes_nothing(a, draft, action, data, message):
    data = {"subject": draft.subjects.first().pk, **data}
    with Unchanged(Question):
        html = page(a, f"{BASE}{draft.pk}/{action}/", data)
    assert message in html
    assert not Subject.objects.exclude(commitment="").exists()
    assert not Subject.objects.exclude(report="").exists()


def test_eva2_answer_bad_input(a, draft, clerks):
    q = services.do_ask_question(draft.subjects.first(), "张", "问", actor=clerks[0])
    with Unchanged():
        assert "请填写答复" in page(a, f"{BASE}{draft.pk}/answer/", {"question": q.pk})
        assert "问题不存在" in page(a, f"{BASE}{draft.pk}/answer/", {"question": 0, "answer": "x"})


# 3. codes, open voting -----------------------------------------------------------------------


def test_eva1_codes_are_shown_once_printable_and_stored_hashed(a, draft):
    resp = a.post(f"{BASE}{draft.pk}/codes/", {"count": "3"})
    html = resp.content.decode()
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    assert html.count('class="code-slip"') == 3 and "只显示这一次" in html
    hashes = set(VoterCode.objects.values_list("code_hash", flat=True))
    codes = [
        line.split(">")[1].split("<")[0] for line in html.splitlines() if 'class="code"' in line
    ]
    assert len(codes) == 3 and all(services.code_hash(draft, c) in hashes for c in codes)
    assert not any(c in page(a, f"{BASE}{draft.pk}/") for c in codes)  # never shown again


@pytest.mark.parametrize(
    "count, message", [("11", "不能超过参评人数 10"), ("0", "不能超过"), ("三", "请填写正确的数量")]
)
def test_eva1_issuing_codes_bad_input_writes_nothing(a, draft, count, message):
    with Unchanged(VoterCode):
        html = page(a, f"{BASE}{draft.pk}/codes/", {"count": count})
    assert message in html


def test_eva1_open_voting_needs_subjects_then_opens(a, clerks, hantun):
    ev = services.do_create_evaluation(hantun, 2026, "空测评", "village_cadres", 5, actor=clerks[0])
    with Unchanged():
        assert "请先添加被测评人" in page(a, f"{BASE}{ev.pk}/open/", {})
    _p = _holders(hantun)[0]
    services.do_add_subject(ev, _p[0], _p[1].name, actor=clerks[0])
    assert "测评已开始" in page(a, f"{BASE}{ev.pk}/open/", {})
    ev.refresh_from_db()
    assert ev.status == EvaluationStatus.VOTING
    with Unchanged():
        assert "不能进行此操作" in page(a, f"{BASE}{ev.pk}/open/", {})


def test_unknown_action_is_refused(a, draft):
    with Unchanged():
        assert "未知操作" in page(a, f"{BASE}{draft.pk}/explode/", {})


# 4. paper ballots keyed by two clerks ----------------------------------------------------------


def paper_url(ev):
    return f"{BASE}{ev.pk}/paper/"


def test_eva1_paper_batch_counts_when_two_clerks_agree(a, b, voting):
    s1, s2 = voting.subjects.all()
    html = page(a, paper_url(voting), {"batch": "第1批", "ballots": "12\n2 1\n\n44\n"})
    assert "待另一名录入员复核录入" in html and not Ballot.objects.exists()
    assert "12\n2 1" not in page(b, paper_url(voting))  # B does not see A's entry
    html = page(b, paper_url(voting), {"batch": "第1批", "ballots": "12\n21\n44"})
    assert "两人录入一致，已计入" in html
    assert SealedBallot.objects.count() == 3 and not Ballot.objects.exists()
    services.do_close_voting(voting, actor="clerk")
    assert Ballot.objects.count() == 6
    assert sorted(Ballot.objects.filter(subject=s1).values_list("grade", flat=True)) == [
        "不称职",
        "优秀",
        "称职",
    ]
    assert PaperSheet.objects.get().status == SheetStatus.COUNTED


def test_eva1_same_clerk_cannot_key_a_batch_twice(a, voting):
    page(a, paper_url(voting), {"batch": "1", "ballots": "11"})
    with Unchanged(PaperEntry, Ballot):
        html = page(a, paper_url(voting), {"batch": "1", "ballots": "11"})
    assert "须由另一名录入员复核录入" in html


@pytest.mark.parametrize(
    "ballots, message",
    [
        ("", "请至少录入一张选票"),
        ("1", "第 1 行“1”有误"),
        ("11\n15", "第 2 行“15”有误"),
        ("1a", "有误"),
        ("11\n" * 11, "不能超过参评人数 10"),
    ],
)
def test_eva1_bad_paper_batch_shows_message_and_writes_nothing(a, voting, ballots, message):
    with Unchanged(PaperSheet, PaperEntry, Ballot):
        html = page(a, paper_url(voting), {"batch": "1", "ballots": ballots})
    assert message in html


def test_eva1_paper_batch_needs_a_number(a, voting):
    with Unchanged(PaperSheet):
        assert "请填写批号" in page(a, paper_url(voting), {"batch": " ", "ballots": "11"})


def test_eva1_paper_mismatch_is_shown_with_what_differs_and_resolved_by_rekeying(
    a, b, voting, clerks
):
    s1, s2 = voting.subjects.all()
    page(a, paper_url(voting), {"batch": "7", "ballots": "12\n33"})
    html = page(b, paper_url(voting), {"batch": "7", "ballots": "12\n34"})
    assert "两人录入不一致，未计入" in html and not Ballot.objects.exists()
    assert "批号 7 两次录入不一致" in html
    # the differing position: ballot 2, second subject, 基本称职 (A) vs 不称职 (B)
    assert f"<tr><td>2</td><td>{s2.person.name}</td><td>基本称职</td><td>不称职</td></tr>" in html
    event = Event.objects.filter(action="evaluation.paper.mismatch").get()
    assert event.payload["differences"] == [[2, s2.pk]]
    # a third entry is refused until the batch is re-keyed
    with Unchanged(PaperEntry):
        assert "已两人录入不一致" in page(a, paper_url(voting), {"batch": "7", "ballots": "12"})
    sheet = PaperSheet.objects.get()
    html = page(a, paper_url(voting), {"rekey": sheet.pk})
    assert "请两名录入员重新录入" in html
    rekey = Event.objects.filter(action="evaluation.paper.rekey").get()
    assert rekey.payload["discarded_clerks"] == ["ceping-a", "ceping-b"]
    assert not PaperEntry.objects.exists()
    page(a, paper_url(voting), {"batch": "7", "ballots": "12\n34"})
    assert "已计入" in page(b, paper_url(voting), {"batch": "7", "ballots": "12\n34"})
    assert SealedBallot.objects.count() == 2


def test_eva1_paper_batches_with_different_ballot_counts_mismatch(a, b, voting):
    page(a, paper_url(voting), {"batch": "9", "ballots": "12\n33"})
    html = page(b, paper_url(voting), {"batch": "9", "ballots": "12"})
    assert "张数不同：ceping-a 录入 2 张，ceping-b 录入 1 张" in html
    assert not Ballot.objects.exists()


def test_eva1_rekey_only_a_mismatched_batch(a, voting):
    page(a, paper_url(voting), {"batch": "1", "ballots": "11"})
    with Unchanged(PaperEntry):
        html = page(a, paper_url(voting), {"rekey": PaperSheet.objects.get().pk})
    assert "只有录入不一致的批次需要重新录入" in html


# 5. close and publish, flags ------------------------------------------------------------------


def test_eva1_close_is_refused_while_a_paper_batch_is_unresolved(a, voting):
    page(a, paper_url(voting), {"batch": "1", "ballots": "11"})
    with Unchanged():
        html = page(a, f"{BASE}{voting.pk}/close/", {})
    assert "尚有 1 批纸质票未经两人录入一致" in html
    voting.refresh_from_db()
    assert voting.status == EvaluationStatus.VOTING


def test_pub10_close_and_publish_show_results_on_staff_and_public_pages(a, b, voting, client):
    codes = services.do_issue_codes(voting, 2, actor="x")
    s1, s2 = voting.subjects.all()
    for code in codes:
        services.do_cast_online(voting, code, {s1.pk: "优秀", s2.pk: "称职"})
    with Unchanged():
        assert "不能进行此操作" in page(a, f"{BASE}{voting.pk}/publish/", {})
    assert "测评已结束并计票" in page(a, f"{BASE}{voting.pk}/close/", {})
    html = page(a, f"{BASE}{voting.pk}/")
    assert "有效票 2，“优秀” 2 票最多" in html
    assert "测评结果已公示" in page(a, f"{BASE}{voting.pk}/publish/", {})
    client.logout()
    assert "韩屯村2026年度勤廉双述" in page(client, "/gk/evaluation/")


def test_eva3_two_unqualified_years_flag_is_shown_on_the_staff_pages(a, clerks, hantun):
    (p1, post1), _rest = _holders(hantun)
    for year in (2025, 2026):
        ev = services.do_create_evaluation(
            hantun, year, f"{year}测评", "village_cadres", 3, actor=clerks[0]
        )
        s = services.do_add_subject(ev, p1, post1.name, actor=clerks[0])
        codes = services.do_issue_codes(ev, 3, actor="x")
        services.do_open_voting(ev, actor="x")
        for code in codes:
            services.do_cast_online(ev, code, {s.pk: "不称职"})
        if year == 2025:
            services.do_close_voting(ev, actor="x")
    page(a, f"{BASE}{ev.pk}/close/", {})
    assert Flag.objects.count() == 1
    for url in (f"{BASE}{ev.pk}/", BASE):
        html = page(a, url)
        assert "连续两年不称职：责令辞职或启动罢免" in html and "2025、2026 年连续两年" in html


def test_eva4_recall_petition_at_threshold_is_flagged_on_the_staff_page(a, draft):
    s = draft.subjects.first()
    url = f"{BASE}{draft.pk}/petition/"
    html = page(
        a,
        url,
        {"subject": s.pk, "basis": "representatives", "signatures": "9", "eligible_total": "30"},
    )
    assert "未达到法定人数" in html and not Flag.objects.exists()
    html = page(
        a, url, {"subject": s.pk, "basis": "voters", "signatures": "200", "eligible_total": "1000"}
    )
    assert "达到法定人数，应启动罢免程序" in html and "罢免联名达到法定人数" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"basis": "voters", "signatures": "x", "eligible_total": "10"}, "请填写正确的联名人数"),
        (
            {"basis": "voters", "signatures": "11", "eligible_total": "10"},
            "联名人数须在 0 与总数之间",
        ),
        ({"basis": "nobody", "signatures": "1", "eligible_total": "10"}, "无效的联名类别"),
    ],
)
def test_eva4_petition_bad_input_writes_nothing(a, draft, data, message):
    with Unchanged(Flag):
        html = page(
            a, f"{BASE}{draft.pk}/petition/", {"subject": draft.subjects.first().pk, **data}
        )
    assert message in html


def test_demo_clerks_are_idempotent(demo_org):
    demo.load_clerks()
    demo.load_clerks()
    assert get_user_model().objects.filter(username__startswith="ceping-").count() == 2
