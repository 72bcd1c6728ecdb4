"""Event names of the procurement app and their payload builders (ids, codes, amounts, enums
and digests only: no names of private persons, no free text in clear; the free-text project
reference is a salted commitment, `SENSITIVE`)."""

from __future__ import annotations

import hashlib

REQUEST_CREATED = "procurement.request.created"
REQUEST_HEARING = "procurement.request.hearing_held"
REQUEST_APPROVED = "procurement.request.approved"
REQUEST_TO_CENTRAL = "procurement.request.sent_to_central"
TENDER_OPENED = "procurement.tender.opened"
TENDER_DOCUMENT = "procurement.tender.document_added"
TENDER_CANCELLED = "procurement.tender.cancelled"
BID_RECEIVED = "procurement.bid.received"
BID_DISQUALIFIED = "procurement.bid.disqualified"
TENDER_EVALUATED = "procurement.tender.evaluated"
AWARD_MADE = "procurement.award.made"
CONTRACT_SIGNED = "procurement.contract.signed"
CONTRACT_AMENDED = "procurement.contract.amended"
PAYMENT_MADE = "procurement.payment.made"


def digest(text: str) -> str:
    """SHA-256 of canonical text (stripped, NFC as entered)."""
    return hashlib.sha256((text or "").strip().encode("utf-8")).hexdigest()


def request_payload(req) -> dict:
    return {
        "buyer": req.buyer.code,
        "project_ref": req.project_ref,
        "category": req.category,
        "item_code": req.item_code,
        "amount_fen": req.amount_fen,
        "tier": req.tier,
        "required_method": req.required_method,
        "via_trading_centre": req.via_trading_centre,
        "organiser_level": req.organiser_level,
        "title_sha256": digest(req.title),
    }


def tender_payload(tender, ocid: str) -> dict:
    return {
        "ocid": ocid,
        "request": tender.request_id,
        "method": tender.method,
        "period_start": tender.period_start.isoformat(),
        "period_end": tender.period_end.isoformat(),
        "via_trading_centre": tender.via_trading_centre,
    }


def bid_payload(bid) -> dict:
    return {
        "tender": bid.tender_id,
        "bid": bid.pk,
        "tenderer_uscc": bid.firm.uscc,
        "amount_fen": bid.amount_fen,
        "received_at": bid.received_at.isoformat(),
        "status": bid.status,
    }


def disqualify_payload(bid) -> dict:
    return {
        "tender": bid.tender_id,
        "bid": bid.pk,
        "reason_sha256": digest(bid.disqualification_reason),
    }


def award_payload(award) -> dict:
    return {
        "tender": award.tender_id,
        "award": award.pk,
        "bid": award.bid_id,
        "supplier_uscc": award.supplier.uscc,
        "amount_fen": award.amount_fen,
    }


def contract_payload(contract) -> dict:
    return {
        "tender": contract.tender_id,
        "contract": contract.pk,
        "award": contract.award_id,
        "amount_fen": contract.amount_fen,
    }


def amendment_payload(amendment) -> dict:
    return {
        "contract": amendment.contract_id,
        "amendment": amendment.pk,
        "old_amount_fen": amendment.old_amount_fen,
        "new_amount_fen": amendment.new_amount_fen,
        "rationale_sha256": digest(amendment.rationale),
    }


def payment_payload(payment) -> dict:
    return {
        "contract": payment.contract_id,
        "payment": payment.pk,
        "amount_fen": payment.amount_fen,
    }


# Payload fields a clerk types freely (issue 13, finding 4): they enter the permanent leaf only
# as salted commitments (wuquan.ledger.commitments). `project_ref` is meant to be a reference
# such as "invest.project:12", but the request form takes any text (the PII crawl planted a
# name and a phone in it).
SENSITIVE: dict[str, tuple[str, ...]] = {
    REQUEST_CREATED: ("project_ref",),
}
