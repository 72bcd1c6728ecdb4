"""Reads of the portal's own records (PUB-4, PUB-6, PUB-11, PUB-12)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from .events import canonical_digest
from .models import (
    Bulletin,
    BulletinStatus,
    Inquiry,
    InquiryKind,
    InquiryStatus,
    KeyAreaEntry,
    Spokesperson,
)


def published_bulletins(village=None) -> QuerySet[Bulletin]:
    qs = Bulletin.objects.filter(status=BulletinStatus.PUBLISHED).select_related("village")
    if village is not None:
        qs = qs.filter(village=village)
    return qs.order_by("-published_at")


def bulletin_matches_publication(bulletin: Bulletin) -> bool:
    """True when the bulletin's current content still hashes to what was published (the
    digest recorded in the log when it was published)."""
    from .services import published_content

    return bool(bulletin.content_sha256) and (
        canonical_digest(published_content(bulletin)) == bulletin.content_sha256
    )


def recorded_publication_digest(bulletin: Bulletin) -> str | None:
    """The content digest the log holds for the bulletin's publication (not the row's copy)."""
    from wuquan.ledger.models import Event

    if bulletin.published_event is None:
        return None
    event = Event.objects.filter(index=bulletin.published_event).first()
    return (event.payload or {}).get("content_sha256") if event else None


def spokesperson_of(village, on: date) -> Spokesperson | None:
    return (
        Spokesperson.objects.filter(village=village, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("person", "post")
        .order_by("-start")
        .first()
    )


def public_answers(target: str | None = None, owner=None) -> QuerySet[Inquiry]:
    """Answered questions and suggestions whose askers agreed to publication."""
    qs = Inquiry.objects.filter(status=InquiryStatus.ANSWERED, publish_consent=True)
    if target is not None:
        qs = qs.filter(target=target)
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.select_related("owner", "answered_by").order_by("-answered_at")


def open_inquiries(unit_ids=None) -> QuerySet[Inquiry]:
    qs = Inquiry.objects.filter(status=InquiryStatus.OPEN).select_related("owner")
    if unit_ids is not None:
        qs = qs.filter(owner_id__in=unit_ids)
    return qs.order_by("asked_at")


def spokesperson_year_figures(village, year: int) -> dict:
    """The yearly figures of a village's spokesperson work, for the township commission's
    assessment (附件13 四4): questions received, answered, and mean days to answer."""
    qs = Inquiry.objects.filter(kind=InquiryKind.QUESTION, owner=village, asked_at__year=year)
    answered = [i for i in qs if i.answered_at]
    days = [(i.answered_at - i.asked_at).total_seconds() / 86400 for i in answered]
    return {
        "received": qs.count(),
        "answered": len(answered),
        "mean_days_to_answer": round(sum(days) / len(days), 1) if days else None,
    }


def key_area_catalog(area: str | None = None) -> QuerySet[KeyAreaEntry]:
    qs = KeyAreaEntry.objects.select_related("publisher").prefetch_related("items")
    return qs.filter(area=area) if area else qs
