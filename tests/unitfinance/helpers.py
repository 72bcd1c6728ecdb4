"""Set-up for the unit finance tests: a district body of the Longtan demo organisation with an
account for each post of the chain, and files that pass the upload checks."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4 voucher "


def at(y, m, d, h=10) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


def pdf(name: str = "发票.pdf", salt: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + salt.encode(), content_type="application/pdf")


def officers(code: str = "minzheng") -> dict:
    """Accounts for the unit's clerk (handler), 财务岗 (reviewer), deputies, head and a
    cashier post (created here), all holding their posts from 2024-01-01."""
    from wuquan.org.models import Post, Unit
    from wuquan.org.services import ensure_post, ensure_post_account

    unit = Unit.objects.get(code=code)
    ensure_post(unit, "cashier", "出纳岗", "B")
    out = {"unit": unit}
    for key, post_code in [
        ("clerk", "clerk"),
        ("reviewer", "finance"),
        ("deputy1", "deputy-1"),
        ("finance_deputy", "deputy-2"),
        ("deputy3", "deputy-3"),
        ("head", "head"),
        ("cashier", "cashier"),
    ]:
        post = Post.objects.get(unit=unit, code=post_code)
        out[key] = ensure_post_account(post, f"{code}-{post_code}", f"{unit.short_name}{post.name}")
        out[f"{key}_post"] = post
    return out


def person(user):
    from wuquan.org.selectors import person_of

    return person_of(user)


def file_one(o, *, amount=120_000, klass="office", on=date(2026, 3, 5), decision=None, at_=None):
    """A filed office-supplies reimbursement of the clerk, its vouchers attached, not submitted."""
    from wuquan.unitfinance import services

    r = services.do_file_reimbursement(
        o["unit"],
        klass,
        "购买办公用品",
        amount,
        on,
        o["deputy1_post"],
        actor=o["clerk"],
        at=at_ or at(on.year, on.month, on.day),
        decision=decision,
    )
    return r


def attach_all(o, r, invoice_no="04400001", invoice_amount=None, at_=None):
    from wuquan.unitfinance import services
    from wuquan.unitfinance.models import REQUIRED_ATTACHMENTS

    when = at_ or at(r.occurred_on.year, r.occurred_on.month, r.occurred_on.day, 11)
    for kind in REQUIRED_ATTACHMENTS[r.spending_class]:
        services.do_attach_voucher(
            r,
            kind,
            pdf(f"{kind}.pdf", kind + invoice_no),
            actor=o["clerk"],
            at=when,
            invoice_no=invoice_no if kind == "invoice" else "",
            invoice_amount=(invoice_amount or r.amount) if kind == "invoice" else None,
        )


def sign_all(o, r, at_=None):
    from wuquan.unitfinance import services

    when = at_ or at(r.occurred_on.year, r.occurred_on.month, r.occurred_on.day, 14)
    services.do_submit_reimbursement(r, actor=o["clerk"], at=when)
    services.do_sign_reimbursement(r, "reviewer", actor=o["reviewer"], at=when)
    services.do_sign_reimbursement(r, "responsible", actor=o["deputy1"], at=when)
    services.do_sign_reimbursement(r, "finance", actor=o["finance_deputy"], at=when)
