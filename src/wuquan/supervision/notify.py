"""Notifications: the in-app inbox, email through Django's backend, SMS through a pluggable
backend (setting `WUQUAN_SMS_BACKEND`, a dotted path; default logs the message) (SUP-5).

Email and SMS leave only after the transaction commits: a rolled-back assignment sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from wuquan.org import roles
from wuquan.org.models import Person, Post, Unit
from wuquan.org.selectors import holders_of

from .models import Notification

log = logging.getLogger(__name__)

DEFAULT_SMS_BACKEND = "wuquan.supervision.notify.LoggingSMSBackend"


class LoggingSMSBackend:
    """Writes each SMS to the `wuquan.sms` log instead of sending it (embedded/demo mode)."""

    sent: list[tuple[str, str]] = []  # why: lets tests and the demo see what would have gone

    def send(self, phone: str, text: str) -> None:
        logging.getLogger("wuquan.sms").info("SMS to %s: %s", phone, text)
        self.sent.append((phone, text))


def sms_backend():
    return import_string(getattr(settings, "WUQUAN_SMS_BACKEND", DEFAULT_SMS_BACKEND))()


def unit_users(unit: Unit) -> list:
    """Accounts of the people holding a post in `unit` today (the unit concerned)."""
    users = []
    for post in Post.objects.filter(unit=unit):
        for person in holders_of(post):
            if person.user_id and person.user not in users:
                users.append(person.user)
    return users


def commission_users() -> list:
    return list(get_user_model().objects.filter(groups__name=roles.COMMISSION, is_active=True))


def notify(users: Iterable, title: str, body: str = "", link: str = "") -> list[Notification]:
    """Put a message in each user's inbox; email and SMS them after commit."""
    made = []
    for user in {u.pk: u for u in users}.values():
        made.append(Notification.objects.create(user=user, title=title[:200], body=body, link=link))
        email = getattr(user, "email", "")
        phone = Person.objects.filter(user=user).values_list("phone", flat=True).first()
        transaction.on_commit(lambda e=email, p=phone: _send_out(e, p, title, body, link))
    return made


def _send_out(email: str, phone: str | None, title: str, body: str, link: str) -> None:
    text = f"{title}\n{body}\n{link}".strip()
    try:
        if email:
            send_mail(title, text, None, [email], fail_silently=False)
        if phone:
            sms_backend().send(phone, f"{title} {link}".strip())
    except Exception:  # noqa: BLE001 - the inbox row is the record; a failed send is logged
        log.exception("notification delivery failed")
