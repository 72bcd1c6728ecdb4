"""Reads of the approval platform: the applicant's lookup, staff worklists, a case's trail,
efficiency figures (APR-5, APR-9, APR-11)."""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from wuquan.common.exceptions import NotFound
from wuquan.common.identity import mask_phone, mask_ric
from wuquan.ledger.models import Event
from wuquan.org.models import Unit
from wuquan.org.selectors import is_supervisory, person_of, posts_held, units_visible_to
from wuquan.workdays.calendar import CalendarUnknown, count_working_days

from .models import (
    OPEN_STATUSES,
    ApiToken,
    Case,
    CaseResult,
    CaseStatus,
    CaseStep,
    StepState,
    Suspension,
    SuspensionKind,
)

ACCEPT_KIND = "受理"


def _hash_code(salt: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{salt}:{code.strip().upper()}".encode(), hashlib.sha256).hexdigest()


def check_query_code(case: Case, code: str) -> bool:
    """Whether `code` is the case's query code (stored only as a salted HMAC, APR-9)."""
    return _code_matches(case.query_salt, case.query_hash, code)


def _code_matches(salt: str, digest: str, code: str) -> bool:
    if not digest or not code:
        return False
    return hmac.compare_digest(digest, _hash_code(salt, code))


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_unit(raw: str) -> Unit | None:
    """The unit a department system's API token belongs to (None: unknown or revoked)."""
    token = (
        ApiToken.objects.select_related("unit")
        .filter(token_hash=_token_hash(raw or ""), revoked=False)
        .first()
    )
    return token.unit if token else None


def find_case(number: str) -> Case:
    """A case by receipt or application number (NotFound otherwise)."""
    number = (number or "").strip().upper()
    case = (
        Case.objects.filter(receipt_no=number).first()
        or Case.objects.filter(application_no=number).first()
    )
    if case is None:
        raise NotFound(_("没有找到该编号的办件。"))
    return case


def acceptance_step(case: Case) -> CaseStep | None:
    """The case's open 受理 step, if any."""
    return case.steps.filter(
        kind=ACCEPT_KIND, state__in=(StepState.READY, StepState.CLAIMED)
    ).first()


def cases_of_subjects(subjects: dict) -> dict:
    """{key: case id} for approvals subjects given as {key: (subject_type, subject_id)} — a
    case, one of its steps or one of its charges (others are left out)."""
    from .models import Charge

    steps = [int(s) for t, s in subjects.values() if t == "approvals.casestep"]
    charges = [int(s) for t, s in subjects.values() if t == "approvals.charge"]
    step_case = dict(CaseStep.objects.filter(pk__in=steps).values_list("pk", "case_id"))
    charge_case = dict(Charge.objects.filter(pk__in=charges).values_list("pk", "case_id"))
    out = {}
    for key, (st, sid) in subjects.items():
        if st == "approvals.case":
            out[key] = int(sid)
        elif st == "approvals.casestep" and int(sid) in step_case:
            out[key] = step_case[int(sid)]
        elif st == "approvals.charge" and int(sid) in charge_case:
            out[key] = charge_case[int(sid)]
    return out


def case_handlers(case_ids, as_of: datetime) -> dict[int, set[int]]:
    """{case id: ids of the users who handled it by `as_of`} — who accepted it or did a step
    (承办, SUP-3)."""
    handlers: dict[int, set[int]] = {}
    for case_id, uid, pid in CaseStep.objects.filter(
        case_id__in=case_ids, completed_at__lte=as_of
    ).values_list("case_id", "completed_by_id", "person__user_id"):
        handlers.setdefault(case_id, set()).update(u for u in (uid, pid) if u)
    for case_id, uid in Case.objects.filter(pk__in=case_ids, accepted_at__lte=as_of).values_list(
        "pk", "accepted_by_id"
    ):
        if uid:
            handlers.setdefault(case_id, set()).add(uid)
    return handlers


LOOKUP_FAILED = _("编号或查询码不正确。请核对受理通知书上的受理编号（或申请编号）和查询码。")
DUE_SOON_DAYS = 2


def normalise_number(text: str) -> str:
    """A receipt/application number or query code as people type it (issue 12, finding 10):
    full-width digits and letters folded (NFKC), spaces dropped, the full-width or long dashes an
    input method makes turned into "-", upper case."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text or "")
    for dash in ("－", "—", "–", "―", "‐", "‑"):
        text = text.replace(dash, "-")
    return "".join(text.split()).upper()


def lookup(number: str, code: str) -> Case:
    """The applicant's case by receipt (or application) number + query code (APR-9).

    Unknown number and wrong code give the same message: nothing is revealed."""
    number = normalise_number(number)
    code = normalise_number(code)
    case = (
        Case.objects.select_related("item", "unit")
        .filter(Q(receipt_no=number) | Q(application_no=number))
        .first()
        if number
        else None
    )
    if case is None or not check_query_code(case, code or ""):
        raise NotFound(LOOKUP_FAILED)
    return case


def working_days_left(due: date | None, today: date) -> int | None:
    """Working days from today to the deadline: 0 = due today, negative = overdue by that many."""
    if due is None:
        return None
    try:
        if due >= today:
            return count_working_days(today, due).days
        return -count_working_days(due, today).days
    except CalendarUnknown:
        return None


def open_steps() -> QuerySet:
    return CaseStep.objects.filter(state__in=(StepState.READY, StepState.CLAIMED)).select_related(
        "case__item", "post__unit", "unit", "claimed_by"
    )


def my_steps(user, on: date | None = None) -> QuerySet:
    """Steps ready for a post the user holds, or claimed by the user (APR-3)."""
    person = person_of(user)
    held = posts_held(person, on) if person else []
    return (
        open_steps()
        .filter(
            Q(state=StepState.READY, post__in=held) | Q(state=StepState.CLAIMED, claimed_by=user)
        )
        .exclude(case__status=CaseStatus.SUSPENDED)
        .order_by("deadline", "started_at")
    )


def visible_steps(user) -> QuerySet:
    """Open steps in the units the user may see (unit leaders: their unit; the commission: all)."""
    qs = open_steps()
    if is_supervisory(user):
        return qs
    return qs.filter(Q(unit__in=units_visible_to(user)) | Q(case__unit__in=units_visible_to(user)))


def visible_cases(user) -> QuerySet:
    qs = Case.objects.select_related("item", "unit")
    if is_supervisory(user):
        return qs
    units = units_visible_to(user)
    return qs.filter(Q(unit__in=units) | Q(steps__unit__in=units)).distinct()


def annotate_countdown(steps, today: date) -> list:
    out = []
    for s in steps:
        s.days_left = working_days_left(s.deadline, today)
        out.append(s)
    return out


def case_events(case: Case) -> QuerySet:
    """The case's event trail: its own events and those of its steps and charges."""
    step_ids = [str(pk) for pk in case.steps.values_list("pk", flat=True)]
    charge_ids = [str(pk) for pk in case.charges.values_list("pk", flat=True)]
    return Event.objects.filter(
        Q(subject_type="approvals.case", subject_id=str(case.pk))
        | Q(subject_type="approvals.casestep", subject_id__in=step_ids)
        | Q(subject_type="approvals.charge", subject_id__in=charge_ids)
    ).order_by("index")


def sms_target(case: Case) -> str:
    """The masked phone a code was sent to, for the page that says so."""
    return mask_phone(case.applicant_phone) if case.applicant_phone else ""


# The status page reads by two statements of plain SQL, not the ORM: building and running the
# ORM's queries was half the page's time, the same SQL a tenth of that (issue 20, decision 0082,
# bench/portal_pages.py "case"). SQLite's raw timestamps are read back by `_moment`/`_day`; a
# test compares the result with the ORM's on both databases.
PUBLIC_CASE_SQL = """
SELECT c.id, c.query_salt, c.query_hash, c.application_no, c.receipt_no, i.name,
       c.applicant_name, c.applicant_id_number, c.applicant_phone, c.status, c.due,
       c.provisional, c.result, c.result_reason, c.certificate_no, c.refusal_reason
FROM {case} c JOIN {item} i ON i.id = c.item_id
WHERE c.receipt_no = %s OR c.application_no = %s
ORDER BY c.submitted_at DESC, c.id DESC LIMIT 1
"""
# the case's steps (kind "s") and pauses ("p") in one statement: one round trip, not two
PUBLIC_TRAIL_SQL = """
SELECT 's', s.id, s.name, p.name, u.short_name, u.name, s.state, s.started_at, s.completed_at,
       s.deadline, s.provisional
FROM {step} s JOIN {post} p ON p.id = s.post_id JOIN {unit} u ON u.id = p.unit_id
WHERE s.case_id = %s AND s.state <> %s
UNION ALL
SELECT 'p', a.id, a.kind, a.reason, NULL, NULL, NULL, a.started_at, a.ended_at, NULL, NULL
FROM {pause} a WHERE a.case_id = %s
ORDER BY 1 DESC, 8, 2
"""
PUBLIC_DEMANDED_SQL = """
SELECT m.id, m.name FROM {demanded} d JOIN {material} m ON m.id = d.material_id
WHERE d.suspension_id = %s ORDER BY m.sort, m.id
"""


@cache
def _sql(template: str) -> str:
    from wuquan.catalog.models import ApprovalItem, Material
    from wuquan.org.models import Post

    tables = {
        "case": Case, "item": ApprovalItem, "step": CaseStep, "post": Post, "unit": Unit,
        "pause": Suspension, "demanded": Suspension.demanded.through, "material": Material,
    }  # fmt: skip
    return template.format(**{k: m._meta.db_table for k, m in tables.items()})


def _rows(template: str, *params) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(_sql(template), params)
        return cur.fetchall()


def _moment(value) -> datetime | None:
    """A timestamp as the ORM gives it, aware: SQLite's raw rows are naive UTC (USE_TZ)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


@cache
def _labels(choices, language: str) -> dict[str, str]:
    return {c.value: str(c.label) for c in choices}


def _label(choices, value: str) -> str:
    """A choice's label in the active language, translated once per language (a translation
    lookup costs as much as a statement here)."""
    return _labels(choices, get_language())[value]


def _trail(case_pk: int) -> tuple[list[dict], list[dict]]:
    """The case's steps for the portal — posts, never persons (PUB-9) — and its pauses, in
    order, as plain values."""
    steps, pauses = [], []
    rows = _rows(PUBLIC_TRAIL_SQL, case_pk, StepState.CANCELLED, case_pk)
    for kind, pk, a, b, short, unit, state, started, ended, deadline, provisional in rows:
        if kind == "s":
            steps.append(
                {
                    "name": a,
                    "post": f"{short or unit}·{b}",  # = str(Post)
                    "state": _label(StepState, state),
                    "started_at": _moment(started),
                    "completed_at": _moment(ended),
                    "deadline": _day(deadline),
                    "provisional": bool(provisional),
                }
            )
        else:
            pauses.append(
                {
                    "pk": pk,
                    "kind": a,
                    "kind_display": _label(SuspensionKind, a),
                    "reason": b,
                    "started_at": _moment(started),
                    "ended_at": _moment(ended),
                }
            )
    return steps, pauses


def public_steps(case: Case | int) -> list[dict]:
    """Steps for the portal: posts, never persons (PUB-9); plain values, in the case's order."""
    return _trail(getattr(case, "pk", case))[0]


_CASE_FIELDS = (
    "pk", "query_salt", "query_hash", "application_no", "receipt_no", "item_name",
    "applicant_name", "applicant_id_number", "applicant_phone", "status", "due", "provisional",
    "result", "result_reason", "certificate_no", "refusal_reason",
)  # fmt: skip


def public_status(number: str, code: str) -> dict:
    """Everything the applicant's status page shows (APR-9), as plain values: the case, its
    steps by post (PUB-9) and its pauses, with the ID number and phone masked. NotFound, as
    `lookup`, for an unknown number or a wrong code.

    Plain values because the page is kept by them (`public_views.status`): the page is a
    function of this dict alone, so the same dict renders the same page."""
    number, code = normalise_number(number), normalise_number(code)
    rows = _rows(PUBLIC_CASE_SQL, number, number) if number else []
    if not rows:
        raise NotFound(LOOKUP_FAILED)
    case = dict(zip(_CASE_FIELDS, rows[0], strict=True))
    salt, digest = case.pop("query_salt"), case.pop("query_hash")
    if not _code_matches(salt, digest, code):
        raise NotFound(LOOKUP_FAILED)
    id_number, phone = case.pop("applicant_id_number"), case.pop("applicant_phone")
    case["applicant_id"] = mask_ric(id_number) if id_number else ""
    case["applicant_phone"] = mask_phone(phone) if phone else ""
    case["due"], case["provisional"] = _day(case["due"]), bool(case["provisional"])
    case["status_display"] = _label(CaseStatus, case["status"])
    case["result_display"] = _label(CaseResult, case["result"]) if case["result"] else ""
    case["is_open"] = case["status"] in OPEN_STATUSES
    steps, pauses = _trail(case["pk"])
    open_pause = next((p for p in pauses if p["ended_at"] is None), None)
    if open_pause and open_pause["kind"] == SuspensionKind.SUPPLEMENT:
        open_pause["demanded"] = [
            {"pk": pk, "name": name} for pk, name in _rows(PUBLIC_DEMANDED_SQL, open_pause["pk"])
        ]
    return {
        "case": case,
        "steps": steps,
        "current": [s for s in steps if s["completed_at"] is None],
        "suspensions": pauses,
        "open_pause": open_pause,
    }


# ---- efficiency figures (APR-11) ------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: str
    volume: int = 0
    finished: int = 0
    on_time: int = 0
    suspensions: int = 0
    days: list[int] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.finished, 1) if self.finished else None

    @property
    def average_days(self) -> float | None:
        return round(sum(self.days) / len(self.days), 1) if self.days else None


def _spans(case_or_list) -> list:
    return [(s.started_at, s.ended_at) for s in case_or_list]


def efficiency(
    by: str = "item", as_of: datetime | None = None, user=None, since: datetime | None = None
) -> list[Figure]:
    """Volume, on-time rate, average working days and suspensions per item, unit or post (APR-11).

    Cases count by acceptance time (≤ as_of); working days exclude pauses. Per post: the steps
    done at that post against their own deadlines.
    """
    as_of = as_of or timezone.now()
    figures: dict = {}
    if by == "post":
        steps = CaseStep.objects.filter(started_at__lte=as_of).select_related("post__unit")
        if since:
            steps = steps.filter(started_at__gte=since)
        if user is not None and not is_supervisory(user):
            steps = steps.filter(unit__in=units_visible_to(user))
        for s in steps.exclude(state=StepState.CANCELLED):
            f = figures.setdefault(s.post_id, Figure(str(s.post_id), str(s.post)))
            f.volume += 1
            if s.state == StepState.DONE and s.completed_at and s.completed_at <= as_of:
                f.finished += 1
                if s.deadline and timezone.localdate(s.completed_at) <= s.deadline:
                    f.on_time += 1
                try:
                    f.days.append(count_working_days(s.started_at, s.completed_at).days)
                except CalendarUnknown:
                    pass
        return sorted(figures.values(), key=lambda f: -f.volume)
    cases = (
        Case.objects.filter(accepted_at__isnull=False, accepted_at__lte=as_of)
        .select_related("item", "unit")
        .prefetch_related("suspensions")
    )
    if since:
        cases = cases.filter(accepted_at__gte=since)
    if user is not None and not is_supervisory(user):
        cases = cases.filter(unit__in=units_visible_to(user))
    for c in cases:
        key, label = (c.item_id, c.item.name) if by == "item" else (c.unit_id, c.unit.name)
        f = figures.setdefault(key, Figure(str(key), label))
        f.volume += 1
        f.suspensions += len(c.suspensions.all())
        end = c.result_at or c.finished_at
        if c.result in ("approved", "denied") and end and end <= as_of:
            f.finished += 1
            if c.due and timezone.localdate(end) <= c.due:
                f.on_time += 1
            try:
                f.days.append(
                    count_working_days(c.accepted_at, end, _spans(c.suspensions.all())).days
                )
            except CalendarUnknown:
                pass
    return sorted(figures.values(), key=lambda f: -f.volume)


def bar_chart_svg(figures: list[Figure], value: str = "on_time_rate", unit: str = "%") -> str:
    """A server-side SVG bar chart (no JavaScript, no CDN) of one figure per row (APR-11)."""
    from django.utils.html import escape

    rows = [(f.label, getattr(f, value)) for f in figures if getattr(f, value) is not None][:25]
    if not rows:
        return ""
    top = max(v for _l, v in rows) or 1
    if unit == "%":
        top = 100
    # why: labels were cut at 22 characters of 12 px in a 260 px column, so long names ran into
    # their bars (issue 12, finding 9): cut to what fits, with an ellipsis; full name in <title>
    bar_h, gap, label_w, width, px = 20, 8, 260, 640, 13
    fits = (label_w - 12) // px
    height = len(rows) * (bar_h + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart" aria-labelledby="bar-chart-title">'
        f'<title id="bar-chart-title">{escape(_("按时办结率"))}</title>'
    ]
    for i, (label, v) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = (width - label_w - 70) * (v / top)
        colour = "#2e7d32" if unit != "%" or v >= 90 else "#c98a00" if v >= 70 else "#c62828"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="{px}">'
            f"{escape(label if len(label) <= fits else label[: fits - 1] + '…')}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
            f"<title>{escape(label)}: {v}{unit}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="{px}">{v}{unit}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def unit_case_counts(user) -> dict:
    counts = defaultdict(int)
    for status in visible_cases(user).values_list("status", flat=True):
        counts[status] += 1
    return dict(counts)
