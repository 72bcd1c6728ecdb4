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
