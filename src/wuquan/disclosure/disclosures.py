"""What the portal itself publishes, offered to search, feeds and the suggestion box the same
way every other app offers its own (sources.py)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wuquan.common.publication import PublicItem, Target
from wuquan.org.models import Unit

from .models import Bulletin, BulletinStatus, KeyAreaItem


def _bulletin(ident: str) -> Target | None:
    if not ident.isdigit():
        return None
    bulletin = (
        Bulletin.objects.filter(pk=int(ident), status=BulletinStatus.PUBLISHED)
        .select_related("village")
        .first()
    )
    if bulletin is None:
        return None
    return Target(
        key=f"bulletin:{bulletin.pk}",
        kind="bulletin",
        title=bulletin.title,
        owner=bulletin.village,
        url=reverse("disclosure:bulletin", args=[bulletin.pk]),
    )


def _spokesperson(ident: str) -> Target | None:
    village = Unit.objects.filter(code=ident, kind__in=("village", "community")).first()
    if village is None:
        return None
    return Target(
        key=f"spokesperson:{village.code}",
        kind="spokesperson",
        title=_("%(v)s村务公开发言人") % {"v": village.name},
        owner=village,
        url=reverse("disclosure:village", args=[village.code]),
    )


def _key_area_item(ident: str) -> Target | None:
    if not ident.isdigit():
        return None
    item = (
        KeyAreaItem.objects.filter(pk=int(ident), published_at__isnull=False)
        .select_related("entry__publisher")
        .first()
    )
    if item is None:
        return None
    return Target(
        key=f"keyarea:{item.pk}",
        kind="keyarea",
        title=item.title,
        owner=item.entry.publisher,
        url=reverse("disclosure:keyarea"),
    )


TARGETS = {"bulletin": _bulletin, "spokesperson": _spokesperson, "keyarea": _key_area_item}


def public_items(*, unit_ids=None, since=None, until=None, q=""):
    bulletins = Bulletin.objects.filter(status=BulletinStatus.PUBLISHED).select_related("village")
    items = KeyAreaItem.objects.filter(published_at__isnull=False).select_related(
        "entry__publisher"
    )
    if unit_ids is not None:
        bulletins = bulletins.filter(village_id__in=unit_ids)
        items = items.filter(entry__publisher_id__in=unit_ids)
    if since is not None:
        bulletins = bulletins.filter(published_at__gte=since)
        items = items.filter(published_at__gte=since)
    if until is not None:
        bulletins = bulletins.filter(published_at__lt=until)
        items = items.filter(published_at__lt=until)
    if q:
        bulletins = bulletins.filter(
            Q(title__icontains=q)
            | Q(party_affairs__icontains=q)
            | Q(village_affairs__icontains=q)
            | Q(finance_affairs__icontains=q)
            | Q(economy__icontains=q)
            | Q(other_matters__icontains=q)
        )
        items = items.filter(Q(title__icontains=q) | Q(public_text__icontains=q))
    for b in bulletins:
        yield PublicItem(
            kind="bulletin",
            kind_label=_("村务公开简报"),
            title=b.title,
            unit_code=b.village.code,
            unit_name=b.village.name,
            published_at=b.published_at,
            url=reverse("disclosure:bulletin", args=[b.pk]),
            summary=(b.village_affairs or b.party_affairs)[:200],
            key=f"bulletin:{b.pk}",
        )
    for item in items:
        yield PublicItem(
            kind="keyarea",
            kind_label=_("重点领域公开"),
            title=item.title,
            unit_code=item.entry.publisher.code,
            unit_name=item.entry.publisher.name,
            published_at=item.published_at,
            url=reverse("disclosure:keyarea"),
            summary=item.public_text[:200],
            key=f"keyarea:{item.pk}",
        )
