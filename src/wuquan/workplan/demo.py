"""Loads the 40 tasks of 附件1 (WRK-1) from workplan/data/task_division.csv (copied from the
seed's shared data; source: 龙潭区“五权”工作任务调整分工表)."""

import csv
from pathlib import Path

from django.db import transaction

from wuquan.ledger import record
from wuquan.org.models import Unit

from .models import Task

CSV_PATH = Path(__file__).parent / "data" / "task_division.csv"


@transaction.atomic
def load(stdout=None) -> int:
    """Create missing tasks; lead units are matched by short name (org demo). Returns count."""
    units = {u.short_name: u for u in Unit.objects.exclude(short_name="")}
    created = 0
    with CSV_PATH.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            seq = int(row["seq"])
            if Task.objects.filter(seq=seq).exists():
                continue
            unit = units.get(row["lead_unit"])
            if unit is None:
                raise ValueError(
                    f"task {seq}: lead unit {row['lead_unit']!r} is not in the organisation"
                )
            task = Task.objects.create(
                seq=seq,
                lead_unit=unit,
                five_power=row["five_power"],
                plan_title=row["plan_title"],
                requirement=row["requirement"],
                status=row["status"],
                attachment=row["attachment"],
            )
            record("system", "workplan.task.loaded", task, {"seq": seq, "status": task.status})
            created += 1
    return created
