"""Writes to the catalog. Every change is recorded in the ledger with who, when and why (CAT-9).

Views, the admin, the Excel import and the demo all call these functions; none writes a
catalog row directly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.ledger import record
from wuquan.ledger.services import describe_actor

from . import flows
from .models import ApprovalItem, FlowStatus, FlowVersion, ItemStatus

TRACKED_PREFIX = "catalog"


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def snapshot(obj: models.Model) -> dict:
    """The concrete field values of a row, JSON-able (FKs as ids)."""
    out = {}
    for f in obj._meta.concrete_fields:
        if f.attname in ("id", "updated_at", "created_at", "bpmn_xml"):
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, models.DecimalField) and value is not None:
            # why: 3, 3.0 and 3.00 are one amount; compare them as the column stores them
            value = Decimal(str(value)).quantize(Decimal(1).scaleb(-f.decimal_places))
        out[f.attname] = _plain(value)
    return out


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写变更理由。"), field="change_reason")
    return reason


def _touch_item(obj: models.Model) -> None:
    """Mark the item a changed row belongs to as changed (its cached guide page is stale)."""
    item_id = getattr(obj, "item_id", None)
    if item_id:
        ApprovalItem.objects.filter(pk=item_id).update(updated_at=timezone.now())


def _action(obj: models.Model, verb: str) -> str:
    return f"{TRACKED_PREFIX}.{obj._meta.model_name}.{verb}"


@transaction.atomic
def do_save(obj: models.Model, reason: str, *, actor, at: datetime | None = None) -> models.Model:
    """Create or change any catalog row, recording the changed fields and the reason (CAT-9)."""
    reason = _need_reason(reason)
    before = None
    if obj.pk:
        stored = type(obj).objects.filter(pk=obj.pk).first()
        before = snapshot(stored) if stored else None
    try:
        obj.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = field
        if field != "__all__":
            label = str(obj._meta.get_field(field).verbose_name)
        raise InvalidInput(f"{label}：{'；'.join(messages)}", field=field) from exc
    obj.save()
    _touch_item(obj)
    after = snapshot(obj)
    if before is None:
        record(
            actor,
            _action(obj, "created"),
            obj,
            {"reason": reason, "name": str(obj), "fields": after},
            at=at,
        )
    else:
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        if changes:
            record(
                actor,
                _action(obj, "changed"),
                obj,
                {"reason": reason, "name": str(obj), "changes": changes},
                at=at,
            )
    return obj


@transaction.atomic
def do_delete(obj: models.Model, reason: str, *, actor, at: datetime | None = None) -> None:
    reason = _need_reason(reason)
    record(
        actor,
        _action(obj, "deleted"),
        obj,
        {"reason": reason, "name": str(obj), "fields": snapshot(obj)},
        at=at,
    )
    obj.delete()
    _touch_item(obj)


@transaction.atomic
def do_change_item_status(
    item: ApprovalItem,
    status: str,
    effective_from: date,
    reason: str,
    merged_into: ApprovalItem | None = None,
    *,
    actor,
    at: datetime | None = None,
) -> ApprovalItem:
    """Retain, cancel, delegate, merge or adjust an item from a date (附件11 二(一), CAT-4)."""
    if status not in ItemStatus.values:
        raise InvalidInput(_("未知的事项状态。"), field="status")
    if status == ItemStatus.MERGED and merged_into is None:
        raise InvalidInput(_("合并的事项须注明合并入哪个事项。"), field="merged_into")
    item.status = status
    item.effective_from = effective_from
    item.merged_into = merged_into if status == ItemStatus.MERGED else None
    return do_save(item, reason, actor=actor, at=at)


@transaction.atomic
def do_add_flow_version(
    item: ApprovalItem, xml: str, reason: str, note: str = "", *, actor, at: datetime | None = None
) -> FlowVersion:
    """Store a new draft version of an item's flow after checking every flow rule (CAT-2)."""
    reason = _need_reason(reason)
    flows.check(xml, item.promised_days)
    item = ApprovalItem.objects.select_for_update().get(pk=item.pk)
    last = item.flows.aggregate(n=models.Max("number"))["n"] or 0
    version = FlowVersion.objects.create(item=item, number=last + 1, bpmn_xml=xml, note=note)
    _touch_item(version)
    record(
        actor,
        "catalog.flow.drafted",
        version,
        {
            "reason": reason,
            "item": item.code,
            "number": version.number,
            "sha256": version.checksum,
            "steps": [s.name for s in flows.steps(version)],
        },
        at=at,
    )
    return version


@transaction.atomic
def do_publish_flow(
    version: FlowVersion, reason: str, *, actor, at: datetime | None = None
) -> FlowVersion:
    """Publish a draft version; the previous published one is retired (cases keep theirs)."""
    reason = _need_reason(reason)
    version = FlowVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != FlowStatus.DRAFT:
        raise RuleViolation(_("只有草稿版本可以发布。"))
    flows.check(version.bpmn_xml, version.item.promised_days)
    retired = list(
        version.item.flows.filter(status=FlowStatus.PUBLISHED).values_list("number", flat=True)
    )
    version.item.flows.filter(status=FlowStatus.PUBLISHED).update(status=FlowStatus.RETIRED)
    version.status = FlowStatus.PUBLISHED
    version.published_at = at or timezone.now()
    version.published_by = describe_actor(actor)
    version.save()
    record(
        actor,
        "catalog.flow.published",
        version,
        {
            "reason": reason,
            "item": version.item.code,
            "number": version.number,
            "sha256": version.checksum,
            "retired": retired,
        },
        at=at,
    )
    return version
