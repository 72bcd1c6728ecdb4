"""Event names of the unit finance controls and their payload builders (FIN-1..4), used by
every path that emits them (live services and the import of history). Payloads carry ids,
codes, amounts (fen), enums and SHA-256 digests; the summary (事由), a return reason, a limit's
basis, an invoice number and an import's legacy reference are typed freely, kept in SENSITIVE
(salted commitments, ledger/commitments)."""

from __future__ import annotations

import hashlib

from wuquan.ledger.services import canonical_json

LIMIT_SET = "unitfinance.limit.set"
FILED = "unitfinance.reimbursement.filed"
ATTACHED = "unitfinance.reimbursement.attached"
SUBMITTED = "unitfinance.reimbursement.submitted"
SIGNED = "unitfinance.reimbursement.signed"
RETURNED = "unitfinance.reimbursement.returned"
PAID = "unitfinance.reimbursement.paid"
IMPORTED = "unitfinance.reimbursement.imported"
BUDGET_ENTERED = "unitfinance.budget.entered"
REPORT_PREPARED = "unitfinance.report.prepared"
REPORT_PRESENTED = "unitfinance.report.presented"
REPORT_RECEIVED = "unitfinance.report.received"
DISCLOSURE_PUBLISHED = "unitfinance.disclosure.published"

LABELS = {
    LIMIT_SET: "设定支出限额",
    FILED: "填报报销单",
    ATTACHED: "上传报销凭证",
    SUBMITTED: "经办人签字提交",
    SIGNED: "报销审批签字",
    RETURNED: "退回报销单",
    PAID: "支付报销款",
    IMPORTED: "导入历史报销",
    BUDGET_ENTERED: "录入预算数",
    REPORT_PREPARED: "编制季度财务报告",
    REPORT_PRESENTED: "向班子报告财务收支",
    REPORT_RECEIVED: "班子签收财务报告",
    DISCLOSURE_PUBLISHED: "向职工公开财务",
}

SENSITIVE: dict[str, tuple[str, ...]] = {
    # free text, and what a clerk types into a number (an invoice number is any 1–40 letters
    # and digits, a mobile too; the legacy reference of imported history is any text: the PII
    # crawl planted a phone and a name). The FIN-2 duplicate-invoice rule reads the
    # attachments' `invoice_no` from the model, not from the log.
    "unitfinance.*": ("summary", "reason", "basis", "invoice_no", "source_ref"),
}


def digest(value) -> str:
    text = value if isinstance(value, str) else canonical_json(value)
    return hashlib.sha256(text.encode()).hexdigest()


def reimbursement_payload(r) -> dict:
    return {
        "reimbursement_id": r.pk,
        "number": r.number,
        "unit_id": r.unit_id,
        "spending_class": r.spending_class,
        "amount": r.amount,
        "occurred_on": r.occurred_on.isoformat(),
        "claimant_id": r.claimant_id,
        "round": r.round,
    }


def filed(r, *, summary: str, threshold: int, decision_id) -> dict:
    return {
        **reimbursement_payload(r),
        "responsible_post_id": r.responsible_post_id,
        "handler_id": r.handler_id,
        "summary": summary,
        "large_sum_threshold": threshold,
        "decision_id": decision_id,
    }


def attached(r, a) -> dict:
    return {
        **reimbursement_payload(r),
        "attachment_id": a.pk,
        "kind": a.kind,
        "sha256": a.sha256,
        "size": a.size,
        "invoice_no": a.invoice_no,
        "invoice_amount": a.invoice_amount,
    }


def signed(r, sig, *, holds_post: bool = True) -> dict:
    return {
        **reimbursement_payload(r),
        "step": sig.step,
        "person_id": sig.person_id,
        "post_id": sig.post_id,
        "seq": sig.seq,
        "holds_post": holds_post,
        "status": r.status,
    }


def submitted(r, sig, *, attachments: list[str], decision_id) -> dict:
    return {**signed(r, sig), "attachments": attachments, "decision_id": decision_id}


def returned(r, *, step: str, person_id: int, reason: str) -> dict:
    return {**reimbursement_payload(r), "step": step, "person_id": person_id, "reason": reason}


def paid(r, *, person_id: int, decision_id) -> dict:
    return {
        **reimbursement_payload(r),
        "paid_on": r.paid_on.isoformat(),
        "person_id": person_id,
        "decision_id": decision_id,
    }


def imported(r, *, source_ref: str, signatures: list, attachments: list[str], summary: str):
    return {
        **reimbursement_payload(r),
        "source": "import",
        "source_ref": source_ref,
        "paid_on": r.paid_on.isoformat() if r.paid_on else None,
        "signatures": signatures,
        "attachments": attachments,
        "decision_id": r.decision_id,
        "summary": summary,
    }
