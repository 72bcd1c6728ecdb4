"""Reads of the organisation: who holds what, and what a user may see (ORG-1..4)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from . import roles
from .models import Person, Post, Unit


def person_of(user) -> Person | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def posts_held(person: Person | None, on: date | None = None):
    """Posts the person holds on date `on` (today by default)."""
    if person is None:
        return Post.objects.none()
    on = on or timezone.localdate()
    return Post.objects.filter(
        appointments__person=person, appointments__start__lte=on
    ).filter(Q(appointments__end__isnull=True) | Q(appointments__end__gte=on)).distinct()


def holders_of(post: Post, on: date | None = None):
    on = on or timezone.localdate()
    return Person.objects.filter(
        appointments__post=post, appointments__start__lte=on
    ).filter(Q(appointments__end__isnull=True) | Q(appointments__end__gte=on)).distinct()


def role_names(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(user.groups.values_list("name", flat=True))


def is_supervisory(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(role_names(user) & roles.SUPERVISORY_ROLES)


def descendant_ids(unit_ids) -> set[int]:
    """The units and every unit below them (one query per level)."""
    found = set(unit_ids)
    frontier = set(unit_ids)
    while frontier:
        frontier = set(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def units_visible_to(user):
    """Units the user may see: all for supervisory roles, else their units and those below."""
    if is_supervisory(user):
        return Unit.objects.all()
    person = person_of(user)
    own = set(posts_held(person).values_list("unit_id", flat=True))
    return Unit.objects.filter(id__in=descendant_ids(own))
