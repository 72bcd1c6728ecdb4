"""Writes to the task-division table (WRK-2): assigning responsibility, marking a plan made.
Each change is recorded in the log with the fields it changed."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.forms.models import model_to_dict

from wuquan.common.exceptions import InvalidInput
from wuquan.ledger import record

from .models import Task, TaskStatus

EDITABLE = (
    "responsible_leader",
    "responsible_unit",
    "responsible_person",
    "deadline",
    "quality_requirement",
    "status",
    "made_on",
    "plan_title",
    "progress_note",
    "lead_unit",
    "five_power",
    "requirement",
    "attachment",
)


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def _validate(task: Task) -> None:
    if task.status == TaskStatus.MADE and not task.plan_title.strip():
        raise InvalidInput("已制定的任务须填写制度名称。", field="plan_title")
    if task.made_on and task.status != TaskStatus.MADE:
        raise InvalidInput("未制定的任务不能填写制定日期。", field="made_on")
    if not task.requirement.strip():
        raise InvalidInput("制度要求不能为空。", field="requirement")


@transaction.atomic
def do_save_task(task: Task, *, actor, at: datetime | None = None) -> Task:
    """Create or update a task; records which WRK-2 fields changed (附件6 四(一))."""
    _validate(task)
    old = Task.objects.filter(pk=task.pk).first() if task.pk else None
    before = model_to_dict(old) if old else {}
    after = model_to_dict(task)
    changed = {k: _jsonable(after[k]) for k in EDITABLE if k in after and after[k] != before.get(k)}
    task.save()
    if old is None:
        record(actor, "workplan.task.created", task, {"seq": task.seq, **changed}, at=at)
    elif changed:
        record(actor, "workplan.task.changed", task, {"seq": task.seq, "changed": changed}, at=at)
    return task


@transaction.atomic
def do_assign_task(task: Task, *, actor, at: datetime | None = None, **fields) -> Task:
    """Set responsible leader/unit/person, deadline and quality requirement (WRK-2)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(task, name, value)
    return do_save_task(task, actor=actor, at=at)


@transaction.atomic
def do_mark_made(
    task: Task, made_on: date, plan_title: str, *, actor, at: datetime | None = None
) -> Task:
    """The lead unit has made its plan (已制定) on `made_on` (WRK-1, WRK-3)."""
    return do_assign_task(
        task,
        actor=actor,
        at=at,
        status=TaskStatus.MADE,
        made_on=made_on,
        plan_title=plan_title or task.plan_title,
    )
