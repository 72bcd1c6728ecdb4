"""Signals of the working-day calendar (APR-2).

`deadline_moved(sender, deadline, old_due, new_due)` — sent (inside the transaction, after the
ledger record) whenever a tracked deadline's due day changes because an official schedule was
loaded. `deadline` is the `TrackedDeadline` (its `subject_type`/`subject_id` say whose it is);
`old_due`/`new_due` are dates. Approvals, supervision (re-evaluating alarms) and decisions
connect to it; see docs/workdays.md.
"""

from django.db import transaction
from django.dispatch import Signal

deadline_moved = Signal()


def schedule_written(sender, **kwargs):
    """Drop the per-year cache when a schedule or one of its days is written."""
    from django.db import connection
    from django.utils import timezone

    from . import layers
    from .models import OfficialSchedule, ScheduleDay

    if sender is ScheduleDay:
        # why: other processes notice a change through the schedules' updated_at fingerprint.
        OfficialSchedule.objects.filter(pk=kwargs["instance"].schedule_id).update(
            updated_at=timezone.now()
        )
    in_tx = connection.in_atomic_block
    layers.invalidate(in_transaction=in_tx)
    if in_tx:
        transaction.on_commit(layers.transaction_committed)
