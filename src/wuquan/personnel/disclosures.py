"""What cadre selection publishes (任前公示, PER-1; PUB-4 personnel changes), offered to the
portal's search and feeds by the convention of `disclosure/sources.py`."""

from __future__ import annotations

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.publication import PublicItem

from .selectors import public_notices


def public_items(*, unit_ids=None, since=None, until=None, q=""):
    notices = public_notices()
    if unit_ids is not None:
        notices = notices.filter(unit_id__in=unit_ids)
    tz = timezone.get_current_timezone()
    for s in notices:
        published = datetime.combine(s.notice_start, time(9), tz)
        if (since and published < since) or (until and published >= until):
            continue
        title = _("任前公示：%(post)s") % {"post": s.post.name}
        if q and q not in title and q not in s.unit.name:
            continue
        yield PublicItem(
            kind="appointment",
            kind_label=_("任前公示"),
            title=title,
            unit_code=s.unit.code,
            unit_name=s.unit.name,
            published_at=published,
            url=reverse("personnel-public:notice", args=[s.pk]),
            summary=_("公示期至 %(d)s") % {"d": s.notice_end},
            key=f"appointment:{s.pk}",
        )
