"""Writes of the procurement app (FIN-5, FIN-6, FIN-10, PUB-4). Each service records one event
and, where a stage of the process changes, publishes one OCDS release (releases.py).

The route is decided by the dated settings (selectors.route_for), never by code constants, and
the wrong route is refused with RuleViolation (nothing written):
- a purchase above the deputy's limit needs the head's consent; above the unit's limit, or in
  the centralised catalog, a passed 三重一大 decision linked to the request (`decisions`);
- a catalog item goes to the district procurement centre, never to a local tender;
- a purchase at or above the open-tender threshold (works: the works threshold) must use
  公开招标; such tenders and every public-resource deal go through the trading centre;
- a key project needs its special hearing before approval.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.common.identity import is_valid_uscc
from wuquan.decisions.selectors import decision_for
from wuquan.ledger import record
from wuquan.org import roles
from wuquan.org.models import Unit
from wuquan.org.selectors import can_see_unit, role_names

from . import events, releases
from .models import (
    Amendment,
    Award,
    Bid,
    BidStatus,
    Category,
    CentralCatalogEntry,
    Contract,
    Document,
    Firm,
    Method,
    Payment,
    ProcurementRequest,
    RequestStatus,
    Tender,
    TenderStatus,
    Tier,
    TierSetting,
)
from .selectors import route_for


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _may_act_for(actor, unit: Unit) -> None:
    """A user acts only for a unit they see (ORG-1); a string actor is the system (imports,
    the demo)."""
    if isinstance(actor, str):
        return
    if not can_see_unit(actor, unit):
        raise NotPermitted(_("您无权办理该单位的采购事项。"))


def _positive_fen(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidInput(_("金额必须是正的整数（分）。"), field=field)
    return value


# ----------------------------------------------------------------------- settings (dated)


@transaction.atomic
def do_set_tiers(district: Unit, valid_from: date, *, actor, source: str, at=None, **limits):
    """A new dated row of the district's tier thresholds (all in fen)."""
    fields = [
        "deputy_limit_fen",
        "head_limit_fen",
        "open_tender_fen",
        "works_tender_fen",
        "key_project_fen",
        "village_limit_fen",
        "township_limit_fen",
    ]
    for name in fields:
        _positive_fen(limits.get(name), name)
    if limits["deputy_limit_fen"] > limits["head_limit_fen"]:
        raise InvalidInput(_("分管领导批准上限不能高于请示一把手上限。"), field="deputy_limit_fen")
    if not (source or "").strip():
        raise InvalidInput(_("请填写依据文件。"), field="source")
    row = TierSetting.objects.create(
        district=district,
        valid_from=valid_from,
        source=source.strip(),
        **{k: limits[k] for k in fields},
    )
    record(
        actor,
        "procurement.tiers.set",
        row,
        {
            "district": district.code,
            "valid_from": valid_from.isoformat(),
            **{k: limits[k] for k in fields},
        },
        at=at,
    )
    return row


@transaction.atomic
def do_add_catalog_entry(
    district: Unit,
    code: str,
    name: str,
    valid_from: date,
    *,
    actor,
    source: str,
    valid_to: date | None = None,
    at=None,
) -> CentralCatalogEntry:
    if not (code or "").strip():
        raise InvalidInput(_("请填写品目编码。"), field="code")
    row = CentralCatalogEntry.objects.create(
        district=district,
        code=code.strip(),
        name=name,
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
    )
    record(
        actor,
        "procurement.catalog.added",
        row,
        {
            "district": district.code,
            "code": row.code,
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else None,
        },
        at=at,
    )
    return row


# ------------------------------------------------------------------------ requests (FIN-5)


@transaction.atomic
def do_create_request(
    buyer: Unit,
    title: str,
    category: str,
    item_code: str,
    amount_fen: int,
    *,
    actor,
    requested_on: date,
    is_key_project: bool = False,
    public_resource: bool = False,
    project_ref: str = "",
    at: datetime | None = None,
) -> ProcurementRequest:
    """A purchase request, routed to its tier and route by the settings in force (FIN-5/6/10)."""
    _may_act_for(actor, buyer)
    problems = []
    if not (title or "").strip():
        problems.append(("title", _("请填写采购项目名称。")))
    if category not in Category.values:
        problems.append(("category", _("请选择采购类别。")))
    if not (item_code or "").strip():
        problems.append(("item_code", _("请填写品目编码。")))
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        problems.append(("amount_fen", _("预算金额必须大于零。")))
    if problems:
        field, message = problems[0]
        err = InvalidInput(message, field=field)
        err.problems = problems
        raise err
    route = route_for(
        buyer,
        category,
        item_code.strip(),
        amount_fen,
        requested_on,
        is_key_project=is_key_project,
        public_resource=public_resource,
    )
    req = ProcurementRequest.objects.create(
        buyer=buyer,
        project_ref=project_ref,
        title=title.strip(),
        category=category,
        item_code=item_code.strip(),
        amount_fen=amount_fen,
        requested_on=requested_on,
        is_key_project=route.hearing_required,
        public_resource=public_resource,
        tier=route.tier,
        required_method=route.required_method,
        via_trading_centre=route.via_trading_centre,
        organiser_level=route.organiser_level,
    )
    payload = events.request_payload(req)
    payload["tier_setting"] = route.setting_id
    payload["catalog_code"] = route.catalog_code
    record(actor, events.REQUEST_CREATED, req, payload, at=at)
    return req


@transaction.atomic
def do_record_hearing(req: ProcurementRequest, held_on: date, *, actor, at=None):
    """The special hearing before a key project is approved (FIN-6, 附件3 第四)."""
    _may_act_for(actor, req.buyer)
    req.hearing_on = held_on
    req.save(update_fields=["hearing_on"])
    record(actor, events.REQUEST_HEARING, req, {"held_on": held_on.isoformat()}, at=at)
    return req


def _is_deputy(actor) -> bool:
    return isinstance(actor, str) or bool(
        role_names(actor) & {roles.DEPUTY, roles.HEAD, roles.ADMIN}
    )


@transaction.atomic
def do_approve_request(
    req: ProcurementRequest, *, actor, head_consent: bool = False, at: datetime | None = None
) -> ProcurementRequest:
    """Approve a request at its tier (FIN-5); refuse the wrong route."""
    _may_act_for(actor, req.buyer)
    given, req = req, ProcurementRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != RequestStatus.DRAFT:
        raise RuleViolation(_("该采购申请已办理。"), code="FIN-5-once")
    if not _is_deputy(actor):
        raise NotPermitted(_("采购须由分管领导批准（FIN-5）。"))
    if req.is_key_project and req.hearing_on is None:
        raise RuleViolation(
            _("重点工程项目须在立项前进行专项听证（附件3 第四，FIN-6）。"),
            field="hearing_on",
            code="FIN-6-hearing",
        )
    decision = None
    if req.tier == Tier.DEPUTY_HEAD and not head_consent:
        raise RuleViolation(
            _("较大额度的采购须由分管领导请示一把手同意后执行（附件3 第四，FIN-5）。"),
            field="head_consent",
            code="FIN-5-head-consent",
        )
    if req.tier in (Tier.COMMITTEE, Tier.CENTRAL):
        decision = decision_for(req)
        if decision is None:
            raise RuleViolation(
                _(
                    "超过限额或列入集中采购目录的采购须经党委（党组）会议审定（附件3 第四，FIN-5）。"
                ),
                field="decision",
                code="FIN-5-committee",
            )
    when = _now(at)
    req.status = RequestStatus.CENTRAL if req.tier == Tier.CENTRAL else RequestStatus.APPROVED
    req.approved_at = when
    req.approved_by = str(actor)[:120] if isinstance(actor, str) else actor.get_username()
    req.head_consent = head_consent
    req.save(update_fields=["status", "approved_at", "approved_by", "head_consent"])
    for name in ("status", "approved_at", "approved_by", "head_consent"):
        setattr(given, name, getattr(req, name))
    record(
        actor,
        events.REQUEST_TO_CENTRAL if req.tier == Tier.CENTRAL else events.REQUEST_APPROVED,
        req,
        {
            "tier": req.tier,
            "head_consent": head_consent,
            "decision": decision.pk if decision else None,
        },
        at=when,
    )
    return req


# ------------------------------------------------------------------------- tenders (FIN-6)


@transaction.atomic
def do_open_tender(
    req: ProcurementRequest,
    title: str,
    method: str,
    period_start: datetime,
    period_end: datetime,
    *,
    actor,
    via_trading_centre: bool = False,
    by_central_centre: bool = False,
    at: datetime | None = None,
) -> Tender:
    """Publish a tender notice for an approved request; refuse a method or venue the route
    does not allow (FIN-5, FIN-6)."""
    _may_act_for(actor, req.buyer)
    if method not in Method.values:
        raise InvalidInput(_("请选择采购方式。"), field="method")
    if period_end <= period_start:
        raise InvalidInput(_("投标截止时间必须晚于招标文件发出时间。"), field="period_end")
    if req.status == RequestStatus.DRAFT:
        raise RuleViolation(_("采购申请尚未按层级批准。"), code="FIN-5-approved-first")
    if req.status == RequestStatus.CENTRAL and not by_central_centre:
        raise RuleViolation(
            _("列入政府采购目录的物资由区政府采购中心实行集中采购（附件3 第四）。"),
            field="method",
            code="FIN-5-central",
        )
    if req.required_method and method != req.required_method:
        raise RuleViolation(
            _("达到公开招标数额标准的项目必须公开招标（FIN-6）。"),
            field="method",
            code="FIN-6-open-tender",
        )
    if req.via_trading_centre and not via_trading_centre:
        raise RuleViolation(
            _("公共资源交易事项须纳入公共资源交易中心办理（附件3 第四，FIN-6）。"),
            field="via_trading_centre",
            code="FIN-6-trading-centre",
        )
    when = _now(at)
    tender = Tender.objects.create(
        request=req,
        title=(title or req.title).strip(),
        method=method,
        period_start=period_start,
        period_end=period_end,
        via_trading_centre=via_trading_centre,
        published_at=when,
    )
    record(
        actor,
        events.TENDER_OPENED,
        tender,
        events.tender_payload(tender, releases.ocid(tender)),
        at=when,
    )
    releases.publish(tender, "tender", when)
    return tender


@transaction.atomic
def do_add_document(
    tender: Tender, title: str, sha256: str, *, actor, kind="tenderNotice", at=None
):
    _may_act_for(actor, tender.request.buyer)
    if len(sha256 or "") != 64:
        raise InvalidInput(_("文件摘要值必须是64位SHA-256。"), field="sha256")
    when = _now(at)
    doc = Document.objects.create(
        tender=tender, kind=kind, title=title, sha256=sha256, added_at=when
    )
    record(
        actor,
        events.TENDER_DOCUMENT,
        tender,
        {"document": doc.pk, "kind": kind, "sha256": sha256},
        at=when,
    )
    releases.publish(tender, "tenderUpdate", when)
    return doc


def ensure_firm(uscc: str, name: str, *, address="", phone="", legal_rep="") -> Firm:
    """The firm with this 统一社会信用代码 (validated through wuquan.common.identity)."""
    uscc = (uscc or "").strip().upper()
    if not is_valid_uscc(uscc):
        raise InvalidInput(_("统一社会信用代码无效。"), field="uscc")
    firm = Firm.objects.filter(uscc=uscc).first()
    if firm is None:
        if not (name or "").strip():
            raise InvalidInput(_("请填写投标人名称。"), field="name")
        firm = Firm.objects.create(
            uscc=uscc, name=name.strip(), address=address, phone=phone, legal_rep=legal_rep
        )
    return firm


@transaction.atomic
def do_receive_bid(
    tender: Tender,
    firm: Firm,
    amount_fen: int,
    received_at: datetime,
    *,
    actor,
    valid_until: date | None = None,
    at: datetime | None = None,
) -> Bid:
    """Register a bid as received (a late one is recorded as it happened: the red flags
    R030 and the district rules judge it)."""
    _may_act_for(actor, tender.request.buyer)
    _positive_fen(amount_fen, "amount_fen")
    if tender.status != TenderStatus.ACTIVE:
        raise RuleViolation(_("该招标已结束，不能再登记投标。"), code="FIN-6-tender-closed")
    if received_at < tender.period_start:
        raise InvalidInput(_("递交时间早于招标文件发出时间。"), field="received_at")
    bid = Bid.objects.create(
        tender=tender,
        firm=firm,
        amount_fen=amount_fen,
        received_at=received_at,
        valid_until=valid_until,
    )
    record(actor, events.BID_RECEIVED, tender, events.bid_payload(bid), at=at)
    return bid


@transaction.atomic
def do_disqualify_bid(bid: Bid, reason: str, *, actor, at=None) -> Bid:
    _may_act_for(actor, bid.tender.request.buyer)
    if not (reason or "").strip():
        raise InvalidInput(_("请填写否决理由。"), field="reason")
    if bid.status == BidStatus.DISQUALIFIED:
        raise RuleViolation(_("该投标已被否决。"), code="FIN-6-once")
    bid.status = BidStatus.DISQUALIFIED
    bid.disqualification_reason = reason.strip()
    bid.save(update_fields=["status", "disqualification_reason"])
    record(actor, events.BID_DISQUALIFIED, bid.tender, events.disqualify_payload(bid), at=at)
    return bid


@transaction.atomic
def do_evaluate(tender: Tender, report_sha256: str, *, actor, at=None) -> Tender:
    """Bids opened and evaluated (recorded); a tenderUpdate release publishes the bids."""
    _may_act_for(actor, tender.request.buyer)
    if len(report_sha256 or "") != 64:
        raise InvalidInput(_("评标报告摘要值必须是64位SHA-256。"), field="report_sha256")
    when = _now(at)
    if when < tender.period_end:
        raise RuleViolation(_("投标截止前不得开标评标。"), code="FIN-6-no-early-opening")
    tender.evaluated_at = when
    tender.evaluation_digest = report_sha256
    tender.save(update_fields=["evaluated_at", "evaluation_digest"])
    record(
        actor,
        events.TENDER_EVALUATED,
        tender,
        {"report_sha256": report_sha256, "bids": tender.bids.count()},
        at=when,
    )
    # PUB-4 (issue 16): the opening is itself published — a tenderUpdate release carries the
    # bids (tenderers, amounts, statistics) the moment they are opened, not only with the award
    releases.publish(tender, "tenderUpdate", when)
    return tender


@transaction.atomic
def do_award(tender: Tender, bid: Bid, *, actor, at=None) -> Award:
    _may_act_for(actor, tender.request.buyer)
    if bid.tender_id != tender.pk:
        raise InvalidInput(_("该投标不属于本次招标。"), field="bid")
    if bid.status != BidStatus.VALID:
        raise RuleViolation(_("只能向有效投标定标。"), field="bid", code="FIN-6-valid-bid")
    if tender.evaluated_at is None:
        raise RuleViolation(_("须先开标评标，再定标。"), code="FIN-6-evaluate-first")
    if tender.awards.filter(status="active").exists():
        raise RuleViolation(_("本次招标已定标。"), code="FIN-6-once")
    when = _now(at)
    award = Award.objects.create(
        tender=tender, bid=bid, supplier=bid.firm, amount_fen=bid.amount_fen, awarded_at=when
    )
    tender.status = TenderStatus.COMPLETE
    tender.save(update_fields=["status"])
    record(actor, events.AWARD_MADE, tender, events.award_payload(award), at=when)
    releases.publish(tender, "award", when)
    return award


@transaction.atomic
def do_cancel_tender(tender: Tender, reason: str, *, actor, at=None) -> Tender:
    _may_act_for(actor, tender.request.buyer)
    if not (reason or "").strip():
        raise InvalidInput(_("请填写终止理由。"), field="reason")
    when = _now(at)
    tender.status = TenderStatus.CANCELLED
    tender.save(update_fields=["status"])
    record(
        actor, events.TENDER_CANCELLED, tender, {"reason_sha256": events.digest(reason)}, at=when
    )
    releases.publish(tender, "tenderCancellation", when)
    return tender


@transaction.atomic
def do_sign_contract(award: Award, *, actor, amount_fen: int | None = None, at=None) -> Contract:
    tender = award.tender
    _may_act_for(actor, tender.request.buyer)
    amount_fen = award.amount_fen if amount_fen is None else _positive_fen(amount_fen, "amount_fen")
    if amount_fen != award.amount_fen:
        # 招标投标法 第四十六条: the contract follows the tender documents and the winning bid
        raise RuleViolation(
            _("合同金额须与中标金额一致（招标投标法第四十六条）；变更请办理合同变更。"),
            field="amount_fen",
            code="FIN-6-contract-equals-award",
        )
    when = _now(at)
    contract = Contract.objects.create(
        award=award,
        tender=tender,
        amount_fen=amount_fen,
        original_amount_fen=amount_fen,
        signed_at=when,
    )
    record(actor, events.CONTRACT_SIGNED, tender, events.contract_payload(contract), at=when)
    releases.publish(tender, "contract", when)
    return contract


@transaction.atomic
def do_amend_contract(contract: Contract, new_amount_fen: int, rationale: str, *, actor, at=None):
    tender = contract.tender
    _may_act_for(actor, tender.request.buyer)
    _positive_fen(new_amount_fen, "new_amount_fen")
    if not (rationale or "").strip():
        raise InvalidInput(_("请填写变更理由。"), field="rationale")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    when = _now(at)
    amendment = Amendment.objects.create(
        contract=contract,
        old_amount_fen=contract.amount_fen,
        new_amount_fen=new_amount_fen,
        rationale=rationale.strip(),
        amended_at=when,
    )
    contract.amount_fen = new_amount_fen
    contract.save(update_fields=["amount_fen"])
    record(actor, events.CONTRACT_AMENDED, tender, events.amendment_payload(amendment), at=when)
    releases.publish(tender, "contractAmendment", when)
    return amendment


@transaction.atomic
def do_record_payment(contract: Contract, amount_fen: int, *, actor, at=None) -> Payment:
    tender = contract.tender
    _may_act_for(actor, tender.request.buyer)
    _positive_fen(amount_fen, "amount_fen")
    paid = sum(contract.payments.values_list("amount_fen", flat=True))
    if paid + amount_fen > contract.amount_fen:
        raise RuleViolation(
            _("累计支付不得超过合同金额。"), field="amount_fen", code="FIN-10-pay-within-contract"
        )
    when = _now(at)
    payment = Payment.objects.create(contract=contract, amount_fen=amount_fen, paid_at=when)
    record(actor, events.PAYMENT_MADE, tender, events.payment_payload(payment), at=when)
    releases.publish(tender, "implementation", when)
    return payment
