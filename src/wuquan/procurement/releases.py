"""Build one OCDS release of a process as it stands (each release is a full snapshot of what is
public at that stage; the record's compiled release is their merge). Called by the services
in the transaction of the stage it publishes; a release is never changed afterwards.

Bids are published only once the tender has been evaluated (bids are secret until opening).
"""

from __future__ import annotations

from datetime import datetime

from . import ocds
from .models import OCDS_METHOD, Method, Release, Tender, TenderStatus


def ocid(tender: Tender) -> str:
    return ocds.ocid_for(tender.pk)


def unit_party_id(unit) -> str:
    return f"{ocds.UNIT_SCHEME}-{unit.code}"


def firm_party_id(firm) -> str:
    return f"{ocds.ORG_SCHEME}-{firm.uscc}"


def _firm_party(firm, roles: set[str]) -> dict:
    return {
        "id": firm_party_id(firm),
        "name": firm.name,
        "identifier": {"scheme": ocds.ORG_SCHEME, "id": firm.uscc, "legalName": firm.name},
        "roles": sorted(roles),
    }


def build(tender: Tender, tag: str, when: datetime, seq: int) -> dict:
    req = tender.request
    buyer = req.buyer
    the_ocid = ocid(tender)
    buyer_ref = {"id": unit_party_id(buyer), "name": buyer.name}
    parties: dict[str, dict] = {
        buyer_ref["id"]: {
            **buyer_ref,
            "identifier": {"scheme": ocds.UNIT_SCHEME, "id": buyer.code, "legalName": buyer.name},
            "roles": ["buyer", "procuringEntity"],
        }
    }
    firm_roles: dict[int, set[str]] = {}
    firms = {}
    show_bids = tender.evaluated_at is not None and tender.evaluated_at <= when
    # why the guards: a release is built at every stage; what cannot exist yet is not queried
    # (no award before evaluation, no contract before an award)
    bids = list(tender.bids.select_related("firm").order_by("id")) if show_bids else []
    awards = list(tender.awards.select_related("supplier").order_by("id")) if show_bids else []
    item = {
        "id": "1",
        "description": req.title,
        "classification": {"scheme": "CN-ZFCGPM", "id": req.item_code},
    }
    release: dict = {
        "ocid": the_ocid,
        "id": f"{the_ocid}-{seq:03d}-{tag}",
        "date": ocds.iso(when),
        "tag": [tag],
        "initiationType": "tender",
        "language": "zh",
        "buyer": buyer_ref,
        "planning": {"budget": {"amount": ocds.amount(req.amount_fen)}},
        "tender": {
            "id": str(tender.pk),
            "title": tender.title,
            "status": tender.status,
            "procuringEntity": buyer_ref,
            "items": [item],
            "value": ocds.amount(req.amount_fen),
            "procurementMethod": OCDS_METHOD[tender.method],
            "procurementMethodDetails": str(Method(tender.method).label),
            "mainProcurementCategory": req.category,
            "tenderPeriod": {
                "startDate": ocds.iso(tender.period_start),
                "endDate": ocds.iso(tender.period_end),
            },
            "documents": [
                {
                    "id": str(d.pk),
                    "documentType": d.kind,
                    "title": d.title,
                    "datePublished": ocds.iso(d.added_at),
                    "description": f"SHA-256 {d.sha256}",
                }
                for d in tender.documents.order_by("id")
                if d.added_at <= when
            ],
        },
    }
    if show_bids:
        release["tender"]["numberOfTenderers"] = len({b.firm_id for b in bids})
        details = []
        for b in bids:
            firms[b.firm_id] = b.firm
            firm_roles.setdefault(b.firm_id, set()).add("tenderer")
            details.append(
                {
                    "id": str(b.pk),
                    "date": ocds.iso(b.received_at),
                    "status": b.status,
                    "tenderers": [{"id": firm_party_id(b.firm), "name": b.firm.name}],
                    "value": ocds.amount(b.amount_fen),
                }
            )
        release["bids"] = {
            "statistics": [
                {"id": "1", "measure": "bids", "value": len(bids)},
                {
                    "id": "2",
                    "measure": "disqualifiedBids",
                    "value": sum(1 for b in bids if b.status == "disqualified"),
                },
            ],
            "details": details,
        }
    if awards:
        release["awards"] = []
        for a in awards:
            firms[a.supplier_id] = a.supplier
            firm_roles.setdefault(a.supplier_id, set()).add("supplier")
            release["awards"].append(
                {
                    "id": str(a.pk),
                    "status": a.status,
                    "date": ocds.iso(a.awarded_at),
                    "value": ocds.amount(a.amount_fen),
                    "suppliers": [{"id": firm_party_id(a.supplier), "name": a.supplier.name}],
                    "items": [item],
                    "relatedBid": str(a.bid_id),
                }
            )
    contracts = (
        list(tender.contracts.select_related("award__supplier").order_by("id")) if awards else []
    )
    if contracts:
        release["contracts"] = []
        for c in contracts:
            amendments = list(c.amendments.order_by("amended_at", "id"))
            payments = list(c.payments.order_by("paid_at", "id"))
            entry = {
                "id": str(c.pk),
                "awardID": str(c.award_id),
                "status": c.status,
                "value": ocds.amount(c.amount_fen),
                "dateSigned": ocds.iso(c.signed_at),
                "items": [item],
            }
            if amendments:
                entry["amendments"] = [
                    {
                        "id": str(m.pk),
                        "date": ocds.iso(m.amended_at),
                        "rationale": m.rationale,
                        "description": (
                            f"合同金额由 {m.old_amount_fen / 100:.2f} 元变更为 "
                            f"{m.new_amount_fen / 100:.2f} 元"
                        ),
                    }
                    for m in amendments
                ]
            if payments:
                supplier = c.award.supplier
                entry["implementation"] = {
                    "transactions": [
                        {
                            "id": str(p.pk),
                            "date": ocds.iso(p.paid_at),
                            "value": ocds.amount(p.amount_fen),
                            "payer": buyer_ref,
                            "payee": {"id": firm_party_id(supplier), "name": supplier.name},
                        }
                        for p in payments
                    ]
                }
            release["contracts"].append(entry)
    for firm_id, firm in firms.items():
        party = _firm_party(firm, firm_roles[firm_id])
        parties[party["id"]] = party
    release["parties"] = list(parties.values())
    if tender.status == TenderStatus.CANCELLED:
        release["tender"]["status"] = "cancelled"
    return release


def publish(tender: Tender, tag: str, when: datetime) -> Release:
    seq = tender.releases.count() + 1
    data = build(tender, tag, when, seq)
    return Release.objects.create(
        tender=tender, ocid=data["ocid"], release_id=data["id"], date=when, tag=tag, data=data
    )
