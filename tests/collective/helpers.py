"""Set-up for the collective tests: the Longtan demo organisation, the Hantun village officers
as accounts, one set of books with opening balances, and six-step matters — all through the
services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from wuquan.collective import services
from wuquan.decisions import village

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


def officers(code: str = "hantun") -> dict:
    """Accounts for the village posts (accountant, supervision chair, director, secretary) and
    the township centre accountant."""
    from django.contrib.auth import get_user_model

    from wuquan.org.models import Post, Unit
    from wuquan.org.services import ensure_staff

    unit = Unit.objects.get(code=code)
    out = {}
    for key, post_code, name in [
        ("accountant", "accountant", "报账员 王芳"),
        ("supervision", "supervision-chair", "监委会主任 吴刚"),
        ("director", "director", "村委会主任 李强"),
        ("secretary", "secretary", "党支部书记 张军"),
    ]:
        post = Post.objects.get(unit=unit, code=post_code)
        from wuquan.org.selectors import holders_of

        holder = holders_of(post, date(2025, 1, 1)).first()
        if holder is not None and holder.user is not None:
            out[key] = holder.user
        else:
            out[key] = ensure_staff(f"{code}-{post_code}", f"{unit.name}{name}", post, [])
    out["centre"] = get_user_model().objects.get(username="sanzi")
    return out


def matter(unit, title: str, valid: bool = True, d0: date = date(2024, 12, 2)):
    """A village matter through the six steps (valid) or skipping to the vote (void)."""
    m = village.do_create_village_matter(unit, title, notice_days=5, actor="test")
    if not valid:
        village.do_record_village_step(m, 1, d0, "支委会", "提议", actor="test")
        village.do_record_village_step(
            m,
            5,
            d0 + timedelta(days=1),
            "村民代表",
            "表决",
            assembly_kind="representatives",
            eligible=30,
            attended=25,
            yes=20,
            no=3,
            abstain=2,
            actor="test",
        )
        m.refresh_from_db()
        return m
    for n, off in zip(range(1, 7), [0, 1, 2, 3, 9, 10], strict=True):
        extra = {}
        if n == 5:
            extra = dict(
                assembly_kind="representatives", eligible=30, attended=25, yes=20, no=3, abstain=2
            )
        village.do_record_village_step(
            m, n, d0 + timedelta(days=off), "两委成员", f"第{n}步记录", **extra, actor="test"
        )
    m.refresh_from_db()
    return m


OPENING = {"1001": 200_000, "1002": 30_000_000, "3001": 30_200_000}


def book(users, code: str = "hantun", year: int = 2025, opening=None):
    from wuquan.org.models import Unit

    unit = Unit.objects.get(code=code)
    b = services.do_create_book(
        unit,
        f"{code}-jz",
        f"{unit.name}股份经济合作社",
        year,
        actor=users["centre"],
        at=at(year, 1, 1),
    )
    services.do_open_balances(b, opening or OPENING, actor=users["centre"], at=at(year, 1, 1))
    return b


def sign_all(req, users, when):
    services.do_sign_request(req, "supervision", actor=users["supervision"], at=when)
    services.do_sign_request(req, "head", actor=users["director"], at=when)
    services.do_sign_request(req, "secretary", actor=users["secretary"], at=when)
    return services.do_book_request(req, actor=users["centre"], at=when)
