"""Reads of the task-division table (WRK-1)."""

from .models import FivePower, Task


def task_table(unit: str | None = None, category: str | None = None) -> dict:
    """The table with optional filters by lead-unit code and five-power category."""
    tasks = Task.objects.select_related("lead_unit")
    if unit:
        tasks = tasks.filter(lead_unit__code=unit)
    if category:
        tasks = tasks.filter(five_power=category)
    units = (
        Task.objects.values_list("lead_unit__code", "lead_unit__name")
        .distinct()
        .order_by("lead_unit__sort", "lead_unit__code")
    )
    return {
        "tasks": list(tasks),
        "units": list(units),
        "categories": FivePower.choices,
        "selected_unit": unit or "",
        "selected_category": category or "",
    }


def dispatch(as_of, tasks=None) -> dict:
    """The 调度 report (WRK-3, 正文 一、三): tasks overdue and tasks not yet made, by lead unit,
    naming the units that lag (any task past its deadline without a plan, or made late).
    `tasks` is an optional (already scoped) queryset."""
    tasks = list(
        (tasks if tasks is not None else Task.objects.all())
        .select_related("lead_unit", "responsible_unit")
        .order_by("lead_unit__sort", "seq")
    )
    overdue = [t for t in tasks if t.is_overdue(as_of)]
    not_made = [t for t in tasks if not t.is_made]
    unassigned = [t for t in tasks if t.missing_assignment()]
    by_unit: dict[int, dict] = {}
    for t in tasks:
        row = by_unit.setdefault(
            t.lead_unit_id,
            {"unit": t.lead_unit, "total": 0, "made": 0, "not_made": 0, "overdue": []},
        )
        row["total"] += 1
        row["made"] += t.is_made
        row["not_made"] += not t.is_made
        if t.is_overdue(as_of):
            row["overdue"].append(t)
    units = sorted(
        by_unit.values(), key=lambda r: (-len(r["overdue"]), -r["not_made"], r["unit"].sort)
    )
    return {
        "as_of": as_of,
        "total": len(tasks),
        "made": sum(t.is_made for t in tasks),
        "overdue": overdue,
        "not_made": not_made,
        "unassigned": unassigned,
        "units": units,
        "lagging": [r for r in units if r["overdue"]],
    }
