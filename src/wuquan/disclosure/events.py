"""Events the portal records (action names and payload builders, one per event).

No payload carries free text or personal data: texts enter as SHA-256 digests of their
canonical form (`digest`), people as ids, so that a permanent public leaf never holds a name,
a phone number or an opinion (AUD-2, PUB-9); a key-area item's link, typed by a clerk, is a
salted commitment (`SENSITIVE`).
"""

from __future__ import annotations

import hashlib
import json

KEY_AREA_ENTRY_SAVED = "disclosure.keyarea.entry_saved"
KEY_AREA_ITEM_REGISTERED = "disclosure.keyarea.item_registered"
KEY_AREA_ITEM_PUBLISHED = "disclosure.keyarea.item_published"
KEY_AREA_ITEM_WITHHELD = "disclosure.keyarea.item_withheld"
BULLETIN_DRAFTED = "disclosure.bulletin.drafted"
BULLETIN_STEP = "disclosure.bulletin.step"
BULLETIN_PUBLISHED = "disclosure.bulletin.published"
SPOKESPERSON_APPOINTED = "disclosure.spokesperson.appointed"
INQUIRY_RECEIVED = "disclosure.inquiry.received"
INQUIRY_ANSWERED = "disclosure.inquiry.answered"


def digest(text: str) -> str:
    """SHA-256 of a text as UTF-8, surrounding white space stripped."""
    return hashlib.sha256((text or "").strip().encode("utf-8")).hexdigest()


def canonical_digest(content: dict) -> str:
    """SHA-256 of a published content's canonical JSON (sorted keys, UTF-8, no spaces) — the
    same form the ledger hashes, so anyone can recompute it from the public page's data."""
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def key_area_entry_saved(*, entry) -> dict:
    return {
        "area": entry.area,
        "publisher": entry.publisher.code,
        "title_sha256": digest(entry.title),
        "time_limit_working_days": entry.time_limit_working_days,
    }


def key_area_item_registered(*, item) -> dict:
    return {
        "entry": item.entry_id,
        "formed_on": item.formed_on.isoformat(),
        "due": item.due.isoformat(),
        "title_sha256": digest(item.title),
    }


def key_area_item_published(*, item) -> dict:
    return {"entry": item.entry_id, "text_sha256": digest(item.public_text), "link": item.link}


def key_area_item_withheld(*, item) -> dict:
    return {"entry": item.entry_id, "ground": item.withheld_ground}


def bulletin_drafted(*, bulletin) -> dict:
    return {
        "village": bulletin.village.code,
        "kind": bulletin.kind,
        "year": bulletin.year,
        "quarter": bulletin.quarter,
    }


def bulletin_step(*, step) -> dict:
    return {
        "step": step.step,
        "post": step.post_id,
        "person": step.person_id,
        "approved": step.approved,
        "opinion_sha256": digest(step.opinion) if step.opinion else "",
    }


def bulletin_published(*, bulletin) -> dict:
    return {
        "village": bulletin.village.code,
        "kind": bulletin.kind,
        "year": bulletin.year,
        "quarter": bulletin.quarter,
        "content_sha256": bulletin.content_sha256,
    }


def spokesperson_appointed(*, spokesperson) -> dict:
    return {
        "village": spokesperson.village.code,
        "person": spokesperson.person_id,
        "post": spokesperson.post_id,
        "start": spokesperson.start.isoformat(),
    }


def inquiry_received(*, inquiry) -> dict:
    return {
        "kind": inquiry.kind,
        "target": inquiry.target,
        "owner": inquiry.owner.code,
        "text_sha256": digest(inquiry.text),
    }


def inquiry_answered(*, inquiry) -> dict:
    return {
        "target": inquiry.target,
        "answered_by": inquiry.answered_by_id,
        "answer_sha256": digest(inquiry.answer),
        "published": inquiry.is_public,
    }


# Payload fields that may hold personal data in clear (issue 13, finding 4): they enter the
# permanent leaf only as salted commitments (wuquan.ledger.commitments). A key-area item's
# link is typed by a clerk and may name a person or a number (the PII crawl planted one).
SENSITIVE: dict[str, tuple[str, ...]] = {
    KEY_AREA_ITEM_PUBLISHED: ("link",),
}
