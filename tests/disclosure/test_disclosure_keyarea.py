"""The key-area catalog (PUB-4, 附件4): public by default, due within the entry's time limit
in working days, withheld only on a recorded ground."""

from datetime import date

import pytest

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.disclosure import services
from wuquan.disclosure.models import KeyArea, KeyAreaEntry
from wuquan.disclosure.rules import KEY_AREA_UNPUBLISHED

from .disc_helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(demo_org):
    from wuquan.org.models import Unit

    return services.do_save_key_area_entry(
        KeyAreaEntry(
            area=KeyArea.PROCUREMENT,
            title="政府采购结果",
            content="采购项目名称、供应商、金额",
            publisher=Unit.objects.get(code="caizheng"),
            method="门户网站",
            time_limit_working_days=20,
            basis="政府信息公开条例第二十六条",
        ),
        actor="system",
    )


def _overdue(as_of):
    return [f.subject_id for f in KEY_AREA_UNPUBLISHED.sweep(as_of, {})]


def test_pub4_due_is_twenty_working_days_after_forming(entry):
    # 2026-09-28 (Mon) + 20 working days skips the 国庆 holiday (10-01..10-08)
    item = services.do_register_key_area_item(
        entry, "办公设备采购结果", date(2026, 9, 28), actor="system", at=at("2026-09-28 10:00")
    )
    assert item.due > date(2026, 10, 26)


def test_pub4_unpublished_past_its_limit_is_an_alarm_and_publishing_clears_it(entry):
    item = services.do_register_key_area_item(
        entry, "办公设备采购结果", date(2026, 6, 1), actor="system", at=at("2026-06-01 10:00")
    )
    assert _overdue(at(f"{item.due} 20:00")) == []
    after = at("2026-07-15 09:00")
    assert _overdue(after) == [str(item.pk)]
    services.do_publish_key_area_item(
        item, "供应商：某公司，金额 12 万元", actor="system", at=after
    )
    assert _overdue(at("2026-07-16 09:00")) == []


def test_pub4_withholding_needs_a_ground_and_a_reason(entry):
    item = services.do_register_key_area_item(
        entry, "涉密采购", date(2026, 6, 1), actor="system", at=at("2026-06-01 10:00")
    )
    with pytest.raises(InvalidInput):
        services.do_withhold_key_area_item(item, "", "无", actor="system")
    with pytest.raises(InvalidInput):
        services.do_withhold_key_area_item(item, "state_secret", "", actor="system")
    services.do_withhold_key_area_item(
        item,
        "state_secret",
        "涉及国家秘密，依保密法不予公开",
        actor="system",
        at=at("2026-06-02 10:00"),
    )
    assert _overdue(at("2026-08-01 09:00")) == []
    with pytest.raises(RuleViolation):
        services.do_publish_key_area_item(item, "x", actor="system")
