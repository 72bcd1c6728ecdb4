"""The village six-step method (六步工作法, DEC-10; 附件15 二(一)2–3, 二(四)2(2)).

Steps are recorded in order, each with date, participants, minutes and attachments. A village
三重一大 matter that skips a step (or whose notice period is cut short) is VOID: it is marked
void, an alarm-like event "decisions.village.voided" is recorded, and
`assert_village_decision_valid` refuses to let a contract or payment rest on it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, NotPermitted
from wuquan.ledger import record
from wuquan.org import roles
from wuquan.org.models import Unit, UnitKind
from wuquan.org.selectors import is_supervisory, role_names

from . import events, rules, voting
from .models import (
    AssemblyKind,
    VillageMatter,
    VillageMatterStatus,
    VillageObjection,
    VillageStep,
    VillageStepRecord,
)
from .selectors import village_matter_is_valid

CLOSED = (VillageMatterStatus.VOID, VillageMatterStatus.PUBLISHED)


@transaction.atomic
def do_create_village_matter(
    village: Unit,
    title: str,
    is_major: bool = True,
    notice_days: int = 5,
    *,
    actor,
    at: datetime | None = None,
) -> VillageMatter:
    if village.kind not in (UnitKind.VILLAGE, UnitKind.COMMUNITY):
        raise InvalidInput(_("六步工作法适用于村（社区）。"), field="village")
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("请填写事项名称。"), field="title")
    if notice_days < 1:
        raise InvalidInput(_("公告期至少 1 日。"), field="notice_days")
    matter = VillageMatter.objects.create(
        village=village, title=title, is_major=is_major, notice_days=notice_days
    )
    record(actor, events.VILLAGE_CREATED, matter, events.village_created(matter), at=at)
    return matter


def _void(actor, matter: VillageMatter, reason: str, at=None, **details) -> None:
    matter.status = VillageMatterStatus.VOID
    matter.void_reason = reason
    matter.save(update_fields=["status", "void_reason"])
    payload = events.village_voided(matter, rules.VILLAGE_SIX_STEPS, details=details)
    record(actor, events.VILLAGE_VOIDED, matter, payload, at=at)


@rules.guarded
def do_record_village_step(
    matter: VillageMatter,
    step: int,
    on: date,
    participants: str,
    minutes: str,
    attachments: str = "",
    assembly_kind: str = "",
    eligible: int | None = None,
    attended: int | None = None,
    yes: int | None = None,
    no: int | None = None,
    abstain: int | None = None,
    *,
    actor,
    at: datetime | None = None,
) -> VillageStepRecord:
    """Record one of the six steps. Skipping a step voids a 三重一大 matter (附件15 二(一)3);
    a 村民(代表)会议 without its legal quorum is refused (《村民委员会组织法》22, 26)."""
    matter = VillageMatter.objects.select_for_update().get(pk=matter.pk)
    if matter.status in CLOSED:
        raise InvalidInput(_("该事项已%s，不能继续登记。") % matter.get_status_display())
    if step not in VillageStep.values:
        raise InvalidInput(_("无效的步骤。"), field="step")
    if matter.steps.filter(step=step).exists():
        raise InvalidInput(_("该步骤已登记。"), field="step")
    participants, minutes = (participants or "").strip(), (minutes or "").strip()
    if not participants or not minutes:
        raise InvalidInput(_("请填写参加人员和会议记录。"), field="minutes")
    if not isinstance(on, date):
        raise InvalidInput(_("请填写日期。"), field="on")
    previous = matter.steps.order_by("-step").first()
    if previous and (previous.step > step or on < previous.date):
        raise InvalidInput(_("步骤须按顺序、按日期登记。"), field="on")
    rec = VillageStepRecord(
        matter=matter,
        step=step,
        date=on,
        participants=participants,
        minutes=minutes,
        attachments=attachments,
    )
    if step == VillageStep.RESOLUTION:
        if assembly_kind not in AssemblyKind.values:
            raise InvalidInput(_("请选择村民会议或村民代表会议。"), field="assembly_kind")
        counts = [eligible, attended, yes, no, abstain]
        if any(c is None or c < 0 for c in counts):
            raise InvalidInput(_("请填写应到、实到和表决票数。"), field="attended")
        if attended > eligible or yes + no + abstain > attended:
            raise InvalidInput(_("实到不能多于应到，票数之和不能多于实到。"), field="attended")
        outcome = voting.village_assembly(assembly_kind, eligible, attended, yes)
        if not outcome.quorate:
            raise rules.violation(
                rules.VILLAGE_QUORUM,
                outcome.text,
                matter,
                kind=assembly_kind,
                eligible=eligible,
                attended=attended,
            )
        rec.assembly_kind, rec.eligible_count, rec.attended_count = (
            assembly_kind,
            eligible,
            attended,
        )
        rec.yes_count, rec.no_count, rec.abstain_count = yes, no, abstain
        rec.passed, rec.result_text = outcome.passed, outcome.text
    rec.save()
    record(actor, events.VILLAGE_STEP, matter, events.village_step(rec), at=at)
    done = set(matter.steps.values_list("step", flat=True))
    missing = [s for s in VillageStep.values if s < step and s not in done]
    if matter.is_major and missing:
        names = "、".join(str(VillageStep(s).label) for s in missing)
        _void(actor, matter, _("未经“六步工作法”：缺少%s") % names, at, missing=missing)
        return rec
    if matter.is_major and step == VillageStep.RESOLUTION:
        notice = matter.steps.filter(step=VillageStep.NOTICE).first()
        if notice and on < notice.date + timedelta(days=matter.notice_days):
            _void(
                actor,
                matter,
                _("议案公告期不足 %(n)d 日（公告 %(a)s，决议 %(b)s）")
                % {"n": matter.notice_days, "a": notice.date, "b": on},
                at,
                notice=notice.date.isoformat(),
                resolution=on.isoformat(),
            )
            return rec
    if step == VillageStep.RESOLUTION:
        matter.status = VillageMatterStatus.RESOLVED if rec.passed else VillageMatterStatus.REJECTED
        matter.save(update_fields=["status"])
    elif step == VillageStep.PUBLICATION and matter.status == VillageMatterStatus.RESOLVED:
        matter.status = VillageMatterStatus.PUBLISHED
        matter.save(update_fields=["status"])
    return rec


@transaction.atomic
def do_file_objection(
    user,
    matter: VillageMatter,
    text: str,
    step: int | None = None,
    on: date | None = None,
    *,
    actor,
    at: datetime | None = None,
) -> VillageObjection:
    """The 村务监督委员会 watches every step and may object (附件15 二(四)2(2))."""
    if not (roles.VILLAGE_SUPERVISION in role_names(user) or is_supervisory(user)):
        raise NotPermitted(_("只有村务监督委员会或监督机关可以提出异议。"))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写意见。"), field="text")
    from django.utils import timezone

    objection = VillageObjection.objects.create(
        matter=matter,
        step=step,
        author=user.get_username(),
        text=text,
        filed_on=on or (timezone.localdate(at) if at else timezone.localdate()),
    )
    record(actor, events.VILLAGE_OBJECTION, matter, events.village_objection(objection), at=at)
    return objection


@rules.guarded
def _assert_valid(matter: VillageMatter, *, actor, at=None) -> VillageMatter:
    matter.refresh_from_db()
    if not village_matter_is_valid(matter):
        reason = matter.void_reason or _("尚未经村民会议或村民代表会议决议通过")
        raise rules.violation(
            rules.VILLAGE_SIX_STEPS,
            _("“%(t)s”不能作为合同或支出的依据：%(r)s") % {"t": matter.title, "r": reason},
            matter,
            status=matter.status,
        )
    return matter


def assert_village_decision_valid(
    matter: VillageMatter, *, actor=None, at: datetime | None = None
) -> VillageMatter:
    """For finance: a contract or payment may rest only on a village matter resolved through the
    six steps (DEC-10). Raises RuleViolation and records the refusal otherwise."""
    return _assert_valid(matter, actor=actor, at=at)
