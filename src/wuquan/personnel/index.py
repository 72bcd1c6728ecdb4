"""The cross-platform conflict-of-interest index (利益冲突): every appearance of a person or firm
on any platform, keyed by HMAC-SHA256 of the resident ID / 统一社会信用代码 under the instance's
secret, so the index itself reveals no ID (docs/decisions/0073).

Sources are the apps' `parties.py` modules (plugins.py): `parties(as_of)` yields dicts

    {"id_number": str, "party_kind": "person"|"firm", "role": str, "source": app label,
     "source_type": str, "source_id": str, "unit_id": int|None, "official_id": int|None,
     "relation": str, "label": str, "on": date|None}

Roles read by the rules (rules.py): holder (a cadre on a post of unit), handled_case (the
official handled a case whose applicant is the party), meeting_member, relative / firm (named in
the official's personal-matters report), and the "dealing" roles a process of a unit has with
an outside party: applicant, bidder, winner, contractor, payee, subsidy. A new source (tenders,
三资 payees, subsidy lists, project contracts) only has to yield these dicts.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wuquan.ledger import record

from . import events, plugins
from .models import PartyLink

ROLE_LABELS = {
    "applicant": "申请人",
    "bidder": "投标人",
    "winner": "中标人",
    "contractor": "合同相对方",
    "payee": "收款人",
    "subsidy": "补贴领取人",
    "holder": "在任干部",
    "handled_case": "经办办件",
    "meeting_member": "参会成员",
    "relative": "报告的亲属",
    "firm": "报告的企业",
}
DEALING_ROLES = ("applicant", "bidder", "winner", "contractor", "payee", "subsidy")
RELATIVE_ROLES = ("relative", "firm")


def _secret() -> bytes:
    explicit = getattr(settings, "WUQUAN_PARTY_INDEX_KEY", "")
    base = explicit or settings.SECRET_KEY
    # why: a key of its own, derived, so the index key is not the session-signing key itself
    return hmac.new(base.encode(), b"wuquan.personnel.party-index", hashlib.sha256).digest()


def normalise(number: str) -> str:
    return (number or "").strip().upper()


def party_key(number: str) -> str:
    return hmac.new(_secret(), normalise(number).encode(), hashlib.sha256).hexdigest()


def collect(as_of: date) -> list[PartyLink]:
    rows = []
    for module in plugins.modules("parties"):
        for item in module.parties(as_of):
            number = normalise(item.get("id_number", ""))
            if not number:
                continue
            rows.append(
                PartyLink(
                    key=party_key(number),
                    party_kind=item.get("party_kind", "person"),
                    role=item["role"],
                    source=item.get("source", module.__name__.split(".")[-2]),
                    source_type=item.get("source_type", ""),
                    source_id=str(item.get("source_id", "")),
                    unit_id=item.get("unit_id"),
                    official_id=item.get("official_id"),
                    relation=item.get("relation", ""),
                    label=(item.get("label") or "")[:200],
                    on=item.get("on"),
                )
            )
    return rows


@transaction.atomic
def do_rebuild_index(*, actor, as_of: date | None = None, at: datetime | None = None) -> int:
    """Rebuild the index from every source (the sweep of the conflict rules reads it)."""
    as_of = as_of or timezone.localdate()
    rows = collect(as_of)
    PartyLink.objects.all().delete()
    PartyLink.objects.bulk_create(rows, batch_size=1000)
    sources = sorted({r.source for r in rows})
    record(
        actor,
        events.INDEX_REBUILT,
        "personnel.index",
        {
            "as_of": as_of.isoformat(),
            "links": len(rows),
            "sources": sources,
            "digest": events.digest(
                sorted([r.key, r.role, r.source_type, r.source_id] for r in rows)
            ),
        },
        at=at,
    )
    return len(rows)


def links_for(number: str):
    """Every link of one person or firm (by resident ID or USCC), for the commission's page."""
    return (
        PartyLink.objects.filter(key=party_key(number))
        .select_related("unit", "official")
        .order_by("source", "role", "on")
    )


def conflicts() -> list[dict]:
    """The links the conflict rules would raise, for the page (rules.py has the sweeps)."""
    from .rules import conflict_findings

    return [
        {"message": f.message, "inputs": f.inputs, "official": f.subject_id}
        for f in conflict_findings()
    ]
