"""SUP-1: the inline checks keep the rule settings between events while the ledger says no
other connection wrote — and see a change at once, made here or by another connection."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wuquan.ledger import record
from wuquan.supervision.models import Alarm, RuleSetting
from wuquan.supervision.services import do_change_rule_setting

from ..common.threads import in_another_connection
from .sup_fixtures import *  # noqa: F403 - the fixtures org, temp_rule, fast hashing
from .test_supervision_engine import _event_rule

pytestmark = pytest.mark.django_db(transaction=True)
CODE = "SUP-1-test-event"


def _paid(subject: str, amount: int):
    record("user:a", "test.thing.paid", ("test.thing", subject), {"amount": amount})


def _raised(subject: str) -> bool:
    return Alarm.objects.filter(rule_code=CODE, subject_id=subject).exists()


def _settings_reads(queries) -> int:
    return sum(RuleSetting._meta.db_table in q["sql"] for q in queries)


def test_sup1_settings_are_read_once_while_nobody_else_writes(temp_rule):
    temp_rule(_event_rule())
    _paid("1", 1)
    with CaptureQueriesContext(connection) as ctx:
        _paid("2", 1)
        _paid("3", 1)
    assert _settings_reads(ctx.captured_queries) == 0


def test_sup1_a_setting_changed_on_this_connection_applies_to_the_next_event(temp_rule):
    temp_rule(_event_rule())
    _paid("1", 5)
    assert _raised("1")
    do_change_rule_setting(CODE, {"limit": 10}, "放宽", actor="system:test")
    _paid("2", 5)
    assert not _raised("2")


def test_sup1_a_setting_changed_by_another_connection_applies_to_the_next_event(temp_rule):
    temp_rule(_event_rule())
    _paid("1", 5)
    assert _raised("1")
    in_another_connection(
        lambda: do_change_rule_setting(CODE, {}, "停用", actor="system:test", enabled=False)
    )
    _paid("2", 5)
    assert not _raised("2")


def test_sup1_a_setting_change_that_rolls_back_leaves_nothing_cached(temp_rule):
    from django.db import transaction

    temp_rule(_event_rule())
    _paid("1", 5)
    assert _raised("1")
    with pytest.raises(RuntimeError), transaction.atomic():
        do_change_rule_setting(CODE, {}, "停用", actor="system:test", enabled=False)
        _paid("2", 5)  # read the settings (rule disabled) inside the doomed transaction
        assert not _raised("2")
        raise RuntimeError("the change is abandoned")
    assert not RuleSetting.objects.exists()
    _paid("3", 5)
    assert _raised("3")
