"""Public complaints and reports (投诉举报) with an unguessable tracking code, handled as a
supervision case (SUP-9; 附件2 二(三), 附件7 二(十)).

The complainant's identity never reaches the ledger and is shown only to the commission
(`identity_for`). Refusals (rate limit, honeypot, bad input) write nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from wuquan.common import ratelimit
from wuquan.common.exceptions import InvalidInput, NotFound
from wuquan.ledger import record
from wuquan.org.models import Unit

from . import engine, registry
from .models import AlarmStatus, Complaint, ComplaintAbout

try:  # the one masking function for everything public (PUB-9), when it exists
    from wuquan.common.identity import mask_phone
except ImportError:  # pragma: no cover

    def mask_phone(value) -> str:
        digits = re.sub(r"\D", "", str(value or ""))
        return "*" * max(len(digits) - 4, 0) + digits[-4:]


MOBILE = re.compile(r"\A1[3-9][0-9]{9}\Z")
LANDLINE = re.compile(r"\A0[0-9]{2,3}-?[0-9]{7,8}\Z")
RECEIPT = re.compile(r"\A[A-Za-z0-9-]{4,40}\Z")
CONTENT_MIN, CONTENT_MAX = 10, 2000
DEFAULT_RATE = 5  # complaints per IP per hour


RateLimited = ratelimit.RateLimited  # HTTP 429


@dataclass(frozen=True)
class ComplaintInput:
    about: str
    content: str
    receipt_no: str = ""
    unit_code: str = ""
    person_named: str = ""
    anonymous: bool = False
    complainant_name: str = ""
    complainant_phone: str = ""
    honeypot: str = ""


def new_tracking_code() -> str:
    """16 characters from an unambiguous alphabet: ~80 bits, unguessable."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def take_rate_slot(ip: str, now: datetime | None = None) -> None:
    """Count one submission for this client address in the current hour in the shared cache
    (database or Redis: every worker, every restart sees it; issue 13 finding 8); refuse
    beyond the limit (setting WUQUAN_COMPLAINT_RATE_PER_HOUR, default 5)."""
    limit = int(getattr(settings, "WUQUAN_COMPLAINT_RATE_PER_HOUR", DEFAULT_RATE))
    ratelimit.require(
        "complaint",
        ip or "unknown",
        limit=limit,
        seconds=3600,
        now=now.timestamp() if now is not None else None,
        message=_("提交过于频繁，请一小时后再试。"),
    )


def validate(data: ComplaintInput) -> tuple[ComplaintInput, Unit | None]:
    """Refuse spam and bad input with a clear message (nothing is written)."""
    if data.honeypot:
        raise InvalidInput(_("提交被拒绝。"), field="website")
    if data.about not in ComplaintAbout.values:
        raise InvalidInput(_("请选择投诉对象类别。"), field="about")
    content = (data.content or "").strip()
    if len(content) < CONTENT_MIN:
        raise InvalidInput(_("投诉内容至少 %(n)d 个字。") % {"n": CONTENT_MIN}, field="content")
    if len(content) > CONTENT_MAX:
        raise InvalidInput(_("投诉内容不能超过 %(n)d 个字。") % {"n": CONTENT_MAX}, field="content")
    if content.count("http://") + content.count("https://") > 2:
        raise InvalidInput(_("投诉内容包含过多链接。"), field="content")
    receipt = (data.receipt_no or "").strip()
    unit = None
    if data.about == ComplaintAbout.CASE and not RECEIPT.match(receipt):
        raise InvalidInput(_("请填写正确的办件受理编号。"), field="receipt_no")
    if data.unit_code:
        unit = Unit.objects.filter(code=data.unit_code).first()
        if unit is None:
            raise InvalidInput(_("所选单位不存在。"), field="unit")
    if data.about == ComplaintAbout.UNIT and unit is None:
        raise InvalidInput(_("请选择被投诉单位。"), field="unit")
    person = (data.person_named or "").strip()
    if data.about == ComplaintAbout.PERSON and not person:
        raise InvalidInput(_("请填写被投诉人。"), field="person_named")
    if len(person) > 50:
        raise InvalidInput(_("被投诉人不能超过 50 个字。"), field="person_named")
    name = (data.complainant_name or "").strip()
    phone = re.sub(r"[\s]", "", data.complainant_phone or "")
    if not data.anonymous:
        if not name or len(name) > 50:
            raise InvalidInput(
                _("实名投诉请填写姓名（50 字以内），或选择匿名。"), field="complainant_name"
            )
        if not (MOBILE.match(phone) or LANDLINE.match(phone)):
            raise InvalidInput(
                _("请填写正确的联系电话（手机或固定电话）。"), field="complainant_phone"
            )
    else:
        name, phone = "", ""
    cleaned = ComplaintInput(
        about=data.about,
        content=content,
        receipt_no=receipt,
        unit_code=data.unit_code,
        person_named=person,
        anonymous=data.anonymous,
        complainant_name=name,
        complainant_phone=phone,
    )
    return cleaned, unit


def do_file_complaint(
    data: ComplaintInput, ip: str = "", at: datetime | None = None, count_rate: bool = True
) -> Complaint:
    """File a complaint from the public portal and open a supervision case for it (SUP-9).

    Order: rate limit, then validation, then one transaction writing the complaint, its alarm
    and the ledger event (which carries no identity and no tracking code)."""
    now = engine.aware(at)
    if count_rate:  # why: the public view counts the attempt itself, before parsing the form
        take_rate_slot(ip, now)
    cleaned, unit = validate(data)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            tracking_code=new_tracking_code(),
            about=cleaned.about,
            receipt_no=cleaned.receipt_no,
            unit=unit,
            person_named=cleaned.person_named,
            content=cleaned.content,
            anonymous=cleaned.anonymous,
            complainant_name=cleaned.complainant_name,
            complainant_phone=cleaned.complainant_phone,
            created_at=now,
        )
        event = record(
            "public",
            "supervision.complaint.filed",
            complaint,
            {
                "about": cleaned.about,
                "unit": unit.code if unit else None,
                "receipt_no": cleaned.receipt_no,
                "anonymous": cleaned.anonymous,
                "content_sha256": hashlib.sha256(cleaned.content.encode()).hexdigest(),
            },
        )
        rule = registry.get("SUP-9-complaint")
        from wuquan.common.rules import Finding

        alarm = engine.raise_alarm(
            rule,
            Finding(
                subject_type="supervision.complaint",
                subject_id=str(complaint.pk),
                message=_("群众投诉举报：%(about)s %(target)s")
                % {
                    "about": complaint.get_about_display(),
                    "target": cleaned.receipt_no
                    or (unit.name if unit else "")
                    or cleaned.person_named,
                },
                inputs={
                    "complaint": complaint.pk,
                    "about": cleaned.about,
                    "unit": unit.code if unit else None,
                    "receipt_no": cleaned.receipt_no,
                },
                unit_id=unit.pk if unit else None,
            ),
            now,
            engine.effective(rule, now),
            (event.index,),
        )
        complaint.alarm = alarm
        complaint.save(update_fields=["alarm"])
    return complaint


PUBLIC_STATUS = {
    AlarmStatus.RAISED: "已受理",
    AlarmStatus.ASSIGNED: "已交办，正在办理",
    AlarmStatus.ANSWERED: "承办单位已回复，纪委审核中",
    AlarmStatus.CHECKED: "审核完毕，即将办结",
    AlarmStatus.CLOSED: "已办结",
}


def lookup(tracking_code: str) -> dict:
    """What the public sees for a tracking code: status and the published answer only."""
    code = (tracking_code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{16}", code):
        raise InvalidInput(_("查询码格式不正确。"), field="code")
    complaint = Complaint.objects.select_related("alarm").filter(tracking_code=code).first()
    if complaint is None:
        raise NotFound(_("没有找到该查询码对应的投诉。"))
    status = complaint.alarm.status if complaint.alarm else AlarmStatus.RAISED
    return {
        "code": code,
        "filed_at": complaint.created_at,
        "about": complaint.get_about_display(),
        "status": PUBLIC_STATUS[status],
        "closed": status == AlarmStatus.CLOSED,
        "answer": complaint.published_answer if status == AlarmStatus.CLOSED else "",
        "closed_at": complaint.alarm.closed_at if complaint.alarm else None,
    }


def identity_for(user, complaint: Complaint) -> dict:
    """The complainant's identity as `user` may see it: in full for the commission only,
    masked for everyone else (SUP-9)."""
    from .services import is_commission

    if complaint.anonymous:
        return {"name": _("匿名"), "phone": "", "masked": False}
    if is_commission(user):
        return {
            "name": complaint.complainant_name,
            "phone": complaint.complainant_phone,
            "masked": False,
        }
    name = complaint.complainant_name
    return {
        "name": (name[:1] + "*" * (len(name) - 1)) if name else "",
        "phone": mask_phone(complaint.complainant_phone),
        "masked": True,
    }
