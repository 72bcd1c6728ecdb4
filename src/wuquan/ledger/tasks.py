"""Periodic checkpoint signing (AUD-2): every 10 minutes, sign the head if the log grew."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import do_create_checkpoint


@db_periodic_task(crontab(minute="*/10"))
def sign_checkpoint_periodically():
    checkpoint, created = do_create_checkpoint()
    return checkpoint.size if created else None
