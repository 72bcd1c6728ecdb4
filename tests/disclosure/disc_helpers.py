"""Builders for the portal tests: the demo organisation's 韩屯村 and its township's reviewers,
each a staff account holding its post."""

from datetime import datetime
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """An Asia/Shanghai time from "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def content(title="韩屯村2026年第三季度村务公开简报", **extra):
    from wuquan.disclosure.services import BulletinContent

    return BulletinContent(
        title=title,
        party_affairs="发展党员1名。",
        village_affairs="低保发放12户。",
        finance_affairs="本季度收入3笔、支出5笔。",
        cash_balance_fen=123456,
        deposit_balance_fen=9876543,
        meeting_at=at("2026-10-12 09:00"),
        meeting_place="村部会议室",
        **extra,
    )


def publish_regular(w, year=2026, quarter=3, published="2026-10-10 10:00", drafted=None):
    """Draft → agree → civil affairs → 农经站 → 纪委 file → publish, a day apart."""
    from datetime import timedelta

    from wuquan.disclosure import services

    when = at(published)
    start = at(drafted) if drafted else when - timedelta(days=5)
    b = services.do_draft_bulletin(
        w["village"], content(), actor=w["chair"], year=year, quarter=quarter, at=start
    )
    for i, who in enumerate(("secretary", "civil", "agri", "discipline"), start=1):
        b = services.do_review_bulletin(b, actor=w[who], at=start + timedelta(hours=i))
    return services.do_publish_bulletin(b, actor=w["discipline"], at=when)
