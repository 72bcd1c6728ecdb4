"""Demo data for supervision (idempotent): a 发改 inspector account, an overdue inspection round
and one filed on time, a public complaint, then the sweeps, so the board is not empty."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from wuquan.org import roles
from wuquan.org.models import Post, Unit
from wuquan.org.services import ensure_staff

from . import complaints, engine
from .models import Complaint, InspectionRound
from .services import do_create_inspection_round, do_file_inspection

DEMO_COMPLAINT = (
    "在政务服务中心办理营业执照时，窗口工作人员要求补交清单以外的材料，往返三次仍未受理。"
)


def _at(day, hour=9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_current_timezone())


def load(stdout) -> None:
    fagai_post = Post.objects.get(unit__code="fagai", code="clerk")
    fagai_user = ensure_staff("fagai", "发改局巡查员 钱进", fagai_post, [roles.HANDLER])
    jiwei = get_user_model().objects.get(username="jiwei")
    today = timezone.localdate()
    caizheng, fagai = Unit.objects.get(code="caizheng"), Unit.objects.get(code="fagai")

    overdue_title = "财政专项资金使用情况季度巡查（演示）"
    if not InspectionRound.objects.filter(title=overdue_title).exists():
        do_create_inspection_round(
            caizheng,
            overdue_title,
            today - timedelta(days=10),
            "涉农专项资金拨付与使用",
            actor=jiwei,
            at=_at(today - timedelta(days=24)),
        )
    filed_title = "政府投资项目建设进度巡查（演示）"
    rnd = InspectionRound.objects.filter(title=filed_title).first()
    if rnd is None:
        rnd = do_create_inspection_round(
            fagai,
            filed_title,
            today - timedelta(days=5),
            "区本级在建项目",
            actor=jiwei,
            at=_at(today - timedelta(days=20)),
        )
        do_file_inspection(
            fagai,
            "record",
            "抽查在建项目3个，进度与资金拨付相符。",
            actor=fagai_user,
            round=rnd,
            at=_at(today - timedelta(days=6), 15),
        )

    if not Complaint.objects.filter(content=DEMO_COMPLAINT).exists():
        complaints.do_file_complaint(
            complaints.ComplaintInput(
                about="unit",
                unit_code="zwfw",
                content=DEMO_COMPLAINT,
                complainant_name="张群众",
                complainant_phone="13900001111",
            ),
            count_rate=False,
            at=_at(today - timedelta(days=2), 10),
        )
    summary = engine.run_sweeps()
    if stdout is not None:
        stdout.write(f"  supervision: sweeps raised {summary.raised} alarm(s)")
