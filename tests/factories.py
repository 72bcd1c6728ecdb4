"""The shared test helpers STYLE.md promises: times and objects, built through the services
(factory_boy factories whose `_create` calls the org services, so every object a test starts
from was written the way the platform writes it, with its ledger event).

    from tests.factories import PersonFactory, PostFactory, UnitFactory, at
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory

from wuquan.org.models import Person, Post, Unit, UnitKind

TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    """A time in Asia/Shanghai (the platform's zone; every service wants an aware time)."""
    return datetime(y, m, d, h, mi, tzinfo=TZ)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.LazyAttribute(lambda o: f"测试单位{o.code}")
    kind = UnitKind.DISTRICT_BODY
    parent = None

    @classmethod
    def _create(cls, model_class, code, name, kind, parent=None, **extra):
        from wuquan.org.services import ensure_unit

        return ensure_unit(code, name, kind, parent, **extra)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    unit = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"post{n}")
    name = factory.LazyAttribute(lambda o: f"岗位{o.code}")
    risk_class = "C"

    @classmethod
    def _create(cls, model_class, unit, code, name, risk_class="C", **extra):
        from wuquan.org.services import ensure_post

        return ensure_post(unit, code, name, risk_class, **extra)


class PersonFactory(factory.django.DjangoModelFactory):
    """A person, appointed to `post` from `start` when a post is given (ORG-4)."""

    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人员{n}")

    @classmethod
    def _create(cls, model_class, post=None, start=date(2020, 1, 1), **fields):
        from wuquan.org.services import do_appoint, do_save_person

        person = do_save_person(model_class(**fields), actor="test")
        if post is not None:
            do_appoint(person, post, start, actor="system")
        return person
