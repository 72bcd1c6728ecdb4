"""Event names of the collective books and their payload builders, used by every path that
emits them. Payloads carry ids, codes, amounts (fen), enums and SHA-256 digests only: never a
summary, a counterparty's name, a question or an answer in clear (free text stays in tables);
project names, which clerks type freely, only as salted commitments (`SENSITIVE`)."""

from __future__ import annotations

import hashlib

from wuquan.ledger.services import canonical_json

BOOK_OPENED = "collective.book.opened"
VOUCHER_DRAFTED = "collective.voucher.drafted"
VOUCHER_POSTED = "collective.voucher.posted"
VOUCHER_IMPORTED = "collective.voucher.imported"
REQUEST_CREATED = "collective.request.created"
REQUEST_SIGNED = "collective.request.signed"
REQUEST_BOOKED = "collective.request.booked"
BUDGET_APPROVED = "collective.budget.approved"
BUDGET_ADJUSTED = "collective.budget.adjusted"
PERIOD_ADJUSTING = "collective.period.adjusting"
PERIOD_CLOSED = "collective.period.closed"
PERIOD_REOPENED = "collective.period.reopened"
YEAR_CLOSED = "collective.year.closed"
STATEMENT_IMPORTED = "collective.statement.imported"
DISCLOSURE_PUBLISHED = "collective.disclosure.published"
QUESTION_ASKED = "collective.question.asked"
QUESTION_ANSWERED = "collective.question.answered"
ARCHIVED = "collective.archive.filed"
ARCHIVE_DISPOSED = "collective.archive.disposed"
SETTING_CHANGED = "collective.setting.changed"

ALL = [
    BOOK_OPENED,
    VOUCHER_DRAFTED,
    VOUCHER_POSTED,
    VOUCHER_IMPORTED,
    REQUEST_CREATED,
    REQUEST_SIGNED,
    REQUEST_BOOKED,
    BUDGET_APPROVED,
    BUDGET_ADJUSTED,
    PERIOD_ADJUSTING,
    PERIOD_CLOSED,
    PERIOD_REOPENED,
    YEAR_CLOSED,
    STATEMENT_IMPORTED,
    DISCLOSURE_PUBLISHED,
    QUESTION_ASKED,
    QUESTION_ANSWERED,
    ARCHIVED,
    ARCHIVE_DISPOSED,
    SETTING_CHANGED,
]


def digest(value) -> str:
    """SHA-256 of a text (or of any JSON-able value's canonical JSON)."""
    text = value if isinstance(value, str) else canonical_json(value)
    return hashlib.sha256(text.encode()).hexdigest()


def projects_of(names) -> tuple[list[str], dict[str, int]]:
    """(the distinct project names, sorted; name → its position in that list). A project is
    named by the clerk (often after a household: "张三家危房改造"), so lines refer to it by
    position and the list itself is a salted commitment (`SENSITIVE`; issue 13, finding 4)."""
    projects = sorted({n for n in names if n})
    return projects, {n: i for i, n in enumerate(projects)}


def voucher_payload(voucher, lines, attachments: list[str] | None = None) -> dict:
    lines = list(lines)
    projects, position = projects_of(ln.project for ln in lines)
    out = {
        "book": voucher.book.code,
        "voucher": voucher.pk,
        "kind": voucher.kind,
        "date": voucher.date.isoformat(),
        "number": voucher.number,
        # [account, side, fen, position in "projects" or None, fund]
        "lines": [
            [ln.account.code, ln.side, ln.amount, position.get(ln.project), ln.fund] for ln in lines
        ],
        "summary_sha256": digest(voucher.summary),
        "attachments": sorted(
            attachments
            if attachments is not None
            else (a.sha256 for a in voucher.attachments.all())
        ),
        "attachment_count": voucher.attachment_count,
        "reverses": voucher.reverses_id,
        "opening": voucher.is_opening,
        "closing": voucher.is_closing,
    }
    if projects:  # why only then: an empty list would still cost a commitment row
        out["projects"] = projects
    return out


def request_created(*, request, signature) -> dict:
    return {
        "book": request.book.code,
        "request": request.pk,
        "date": request.date.isoformat(),
        "amount": request.amount,
        "account": request.account.code,
        "project": request.project,
        "pay_method": request.pay_method,
        "matter": request.matter_id,
        "exception_matter": request.exception_matter_id,
        "budget_warning": bool(request.budget_warning),
        "summary_sha256": digest(request.summary),
        "counterparty_sha256": digest(request.counterparty),
        "attachments": sorted(a.sha256 for a in request.attachments.all()),
        "handler": signature.person_id,
        "post": signature.post_id,
    }


def request_signed(*, request, signature) -> dict:
    return {
        "request": request.pk,
        "step": signature.step,
        "person": signature.person_id,
        "post": signature.post_id,
        "seq": signature.seq,
    }


def request_booked(*, request, voucher, lines, signature) -> dict:
    return {
        "request": request.pk,
        "person": signature.person_id,
        "post": signature.post_id,
        "signatures": [[s.step, s.person_id, s.seq] for s in request.signatures.order_by("seq")],
        **voucher_payload(voucher, lines),
    }


def period_closed(*, period, balances_sha256: str, totals: dict) -> dict:
    return {
        "book": period.book.code,
        "year": period.year,
        "month": period.month,
        "balances_sha256": balances_sha256,
        **totals,
    }


def budget_approved(*, book, year: int, matter, lines) -> dict:
    projects, position = projects_of(p for _c, p, _a in lines)
    out = {
        "book": book.code,
        "year": year,
        "matter": matter.pk,
        # [account, position in "projects" or None, fen]
        "lines": [[str(c), position.get(p), a] for c, p, a in lines],
    }
    if projects:
        out["projects"] = projects
    return out


def disclosure_published(*, disclosure) -> dict:
    return {
        "book": disclosure.book.code,
        "year": disclosure.year,
        "month": disclosure.month,
        "sha256": disclosure.sha256,
        "lines": len(disclosure.content.get("lines", [])),
    }


# Payload fields that may hold personal data (issue 13, finding 4): they enter the permanent
# leaf only as salted commitments (wuquan.ledger.commitments). The PII crawl found a project
# named after a household in the budget, the request and the voucher lines in clear.
SENSITIVE: dict[str, tuple[str, ...]] = {
    "collective.*": ("projects",),
    REQUEST_CREATED: ("project",),
    # 一卡通: the recipients' keyed digests and the programme's legal-basis text (c15ben)
    "collective.benefit.*": ("recipients", "basis"),
    # a contract's counterparty name and ID number (resident ID or USCC) (c15reg)
    "collective.contract.recorded": ("counterparty", "counterparty_id"),
}


# ==== 惠农补贴“一卡通” (FIN-15, PUB-8) ========================================================
# Payloads: ids, codes, fen, dates and digests. A recipient's ID and card number never enter
# a payload; their keyed digests (`id_key`, `card_key`: HMAC under the instance secret) do, and
# only inside `recipients`, which is itself a salted commitment (SENSITIVE above).

BENEFIT_PROGRAMME_CREATED = "collective.benefit.programme.created"
BENEFIT_LIST_IMPORTED = "collective.benefit.list.imported"
BENEFIT_LIST_PUBLISHED = "collective.benefit.list.published"
BENEFIT_NOTICE_RECORDED = "collective.benefit.notice.recorded"
BENEFIT_PUBLICATION_EXPIRED = "collective.benefit.publication.expired"
BENEFIT_BATCH_EXPORTED = "collective.benefit.batch.exported"
BENEFIT_BATCH_RETURNED = "collective.benefit.batch.returned"
BENEFIT_BATCH_IMPORTED = "collective.benefit.batch.imported"
BENEFIT_RECEIPT_CONFIRMED = "collective.benefit.receipt.confirmed"
BENEFIT_RECEIPT_MISSING = "collective.benefit.receipt.missing"
BENEFIT_CODE_ISSUED = "collective.benefit.code.issued"

ALL += [
    BENEFIT_PROGRAMME_CREATED,
    BENEFIT_LIST_IMPORTED,
    BENEFIT_LIST_PUBLISHED,
    BENEFIT_NOTICE_RECORDED,
    BENEFIT_PUBLICATION_EXPIRED,
    BENEFIT_BATCH_EXPORTED,
    BENEFIT_BATCH_RETURNED,
    BENEFIT_BATCH_IMPORTED,
    BENEFIT_RECEIPT_CONFIRMED,
    BENEFIT_RECEIPT_MISSING,
    BENEFIT_CODE_ISSUED,
]

# (their SENSITIVE entry is in the one SENSITIVE mapping above)


def benefit_programme(programme) -> dict:
    return {
        "book": programme.book.code,
        "programme": programme.pk,
        "code": programme.code,
        "kind": programme.kind,
        "year": programme.year,
        "measure": programme.measure,
        "rate": programme.rate,
        "fund": programme.fund,
        "account": programme.account.code,
        "basis": programme.basis,
    }


def benefit_list(programme, recipients, *, file_sha256: str = "") -> dict:
    return {
        "programme": programme.pk,
        "file_sha256": file_sha256,
        "count": len(recipients),
        "total": sum(r.amount for r in recipients),
        "recipients": [[r.seq, r.id_key, r.card_key, r.amount] for r in recipients],
    }


def benefit_published(publication) -> dict:
    return {
        "programme": publication.programme_id,
        "publication": publication.pk,
        "sha256": publication.sha256,
        "rows": len(publication.content.get("rows", [])),
        "total": publication.content.get("total", 0),
        "notice_until": publication.notice_until.isoformat(),
        "online_until": publication.online_until.isoformat(),
    }


def benefit_batch(batch, payments, *, file_sha256: str) -> dict:
    return {
        "programme": batch.programme_id,
        "batch": batch.pk,
        "number": batch.number,
        "date": batch.date.isoformat(),
        "pay_method": batch.pay_method,
        "publication": batch.publication_id,
        "file_sha256": file_sha256,
        "count": len(payments),
        "total": sum(p.amount for p in payments),
        "recipients": [[p.seq, p.recipient_id, p.card_key, p.amount, p.status] for p in payments],
    }


# ==== part 2 (issue 15): registers, contracts, FIN-14 ==========================================
# Payloads: ids, codes, fen, dates, enums and digests. A contract's counterparty name and its ID
# number (resident ID or USCC) never enter the leaf in clear: they are SENSITIVE, replaced by
# salted commitments (ledger.commitments) — a plain SHA-256 of an ID number could be guessed.

ASSET_REGISTERED = "collective.asset.registered"
ASSET_STATUS_CHANGED = "collective.asset.status_changed"
ASSET_DISPOSED = "collective.asset.disposed"
ASSET_DOCUMENT_ADDED = "collective.asset.document_added"
INVENTORY_COUNTED = "collective.inventory.counted"
INVENTORY_PUBLISHED = "collective.inventory.published"
INVENTORY_CONFIRMED = "collective.inventory.confirmed"
CONTRACT_RECORDED = "collective.contract.recorded"
CONTRACT_FILED = "collective.contract.filed"
CONTRACT_TERMINATED = "collective.contract.terminated"
SCHEDULE_ACCRUED = "collective.schedule.accrued"
SCHEDULE_SETTLED = "collective.schedule.settled"
TOWNSHIP_APPROVED = "collective.transfer.approved"

ALL += [
    ASSET_REGISTERED,
    ASSET_STATUS_CHANGED,
    ASSET_DISPOSED,
    ASSET_DOCUMENT_ADDED,
    INVENTORY_COUNTED,
    INVENTORY_PUBLISHED,
    INVENTORY_CONFIRMED,
    CONTRACT_RECORDED,
    CONTRACT_FILED,
    CONTRACT_TERMINATED,
    SCHEDULE_ACCRUED,
    SCHEDULE_SETTLED,
    TOWNSHIP_APPROVED,
]

# (part 2's SENSITIVE entry, the contract's counterparty and its ID number, is in the one
# SENSITIVE mapping above)


def asset_payload(asset) -> dict:
    return {
        "book": asset.book.code,
        "asset": asset.pk,
        "code": asset.code,
        "class": asset.asset_class,
        "kind": asset.kind,
        "area_mu": str(asset.area_mu),
        "original_value": asset.original_value,
        "depreciation": asset.depreciation,
        "account": asset.account.code if asset.account_id else None,
        "status": asset.status,
    }


def contract_recorded(*, contract, schedule) -> dict:
    return {
        "book": contract.book.code,
        "contract": contract.pk,
        "number": contract.number,
        "kind": contract.kind,
        "amount": contract.amount,
        "signed_on": contract.signed_on.isoformat(),
        "start": contract.start.isoformat(),
        "end": contract.end.isoformat(),
        "asset": contract.asset_id,
        "matter": contract.matter_id,
        "tender": contract.tender_id,
        "exchange_ref": contract.exchange_ref,
        "person": contract.counterparty_is_person,
        # committed by record() (SENSITIVE): never in clear in the leaf
        "counterparty": contract.counterparty,
        "counterparty_id": contract.counterparty_id,
        "title_sha256": digest(contract.title),
        "schedule": [[s.due_on.isoformat(), s.amount] for s in schedule],
        "imported": contract.imported,
    }
