"""The two reads a step completion makes (APR-3), in SQL written once per process.

Completing a step is the platform's hottest write (every case makes several). Its two reads —
the case under its lock, then the step with the case's other open steps — were ORM querysets
whose compilation alone (select_related + only, an OR filter with an `Exists` annotation) cost
about 1.5 ms of an 8 ms transition on PostgreSQL (bench/case_throughput.py; the goal is a
transition ≤ 5× a bare SpiffWorkflow one). Here the same SELECTs are built from the models'
metadata once and run through `Model.objects.raw`, which still applies every field's
database converters, so the model fields hold what the ORM would have loaded (checked on both
databases). Differences: the case also carries `item_code`, `item_area` and `flow_checksum`
attributes, and a step's `appointed` is 1/0 on SQLite (no converter for an extra column; only
its truth is used).
Tests: tests/approvals (every step completion goes through here, on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.db import connection

from wuquan.catalog.models import ApprovalItem, FlowVersion
from wuquan.org.models import Appointment

from .models import Case, CaseStep, StepState


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@lru_cache(maxsize=4)
def _case_sql(vendor: str, lock_of: bool) -> str:
    cols = ", ".join(f"c.{_q(f.column)}" for f in Case._meta.concrete_fields)
    item, flow = ApprovalItem._meta, FlowVersion._meta
    sql = (
        f"SELECT {cols}, i.{_q('code')} AS item_code, i.{_q('area')} AS item_area, "
        f"f.{_q('checksum')} AS flow_checksum "
        f"FROM {_q(Case._meta.db_table)} c "
        f"INNER JOIN {_q(item.db_table)} i ON i.{_q(item.pk.column)} = c.{_q('item_id')} "
        f"LEFT OUTER JOIN {_q(flow.db_table)} f ON f.{_q(flow.pk.column)} = c.{_q('flow_id')} "
        f"WHERE c.{_q(Case._meta.pk.column)} = %s"
    )
    # why: PostgreSQL locks the case row; SQLite's IMMEDIATE transactions already hold the
    # database's one write lock
    return sql + (" FOR UPDATE OF c" if lock_of else "")


def lock_case_for_step(case_id: int) -> Case:
    """The case locked for this transaction (PostgreSQL row lock), with every column of its
    own, and of its item only `code` and `area` and of its flow only `checksum` (what a
    completion reads: payload, certificate number, the cached flow spec). Case.DoesNotExist
    when there is none."""
    sql = _case_sql(connection.vendor, connection.features.has_select_for_update_of)
    rows = list(Case.objects.raw(sql, [case_id]))
    if not rows:
        raise Case.DoesNotExist("Case matching query does not exist.")
    case = rows[0]
    item = ApprovalItem.from_db(
        connection.alias, ["id", "code", "area"], [case.item_id, case.item_code, case.item_area]
    )
    Case.item.field.set_cached_value(case, item)
    flow = None
    if case.flow_id is not None:
        flow = FlowVersion.from_db(
            connection.alias, ["id", "checksum"], [case.flow_id, case.flow_checksum]
        )
    Case.flow.field.set_cached_value(case, flow)
    return case


@lru_cache(maxsize=4)
def _steps_sql(vendor: str, with_appointment: bool) -> str:
    cols = ", ".join(f"s.{_q(f.column)}" for f in CaseStep._meta.concrete_fields)
    appointed = ""
    if with_appointment:
        a = Appointment._meta
        appointed = (
            f", EXISTS (SELECT 1 FROM {_q(a.db_table)} a WHERE a.{_q('person_id')} = %s "
            f"AND a.{_q('post_id')} = s.{_q('post_id')} AND a.{_q('start')} <= %s "
            f"AND (a.{_q('end')} IS NULL OR a.{_q('end')} >= %s)) AS appointed"
        )
    return (
        f"SELECT {cols}{appointed} FROM {_q(CaseStep._meta.db_table)} s "
        f"WHERE s.{_q(CaseStep._meta.pk.column)} = %s "
        f"OR (s.{_q('case_id')} = %s AND s.{_q('state')} IN (%s, %s))"
    )


def step_and_open_steps(
    step_id: int, case_id: int, person_id: int | None, day: date
) -> list[CaseStep]:
    """The step `step_id` and the case's other open (ready or claimed) steps — read after the
    case lock, so nothing changes them before the transaction ends. With a person, each row
    carries `appointed`: the person has an appointment to the row's post in force on `day`
    (start on or before, no end or end on or after) — what the APR-3 rule checks."""
    with_appointment = person_id is not None
    params: list = []
    if with_appointment:
        d = connection.ops.adapt_datefield_value(day)
        params += [person_id, d, d]
    params += [step_id, case_id, StepState.READY.value, StepState.CLAIMED.value]
    return list(CaseStep.objects.raw(_steps_sql(connection.vendor, with_appointment), params))
