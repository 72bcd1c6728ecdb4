"""FIN-9 contracts (six-step matter, 备案, 20-year lease limit, schedules in the books, the
monthly disclosure), FIN-10 tiered tenders and splitting, FIN-14 movements between villages,
and the conflict index sources — each rule with a breach and its lawful twin."""

from datetime import date, datetime

import pytest

from wuquan.collective import rules, selectors, services
from wuquan.collective.models import AccountRole, Asset
from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.ledger.models import Event

from .helpers import TZ, at
from .part2 import FIRM, PERSON_ID, SON_FIRM, contract, register, tender, tiers

AS_OF = datetime(2025, 6, 30, 12, tzinfo=TZ)


@pytest.fixture
def land(books, users):
    register(books, users)
    return Asset.objects.get(code="ZY-001")


def test_fin9_contract_rests_on_a_valid_six_step_matter(books, users, land):
    with pytest.raises(RuleViolation) as exc:
        contract(books, users, asset=land, valid=False)
    assert exc.value.field == "matter"
    c = contract(books, users, asset=land)
    land.refresh_from_db()
    assert land.status == "leased" and c.schedule.count() == 3


def test_fin9_lease_over_twenty_years_refused(books, users, land):
    with pytest.raises(RuleViolation) as exc:
        contract(
            books,
            users,
            asset=land,
            start=date(2025, 3, 1),
            end=date(2045, 3, 1),
            schedule=[(date(2025, 3, 1), 3_000_000)],
        )
    assert exc.value.field == "end" and exc.value.code == "FIN-9-lease-20-years"
    c = contract(
        books,
        users,
        asset=land,
        start=date(2025, 3, 1),
        end=date(2045, 2, 28),
        schedule=[(date(2025, 3, 1), 3_000_000)],
    )
    assert c.end == date(2045, 2, 28)


def test_fin9_counterparty_ids_validated_and_never_in_clear_in_the_log(books, users, land):
    with pytest.raises(InvalidInput) as exc:
        contract(
            books,
            users,
            asset=land,
            counterparty_id="220203199001011231",
            counterparty_is_person=True,
        )
    assert exc.value.field == "counterparty_id"
    # a collective's USCC (authority N) is valid although python-stdnum rejects it
    from stdnum.cn import uscc

    coop = "N2220203MA0Y00000X"
    from wuquan.common.identity import is_valid_uscc

    coop = coop[:17] + uscc.calc_check_digit(coop[:17])
    assert is_valid_uscc(coop) and not uscc.is_valid(coop)
    c = contract(books, users, number="HT-N", asset=land, person=False, counterparty_id=coop)
    assert c.counterparty_id == coop
    p = contract(books, users, number="HT-P", asset=land)
    leaf = Event.objects.get(action="collective.contract.recorded", subject_id=str(p.pk))
    text = leaf.leaf  # the permanent leaf: salted commitments only
    assert PERSON_ID not in text and "王小明" not in text


def test_fin9_schedule_becomes_receivables_and_collections_in_the_books(books, users, land):
    c = contract(books, users, asset=land)
    first = c.schedule.first()
    services.do_accrue_schedule(first, actor=users["centre"], at=at(2025, 3, 1))
    receivable = selectors.role_balance(books, AccountRole.RECEIVABLE, date(2025, 3, 31))
    assert receivable == first.amount
    services.do_settle_schedule(first, date(2025, 3, 10), actor=users["centre"], at=at(2025, 3, 10))
    assert selectors.role_balance(books, AccountRole.RECEIVABLE, date(2025, 3, 31)) == 0
    lines = selectors.disclosure_content(books, 2025, 3)["lines"]
    assert any(x["counterparty"] == "王＊＊" for x in lines)


def test_fin9_contract_and_schedule_in_the_monthly_disclosure_masked(books, users, land):
    contract(books, users, asset=land, when=at(2025, 3, 2))
    content = selectors.disclosure_content(books, 2025, 3)
    [row] = content["contracts"]
    assert row["counterparty"] == "王＊＊" and len(row["schedule"]) == 3
    assert PERSON_ID not in str(content)
    assert "contracts" not in selectors.disclosure_content(books, 2025, 2)


def test_fin9_expiring_breach_and_twin(books, users, land):
    contract(
        books,
        users,
        asset=land,
        start=date(2024, 8, 1),
        end=date(2025, 7, 31),
        schedule=[(date(2024, 8, 1), 3_000_000)],
    )
    assert len(list(rules.expiring_breaches(AS_OF, {"contract_expiry_days": 60}))) == 1
    assert list(rules.expiring_breaches(AS_OF, {"contract_expiry_days": 20})) == []


def test_fin9_rent_overdue_breach_and_twin(books, users, land):
    c = contract(books, users, asset=land)
    found = list(rules.overdue_breaches(AS_OF, {"rent_grace_days": 30}))
    assert [f.key for f in found] == ["due:2025-03-01"]
    first = c.schedule.first()
    services.do_accrue_schedule(first, actor=users["centre"], at=at(2025, 3, 1))
    services.do_settle_schedule(first, date(2025, 3, 5), actor=users["centre"], at=at(2025, 3, 5))
    assert list(rules.overdue_breaches(AS_OF, {"rent_grace_days": 30})) == []


def test_fin9_unfiled_breach_and_twin(books, users, land):
    c = contract(books, users, asset=land)
    assert len(list(rules.unfiled_breaches(AS_OF, {"filing_days": 10}))) == 1
    services.do_file_contract(c, actor=users["centre"], at=at(2025, 3, 5))
    assert list(rules.unfiled_breaches(AS_OF, {"filing_days": 10})) == []


def test_fin9_expired_contract_asset_still_leased_breach_and_twin(books, users, land):
    c = contract(
        books,
        users,
        asset=land,
        start=date(2024, 6, 1),
        end=date(2025, 5, 31),
        schedule=[(date(2024, 6, 1), 3_000_000)],
        when=at(2025, 3, 1),
    )
    land.refresh_from_db()
    assert land.status == "leased"
    assert len(list(rules.stale_lease_breaches(AS_OF, {}))) == 1
    services.do_terminate_contract(c, date(2025, 6, 1), actor=users["centre"], at=at(2025, 6, 1))
    land.refresh_from_db()
    assert land.status == "idle"
    assert list(rules.stale_lease_breaches(AS_OF, {})) == []


def test_fin9_rent_below_last_comparable_breach_and_twin(books, users, land):
    contract(
        books,
        users,
        number="HT-1",
        asset=land,
        start=date(2022, 3, 1),
        end=date(2025, 2, 28),
        amount=3_000_000,
        schedule=[(date(2022, 3, 1), 3_000_000)],
    )
    contract(
        books,
        users,
        number="HT-2",
        asset=land,
        start=date(2025, 3, 1),
        end=date(2028, 2, 28),
        amount=2_000_000,
        schedule=[(date(2025, 3, 1), 2_000_000)],
    )
    found = list(rules.rent_drop_breaches(AS_OF, {"rent_drop_percent": 20}))
    assert len(found) == 1 and found[0].inputs["previous"] > found[0].inputs["yearly"]
    assert list(rules.rent_drop_breaches(AS_OF, {"rent_drop_percent": 40})) == []


def test_fin10_contract_above_village_limit_needs_its_tender(books, users):
    tiers()
    with pytest.raises(RuleViolation) as exc:
        contract(
            books,
            users,
            number="GC-1",
            kind="works",
            amount=20_000_000,
            person=False,
            title="村道硬化",
            schedule=[(date(2025, 5, 1), 20_000_000)],
        )
    assert exc.value.field == "tender" and exc.value.code == "FIN-10-tiered-tender"
    t = tender(books.unit)
    c = contract(
        books,
        users,
        number="GC-1",
        kind="works",
        amount=20_000_000,
        person=False,
        title="村道硬化",
        tender=t,
        schedule=[(date(2025, 5, 1), 20_000_000)],
    )
    assert c.tender_id == t.pk
    assert list(rules.tender_missing_breaches(AS_OF, {})) == []
    contract(
        books,
        users,
        number="GC-old",
        kind="works",
        amount=20_000_000,
        person=False,
        title="旧账导入的工程",
        imported=True,
        schedule=[(date(2025, 5, 1), 20_000_000)],
    )
    assert len(list(rules.tender_missing_breaches(AS_OF, {}))) == 1


def test_fin10_split_breach_and_twin(books, users):
    tiers()
    for i, d in enumerate([date(2025, 1, 10), date(2025, 4, 10)]):
        contract(
            books,
            users,
            number=f"CG-{i}",
            kind="goods",
            amount=6_000_000,
            person=False,
            title="办公设备",
            start=d,
            end=d,
            schedule=[(d, 6_000_000)],
        )
    found = list(rules.split_breaches(AS_OF, {}))
    assert len(found) == 1 and found[0].inputs["total"] == 12_000_000
    # twin: another category, or a year apart, is no split
    assert list(rules.split_breaches(datetime(2025, 3, 1, tzinfo=TZ), {})) == []


def test_fin14_payment_to_another_village_refused_without_township_approval(books, users):
    from django.contrib.auth import get_user_model

    from wuquan.org.models import Post, Unit
    from wuquan.org.services import ensure_post_account

    jiujie = Unit.objects.get(code="jiujie")
    lines = [
        {"account": "1101", "side": "D", "amount": 500_000, "counterparty": jiujie.name},
        {"account": "1002", "side": "C", "amount": 500_000, "counterparty": jiujie.name},
    ]
    with pytest.raises(RuleViolation) as exc:
        services.do_post_voucher(
            books,
            "payment",
            date(2025, 4, 1),
            "借款给旧街村",
            lines,
            actor=users["centre"],
            at=at(2025, 4, 1),
        )
    assert exc.value.code == "FIN-14-no-cross-village" and exc.value.field == "counterparty"
    head = Post.objects.get(unit__code="wulajie", code="head")
    mayor = ensure_post_account(head, "wulajie-head", "乌拉街满族镇镇长")
    assert not get_user_model().objects.filter(username="nobody").exists()
    services.do_approve_transfer(
        books,
        jiujie,
        500_000,
        "临时借款（镇政府协调）",
        date(2025, 3, 1),
        date(2025, 12, 31),
        actor=mayor,
        at=at(2025, 3, 20),
    )
    services.do_post_voucher(
        books,
        "payment",
        date(2025, 4, 1),
        "借款给旧街村",
        lines,
        actor=users["centre"],
        at=at(2025, 4, 1),
    )
    assert list(rules.cross_village_breaches(AS_OF, {})) == []


def test_fin14_imported_movement_is_an_alarm(books, users):
    from wuquan.org.models import Person, Unit

    jiujie = Unit.objects.get(code="jiujie")
    people = [Person.objects.first()]
    services.do_import_booked_request(
        books,
        date(2025, 2, 1),
        "支付旧街村",
        300_000,
        "5402",
        jiujie.name,
        [("handler", people[0])],
        actor=users["centre"],
        at=at(2025, 2, 1),
    )
    found = list(rules.cross_village_breaches(AS_OF, {}))
    assert len(found) == 1 and found[0].inputs["other"] == "jiujie"


def test_fin9_village_heads_sons_firm_paid_by_the_village_fires_the_conflict_alarm(books, users):
    from wuquan.org.models import Person
    from wuquan.personnel import index
    from wuquan.personnel import rules as prules
    from wuquan.personnel import services as personnel

    tiers()
    director = Person.objects.get(user=users["director"])
    personnel.do_file_report(
        director,
        2024,
        actor="test",
        submitted_on=date(2025, 1, 10),
        marital_status="married",
        children_count=1,
        relatives=[{"relation": "child", "name": "李小强"}],
        firms=[
            {"name": "韩屯小强建材有限公司", "uscc": SON_FIRM, "role": "法定代表人", "relative": 0}
        ],
    )
    contract(
        books,
        users,
        number="FW-1",
        kind="services",
        amount=800_000,
        person=False,
        title="村部保洁服务",
        counterparty="韩屯小强建材有限公司",
        counterparty_id=SON_FIRM,
        signed_by=director,
        schedule=[(date(2025, 5, 1), 800_000)],
    )
    contract(
        books,
        users,
        number="FW-2",
        kind="services",
        amount=800_000,
        person=False,
        title="绿化养护",
        counterparty="吉林某农业有限公司",
        counterparty_id=FIRM,
        signed_by=director,
        schedule=[(date(2025, 5, 1), 800_000)],
    )
    index.do_rebuild_index(actor="test", as_of=date(2025, 6, 30))
    found = list(prules.own_unit_dealing())
    assert len(found) == 1 and str(director.pk) == found[0].subject_id
