"""Reads of the organisation: who holds what, and what a user may see (ORG-1..4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import roles
from .models import Appointment, Person, Post, RiskClass, Unit

# Default rotation limits (轮岗年限) by risk class, ORG-4. 附件2 二(二)5 and 三(二)2 ask that
# people "工作年限较长" on key posts be rotated but give no number, so the number is ours:
# 5 years for A and B posts, overridable with settings.WUQUAN_ROTATION_YEARS and per post
# (Post.rotation_years). C posts get no prompt unless the post sets a number.
DEFAULT_ROTATION_YEARS = {RiskClass.A: 5, RiskClass.B: 5}


def person_of(user) -> Person | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def posts_held(person: Person | None, on: date | None = None):
    """Posts the person holds on date `on` (today by default)."""
    if person is None:
        return Post.objects.none()
    on = on or timezone.localdate()
    # why: one filter() call, so all conditions apply to the SAME appointment (two calls on
    # a multi-valued relation join it twice: an ended appointment plus anyone else's current
    # one on the post would pass).
    return Post.objects.filter(
        Q(appointments__end__isnull=True) | Q(appointments__end__gte=on),
        appointments__person=person,
        appointments__start__lte=on,
    ).distinct()


def holders_of(post: Post, on: date | None = None):
    on = on or timezone.localdate()
    return Person.objects.filter(
        Q(appointments__end__isnull=True) | Q(appointments__end__gte=on),
        appointments__post=post,
        appointments__start__lte=on,
    ).distinct()


def role_names(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(user.groups.values_list("name", flat=True))


def is_supervisory(user) -> bool:
    """Supervisory users see every unit: superusers, holders of a supervisory role
    (纪检监察, 审计, 系统管理员) and people on a post in a supervisory unit (纪委)."""
    if getattr(user, "is_superuser", False) or role_names(user) & roles.SUPERVISORY_ROLES:
        return True
    person = person_of(user)
    return posts_held(person).filter(unit__is_supervisory=True).exists()


def is_system_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or roles.ADMIN in role_names(user)


def descendant_ids(unit_ids) -> set[int]:
    """The units and every unit below them (one query per level)."""
    found = set(unit_ids)
    frontier = set(unit_ids)
    while frontier:
        frontier = (
            set(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        )
        found |= frontier
    return found


def units_visible_to(user):
    """Units the user may see: all for supervisory roles, else their units and those below."""
    if is_supervisory(user):
        return Unit.objects.all()
    person = person_of(user)
    own = set(posts_held(person).values_list("unit_id", flat=True))
    return Unit.objects.filter(id__in=descendant_ids(own))


def scope(queryset: QuerySet, user, unit_field: str = "unit") -> QuerySet:
    """Limit any queryset to the rows whose `unit_field` (a path to an org.Unit, e.g.
    "unit", "post__unit", "lead_unit") is visible to `user` (ORG-1 scoping). Supervisory
    users get the queryset unchanged; anonymous users get nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    if is_supervisory(user):
        return queryset
    ids = list(units_visible_to(user).values_list("id", flat=True))
    return queryset.filter(**{f"{unit_field}__in": ids})


def can_see_unit(user, unit: Unit) -> bool:
    return is_supervisory(user) or units_visible_to(user).filter(pk=unit.pk).exists()


def unit_tree(units) -> list[tuple[Unit, int]]:
    """(unit, depth) in tree order; a unit whose parent is not in `units` starts a new root."""
    units = list(units)
    ids = {u.id for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    out: list[tuple[Unit, int]] = []

    def walk(parent_id, depth):
        for u in sorted(children.get(parent_id, []), key=lambda x: (x.sort, x.code)):
            out.append((u, depth))
            walk(u.id, depth + 1)

    walk(None, 0)
    return out


@dataclass
class Leader:
    post: Post
    holders: list[Person]
    areas: list[str]


def leadership(unit: Unit, on: date | None = None) -> dict:
    """The unit's leadership (ORG-3): the head (监管, 正职监管) and each deputy with the
    areas they are in charge of (分管), with who holds each post on `on`."""
    on = on or timezone.localdate()
    posts = list(
        unit.posts.filter(Q(is_head=True) | Q(is_deputy=True)).order_by("-is_head", "code")
    )
    current = _current_holders([p.id for p in posts], on)
    head = next((p for p in posts if p.is_head), None)
    return {
        "head": Leader(head, current.get(head.id, []), []) if head else None,
        "deputies": [
            Leader(p, current.get(p.id, []), p.area_labels()) for p in posts if p.is_deputy
        ],
    }


def _current_holders(post_ids, on: date) -> dict[int, list[Person]]:
    found: dict[int, list[Person]] = {}
    appts = (
        Appointment.objects.filter(post_id__in=post_ids, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("person")
        .order_by("start")
    )
    for a in appts:
        found.setdefault(a.post_id, []).append(a.person)
    return found


def holders_by_post(posts, on: date | None = None) -> dict[int, list[Person]]:
    return _current_holders([p.id for p in posts], on or timezone.localdate())


def rotation_years_for(post: Post) -> int | None:
    """Years on one post after which rotation is prompted (ORG-4): the post's own number,
    else settings.WUQUAN_ROTATION_YEARS[risk class], else DEFAULT_ROTATION_YEARS."""
    if post.rotation_years:
        return post.rotation_years
    table = {**DEFAULT_ROTATION_YEARS, **getattr(settings, "WUQUAN_ROTATION_YEARS", {})}
    return table.get(post.risk_class)


def years_between(start: date, end: date) -> float:
    return round((end - start).days / 365.2425, 2)


@dataclass
class Tenure:
    person: Person
    post: Post
    since: date  # start of the unbroken run of appointments on this post
    as_of: date
    limit: int | None = None

    @property
    def years(self) -> float:
        return years_between(self.since, self.as_of)

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.as_of >= add_years(self.since, self.limit)


def add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def tenures(as_of: date | None = None, posts=None) -> list[Tenure]:
    """Current tenure of every holder on `as_of` (ORG-4). Back-to-back appointments of the
    same person on the same post (the next starting on or the day after the previous end)
    count as one unbroken tenure."""
    as_of = as_of or timezone.localdate()
    appts = Appointment.objects.filter(start__lte=as_of).select_related(
        "person", "post", "post__unit"
    )
    if posts is not None:
        appts = appts.filter(post__in=posts)
    runs: dict[tuple[int, int], list[Appointment]] = {}
    for a in appts.order_by("start"):
        runs.setdefault((a.person_id, a.post_id), []).append(a)
    out = []
    for chain in runs.values():
        current = [a for a in chain if a.end is None or a.end >= as_of]
        if not current:
            continue
        since = current[-1].start
        earlier = [a for a in chain if a.start < since]
        for a in reversed(earlier):
            if a.end is None or a.end >= since - timedelta(days=1):
                since = min(since, a.start)
            else:
                break
        post = chain[0].post
        out.append(Tenure(chain[0].person, post, since, as_of, rotation_years_for(post)))
    out.sort(key=lambda t: (t.since, t.post.unit.sort, t.post.code))
    return out


def rotation_due(as_of: date | None = None, user=None, units=None) -> list[Tenure]:
    """People on A/B posts (or any post with its own limit) whose unbroken tenure has reached
    the post's rotation limit on `as_of` — the 轮岗提示 list (ORG-4, 附件2 二(二)5).
    Scoped to what `user` may see when a user is given."""
    posts = Post.objects.all()
    if user is not None:
        posts = scope(posts, user)
    if units is not None:
        posts = posts.filter(unit__in=units)
    return [t for t in tenures(as_of, posts) if t.over_limit]
