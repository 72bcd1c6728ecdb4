"""SMS through the pluggable backend (setting `WUQUAN_SMS_BACKEND`, a dotted path to a class with
`send(phone, text)`; the same setting the supervision notifications use). The default writes the
message to the `wuquan.sms` log (embedded/demo mode) and keeps it in `LoggingSMSBackend.sent`.

Messages leave only after the transaction commits: a rolled-back action sends nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

DEFAULT_SMS_BACKEND = "wuquan.common.sms.LoggingSMSBackend"


class LoggingSMSBackend:
    """Writes each SMS to the `wuquan.sms` log instead of sending it."""

    sent: list[tuple[str, str]] = []  # why: lets tests and the demo see what would have gone

    def send(self, phone: str, text: str) -> None:
        logging.getLogger("wuquan.sms").info("SMS to %s: %s", phone, text)
        self.sent.append((phone, text))


def backend():
    return import_string(getattr(settings, "WUQUAN_SMS_BACKEND", DEFAULT_SMS_BACKEND))()


def send_after_commit(phone: str, text: str) -> bool:
    """Queue an SMS for after the commit; False (nothing queued) when there is no phone."""
    phone = (phone or "").strip()
    if not phone:
        return False

    def _send():
        try:
            backend().send(phone, text)
        except Exception:  # noqa: BLE001 - the ledger event is the record; a failed send is logged
            log.exception("SMS delivery failed")

    transaction.on_commit(_send)
    return True
