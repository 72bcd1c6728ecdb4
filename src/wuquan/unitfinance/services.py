"""Writes of the unit finance controls (FIN-1..4; 附件3 第二). Each service validates first
(domain errors with the field they concern), then changes state and calls `record()` once, in
one transaction; a refusal writes nothing.

Who: the handler (经办人, anyone holding a post in the unit) files and attaches; the reviewer
(审核人, the unit's 财务岗), the responsible deputy (分管领导, the deputy post named on the
reimbursement) and the finance deputy (分管财务工作领导, the deputy whose 分管 areas include
finance) sign in that order; the cashier (出纳) pays. The claimant never signs an approval and
no one signs one reimbursement twice.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.common.uploads import check_upload
from wuquan.decisions.models import AgendaItem, MatterKind, Meeting
from wuquan.ledger import record
from wuquan.org.models import Person, Post, Unit

from . import events, selectors
from .models import (
    REQUIRED_ATTACHMENTS,
    STEPS,
    Attachment,
    AttachmentKind,
    BudgetFigure,
    ClassLimit,
    FinanceReport,
    Reimbursement,
    Signature,
    SpendingClass,
    StaffDisclosure,
    Status,
    Step,
)


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _day(at: datetime | None) -> date:
    return timezone.localdate(_now(at))


def _fen(value, field: str = "amount", *, positive: bool = True) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (1 if positive else 0):
        raise InvalidInput(_("金额须为大于零的整数（分）。"), field=field)
    return value


def parse_yuan(text, field: str = "amount", *, allow_zero: bool = False) -> int:
    """'1,234.50' (yuan) → 123450 fen, exactly (Decimal, never float)."""
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation as exc:
        raise InvalidInput(_("请填写正确的金额（元）。"), field=field) from exc
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidInput(_("金额最多两位小数。"), field=field)
    if value < 0 or (value == 0 and not allow_zero) or value >= Decimal("1e12"):
        raise InvalidInput(_("金额须大于零。"), field=field)
    return int(value * 100)


def _class(value: str) -> str:
    if value not in SpendingClass.values:
        raise InvalidInput(_("请选择支出类别。"), field="spending_class")
    return value


def _lock(r: Reimbursement) -> Reimbursement:
    return (
        Reimbursement.objects.select_for_update()
        .select_related("unit", "responsible_post", "claimant")
        .get(pk=r.pk)
    )


def _require(actor, posts, on: date, message: str, field: str = "step"):
    found = selectors.held(actor, posts, on)
    if found is None:
        raise NotPermitted(message, field=field)
    return found


def _is_admin(actor) -> bool:
    from wuquan.org import roles
    from wuquan.org.selectors import role_names

    return isinstance(actor, str) or bool(
        getattr(actor, "is_superuser", False) or roles.ADMIN in role_names(actor)
    )


def _require_finance(actor, unit: Unit, on: date):
    """The finance deputy or the 财务岗 of the unit (limits, budget figures, reports); a
    system actor (a string such as "system:import") for the import jobs."""
    if isinstance(actor, str):
        return None
    posts = selectors.finance_posts(unit) + list(
        Post.objects.filter(unit=unit, code__in=("finance",))
    )
    return _require(
        actor, posts, on, _("只有本单位分管财务工作的领导或财务岗可以办理。"), field="unit"
    )


# ---- spending-class limits (FIN-3) -----------------------------------------------------------


@transaction.atomic
def do_set_class_limit(
    unit: Unit | None,
    spending_class: str,
    per_item: int | None,
    per_year: int | None,
    valid_from: date,
    basis: str = "",
    *,
    actor,
    at=None,
) -> ClassLimit:
    """A dated limit of a spending class for one unit (its finance deputy or 财务岗) or for
    every unit (a system administrator) (FIN-3, 附件3 第二 四 分类管理和限额规定)."""
    _class(spending_class)
    for name, v in (("per_item", per_item), ("per_year", per_year)):
        if v is not None:
            _fen(v, name)
    if per_item is None and per_year is None:
        raise InvalidInput(_("请至少填写单笔限额或年度限额。"), field="per_item")
    if per_item is not None and per_year is not None and per_item > per_year:
        raise InvalidInput(_("单笔限额不能高于年度限额。"), field="per_item")
    if not isinstance(valid_from, date):
        raise InvalidInput(_("请填写生效日期。"), field="valid_from")
    if unit is None:
        if not _is_admin(actor):
            raise NotPermitted(_("全区通用限额只能由系统管理员设定。"), field="unit")
    else:
        _require_finance(actor, unit, _day(at))
    basis = (basis or "").strip()[:200]
    row = ClassLimit.objects.create(
        unit=unit,
        spending_class=spending_class,
        per_item=per_item,
        per_year=per_year,
        valid_from=valid_from,
        basis=basis,
        created_at=_now(at),
    )
    record(
        actor,
        events.LIMIT_SET,
        row,
        {
            "unit_id": unit.pk if unit else None,
            "spending_class": spending_class,
            "per_item": per_item,
            "per_year": per_year,
            "valid_from": valid_from.isoformat(),
            "basis": basis,
        },
        at=at,
    )
    return row


LIMIT_COLUMNS = ["单位编码", "支出类别", "单笔限额（元）", "年度限额（元）", "生效日期", "依据"]


def _cell_date(value, row: int) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(
            _("第 %(r)d 行：生效日期格式应为 2026-01-01。") % {"r": row}, field="file"
        ) from exc


def _cell_fen(value, row: int, label: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return parse_yuan(value)
    except InvalidInput as exc:
        raise InvalidInput(
            _("第 %(r)d 行“%(l)s”：%(m)s") % {"r": row, "l": label, "m": exc.message},
            field="file",
        ) from exc


@transaction.atomic
def do_import_class_limits(content: bytes, *, actor, at=None) -> list[ClassLimit]:
    """Spending-class limits from an Excel sheet (columns LIMIT_COLUMNS; 支出类别 by its Chinese
    name or code; 单位编码 empty = every unit). All rows or none: each row goes through
    `do_set_class_limit`, so the same checks (and one event per limit) apply."""
    from openpyxl import load_workbook

    try:
        ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception as exc:  # noqa: BLE001 — any unreadable file is the user's input error
        raise InvalidInput(_("无法读取该 Excel 文件（.xlsx）。"), field="file") from exc
    by_label = {str(c.label): c.value for c in SpendingClass} | {
        c.value: c.value for c in SpendingClass
    }
    out = []
    for n, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if not row or all(v in (None, "") for v in row):
            continue
        code, klass, item, year, valid, basis = (list(row) + [None] * 6)[:6]
        if all(v is None or str(v).strip() == "" for v in (item, year)):
            continue  # a class left without limits (the template lists every class)
        spending_class = by_label.get(str(klass or "").strip())
        if spending_class is None:
            raise InvalidInput(
                _("第 %(r)d 行：未知的支出类别“%(c)s”。") % {"r": n, "c": klass}, field="file"
            )
        unit = None
        if code not in (None, ""):
            unit = Unit.objects.filter(code=str(code).strip()).first()
            if unit is None:
                raise InvalidInput(
                    _("第 %(r)d 行：没有编码为“%(c)s”的单位。") % {"r": n, "c": code}, field="file"
                )
        try:
            out.append(
                do_set_class_limit(
                    unit,
                    spending_class,
                    _cell_fen(item, n, LIMIT_COLUMNS[2]),
                    _cell_fen(year, n, LIMIT_COLUMNS[3]),
                    _cell_date(valid, n),
                    str(basis or ""),
                    actor=actor,
                    at=at,
                )
            )
        except InvalidInput as exc:
            if exc.field == "file":
                raise
            raise InvalidInput(
                _("第 %(r)d 行：%(m)s") % {"r": n, "m": exc.message}, field="file"
            ) from exc
    if not out:
        raise InvalidInput(_("表中没有限额行。"), field="file")
    return out


def limits_workbook(unit: Unit | None = None) -> bytes:
    """The import template, filled with the limits in force today (for the unit if given)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "支出限额"
    ws.append(LIMIT_COLUMNS)
    on = selectors.today()
    for c in SpendingClass:
        lim = selectors.class_limit(unit.pk, c.value, on) if unit else None
        ws.append(
            [
                unit.code if unit else "",
                str(c.label),
                lim.per_item / 100 if lim and lim.per_item else None,
                lim.per_year / 100 if lim and lim.per_year else None,
                (lim.valid_from if lim else on).isoformat(),
                lim.basis if lim else "",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _over_item_limit(unit_id: int, spending_class: str, amount: int, on: date) -> str:
    lim = selectors.class_limit(unit_id, spending_class, on)
    if lim and lim.per_item is not None and amount > lim.per_item:
        return _("超过%(c)s单笔限额 %(l)s 元。") % {
            "c": SpendingClass(spending_class).label,
            "l": selectors.yuan(lim.per_item),
        }
    return ""


def _over_year_limit(r: Reimbursement, *, paid_only: bool) -> str:
    lim = selectors.class_limit(r.unit_id, r.spending_class, r.occurred_on)
    if lim is None or lim.per_year is None:
        return ""
    spent = selectors.year_spent(
        r.unit_id, r.spending_class, r.occurred_on.year, exclude=r.pk, paid_only=paid_only
    )
    if spent + r.amount > lim.per_year:
        return _("%(c)s年度限额 %(l)s 元，已用 %(s)s 元，本次 %(a)s 元，超出限额。") % {
            "c": SpendingClass(r.spending_class).label,
            "l": selectors.yuan(lim.per_year),
            "s": selectors.yuan(spent),
            "a": selectors.yuan(r.amount),
        }
    return ""


def _check_large_sum(r: Reimbursement) -> None:
    threshold = selectors.large_sum_threshold(r.unit_id)
    if r.amount >= threshold and not selectors.decision_stands(r.decision, r.unit_id):
        raise RuleViolation(
            _(
                "金额达到本单位“三重一大”大额资金标准（%(t)s 元），须经领导班子会议集体审定并通过后"
                "方可报销（附件3 第二 四）。"
            )
            % {"t": selectors.yuan(threshold)},
            field="decision",
            code="FIN-3-large-sum-decision",
        )


# ---- filing and vouchers (FIN-1, FIN-2) ------------------------------------------------------


def _take_number(unit: Unit, year: int) -> str:
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    n = Reimbursement.objects.filter(unit=unit, year=year).count() + 1
    while Reimbursement.objects.filter(unit=unit, number=f"BX{year}-{n:04d}").exists():
        n += 1
    return f"BX{year}-{n:04d}"


@transaction.atomic
def do_file_reimbursement(
    unit: Unit,
    spending_class: str,
    summary: str,
    amount: int,
    occurred_on: date,
    responsible_post: Post | None,
    *,
    actor,
    at=None,
    claimant: Person | None = None,
    decision: AgendaItem | None = None,
) -> Reimbursement:
    """The handler (经办人) fills in a 报销单 (a draft): vouchers are attached next and the
    handler signs when they are complete. Above the unit's 三重一大 amount the matter goes to
    the leadership meeting: without a chosen decision an agenda item is proposed, linked to
    this reimbursement (decisions.require_decision)."""
    on = _day(at)
    found = selectors.unit_post_of(actor, unit, on)
    if found is None:
        raise NotPermitted(_("只有本单位在岗人员可以填报报销单。"), field="unit")
    handler, handler_post = found
    problems = {}
    summary = (summary or "").strip()
    if not summary:
        problems["summary"] = _("请填写事由。")
    if spending_class not in SpendingClass.values:
        problems["spending_class"] = _("请选择支出类别。")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        problems["amount"] = _("金额须为大于零的整数（分）。")
    if not isinstance(occurred_on, date):
        problems["occurred_on"] = _("请填写发生日期。")
    elif occurred_on > on:
        problems["occurred_on"] = _("发生日期不能晚于今天。")
    choices = {p.pk for p in selectors.responsible_choices(unit)}
    if responsible_post is None or responsible_post.pk not in choices:
        problems["responsible_post"] = _(
            "请选择本单位分管该项工作的副职（不能是分管财务的副职：他签最后一步）。"
        )
    if claimant is None:
        claimant = handler
    elif not selectors.person_held(claimant, list(Post.objects.filter(unit=unit)), on):
        problems["claimant"] = _("报销人须是本单位在岗人员。")
    if decision is not None and decision.unit_id != unit.pk:
        problems["decision"] = _("所选决策不是本单位的。")
    if not problems and (over := _over_item_limit(unit.pk, spending_class, amount, occurred_on)):
        problems["amount"] = over + _("请按规定标准报销。")
    if problems:
        field, message = next(iter(problems.items()))
        code = "FIN-3-over-limit" if field == "amount" and "限额" in str(message) else None
        exc = (RuleViolation if code else InvalidInput)(message, field=field, code=code)
        exc.problems = problems
        raise exc
    r = Reimbursement.objects.create(
        unit=unit,
        number=_take_number(unit, occurred_on.year),
        year=occurred_on.year,
        claimant=claimant,
        handler=handler,
        handler_post=handler_post,
        responsible_post=responsible_post,
        spending_class=spending_class,
        summary=summary[:200],
        amount=amount,
        occurred_on=occurred_on,
        decision=decision,
        created_at=_now(at),
    )
    threshold = selectors.large_sum_threshold(unit.pk)
    if amount >= threshold and decision is None:
        from wuquan.decisions.services import require_decision

        r.decision = require_decision(
            r,
            unit,
            MatterKind.LARGE_SUM,
            _("大额资金使用：%(s)s（%(a)s 元）")
            % {"s": summary[:100], "a": selectors.yuan(amount)},
            actor=actor,
        )
        r.save(update_fields=["decision"])
    record(
        actor,
        events.FILED,
        r,
        events.filed(r, summary=r.summary, threshold=threshold, decision_id=r.decision_id),
        at=at,
    )
    return r


def _invoice_taken(unit_id: int, invoice_no: str, exclude_attachment=None) -> Attachment | None:
    qs = Attachment.objects.filter(unit_id=unit_id, invoice_no=invoice_no)
    if exclude_attachment is not None:
        qs = qs.exclude(pk=exclude_attachment)
    return qs.select_related("reimbursement").first()


@transaction.atomic
def do_attach_voucher(
    r: Reimbursement,
    kind: str,
    upload,
    *,
    actor,
    at=None,
    invoice_no: str = "",
    invoice_amount: int | None = None,
) -> Attachment:
    """A voucher (原始凭证) for a draft or returned reimbursement, by its handler: type and size
    checked, SHA-256 kept and logged; an invoice needs its number (unique in the unit) and
    amount (FIN-2, 附件3 第二 二: 项目齐全、内容真实、字迹清晰)."""
    r = _lock(r)
    if r.status not in (Status.DRAFT, Status.RETURNED):
        raise RuleViolation(_("报销单已提交审批，不能再补充凭证。"), field="file")
    if selectors.unit_post_of(actor, r.unit, _day(at)) is None or (
        r.handler is not None and r.handler.user_id != getattr(actor, "pk", None)
    ):
        raise NotPermitted(_("只有该报销单的经办人可以上传凭证。"), field="file")
    if kind not in AttachmentKind.values:
        raise InvalidInput(_("请选择凭证类型。"), field="kind")
    if upload is None:
        raise InvalidInput(_("请选择文件。"), field="file")
    checked = check_upload(upload, field="file", label=getattr(upload, "name", None))
    invoice_no = (invoice_no or "").strip().upper()
    if kind == AttachmentKind.INVOICE:
        if not invoice_no or len(invoice_no) > 40 or not invoice_no.isalnum():
            raise InvalidInput(_("请填写发票号码（数字或字母，最多40位）。"), field="invoice_no")
        _fen(invoice_amount, "invoice_amount")
        taken = _invoice_taken(r.unit_id, invoice_no)
        if taken is not None:
            raise RuleViolation(
                _("发票号码 %(n)s 已在本单位报销单 %(r)s 中使用，同一张发票不能重复报销。")
                % {"n": invoice_no, "r": taken.reimbursement.number},
                field="invoice_no",
                code="FIN-2-duplicate-invoice",
            )
    else:
        invoice_no, invoice_amount = "", None
    upload.seek(0)
    content = upload.read()
    a = Attachment.objects.create(
        reimbursement=r,
        unit=r.unit,
        kind=kind,
        name=str(getattr(upload, "name", "") or kind)[:200],
        sha256=checked.sha256,
        size=checked.size,
        content=content,
        invoice_no=invoice_no,
        invoice_amount=invoice_amount,
        uploaded_at=_now(at),
    )
    record(actor, events.ATTACHED, r, events.attached(r, a), at=at)
    return a


@transaction.atomic
def do_submit_reimbursement(r: Reimbursement, *, actor, at=None) -> Signature:
    """The handler signs (step 1) once the vouchers are complete: every kind the class
    requires, invoices covering the amount; within the class limits; a large sum with its
    passed decision. Also the resubmission after a return (a new round of signatures)."""
    r = _lock(r)
    if r.status not in (Status.DRAFT, Status.RETURNED):
        raise RuleViolation(_("报销单已提交。"), field="step")
    on = _day(at)
    if r.handler is None or r.handler.user_id != getattr(actor, "pk", None):
        raise NotPermitted(_("只有该报销单的经办人可以签字提交。"), field="step")
    found = selectors.unit_post_of(actor, r.unit, on)
    if found is None:
        raise NotPermitted(_("您已不在本单位任职。"), field="step")
    missing = selectors.missing_attachments(r)
    if missing:
        raise RuleViolation(
            _("凭证不全，还缺：%s。") % "、".join(str(AttachmentKind(k).label) for k in missing),
            field="file",
            code="FIN-2-vouchers-complete",
        )
    total = selectors.invoice_total(r)
    if total < r.amount:
        raise RuleViolation(
            _("发票合计 %(t)s 元，少于报销金额 %(a)s 元。")
            % {"t": selectors.yuan(total), "a": selectors.yuan(r.amount)},
            field="amount",
            code="FIN-2-vouchers-complete",
        )
    over = _over_item_limit(r.unit_id, r.spending_class, r.amount, r.occurred_on) or (
        _over_year_limit(r, paid_only=False)
    )
    if over:
        raise RuleViolation(over, field="amount", code="FIN-3-over-limit")
    _check_large_sum(r)
    person, post = found
    r.status, r.submitted_at, r.return_reason = Status.SIGNING, _now(at), ""
    r.save(update_fields=["status", "submitted_at", "return_reason"])
    sig = Signature.objects.create(
        reimbursement=r,
        round=r.round,
        step=Step.HANDLER,
        person=person,
        post=post,
        at=_now(at),
        seq=1,
    )
    record(
        actor,
        events.SUBMITTED,
        r,
        events.submitted(
            r,
            sig,
            attachments=list(r.attachments.values_list("sha256", flat=True)),
            decision_id=r.decision_id,
        ),
        at=at,
    )
    return sig


@transaction.atomic
def do_sign_reimbursement(r: Reimbursement, step: str, *, actor, at=None) -> Signature:
    """One signature of the chain (FIN-1, 附件3 第二 三), by a holder of that step's post in
    the unit, never the claimant, never someone who already signed this round."""
    r = _lock(r)
    if step not in STEPS[1:]:
        raise InvalidInput(_("无效的签字环节。"), field="step")
    expected = selectors.next_step(r)
    if step != expected:
        raise RuleViolation(
            _("现在不能签“%(s)s”：%(n)s")
            % {
                "s": Step(step).label,
                "n": _("应先由“%s”签字。") % Step(expected).label
                if expected
                else _("报销单不在审批中。"),
            },
            field="step",
            code="FIN-1-sign-off-chain",
        )
    person, post = _require(
        actor,
        selectors.step_posts(r, step),
        _day(at),
        _("您不担任本单位“%s”所需的岗位。") % Step(step).label,
    )
    if person.pk == r.claimant_id:
        raise RuleViolation(
            _("报销人不能审批自己的报销单。"), field="step", code="FIN-1-sign-off-chain"
        )
    if r.signatures.filter(round=r.round, person=person).exists():
        raise RuleViolation(
            _("同一人不能在同一报销单上签两次。"), field="step", code="FIN-1-sign-off-chain"
        )
    if step == Step.FINANCE:
        _check_large_sum(r)
        r.status = Status.APPROVED
        r.save(update_fields=["status"])
    sig = Signature.objects.create(
        reimbursement=r,
        round=r.round,
        step=step,
        person=person,
        post=post,
        at=_now(at),
        seq=r.signatures.filter(round=r.round).count() + 1,
    )
    record(actor, events.SIGNED, r, events.signed(r, sig), at=at)
    return sig


@transaction.atomic
def do_return_reimbursement(r: Reimbursement, reason: str, *, actor, at=None) -> Reimbursement:
    """The signer of the next step sends the reimbursement back with a reason; the handler
    completes it and signs again, and the chain starts over (a new round)."""
    r = _lock(r)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写退回理由。"), field="reason")
    step = selectors.next_step(r)
    if step is None:
        raise RuleViolation(_("报销单不在审批中，不能退回。"), field="reason")
    person, _post = _require(
        actor,
        selectors.step_posts(r, step),
        _day(at),
        _("只有下一环节“%s”的签字人可以退回。") % Step(step).label,
        field="reason",
    )
    r.status, r.return_reason, r.round = Status.RETURNED, reason[:1000], r.round + 1
    r.save(update_fields=["status", "return_reason", "round"])
    record(
        actor,
        events.RETURNED,
        r,
        events.returned(r, step=step, person_id=person.pk, reason=reason[:1000]),
        at=at,
    )
    return r


@transaction.atomic
def do_pay_reimbursement(r: Reimbursement, *, actor, at=None, on: date | None = None):
    """The cashier (出纳) pays an approved reimbursement — not to themselves, and not one they
    signed; the year's limit and the large-sum decision are checked once more."""
    r = _lock(r)
    if r.status != Status.APPROVED:
        raise RuleViolation(
            _("报销单尚未审批完毕，不能支付。"), field="step", code="FIN-1-sign-off-chain"
        )
    person, _post = _require(
        actor, selectors.step_posts(r, "cashier"), _day(at), _("只有本单位出纳可以支付。")
    )
    if person.pk == r.claimant_id or r.signatures.filter(round=r.round, person=person).exists():
        raise RuleViolation(
            _("出纳不能支付自己报销或自己签批的报销单。"), field="step", code="FIN-1-sign-off-chain"
        )
    over = _over_year_limit(r, paid_only=True)
    if over:
        raise RuleViolation(over, field="amount", code="FIN-3-over-limit")
    _check_large_sum(r)
    r.status, r.paid_on, r.paid_by = Status.PAID, on or _day(at), person
    r.save(update_fields=["status", "paid_on", "paid_by"])
    record(
        actor, events.PAID, r, events.paid(r, person_id=person.pk, decision_id=r.decision_id), at=at
    )
    return r


@transaction.atomic
def do_import_reimbursement(
    unit: Unit,
    spending_class: str,
    summary: str,
    amount: int,
    occurred_on: date,
    responsible_post: Post,
    claimant: Person,
    signatures: list[tuple[str, Person]],
    attachments: list[tuple[str, str, bytes, str, int | None]],
    paid_on: date,
    source_ref: str,
    *,
    actor,
    at=None,
    decision: AgendaItem | None = None,
) -> Reimbursement:
    """History from the unit's old system (paid on paper), imported as it was — signatures in
    the given order, vouchers as given (kind, name, bytes, invoice number, invoice amount) — so
    that the FIN-1..3 rules can judge it. Only the unit's finance deputy or 财务岗 imports."""
    _require_finance(actor, unit, _day(at))
    _class(spending_class)
    _fen(amount)
    if not source_ref:
        raise InvalidInput(_("请填写原系统编号。"), field="source_ref")
    r = Reimbursement.objects.create(
        unit=unit,
        number=_take_number(unit, occurred_on.year),
        year=occurred_on.year,
        claimant=claimant,
        handler=signatures[0][1] if signatures else None,
        responsible_post=responsible_post,
        spending_class=spending_class,
        summary=(summary or "").strip()[:200],
        amount=amount,
        occurred_on=occurred_on,
        status=Status.PAID,
        decision=decision,
        imported=True,
        source_ref=source_ref[:60],
        created_at=_now(at),
        paid_on=paid_on,
    )
    sigs = []
    for seq, (step, person) in enumerate(signatures, start=1):
        Signature.objects.create(reimbursement=r, step=step, person=person, at=_now(at), seq=seq)
        sigs.append([step, person.pk])
    shas = []
    for kind, name, content, invoice_no, invoice_amount in attachments:
        sha = hashlib.sha256(content).hexdigest()
        Attachment.objects.create(
            reimbursement=r,
            unit=unit,
            kind=kind,
            name=name[:200],
            sha256=sha,
            size=len(content),
            content=content,
            invoice_no=(invoice_no or "").strip().upper(),
            invoice_amount=invoice_amount,
            imported=True,
            uploaded_at=_now(at),
        )
        shas.append(sha)
    record(
        actor,
        events.IMPORTED,
        r,
        events.imported(
            r, source_ref=source_ref, signatures=sigs, attachments=shas, summary=r.summary
        ),
        at=at,
    )
    return r


# ---- budget, quarterly report, half-yearly disclosure (FIN-4) --------------------------------


@transaction.atomic
def do_enter_budget(
    unit: Unit, year: int, spending_class: str, amount: int, *, actor, at=None
) -> BudgetFigure:
    """The year's budget of a class, as in the unit's approved budget (entered, not computed)."""
    _class(spending_class)
    _fen(amount, positive=False)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput(_("请填写年度。"), field="year")
    _require_finance(actor, unit, _day(at))
    row, _created = BudgetFigure.objects.update_or_create(
        unit=unit,
        year=year,
        spending_class=spending_class,
        defaults={"amount": amount, "entered_at": _now(at)},
    )
    record(
        actor,
        events.BUDGET_ENTERED,
        row,
        {"unit_id": unit.pk, "year": year, "spending_class": spending_class, "amount": amount},
        at=at,
    )
    return row


def _period_ok(year, n: int, top: int, field: str, on: date, end: date):
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput(_("请填写年度。"), field="year")
    if not isinstance(n, int) or not 1 <= n <= top:
        raise InvalidInput(_("期间不正确。"), field=field)
    if end >= on:
        raise RuleViolation(_("期间尚未结束。"), field=field)


@transaction.atomic
def do_prepare_report(
    unit: Unit, year: int, quarter: int, *, actor, at=None, income: int = 0
) -> FinanceReport:
    """The quarter's report: figures computed from the paid reimbursements and the entered
    budget, frozen with their SHA-256; prepared again until it is presented."""
    on = _day(at)
    if not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise InvalidInput(_("季度不正确。"), field="quarter")
    start, end = selectors.quarter_bounds(year, quarter) if isinstance(year, int) else (None, None)
    _period_ok(year, quarter, 4, "quarter", on, end or on)
    _fen(income, "income", positive=False)
    _require_finance(actor, unit, on)
    existing = (
        FinanceReport.objects.select_for_update()
        .filter(unit=unit, year=year, quarter=quarter)
        .first()
    )
    if existing and existing.presented_on:
        raise RuleViolation(_("该季度报告已向班子报告，不能重新编制。"), field="quarter")
    figures = selectors.period_figures(unit, start, end)
    figures["income"] = income
    sha = events.digest(figures)
    report, _created = FinanceReport.objects.update_or_create(
        unit=unit,
        year=year,
        quarter=quarter,
        defaults={"figures": figures, "sha256": sha, "income": income, "prepared_at": _now(at)},
    )
    record(
        actor,
        events.REPORT_PREPARED,
        report,
        {
            "unit_id": unit.pk,
            "year": year,
            "quarter": quarter,
            "sha256": sha,
            "period": figures["period"],
            "income": income,
        },
        at=at,
    )
    return report


@transaction.atomic
def do_present_report(
    report: FinanceReport, *, actor, at=None, meeting: Meeting | None = None, on: date | None = None
) -> FinanceReport:
    """The finance deputy reports the quarter to all members of the leadership (附件3 第二 五:
    每个季度，分管财务工作的副职领导将该季度财务收支情况向全体班子成员报告), at a meeting of
    the unit (decisions) or on a given day."""
    report = FinanceReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
    if report.presented_on:
        raise RuleViolation(_("该报告已报告。"), field="meeting")
    if meeting is not None and meeting.unit_id != report.unit_id:
        raise InvalidInput(_("所选会议不是本单位的。"), field="meeting")
    day = meeting.date if meeting is not None else (on or _day(at))
    if day <= selectors.quarter_bounds(report.year, report.quarter)[1]:
        raise InvalidInput(_("报告日期须在季度结束之后。"), field="on")
    person, _post = _require(
        actor,
        selectors.finance_posts(report.unit),
        _day(at),
        _("季度财务收支情况由分管财务工作的领导报告。"),
        field="meeting",
    )
    report.meeting, report.presented_on, report.presented_by = meeting, day, person
    report.save(update_fields=["meeting", "presented_on", "presented_by"])
    record(
        actor,
        events.REPORT_PRESENTED,
        report,
        {
            "unit_id": report.unit_id,
            "year": report.year,
            "quarter": report.quarter,
            "sha256": report.sha256,
            "meeting_id": meeting.pk if meeting else None,
            "presented_on": day.isoformat(),
            "person_id": person.pk,
        },
        at=at,
    )
    return report


@transaction.atomic
def do_receive_report(report: FinanceReport, *, actor, at=None) -> FinanceReport:
    """The head (or another member of the leadership) marks the presented report received."""
    from wuquan.decisions.selectors import body_for

    report = FinanceReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
    if not report.presented_on:
        raise RuleViolation(_("报告尚未向班子报告。"), field="step")
    if report.received_at:
        raise RuleViolation(_("该报告已签收。"), field="step")
    body = [p for p, _h in body_for(report.unit, _day(at))]
    person = next((p for p in body if p.user_id == getattr(actor, "pk", None)), None)
    if person is None or person.pk == report.presented_by_id:
        raise NotPermitted(_("只有报告人以外的班子成员可以签收。"), field="step")
    report.received_at, report.received_by = _now(at), person
    report.save(update_fields=["received_at", "received_by"])
    record(
        actor,
        events.REPORT_RECEIVED,
        report,
        {
            "unit_id": report.unit_id,
            "year": report.year,
            "quarter": report.quarter,
            "person_id": person.pk,
        },
        at=at,
    )
    return report


@transaction.atomic
def do_publish_disclosure(unit: Unit, year: int, half: int, *, actor, at=None) -> StaffDisclosure:
    """The half-year's figures published to the unit's staff (附件3 第二 五: 每半年向本部门
    （单位）干部职工进行公开), by the finance deputy; once, frozen with their SHA-256."""
    on = _day(at)
    if not isinstance(half, int) or half not in (1, 2):
        raise InvalidInput(_("请选择上半年或下半年。"), field="half")
    start, end = selectors.half_bounds(year, half) if isinstance(year, int) else (None, None)
    _period_ok(year, half, 2, "half", on, end or on)
    person, _post = _require(
        actor,
        selectors.finance_posts(unit),
        on,
        _("财务公开由分管财务工作的领导发布。"),
        field="half",
    )
    if StaffDisclosure.objects.filter(unit=unit, year=year, half=half).exists():
        raise RuleViolation(_("该半年已公开。"), field="half")
    figures = selectors.period_figures(unit, start, end)
    sha = events.digest(figures)
    d = StaffDisclosure.objects.create(
        unit=unit,
        year=year,
        half=half,
        figures=figures,
        sha256=sha,
        published_at=_now(at),
        published_by=person,
    )
    record(
        actor,
        events.DISCLOSURE_PUBLISHED,
        d,
        {
            "unit_id": unit.pk,
            "year": year,
            "half": half,
            "sha256": sha,
            "period": figures["period"],
        },
        at=at,
    )
    return d


def required_kinds(spending_class: str) -> list[str]:
    return list(REQUIRED_ATTACHMENTS.get(spending_class, ()))
