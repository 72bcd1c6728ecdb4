"""Huey periodic tasks: the incremental sweep every minute, a full reconciliation nightly
(SUP-2; docs/supervision.md "Incremental sweeps")."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def run_supervision_sweeps():
    from .engine import run_sweeps

    return run_sweeps(mode="incremental").raised


# why 18:30 UTC: 02:30 in Asia/Shanghai, when nobody records anything (Huey's crontab reads UTC
# unless HUEY["utc"] is False)
@db_periodic_task(crontab(minute="30", hour="18"))
def reconcile_supervision_sweeps():
    """The incremental state against a full sweep: what the full sweep still had to do is
    logged (a warning per rule) and returned; it should be nothing."""
    from .engine import run_sweeps

    summary = run_sweeps(mode="reconcile")
    return {code: d for code, d in summary.drift.items() if any(d.values())}
