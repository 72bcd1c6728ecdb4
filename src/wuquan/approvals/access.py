"""The applicant's door to a case: number + query code, throttled (issue 13 finding 8).

Wrong codes count per client address in the shared cache (`WUQUAN_LOOKUP_FAILURES_PER_HOUR`,
default 10); past the limit every lookup from that address is refused for the hour (429)
before the code is even compared, so the query code cannot be walked by guessing. The code the
applicant gave is kept in their session for the status page (POST-redirect-GET) and never
put in a URL (issue 12 finding 5).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from wuquan.common import ratelimit
from wuquan.common.exceptions import NotFound
from wuquan.common.inputs import CODE_MAX, check_text
from wuquan.common.net import client_ip

from . import selectors
from .models import Case

SCOPE = "approvals-lookup-failure"
SESSION_KEY = "approvals-lookup"


def _limit() -> int:
    return int(getattr(settings, "WUQUAN_LOOKUP_FAILURES_PER_HOUR", 10))


def lookup(request, number: str, code: str) -> Case:
    """The case for (number, code), or NotFound (the same message for an unknown number and a
    wrong code); RateLimited when this address has guessed wrong too often this hour."""
    ip = client_ip(request)
    if ratelimit.used(SCOPE, ip, limit=_limit()):
        raise ratelimit.RateLimited(_("查询码错误次数过多，请一小时后再试。"))
    number = check_text(number, field="number", max_length=CODE_MAX, label=_("编号"))
    code = check_text(code, field="code", max_length=CODE_MAX, label=_("查询码"))
    try:
        return selectors.lookup(number, code)
    except NotFound:
        ratelimit.take(SCOPE, ip, limit=_limit())
        raise


def remember(request, number: str, code: str) -> None:
    request.session[SESSION_KEY] = {"number": number, "code": code}


def remembered(request) -> tuple[str, str]:
    data = request.session.get(SESSION_KEY) or {}
    return data.get("number", ""), data.get("code", "")
