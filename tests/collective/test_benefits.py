"""惠农补贴“一卡通” (FIN-15, PUB-8; 附件14 二(二), 附件16): list → publication → bank batch →
confirmation, the refusals, the rules (each breach and its lawful twin), the fund ledgers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from wuquan.collective import rules, selectors, services
from wuquan.collective.models import (
    BenefitBatch,
    BenefitPayment,
    BenefitPublication,
    BenefitRecipient,
)
from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger.models import Event

from .benefit_helpers import card, list_csv, people, rid
from .helpers import at

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2025, 6, 30, 18, tzinfo=TZ)


@pytest.fixture
def programme(books, users):
    services.do_post_voucher(
        books,
        "receipt",
        date(2025, 3, 1),
        "收到区民政局低保资金",
        [
            {"account": "1002", "side": "D", "amount": 1_000_000, "fund": "低保资金"},
            {"account": "2302", "side": "C", "amount": 1_000_000, "fund": "低保资金"},
        ],
        actor=users["centre"],
        at=at(2025, 3, 1),
    )
    return services.do_create_programme(
        books,
        "dibao-2025-03",
        "2025年3月低保金",
        "dibao",
        "《社会救助暂行办法》第九条",
        2025,
        "低保资金",
        actor=users["accountant"],
        at=at(2025, 3, 2),
    )


def _list(programme, users, rows):
    return services.do_import_recipients(
        programme, list_csv(rows), "名单.csv", actor=users["accountant"], at=at(2025, 3, 3)
    )


def _published(programme, users, k=4):
    _list(programme, users, people(k))
    return services.do_publish_list(programme, actor=users["accountant"], at=at(2025, 3, 5))


def _paid(programme, users, failures=None):
    batch = services.do_export_batch(
        programme, date(2025, 3, 10), actor=users["centre"], at=at(2025, 3, 10)
    )
    content = services.return_file_from_bank(batch, failures or {})
    return services.do_import_return(
        batch, content, "回盘.csv", actor=users["centre"], at=at(2025, 3, 11)
    )


def _found(code):
    return list(next(r for r in rules.RULES if r.code == code).sweep(AS_OF, {}))


def test_fin15_pub8_list_published_paid_booked_and_confirmed(programme, users):
    pub = _published(programme, users)
    assert pub.online_until == date(2026, 3, 5) and pub.notice_until == date(2025, 6, 5)
    row = pub.content["rows"][0]
    assert row["name"] == "赵*" and row["id"] == "110101********" + rid(10)[-4:]
    assert row["card"].endswith(card(10)[-4:]) and card(10)[:8] not in row["card"]
    batch = _paid(programme, users, failures={3: "账户已销户"})
    statuses = list(batch.payments.order_by("seq").values_list("status", flat=True))
    assert statuses == ["paid", "paid", "failed", "paid"]
    lines = list(
        batch.voucher.lines.order_by("side").values_list("account__code", "amount", "fund")
    )
    assert lines == [("1002", 90_000, "低保资金"), ("2302", 90_000, "低保资金")]
    # FIN-15: the bank account's 低保 ledger apart from the collective's own money
    ledgers = {x["fund"]: x for x in selectors.fund_ledgers(programme.book, 2025, 3)}
    assert ledgers["低保资金"]["in"] == 1_000_000 and ledgers["低保资金"]["out"] == 90_000
    assert ledgers[""]["out"] == 0
    # the failed one goes in the next batch
    again = services.do_export_batch(
        programme, date(2025, 3, 20), actor=users["centre"], at=at(2025, 3, 20)
    )
    assert [p.recipient.seq for p in again.payments.all()] == [3]
    r1 = BenefitRecipient.objects.get(programme=programme, seq=1)
    services.do_confirm_receipt(programme, rid(10), r1.code, True, at=at(2025, 3, 12))
    assert BenefitPayment.objects.get(batch=batch, recipient=r1).confirmed_at is not None
    # nothing personal in clear in the log
    text = " ".join(
        str(e.data) for e in Event.objects.filter(action__startswith="collective.benefit")
    )
    for secret in (rid(10), card(10), "赵一"):
        assert secret not in text
    assert not any(_found(r.code) for r in rules.RULES if r.code.split("-")[2] == "benefit")


def test_fin15_list_import_reports_each_bad_row_and_imports_none(programme, users):
    bad = people(3)
    bad[1] = ("钱二", "110101199003070119", card(11), "300", 1)  # wrong ID checksum
    bad[2] = ("孙三", rid(12), "6222021000000000001", "300", 1)  # Luhn fails
    bad.append(("李四", rid(13), card(10), "300", 1))  # same card as row 2
    with pytest.raises(InvalidInput) as exc:
        _list(programme, users, bad)
    assert exc.value.field == "file"
    assert set(exc.value.row_errors) == {3, 4, 5}
    assert "身份证号" in exc.value.row_errors[3] and "校验位" in exc.value.row_errors[4]
    assert "一卡只能对应一人" in exc.value.row_errors[5]
    assert not BenefitRecipient.objects.exists()


def test_fin15_per_unit_rate_computes_and_checks_amounts(books, users):
    p = services.do_create_programme(
        books, "gd-2025", "耕地地力保护补贴", "farm", "财农〔2016〕26号", 2025, "耕地地力补贴",
        actor=users["accountant"], at=at(2025, 3, 2), measure="亩", rate=10_050,
    )  # fmt: skip
    created = _list(p, users, [("赵一", rid(10), card(10), "", "12.5")])
    assert created[0].amount == 125_625  # 100.50 × 12.5, half up
    with pytest.raises(InvalidInput) as exc:
        _list(p, users, [("钱二", rid(11), card(11), "100", "2")])
    assert "应为 201.00" in exc.value.row_errors[2]


def test_pub8_no_payment_before_publication_or_after_a_change(programme, users):
    _list(programme, users, people(2))
    with pytest.raises(RuleViolation) as exc:
        services.do_export_batch(programme, date(2025, 3, 10), actor=users["centre"])
    assert exc.value.code == "PUB-8-benefit-unpublished"
    services.do_publish_list(programme, actor=users["accountant"], at=at(2025, 3, 5))
    _list(programme, users, people(1, start=20))
    with pytest.raises(RuleViolation) as exc:
        services.do_export_batch(programme, date(2025, 3, 10), actor=users["centre"])
    assert exc.value.code == "PUB-8-benefit-not-published"
    assert not BenefitBatch.objects.exists()


def test_pub8_only_the_centre_exports_and_nobody_takes_a_list_down_early(programme, users):
    pub = _published(programme, users)
    with pytest.raises(NotPermitted):
        services.do_export_batch(programme, date(2025, 3, 10), actor=users["accountant"])
    with pytest.raises(RuleViolation):
        services.do_take_down_publication(pub, actor=users["centre"])


def test_pub8_expiry_sweep_takes_down_after_one_year_not_before(programme, users):
    pub = _published(programme, users)
    assert services.do_expire_publications(datetime(2026, 3, 5, 12, tzinfo=TZ)) == []
    done = services.do_expire_publications(datetime(2026, 3, 6, 1, tzinfo=TZ))
    assert [p.pk for p in done] == [pub.pk]
    assert Event.objects.filter(action="collective.benefit.publication.expired").count() == 1
    assert services.do_expire_publications(datetime(2026, 4, 1, tzinfo=TZ)) == []
    assert _found("PUB-8-benefit-takedown-early") == []


def test_pub8_return_file_rows_checked_one_by_one(programme, users):
    _published(programme, users, k=2)
    batch = services.do_export_batch(programme, date(2025, 3, 10), actor=users["centre"])
    content = services.return_file_from_bank(batch).decode("utf-8-sig")
    broken = content.replace("300.00", "301.00", 1).encode()
    with pytest.raises(InvalidInput) as exc:
        services.do_import_return(batch, broken, "回盘.csv", actor=users["centre"])
    assert list(exc.value.row_errors) == [2]
    assert BenefitBatch.objects.get(pk=batch.pk).voucher is None


def test_pub8_confirmation_answers_the_same_and_records_only_a_match(programme, users):
    _published(programme, users)
    _paid(programme, users)
    n = Event.objects.count()
    assert services.do_confirm_receipt(programme, rid(30), "ABCDEF", True) is None  # not listed
    r2 = BenefitRecipient.objects.get(programme=programme, seq=2)
    assert services.do_confirm_receipt(programme, rid(11), "WRONG1", False) is None
    assert Event.objects.count() == n
    with pytest.raises(InvalidInput) as exc:
        services.do_confirm_receipt(programme, "110101199003070119", r2.code, True)
    assert exc.value.field == "id_number"
    services.do_confirm_receipt(programme, rid(11), r2.code.lower(), False, at=at(2025, 3, 20))
    found = _found("PUB-8-benefit-non-receipt")
    assert len(found) == 1 and found[0].unit_id == programme.book.unit_id


# ---- the rules: breach and lawful twin (imported history) -----------------------------------


def _history(programme, users, rows, on=date(2025, 3, 15), method="bank"):
    return services.do_import_paid_batch(
        programme, on, rows, actor=users["centre"], at=at(on.year, on.month, on.day),
        pay_method=method,
    )  # fmt: skip


def _recipients(programme):
    return list(programme.recipients.order_by("seq"))


def test_fin15_benefit_paid_in_cash_and_its_twin(programme, users):
    _published(programme, users)
    r = _recipients(programme)
    _history(programme, users, [{"recipient": r[1]}])
    assert _found("FIN-15-benefit-cash") == []
    _history(programme, users, [{"recipient": r[0]}], method="cash")
    assert len(_found("FIN-15-benefit-cash")) == 1


def test_fin15_card_not_in_recipients_name_and_its_twin(programme, users):
    _published(programme, users)
    r = _recipients(programme)
    _history(programme, users, [{"recipient": r[0], "holder_name": "赵一"}])
    assert _found("FIN-15-benefit-card-not-own") == []
    _history(programme, users, [{"recipient": r[1], "holder_name": "村干部甲"}])
    assert len(_found("FIN-15-benefit-card-not-own")) == 1


def test_fin15_one_card_for_several_recipients_and_its_twin(programme, users):
    _published(programme, users)
    r = _recipients(programme)
    _history(programme, users, [{"recipient": r[0]}, {"recipient": r[1]}])
    assert _found("FIN-15-benefit-shared-card") == []
    _history(programme, users, [{"recipient": r[2], "card_number": r[0].card_number}])
    assert len(_found("FIN-15-benefit-shared-card")) == 1


def test_fin15_card_name_differing_only_in_spaces_is_the_recipients_own(programme, users):
    _published(programme, users)
    r = _recipients(programme)
    _history(programme, users, [{"recipient": r[0], "holder_name": " 赵 一　"}])
    assert _found("FIN-15-benefit-card-not-own") == []


def test_fin15_one_recipient_paid_twice_on_own_card_is_not_a_shared_card(programme, users):
    _published(programme, users)
    r = _recipients(programme)
    _history(programme, users, [{"recipient": r[0]}])
    _history(programme, users, [{"recipient": r[0]}], on=date(2025, 4, 15))
    assert _found("FIN-15-benefit-shared-card") == []
    _history(programme, users, [{"recipient": r[1], "card_number": r[0].card_number}])
    (found,) = _found("FIN-15-benefit-shared-card")
    assert found.inputs["people"] == 2 and len(found.inputs["payments"]) == 3


def test_pub8_payment_is_judged_by_the_list_in_force_on_its_day(programme, users):
    _published(programme, users)
    _list(programme, users, people(1, start=20))  # seq 5, not on the first list
    late = programme.recipients.get(seq=5)
    _history(programme, users, [{"recipient": late}], on=date(2025, 3, 16))
    services.do_publish_list(programme, actor=users["accountant"], at=at(2025, 3, 20))
    _history(programme, users, [{"recipient": late}], on=date(2025, 3, 25))
    found = _found("PUB-8-benefit-not-on-list")
    paid = BenefitPayment.objects.filter(recipient=late).order_by("paid_on")
    assert [f.subject_id for f in found] == [str(paid[0].pk)]  # the second is on the new list


def test_pub8_paid_off_the_list_or_above_it_and_its_twin(programme, users):
    _published(programme, users)
    r = _recipients(programme)
    _history(programme, users, [{"recipient": r[0], "amount": 30_000}])
    assert _found("PUB-8-benefit-not-on-list") == []
    _history(programme, users, [{"recipient": r[1], "amount": 40_000}])
    _list(programme, users, people(1, start=20))  # added after the publication
    late = programme.recipients.get(seq=5)
    _history(programme, users, [{"recipient": late}], on=date(2025, 3, 16))
    assert len(_found("PUB-8-benefit-not-on-list")) == 2


def test_pub8_paid_before_publication_and_its_twin(programme, users):
    _list(programme, users, people(2))
    r = _recipients(programme)
    _history(programme, users, [{"recipient": r[0]}], on=date(2025, 3, 4))
    assert len(_found("PUB-8-benefit-unpublished")) == 1
    services.do_publish_list(programme, actor=users["accountant"], at=at(2025, 3, 5))
    _history(programme, users, [{"recipient": r[1]}], on=date(2025, 3, 6))
    assert len(_found("PUB-8-benefit-unpublished")) == 1  # the later batch is lawful
    assert _found("PUB-8-benefit-not-on-list") == []


def test_pub8_notice_down_before_three_months_and_its_twin(programme, users):
    pub = _published(programme, users)
    services.do_record_notice(
        pub, date(2025, 3, 5), date(2025, 6, 5), actor=users["accountant"], at=at(2025, 6, 5)
    )
    assert _found("PUB-8-benefit-takedown-early") == []
    services.do_record_notice(
        pub, date(2025, 3, 5), date(2025, 4, 1), actor=users["accountant"], at=at(2025, 6, 6)
    )
    assert len(_found("PUB-8-benefit-takedown-early")) == 1
    # and the online list taken down before its year (history / a direct edit)
    pub2 = services.do_publish_list(programme, actor=users["accountant"], at=at(2025, 4, 1))
    BenefitPublication.objects.filter(pk=pub2.pk).update(taken_down_at=at(2025, 5, 1))
    assert len(_found("PUB-8-benefit-takedown-early")) == 2


def test_fin15_subsidy_parties_for_the_conflict_index(programme, users):
    _published(programme, users, k=2)
    rows = list(selectors.subsidy_parties(date(2025, 3, 31)))
    assert {r["id_number"] for r in rows} == {rid(10), rid(11)}
    assert all(r["role"] == "subsidy" and r["unit_id"] == programme.book.unit_id for r in rows)
    assert list(selectors.subsidy_parties(date(2025, 3, 1))) == []
