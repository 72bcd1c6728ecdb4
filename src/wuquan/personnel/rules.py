"""Supervision rules of personnel (PER-1, PER-3, PER-5, conflicts of interest), discovered by the
supervision engine. Each reads personnel's, org's or the conflict index's own tables; each has a
breach test and its lawful twin in tests/personnel/test_rules.py.

Sources cited: 附件7 二(九) of the seed for the flags; 《中华人民共和国公务员法》(2018) 第七十四条
(任职回避), 第七十六条 (公务回避) and 第一百零六条(一) (不按照编制限额、职数晋升的予以纠正或宣布
无效), checked against published copies of the text; 《党政领导干部选拔任用工作条例》(2014) for
the step order and the minimum time in a lower post — the exact article of the latter (its
"任职资格" article, 第八条 or 第九条) is NOT confirmed here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from wuquan.common.rules import (
    DAILY,
    SEVERITY_RED,
    SEVERITY_WARNING,
    SEVERITY_YELLOW,
    Finding,
    Rule,
)
from wuquan.org.models import Appointment, Reorganisation, RiskClass

from .models import (
    CadreProfile,
    Establishment,
    PartyLink,
    PostProfile,
    Selection,
    SelectionStatus,
    StaffingKind,
    Step,
)

SELECTION = "personnel.selection"


def _day(as_of: datetime) -> date:
    if isinstance(as_of, datetime):
        return timezone.localtime(as_of).date() if timezone.is_aware(as_of) else as_of.date()
    return as_of


def _current(on: date):
    return Appointment.objects.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))


# ------------------------------------------------------------------ PER-5 超职数配备


def over_quota(as_of, thresholds):
    on = _day(as_of)
    for est in Establishment.objects.prefetch_related("posts"):
        holders = _current(on).filter(post__in=est.posts.all()).count()
        if holders > est.quota:
            yield Finding(
                "personnel.establishment",
                str(est.pk),
                f"超职数配备：{est} 现有 {holders} 人，超出核定职数 {est.quota} 名。",
                {"holders": holders, "quota": est.quota},
                unit_id=est.unit_id,
            )


# ------------------------------------------------------------------ PER-5 突击提拔


def _rank_by_post() -> dict[int, int]:
    return dict(PostProfile.objects.values_list("post_id", "rank"))


def rushed_min_time(as_of, thresholds):
    """A promotion before the minimum time in the lower post (settings: min_years)."""
    on = _day(as_of)
    ranks = _rank_by_post()
    min_days = int(float(thresholds["min_years"]) * 365.2425)
    since = on - timedelta(days=int(thresholds["lookback_days"]))
    appts = list(
        Appointment.objects.filter(post_id__in=ranks).select_related("post").order_by("start")
    )
    by_person: dict[int, list[Appointment]] = {}
    for a in appts:
        by_person.setdefault(a.person_id, []).append(a)
    for chain in by_person.values():
        for a in chain:
            if not (since <= a.start <= on):
                continue
            rank = ranks[a.post_id]
            lower = [b for b in chain if b.start < a.start and ranks[b.post_id] == rank - 1]
            higher_before = [b for b in chain if b.start < a.start and ranks[b.post_id] >= rank]
            if not lower or higher_before:
                continue
            first_lower = min(b.start for b in lower)
            served = (a.start - first_lower).days
            if served < min_days:
                yield Finding(
                    "org.appointment",
                    str(a.pk),
                    f"突击提拔：{a.person} 在下一级职务仅任职 {served} 天即提任 {a.post}"
                    f"（应不少于 {thresholds['min_years']} 年）。",
                    {"served_days": served, "min_years": thresholds["min_years"]},
                    unit_id=a.post.unit_id,
                    post_id=a.post_id,
                )


def rushed_before_leave(as_of, thresholds):
    """Many appointments in a unit in the months before its head leaves (突击提拔)."""
    on = _day(as_of)
    window = timedelta(days=int(thresholds["months_before"]) * 30)
    heads = Appointment.objects.filter(
        post__is_head=True, end__isnull=False, end__lte=on, end__gte=on - timedelta(days=730)
    ).select_related("post", "person")
    for head in heads:
        count = (
            Appointment.objects.filter(
                post__unit_id=head.post.unit_id, start__gt=head.end - window, start__lte=head.end
            )
            .exclude(pk=head.pk)
            .count()
        )
        if count >= int(thresholds["max_appointments"]):
            yield Finding(
                "org.appointment",
                str(head.pk),
                f"突击提拔：{head.post.unit} 主要负责人 {head.person} 离任前 "
                f"{thresholds['months_before']} 个月内任用干部 {count} 人。",
                {"appointments": count, "left_on": head.end.isoformat()},
                unit_id=head.post.unit_id,
                post_id=head.post_id,
            )


def rushed_before_reorganisation(as_of, thresholds):
    """Many appointments in a unit in the months before a decided 机构变动 takes effect
    (突击提拔): counted from `months_before` months before the effective day (or from the
    decision, if that is earlier) to the effective day itself."""
    on = _day(as_of)
    window = timedelta(days=int(thresholds["months_before"]) * 30)
    changes = Reorganisation.objects.filter(
        decided_on__lte=on, effective_on__gte=on - timedelta(days=730)
    ).select_related("unit")
    for change in changes:
        start = min(change.decided_on, change.effective_on - window)
        end = min(change.effective_on, on)
        count = Appointment.objects.filter(
            post__unit_id=change.unit_id, start__gte=start, start__lte=end
        ).count()
        if count >= int(thresholds["max_appointments"]):
            yield Finding(
                "org.reorganisation",
                str(change.pk),
                f"突击提拔：{change.unit} {change.get_kind_display()}（{change.effective_on} 实施）前 "
                f"{thresholds['months_before']} 个月内任用干部 {count} 人。",
                {"appointments": count, "effective_on": change.effective_on.isoformat()},
                unit_id=change.unit_id,
            )


# ------------------------------------------------------------------ PER-5 混岗


def mixed_post(as_of, thresholds):
    on = _day(as_of)
    labels = dict(StaffingKind.choices)
    post_kind = dict(PostProfile.objects.values_list("post_id", "staffing_kind"))
    person_kind = dict(CadreProfile.objects.values_list("person_id", "staffing_kind"))
    for a in (
        _current(on)
        .filter(post_id__in=post_kind, person_id__in=person_kind)
        .select_related("person", "post")
    ):
        if post_kind[a.post_id] != person_kind[a.person_id]:
            yield Finding(
                "org.appointment",
                str(a.pk),
                f"混岗任用：{a.person}（{labels[person_kind[a.person_id]]}）任 {a.post}"
                f"（{labels[post_kind[a.post_id]]}岗位）。",
                {"person_kind": person_kind[a.person_id], "post_kind": post_kind[a.post_id]},
                unit_id=a.post.unit_id,
                post_id=a.post_id,
            )


# ------------------------------------------------------------------ PER-5 A类岗位超期未轮岗


def risk_a_overdue(as_of, thresholds):
    from wuquan.org.models import Post
    from wuquan.org.selectors import tenures

    on = _day(as_of)
    for t in tenures(on, Post.objects.filter(risk_class=RiskClass.A)):
        if t.over_limit:
            yield Finding(
                "org.post",
                str(t.post.pk),
                f"A类风险岗位超期未轮岗：{t.person} 在 {t.post} 连续任职 {t.years} 年"
                f"（轮岗年限 {t.limit} 年）。",
                {"person": t.person.pk, "since": t.since.isoformat(), "limit": t.limit},
                unit_id=t.post.unit_id,
                post_id=t.post.pk,
                key=f"{t.person.pk}:{t.since.isoformat()}",
            )


# ------------------------------------------------------------------ PER-1 imported history


def imported_out_of_order(as_of, thresholds):
    for sel in Selection.objects.filter(status=SelectionStatus.IMPORTED).prefetch_related("steps"):
        seq = [r.step for r in sorted(sel.steps.all(), key=lambda r: (r.on, r.recorded_at))]
        if seq != list(range(1, len(seq) + 1)):
            missing = [str(Step(s).label) for s in range(1, max(seq or [0]) + 1) if s not in seq]
            yield Finding(
                SELECTION,
                str(sel.pk),
                f"选拔任用程序不规范（历史数据）：{sel.title} 的环节顺序为 "
                + "→".join(str(Step(s).label) for s in seq)
                + (f"，缺少 {'、'.join(missing)}" if missing else ""),
                {"steps": seq},
                unit_id=sel.unit_id,
                post_id=sel.post_id,
            )


# ------------------------------------------------------------------ PER-3 裸官 on restricted post


def naked_on_restricted(as_of, thresholds):
    from .selectors import latest_report

    on = _day(as_of)
    restricted = PostProfile.objects.filter(restricted=True).values_list("post_id", flat=True)
    for a in _current(on).filter(post_id__in=list(restricted)).select_related("person", "post"):
        report = latest_report(a.person)
        if report is not None and report.is_naked_official:
            yield Finding(
                "org.appointment",
                str(a.pk),
                f"配偶已移居国（境）外的人员 {a.person} 在限入岗位 {a.post} 任职。",
                {"report": report.pk, "year": report.year},
                unit_id=a.post.unit_id,
                post_id=a.post_id,
            )


# ------------------------------------------------------------------ conflicts of interest


def _holds_post_in(official_id: int, unit_id: int | None, on: date | None) -> bool:
    """Whether the official held a post in the unit on the day of the dealing (org data)."""
    if unit_id is None:
        return False
    qs = Appointment.objects.filter(person_id=official_id, post__unit_id=unit_id)
    if on is not None:
        qs = qs.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))
    return qs.exists()


def _relatives() -> dict[str, list[PartyLink]]:
    found: dict[str, list[PartyLink]] = {}
    for link in PartyLink.objects.filter(role__in=("relative", "firm")).select_related("official"):
        found.setdefault(link.key, []).append(link)
    return found


def own_unit_dealing(as_of=None, thresholds=None):
    """A cadre's close relative, or a firm of the cadre or of a close relative, applies to,
    bids for, wins, contracts with, is paid by or is on a subsidy list of the cadre's own unit
    or village (公务员法 第七十六条 公务回避; 第七十四条第二款 on the firms of spouses and
    children)."""
    from .index import DEALING_ROLES, ROLE_LABELS

    relatives = _relatives()
    if not relatives:
        return
    links = PartyLink.objects.filter(
        role__in=DEALING_ROLES, key__in=list(relatives)
    ).select_related("unit")
    for link in links:
        for rel in relatives[link.key]:
            if _holds_post_in(rel.official_id, link.unit_id, link.on):
                yield Finding(
                    "org.person",
                    str(rel.official_id),
                    f"利益冲突：{rel.official} 本人所在单位 {link.unit} 的"
                    f"{link.source_type} #{link.source_id} 中，"
                    f"{'其亲属' if rel.role == 'relative' else '其本人或亲属经营的企业'}"
                    f"（{rel.label}）为{ROLE_LABELS.get(link.role, link.role)}。依《公务员法》第七十六条应当回避。",
                    {
                        "role": link.role,
                        "source": [link.source_type, link.source_id],
                        "relation": rel.relation,
                        "basis": "公务员法第七十六条",
                    },
                    unit_id=link.unit_id,
                    key=f"{link.source_type}:{link.source_id}:{link.role}",
                )


def handled_own_relative(as_of=None, thresholds=None):
    """A cadre handled (approved) a case whose applicant is their close relative or a firm of
    theirs or of a close relative (公务员法 第七十六条(二))."""
    relatives = _relatives()
    if not relatives:
        return
    for link in PartyLink.objects.filter(role="handled_case", key__in=list(relatives)):
        for rel in relatives[link.key]:
            if rel.official_id == link.official_id:
                yield Finding(
                    "org.person",
                    str(link.official_id),
                    f"应回避未回避：{rel.official} 经办了申请人为其"
                    f"{'亲属' if rel.role == 'relative' else '本人或亲属经营企业'}（{rel.label}）的"
                    f"{link.source_type} #{link.source_id}。依《公务员法》第七十六条应当回避。",
                    {
                        "source": [link.source_type, link.source_id],
                        "relation": rel.relation,
                        "basis": "公务员法第七十六条",
                    },
                    unit_id=link.unit_id,
                    key=f"{link.source_type}:{link.source_id}",
                )


def subsidy_and_payee(as_of=None, thresholds=None):
    """The same person on a village's subsidy list and on its payee list of contracts
    (附件6 三资 platform; flagged for checking, not a breach in itself)."""
    payees = {}
    for key, unit_id, source_id in PartyLink.objects.filter(role="payee").values_list(
        "key", "unit_id", "source_id"
    ):
        payees.setdefault((key, unit_id), source_id)
    for link in PartyLink.objects.filter(role="subsidy").select_related("unit"):
        if (link.key, link.unit_id) in payees:
            yield Finding(
                "personnel.partylink",
                str(link.pk),
                f"同一人既在 {link.unit} 的补贴发放名单上，又是其合同收款人，请核查。",
                {"subsidy": link.source_id, "payee": payees[(link.key, link.unit_id)]},
                unit_id=link.unit_id,
                key=f"{link.key[:16]}:{link.unit_id}",
            )


def conflict_findings():
    return [*own_unit_dealing(), *handled_own_relative(), *subsidy_and_payee()]


RULES = [
    Rule(
        code="PER-5-over-quota",
        name="超职数配备",
        clause="附件7 二(九)；《公务员法》第一百零六条(一)",
        severity=SEVERITY_RED,
        sweep=over_quota,
        clock=DAILY,
    ),
    Rule(
        code="PER-5-rushed-min-time",
        name="突击提拔：下一级职务任职时间不足",
        clause="附件7 二(九)；《党政领导干部选拔任用工作条例》(2014) 任职资格条款（条号未核实）",
        severity=SEVERITY_YELLOW,
        thresholds={"min_years": 2, "lookback_days": 730},
        sweep=rushed_min_time,
        clock=DAILY,
    ),
    Rule(
        code="PER-5-rushed-before-leave",
        name="突击提拔：主要负责人离任前集中任用干部",
        clause="附件7 二(九)（“突击提拔”；离任前月数和人数为本区设定）",
        severity=SEVERITY_YELLOW,
        thresholds={"months_before": 3, "max_appointments": 3},
        sweep=rushed_before_leave,
        clock=DAILY,
    ),
    Rule(
        code="PER-5-rushed-before-reorganisation",
        name="突击提拔：机构变动前集中任用干部",
        clause=(
            "附件7 二(九)（“突击提拔”）；《党政领导干部选拔任用工作条例》纪律和监督一章"
            "（机构变动时不得突击提拔、调整干部；条号未核实）；月数和人数为本区设定"
        ),
        severity=SEVERITY_YELLOW,
        thresholds={"months_before": 3, "max_appointments": 3},
        sweep=rushed_before_reorganisation,
        clock=DAILY,
    ),
    Rule(
        code="PER-5-mixed-post",
        name="混岗任用",
        clause="附件7 二(九)",
        severity=SEVERITY_YELLOW,
        sweep=mixed_post,
        clock=DAILY,
    ),
    Rule(
        code="PER-5-risk-a-rotation",
        name="A类风险岗位超期未轮岗",
        clause="附件9 二(一)；附件2 二(二)5（ORG-4 轮岗年限）",
        severity=SEVERITY_YELLOW,
        sweep=risk_a_overdue,
        clock=DAILY,
    ),
    Rule(
        code="PER-1-imported-step-order",
        name="选拔任用环节缺失或顺序颠倒（历史数据）",
        clause="附件7 二(五)；《党政领导干部选拔任用工作条例》(2014) 第三章至第七章",
        severity=SEVERITY_RED,
        sweep=imported_out_of_order,
        clock=DAILY,
    ),
    Rule(
        code="PER-3-naked-official-restricted-post",
        name="配偶已移居国（境）外人员在限入岗位任职",
        clause="附件7 二(三)；《配偶已移居国（境）外的国家工作人员任职岗位管理办法》（条号未核实）",
        severity=SEVERITY_RED,
        sweep=naked_on_restricted,
        clock=DAILY,
    ),
    Rule(
        code="PER-COI-own-unit",
        name="利益冲突：亲属或亲属企业与本人单位发生业务往来",
        clause="附件7 二(三)；《公务员法》第七十四条、第七十六条",
        severity=SEVERITY_RED,
        sweep=own_unit_dealing,
        clock=DAILY,
    ),
    Rule(
        code="PER-COI-handled-relative",
        name="利益冲突：经办亲属或亲属企业的申请",
        clause="《公务员法》第七十六条",
        severity=SEVERITY_RED,
        sweep=handled_own_relative,
        clock=DAILY,
    ),
    Rule(
        code="PER-COI-subsidy-payee",
        name="同一人既领补贴又是合同收款人",
        clause="附件6（三资平台）；核查提示",
        severity=SEVERITY_WARNING,
        sweep=subsidy_and_payee,
        clock=DAILY,
    ),
]
