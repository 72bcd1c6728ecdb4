"""Writes to the organisation (ORG-1..4). Each change is recorded in the log, in the same
transaction as the change (AUD-1); the admin, the Excel import and the demo all come here."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.forms.models import model_to_dict

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.ledger import record

from . import roles
from .models import Appointment, Person, Post, Reorganisation, Unit

# Fields that identify the person but must never reach the public log in clear (PUB-9).
_PRIVATE_FIELDS = {"id_number", "phone"}


def ensure_roles() -> None:
    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)


def _payload(obj, changed: list[str] | None = None) -> dict:
    data = model_to_dict(obj)
    data.pop("id", None)
    for field in _PRIVATE_FIELDS & data.keys():
        # why: the log is published; record only that a private field is set, not its value.
        data[field] = bool(data[field])
    out = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
    if changed is not None:
        out["changed"] = sorted(changed)
    return out


# Fields whose problems break a rule of the seed (RuleViolation) rather than being bad input.
_RULE_FIELDS = {Post: {"areas", "is_head", "is_deputy"}, Appointment: {"start"}}


def _check(obj) -> None:
    """Raise the first invariant the object breaks as a domain error (ORG-2..4)."""
    problems = obj.problems()
    if problems:
        field, message = problems[0]
        is_rule = field in _RULE_FIELDS.get(type(obj), set())
        raise (RuleViolation if is_rule else InvalidInput)(message, field=field)


def _changed_fields(obj) -> list[str] | None:
    if obj.pk is None:
        return None
    old = type(obj).objects.filter(pk=obj.pk).first()
    if old is None:
        return None
    new, before = model_to_dict(obj), model_to_dict(old)
    return [k for k in new if new[k] != before.get(k)]


def _unit_cycle(unit: Unit) -> bool:
    seen, cur = {unit.pk}, unit.parent
    while cur is not None:
        if cur.pk in seen:
            return True
        seen.add(cur.pk)
        cur = cur.parent
    return False


@transaction.atomic
def do_save_unit(unit: Unit, *, actor, at: datetime | None = None) -> Unit:
    """Create or update a unit (ORG-1). A unit may not sit below itself."""
    if unit.pk is not None and unit.parent_id is not None and _unit_cycle(unit):
        raise RuleViolation("上级单位不能是本单位或其下级单位。", field="parent")
    changed = _changed_fields(unit)
    created = unit.pk is None
    unit.save()
    record(
        actor,
        "org.unit.created" if created else "org.unit.changed",
        unit,
        _payload(unit, changed),
        at=at,
    )
    return unit


@transaction.atomic
def do_save_post(post: Post, *, actor, at: datetime | None = None) -> Post:
    """Create or update a post. Areas only on deputies; a head never holds any of the five
    hands-off areas (ORG-2, ORG-3, 附件3; SUP-4 relies on it)."""
    _check(post)
    changed = _changed_fields(post)
    created = post.pk is None
    post.save()
    record(
        actor,
        "org.post.created" if created else "org.post.changed",
        post,
        _payload(post, changed),
        at=at,
    )
    return post


@transaction.atomic
def do_save_person(person: Person, *, actor, at: datetime | None = None) -> Person:
    """Create or update a person; the ID number must be a valid 居民身份证号 (ORG-1, PUB-9)."""
    person.id_number = (person.id_number or "").strip().upper()
    person.phone = (person.phone or "").strip()
    person.code = (person.code or "").strip() or None
    _check(person)
    if person.code and Person.objects.filter(code=person.code).exclude(pk=person.pk).exists():
        raise InvalidInput(f"人员编号 {person.code} 已被使用。", field="code")
    changed = _changed_fields(person)
    created = person.pk is None
    person.save()  # a post_save receiver gives a code-less person "P000123" (models.py)
    record(
        actor,
        "org.person.created" if created else "org.person.changed",
        person,
        _payload(person, changed),
        at=at,
    )
    return person


@transaction.atomic
def do_save_appointment(
    appointment: Appointment, *, actor, at: datetime | None = None
) -> Appointment:
    """Create or update an appointment (ORG-4): end ≥ start; one holder at a time on a head
    post (ORG-3)."""
    # why: lock the post so two concurrent appointments to a head post cannot both pass.
    Post.objects.select_for_update().filter(pk=appointment.post_id).first()
    _check(appointment)
    changed = _changed_fields(appointment)
    created = appointment.pk is None
    appointment.save()
    record(
        actor,
        "org.appointment.started" if created else "org.appointment.changed",
        appointment,
        _payload(appointment, changed),
        at=at,
    )
    return appointment


@transaction.atomic
def do_appoint(
    person: Person,
    post: Post,
    start: date,
    end: date | None = None,
    *,
    actor,
    at: datetime | None = None,
) -> Appointment:
    """Put a person on a post from `start` (ORG-4). A head post takes one holder at a time."""
    return do_save_appointment(
        Appointment(person=person, post=post, start=start, end=end), actor=actor, at=at
    )


@transaction.atomic
def do_end_appointment(
    appointment: Appointment, end: date, *, actor, at: datetime | None = None
) -> Appointment:
    """Close an appointment on `end` (离任, ORG-4)."""
    appointment.end = end
    return do_save_appointment(appointment, actor=actor, at=at)


@transaction.atomic
def do_save_reorganisation(
    reorganisation: Reorganisation, *, actor, at: datetime | None = None
) -> Reorganisation:
    """Record a decided 机构变动 of a unit (附件7 二(九), PER-5: the personnel rule
    `PER-5-rushed-before-reorganisation` counts the appointments made before it takes effect)."""
    _check(reorganisation)
    changed = _changed_fields(reorganisation)
    reorganisation.save()
    record(
        actor,
        "org.reorganisation.saved",
        reorganisation,
        _payload(reorganisation, changed),
        at=at,
    )
    return reorganisation


@transaction.atomic
def do_delete(obj, *, actor, at: datetime | None = None) -> None:
    """Delete a unit, post, person or appointment (only when nothing refers to it) and record
    what was removed."""
    from django.db.models import ProtectedError

    label = obj._meta.model_name
    subject = (obj._meta.label_lower, obj.pk)
    payload = _payload(obj)
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise RuleViolation(
            f"{obj} 仍被其他记录引用，不能删除：{len(exc.protected_objects)} 条。"
        ) from exc
    record(actor, f"org.{label}.deleted", subject, payload, at=at)


@transaction.atomic
def ensure_unit(code: str, name: str, kind: str, parent: Unit | None = None, **extra) -> Unit:
    """Create the unit if it does not exist (idempotent, for demo and import)."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = do_save_unit(
            Unit(code=code, name=name, kind=kind, parent=parent, **extra), actor="system"
        )
    return unit


@transaction.atomic
def ensure_post(unit: Unit, code: str, name: str, risk_class: str = "C", **extra) -> Post:
    post = Post.objects.filter(unit=unit, code=code).first()
    if post is None:
        post = do_save_post(
            Post(unit=unit, code=code, name=name, risk_class=risk_class, **extra), actor="system"
        )
    return post


@transaction.atomic
def ensure_holder(post: Post, name: str, start: date = date(2024, 1, 1), actor="system") -> Person:
    """The current holder of `post`, or a new person `name` appointed from `start` when the
    post is vacant (idempotent helper for demo data)."""
    from .selectors import holders_of

    current = holders_of(post, start).first() or holders_of(post).first()
    if current is not None:
        return current
    person = do_save_person(Person(name=name), actor=actor)
    do_appoint(person, post, start, actor=actor)
    return person


@transaction.atomic
def do_link_account(person: Person, user, *, actor, at: datetime | None = None) -> Person:
    """Link a staff account to a person (ORG-1): what the account may see follows the posts
    the person holds (org.selectors.units_visible_to)."""
    other = Person.objects.filter(user=user).exclude(pk=person.pk).first()
    if other is not None:
        raise RuleViolation(f"账号 {user.get_username()} 已关联人员 {other.name}。", field="user")
    person.user = user
    person.save(update_fields=["user"])
    record(actor, "org.account.linked", person, {"user": user.get_username()}, at=at)
    return person


@transaction.atomic
def do_set_roles(user, role_names: list[str], *, actor, at: datetime | None = None) -> None:
    """Give the account exactly these roles (Django groups, org.roles)."""
    unknown = set(role_names) - set(roles.ALL_ROLES)
    if unknown:
        raise InvalidInput(f"未知角色：{'、'.join(sorted(unknown))}", field="roles")
    ensure_roles()
    user.groups.set(Group.objects.filter(name__in=role_names))
    record(actor, "org.account.roles", user, {"roles": sorted(role_names)}, at=at)


_HASHES: dict[tuple[str, str], str] = {}


def _hashed(password: str) -> str:
    """why: PBKDF2 costs ~0.7 s here and demo/test accounts share one known password; hash it
    once per process and hasher (same salt for those accounts, which protects nothing extra
    anyway). Keyed by the hasher too: a hash made under another PASSWORD_HASHERS setting
    (tests switch to a fast one) would not check under this one."""
    from django.contrib.auth.hashers import get_hasher, make_password

    key = (password, get_hasher("default").algorithm)
    if key not in _HASHES:
        _HASHES[key] = make_password(password)
    return _HASHES[key]


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
        user.password = _hashed(password)
        user.save()
        ensure_roles()
        user.groups.set(Group.objects.filter(name__in=role_names))
        person = do_save_person(Person(name=name, user=user), actor="system")
        if post is not None:
            do_appoint(person, post, start, actor="system")
        record(
            "system",
            "org.account.created",
            user,
            {"username": username, "roles": role_names, "post": post.pk if post else None},
        )
    return user


@transaction.atomic
def ensure_post_account(post: Post, username: str, name: str, *, can_log_in: bool = True):
    """The account of the post's current holder, for demo data (idempotent): the holder's own
    account if they have one; else a new account `username` linked to them (a staff login
    with the demo password, or one that cannot log in); else, for a vacant post, a new person
    `name` appointed from 2024-01-01 with that account. Several demo loaders need the person
    on a post — one of them may have appointed somebody already."""
    from .selectors import holders_of

    holder = holders_of(post).first()
    if holder is None:
        if can_log_in:
            return ensure_staff(username, name, post, [])
        holder = do_save_person(Person(name=name), actor="system:demo")
        do_appoint(holder, post, date(2024, 1, 1), actor="system:demo")
    if holder.user_id is None:
        from .demo import DEMO_PASSWORD

        user = get_user_model().objects.create(username=username, is_staff=can_log_in)
        user.password = _hashed(DEMO_PASSWORD) if can_log_in else "!"
        user.save()
        do_link_account(holder, user, actor="system:demo")
    return holder.user
