"""The cross-platform conflict-of-interest index and its rules (回避, 公务员法 第七十六条)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wuquan.approvals import services as approvals
from wuquan.approvals.models import StepState
from wuquan.catalog.models import MaterialReuse
from wuquan.ledger.models import Event
from wuquan.org.models import Person, Unit
from wuquan.personnel import events, index, rules, services
from wuquan.personnel.models import PartyLink

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
WHEN = datetime(2026, 3, 2, 9, tzinfo=TZ)
SON_FIRM = "91220203MA0Y00001J"
OTHER_FIRM = "91220203MA0Y00002M"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from wuquan.approvals import sample

    return sample.build()


def _ready(case, **kw):
    return list(case.steps.filter(state__in=[StepState.READY, StepState.CLAIMED], **kw))


def _case(world, applicant_number: str):
    files = {
        m.pk: SimpleUploadedFile(f"m{m.pk}.pdf", b"%PDF-1.4 t", content_type="application/pdf")
        for m in world.materials
        if m.reuse == MaterialReuse.NONE
    }
    case = approvals.do_submit_application(
        world.item,
        applicant_name="龙潭某公司",
        applicant_id_number=applicant_number,
        data={"area_sqm": 100},
        files=files,
        at=WHEN,
    ).case
    u = world.users
    approvals.do_accept_case(case, at=WHEN, actor=u["window"])
    for step in _ready(case):
        who = u["xf"] if step.unit.code == "t-xf" else u["chengban"]
        approvals.do_complete_step(step, "符合", at=WHEN, actor=who)
    approvals.do_complete_step(_ready(case, kind="审核")[0], "同意", at=WHEN, actor=u["shenhe"])
    approvals.do_complete_step(
        _ready(case, kind="审批")[0], "准予许可", decision="approve", at=WHEN, actor=u["deputy"]
    )
    return case


def _son_firm_report(cadre: Person, firm=SON_FIRM):
    services.do_file_report(
        cadre,
        2025,
        actor="test",
        submitted_on=date(2026, 1, 10),
        marital_status="married",
        children_count=1,
        relatives=[{"relation": "child", "name": "刘小军"}],
        firms=[{"name": "龙潭小军商贸有限公司", "uscc": firm, "role": "法定代表人", "relative": 0}],
    )


def test_index_keys_are_hmacs_and_reveal_no_id(world):
    deputy = Person.objects.get(user=world.users["deputy"])
    _son_firm_report(deputy)
    _case(world, SON_FIRM)
    count = index.do_rebuild_index(actor="test", as_of=date(2026, 3, 31))
    assert count >= 3
    assert not PartyLink.objects.filter(key__contains=SON_FIRM).exists()
    assert all(len(k) == 64 for k in PartyLink.objects.values_list("key", flat=True))
    assert PartyLink.objects.filter(key=index.party_key(SON_FIRM)).count() >= 3
    leaf = Event.objects.get(action=events.INDEX_REBUILT).leaf
    assert SON_FIRM not in leaf and "小军" not in leaf


def test_coi_cadre_approving_his_sons_firm_in_his_own_unit_is_flagged(world):
    deputy = Person.objects.get(user=world.users["deputy"])
    _son_firm_report(deputy)
    case = _case(world, SON_FIRM)
    index.do_rebuild_index(actor="test", as_of=date(2026, 3, 31))
    own = list(rules.own_unit_dealing())
    handled = list(rules.handled_own_relative())
    assert [(f.subject_id, f.inputs["role"]) for f in own] == [(str(deputy.pk), "applicant")]
    assert [f.inputs["source"] for f in handled] == [["approvals.case", str(case.pk)]]
    assert "公务员法》第七十六条" in handled[0].message
    links = index.links_for(SON_FIRM)
    assert {link.role for link in links} >= {"applicant", "handled_case", "firm"}


def test_coi_lawful_twin_an_unrelated_firm_raises_nothing(world):
    deputy = Person.objects.get(user=world.users["deputy"])
    _son_firm_report(deputy)
    _case(world, OTHER_FIRM)
    index.do_rebuild_index(actor="test", as_of=date(2026, 3, 31))
    assert list(rules.own_unit_dealing()) == [] and list(rules.handled_own_relative()) == []


def test_coi_lawful_twin_relative_of_a_cadre_of_another_unit(world):
    window_clerk = Person.objects.get(user=world.users["xf"])  # 消防大队, not the case's unit
    _son_firm_report(window_clerk)
    _case(world, SON_FIRM)
    index.do_rebuild_index(actor="test", as_of=date(2026, 3, 31))
    assert list(rules.own_unit_dealing()) == []


def test_coi_a_source_added_later_plugs_in_without_changing_callers(world, settings):
    """A 三资 platform's parties.py (here a stand-in app) feeds payees and subsidy lists: the
    village head's son's firm paid by the village is flagged; a subsidy recipient who is also
    a payee is flagged for checking."""
    from wuquan.org.services import do_appoint, do_save_person, ensure_post, ensure_unit

    from .plugin_source import parties as source

    settings.WUQUAN_APPS = [*settings.WUQUAN_APPS, "tests.personnel.plugin_source"]
    village = ensure_unit("t-village", "测试村", "village", Unit.objects.get(code="t-district"))
    head_post = ensure_post(village, "secretary", "党支部书记", "A", is_head=True)
    head = do_save_person(Person(name="村书记"), actor="test")
    do_appoint(head, head_post, date(2024, 1, 1), actor="test")
    _son_firm_report(head)
    villager = "220203199001011230"
    source.ROWS[:] = [
        {
            "id_number": SON_FIRM,
            "party_kind": "firm",
            "role": "payee",
            "source": "collective",
            "source_type": "collective.payment",
            "source_id": 7,
            "unit_id": village.pk,
            "label": "龙潭小军商贸有限公司",
            "on": date(2026, 2, 1),
        },
        {
            "id_number": villager,
            "role": "payee",
            "source": "collective",
            "source_type": "collective.payment",
            "source_id": 8,
            "unit_id": village.pk,
            "label": "村民",
            "on": date(2026, 2, 1),
        },
        {
            "id_number": villager,
            "role": "subsidy",
            "source": "collective",
            "source_type": "collective.subsidy",
            "source_id": 3,
            "unit_id": village.pk,
            "label": "村民",
            "on": date(2026, 2, 1),
        },
    ]
    try:
        index.do_rebuild_index(actor="test", as_of=date(2026, 3, 31))
        own = list(rules.own_unit_dealing())
        assert [(f.subject_id, f.inputs["source"]) for f in own] == [
            (str(head.pk), ["collective.payment", "7"])
        ]
        assert len(list(rules.subsidy_and_payee())) == 1
    finally:
        source.ROWS.clear()
