"""Keep case and step deadlines in step with the calendar (APR-2): when an official holiday
schedule moves a case's promised deadline, the case and its open steps follow."""

from __future__ import annotations


def on_deadline_moved(sender, deadline, old_due, new_due, **kwargs) -> None:
    if deadline.subject_type != "approvals.case":
        return
    from .models import Case
    from .services import _refresh_deadlines

    case = Case.objects.filter(pk=deadline.subject_id).select_related("deadline").first()
    if case is None:
        return
    _refresh_deadlines(case)
    case.save(update_fields=["due", "provisional"])
