"""Writes to the organisation (ORG-1..4). Each change is recorded in the log."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from wuquan.ledger import record

from . import roles
from .models import Appointment, Person, Post, Unit


def ensure_roles() -> None:
    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)


@transaction.atomic
def ensure_unit(code: str, name: str, kind: str, parent: Unit | None = None, **extra) -> Unit:
    """Create the unit if it does not exist (idempotent, for demo and import)."""
    unit, created = Unit.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent, **extra}
    )
    if created:
        record("system", "org.unit.created", unit, {"name": name, "kind": kind,
               "parent": parent.code if parent else None})
    return unit


@transaction.atomic
def ensure_post(unit: Unit, code: str, name: str, risk_class: str = "C", **extra) -> Post:
    post, created = Post.objects.get_or_create(
        unit=unit, code=code, defaults={"name": name, "risk_class": risk_class, **extra}
    )
    if created:
        record("system", "org.post.created", post, {"unit": unit.code, "name": name,
               "risk_class": risk_class, "is_head": post.is_head, "areas": post.areas})
    return post


@transaction.atomic
def do_appoint(person: Person, post: Post, start: date, actor=None) -> Appointment:
    """Put a person on a post from `start` (ORG-4). A head post takes one holder at a time."""
    appointment = Appointment.objects.create(person=person, post=post, start=start)
    record(actor, "org.appointment.started", appointment,
           {"person": person.pk, "post": post.pk, "start": start.isoformat()})
    return appointment


@transaction.atomic
def ensure_staff(
    username: str,
    name: str,
    post: Post | None,
    role_names: list[str],
    password: str = "wuquan2026",
    start: date = date(2024, 1, 1),
    is_superuser: bool = False,
):
    """A demo/staff account linked to a person holding `post`, with roles (idempotent)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": is_superuser}
    )
    if created:
        user.set_password(password)
        user.save()
        ensure_roles()
        user.groups.set(Group.objects.filter(name__in=role_names))
        person = Person.objects.create(name=name, user=user)
        if post is not None:
            do_appoint(person, post, start)
        record("system", "org.account.created", user,
               {"username": username, "roles": role_names, "post": post.pk if post else None})
    return user
