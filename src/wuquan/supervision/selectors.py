"""Reads of the supervision context: who sees which alarms, the commission's board, the
dispatch report (SUP-5, SUP-11; 正文 三)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from wuquan.org.models import Unit, UnitKind
from wuquan.org.selectors import is_supervisory, units_visible_to

from . import registry
from .models import Alarm, AlarmStatus, InspectionRecord, InspectionRound, Notification
from .services import is_commission

SEVERITY_ORDER = ["红牌", "黄牌", "预警"]


def alarms_visible_to(user):
    """The commission and other supervisory roles see every alarm; a unit's staff see the
    alarms concerning or assigned to the units they may see."""
    qs = Alarm.objects.select_related("unit", "assigned_unit")
    if is_supervisory(user):
        return qs
    units = units_visible_to(user)
    return qs.filter(Q(unit__in=units) | Q(assigned_unit__in=units))


def open_alarms(qs=None):
    return (qs if qs is not None else Alarm.objects.all()).exclude(status=AlarmStatus.CLOSED)


def unit_lights(qs=None) -> list[dict]:
    """Red / yellow / green light per unit (district bodies, townships, streets, and any unit
    with an open alarm): red if a 红牌 is open, yellow if a 黄牌 or 预警 is, else green."""
    rows = open_alarms(qs).values("unit_id", "severity").annotate(n=Count("id")).order_by()
    per_unit: dict[int | None, Counter] = {}
    for row in rows:
        per_unit.setdefault(row["unit_id"], Counter())[row["severity"]] += row["n"]
    units = Unit.objects.filter(
        Q(kind__in=[UnitKind.DISTRICT_BODY, UnitKind.TOWNSHIP, UnitKind.STREET])
        | Q(pk__in=[k for k in per_unit if k])
    ).order_by("sort", "code")
    out = []
    for unit in units:
        c = per_unit.get(unit.pk, Counter())
        light = "red" if c["红牌"] else "yellow" if (c["黄牌"] or c["预警"]) else "green"
        out.append(
            {
                "unit": unit,
                "red": c["红牌"],
                "yellow": c["黄牌"],
                "warning": c["预警"],
                "total": sum(c.values()),
                "light": light,
            }
        )
    out.sort(key=lambda r: ({"red": 0, "yellow": 1, "green": 2}[r["light"]], -r["total"]))
    return out


def raised_per_day(
    days: int = 30, as_of: datetime | None = None, qs=None
) -> list[tuple[date, int]]:
    """Alarms raised per local day over the last `days` days (oldest first, zeros included)."""
    end = timezone.localdate(as_of or timezone.now())
    start = end - timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    counts = dict(
        (qs if qs is not None else Alarm.objects.all())
        .filter(raised_at__date__gte=start, raised_at__date__lte=end)
        .annotate(day=TruncDate("raised_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )
    return [
        (start + timedelta(days=i), counts.get(start + timedelta(days=i), 0)) for i in range(days)
    ]


def top_rules(limit: int = 10, qs=None) -> list[dict]:
    rows = (
        (qs if qs is not None else Alarm.objects.all())
        .values("rule_code")
        .annotate(n=Count("id"), open=Count("id", filter=~Q(status=AlarmStatus.CLOSED)))
        .order_by("-n", "rule_code")[:limit]
    )
    out = []
    for row in rows:
        rule = registry.get(row["rule_code"])
        out.append(
            {**row, "name": rule.name if rule else "", "severity": rule.severity if rule else ""}
        )
    return out


def board(user, as_of: datetime | None = None) -> dict:
    qs = alarms_visible_to(user)
    opened = open_alarms(qs)
    by_severity = dict(opened.values_list("severity").annotate(n=Count("id")).order_by())
    return {
        "by_severity": [(s, by_severity.get(s, 0)) for s in SEVERITY_ORDER],
        "by_status": list(opened.values_list("status").annotate(n=Count("id")).order_by("status")),
        "lights": unit_lights(qs),
        "trend": raised_per_day(30, as_of, qs),
        "top_rules": top_rules(10, qs),
        "open_alarms": opened.order_by("-raised_at", "-id")[:200],
        "discovery_errors": list(registry.discovery_errors),
    }


def dispatch_report(start: date, end: date) -> dict:
    """调度通报 for a period (正文 三: the commission dispatches regularly and names the units
    that do poorly). A unit lags when it has an open 红牌, an overdue answer to the commission,
    or an overdue inspection round."""
    in_period = Alarm.objects.filter(raised_at__date__gte=start, raised_at__date__lte=end)
    rows = []
    overdue_answers = Counter(
        Alarm.objects.filter(rule_code="SUP-5-answer-overdue")
        .exclude(status=AlarmStatus.CLOSED)
        .values_list("unit_id", flat=True)
    )
    overdue_rounds = Counter(
        Alarm.objects.filter(rule_code="SUP-8-inspection-overdue")
        .exclude(status=AlarmStatus.CLOSED)
        .values_list("unit_id", flat=True)
    )
    for light in unit_lights():
        unit = light["unit"]
        raised = in_period.filter(Q(unit=unit)).count()
        closed = in_period.filter(unit=unit, status=AlarmStatus.CLOSED).count()
        lagging = bool(light["red"] or overdue_answers[unit.pk] or overdue_rounds[unit.pk])
        rows.append(
            {
                **light,
                "raised": raised,
                "closed": closed,
                "overdue_answers": overdue_answers[unit.pk],
                "overdue_rounds": overdue_rounds[unit.pk],
                "lagging": lagging,
            }
        )
    return {
        "start": start,
        "end": end,
        "rows": rows,
        "lagging": [r for r in rows if r["lagging"]],
        "total_raised": in_period.count(),
        "total_closed": in_period.filter(status=AlarmStatus.CLOSED).count(),
        "top_rules": top_rules(10, in_period),
    }


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox(user):
    return Notification.objects.filter(user=user)[:200]


def rounds_with_status(as_of: datetime | None = None) -> list[dict]:
    today = timezone.localdate(as_of or timezone.now())
    out = []
    for rnd in InspectionRound.objects.select_related("supervising_unit"):
        recs = list(rnd.records.all())
        on_time = [r for r in recs if timezone.localdate(r.filed_at) <= rnd.due]
        status = (
            "filed" if on_time else "late" if recs else "overdue" if rnd.due < today else "open"
        )
        out.append({"round": rnd, "records": recs, "status": status})
    return out


def inspection_records():
    return InspectionRecord.objects.select_related("unit", "round")[:200]


def can_act_as_commission(user) -> bool:
    return is_commission(user)
