"""Huey periodic task: run every sweep rule once a minute (SUP-2)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def run_supervision_sweeps():
    from .engine import run_sweeps

    return run_sweeps().raised
