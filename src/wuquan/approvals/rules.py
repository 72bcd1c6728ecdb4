"""Supervision rules over approval cases (SUP-1..4, APR-1, APR-3, APR-5, APR-8, CAT-5).

Discovered by the supervision engine (`RULES`); this module never imports `supervision`: it
reads the approvals tables, the catalog, the org and the ledger only.

- Event checks run inline, in the transaction of the event they look at (cheap: one or two
  indexed reads per event). Live services already refuse most of these breaches; the checks
  catch what comes in another way (history imported from a legacy system, department systems
  through the API, a service changed later) — the ledger is what is watched, not the UI.
- Sweeps (time limits) are set-based: one query over `CaseStep` / `Case` each (a `BreachSet`:
  the engine compares it with the open alarms in SQL), read as of `as_of` (a step counts as
  open at `as_of` when it had started and was not yet done; a case is not flagged while a
  suspension — 补正 or a special procedure — spans `as_of`), so a past day can be replayed
  (`wuquan supervise --as-of`). bench/sweep.py measures them on 10^6 cases.

docs/supervision.md lists every rule with its clause, severity, thresholds and kind.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.rules import (
    DAILY,
    SEVERITY_RED,
    SEVERITY_WARNING,
    SEVERITY_YELLOW,
    BreachSet,
    Finding,
    Rule,
    dated_key,
    subject_text,
    touched_ids,
)
from wuquan.workdays.calendar import CalendarUnknown, add_working_days

STEP = "approvals.casestep"
CASE = "approvals.case"
CHARGE = "approvals.charge"
REVIEW_KIND = "审核"
DECISION_KINDS = ("审批", "决定")
ACCEPT_KIND = "受理"
STEP_DONE_ACTIONS = (
    "approvals.step.completed",
    "approvals.case.result",
    "approvals.case.delivered",
)
# why: a replay of a time this far back also counts steps done after it (a scan of done
# steps); a live sweep (as_of ≈ now) reads the open steps through the (state, deadline) index.
REPLAY_MARGIN = timedelta(minutes=10)


# ---- helpers ----------------------------------------------------------------------------------


def _day(as_of: datetime):
    return timezone.localdate(as_of)


def _paused_at(as_of: datetime, case_ref: str = "case_id"):
    """A suspension of the case spanning `as_of` (the clock stood still then; APR-2)."""
    from .models import Suspension

    return Suspension.objects.filter(case=OuterRef(case_ref), started_at__lte=as_of).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=as_of)
    )


def _steps_open_at(as_of: datetime, deadline_q: Q):
    """Steps open at `as_of` whose deadline matches `deadline_q`, case not suspended then.

    Cancelled steps (branches not taken, withdrawn or refused cases) are left out: their
    cancellation time is not kept, and a cancelled step is no longer anyone's duty."""
    from .models import CaseStep, StepState

    open_q = Q(state__in=(StepState.READY, StepState.CLAIMED))
    if as_of < timezone.now() - REPLAY_MARGIN:
        open_q |= Q(state=StepState.DONE, completed_at__gt=as_of)
    paused = _paused_at(as_of)
    # why order_by(): the model's default order (by case, i.e. the case's submitted_at) would
    # join and sort every case; a sweep needs no order (bench/sweep.py)
    return (
        CaseStep.objects.filter(deadline_q, open_q, started_at__lte=as_of)
        .annotate(paused=Exists(paused))
        .filter(paused=False)
        .order_by()
    )


STEP_COLUMNS = (
    "pk", "case_id", "name", "deadline", "provisional", "unit_id", "post_id", "limit_days",
    "sweep_key",
)  # fmt: skip


def _step_rows(qs) -> tuple[list, dict]:
    """The steps' rows and their cases' receipt numbers, read in two indexed queries.

    why not `case__receipt_no` in the first: the planner cannot know that open steps are the
    ones with future deadlines (done steps hold the past ones), overestimates the rows and then
    hash-joins every case (bench/sweep.py: 1.6 s → see results)."""
    from .models import Case

    rows = list(qs.values_list(*STEP_COLUMNS))
    ids = sorted({r[1] for r in rows})
    numbers = {}
    for k in range(0, len(ids), 5000):
        numbers.update(
            Case.objects.filter(pk__in=ids[k : k + 5000]).order_by().values_list("pk", "receipt_no")
        )
    return rows, numbers


def _only(qs, subject_ids):
    """`qs` narrowed to the given subjects (a BreachSet's `findings` for a few of them)."""
    if subject_ids is None:
        return qs
    return qs.filter(pk__in=[int(i) for i in subject_ids])


def _person_and_user(payload: dict):
    return payload.get("person_id"), payload.get("user")


def _step_subject(event) -> tuple[str, str]:
    step_id = event.payload.get("step_id")
    if step_id:
        return STEP, str(step_id)
    return event.subject_type, str(event.subject_id)


def _holds(person_id: int, post_id: int, on) -> bool:
    from wuquan.org.models import Appointment

    return (
        Appointment.objects.filter(person_id=person_id, post_id=post_id, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .exists()
    )


def _person_of_username(username: str | None):
    if not username:
        return None
    from wuquan.org.models import Person

    return Person.objects.filter(user__username=username).values_list("pk", flat=True).first()


# ---- time (SUP-2, APR-5) ---------------------------------------------------------------------


def _warn_dates(today, thresholds: dict, limits: list[int]) -> dict[int, object]:
    """The last deadline that is "near" for each step limit: within `warn_working_days` working
    days of today, or with at most (100 − warn_percent)% of the limit left."""
    days = int(thresholds.get("warn_working_days", 1))
    pct = int(thresholds.get("warn_percent", 0))
    out = {}
    cache: dict[int, object] = {}
    for limit in limits:
        left = days
        if pct > 0:
            left = max(left, (limit * (100 - pct)) // 100)
        if left not in cache:
            cache[left] = add_working_days(today, left)
        out[limit] = cache[left]
    return out


def _step_findings(steps, text, today):
    """One finding per open step row — the shape both step-time rules share; inputs say
    whether the deadline rests on the provisional calendar (APR-2)."""
    rows, numbers = _step_rows(steps)
    for pk, case_id, name, due, prov, unit_id, post_id, limit, key in rows:
        yield Finding(
            STEP,
            str(pk),
            text % {"no": numbers.get(case_id) or case_id, "step": name, "due": due},
            inputs={
                "case": case_id,
                "deadline": due.isoformat(),
                "limit_days": limit,
                "as_of_date": today.isoformat(),
                "provisional": prov,
            },
            unit_id=unit_id,
            post_id=post_id,
            key=key,
        )


def _cases_touched(events) -> set[int]:
    """The cases the ledger events name, directly or through one of their steps (the
    incremental sweep: a step completed, a case suspended, resumed, withdrawn …)."""
    from .models import CaseStep

    cases = touched_ids(events, CASE)
    steps = sorted(touched_ids(events, STEP))
    for k in range(0, len(steps), 5000):
        cases.update(
            CaseStep.objects.filter(pk__in=steps[k : k + 5000])
            .order_by()
            .values_list("case_id", flat=True)
        )
    return cases


def _step_changes(clock):
    """`BreachSet.changed` for a step-time rule: the steps of the cases the events touch, and
    the open steps whose deadline falls in `clock(since, as_of, thresholds)` (a Q over
    `deadline`, one range of the (state, deadline) index; None: the clock moved nothing)."""

    def changed(since: datetime, as_of: datetime, thresholds: dict, events):
        from .models import CaseStep, StepState

        try:
            window = clock(since, as_of, thresholds)
        except CalendarUnknown:
            return None  # why: the full sweep decides what an unknown calendar means
        out: set[int] = set()
        cases = sorted(_cases_touched(events))
        for k in range(0, len(cases), 5000):
            out.update(
                CaseStep.objects.filter(case_id__in=cases[k : k + 5000])
                .order_by()
                .values_list("pk", flat=True)
            )
        if window is not None:
            out.update(
                CaseStep.objects.filter(window, state__in=(StepState.READY, StepState.CLAIMED))
                .order_by()
                .values_list("pk", flat=True)
            )
        return [str(i) for i in out]

    return changed


def _overdue_clock(since: datetime, as_of: datetime, thresholds: dict):
    """Deadlines the day change passed: before today now, not before the last sweep's day."""
    d0, d1 = _day(since), _day(as_of)
    return Q(deadline__gte=d0, deadline__lt=d1) if d0 < d1 else None


def _due_soon_clock(since: datetime, as_of: datetime, thresholds: dict):
    """Steps leaving the warning window (deadline passed) and entering it (its far end moved)."""
    d0, d1 = _day(since), _day(as_of)
    if d0 >= d1:
        return None  # why: the window is a function of the day (and of the calendar, whose
        # changes make the engine sweep in full)
    from .models import CaseStep, StepState

    limits = [0]
    if int(thresholds.get("warn_percent", 0)) > 0:
        limits = sorted(
            set(
                CaseStep.objects.filter(state__in=(StepState.READY, StepState.CLAIMED))
                .values_list("limit_days", flat=True)
                .distinct()
            )
            | {0}
        )
    far0 = min(_warn_dates(d0, thresholds, limits).values())
    far1 = max(_warn_dates(d1, thresholds, limits).values())
    return Q(deadline__gte=d0, deadline__lt=d1) | Q(deadline__gt=far0, deadline__lte=far1)


def _step_breach_set(steps_at, text, clock=None) -> BreachSet:
    """A step-time rule as a BreachSet: `steps_at(as_of, thresholds)` gives the breaching
    steps (or None); key = the step's deadline, so a moved deadline is a new breach."""

    def query(as_of: datetime, thresholds: dict):
        steps = steps_at(as_of, thresholds)
        if steps is None:
            return None
        return steps.annotate(
            sweep_subject=subject_text(), sweep_key=dated_key("deadline:", "deadline")
        )

    def findings(as_of: datetime, thresholds: dict, subject_ids=None):
        steps = query(as_of, thresholds)
        if steps is not None:
            yield from _step_findings(_only(steps, subject_ids), text, _day(as_of))

    return BreachSet(STEP, query, findings, _step_changes(clock) if clock else None)


def _steps_due_soon(as_of: datetime, thresholds: dict):
    from .models import CaseStep, StepState

    today = _day(as_of)
    limits = [0]
    if int(thresholds.get("warn_percent", 0)) > 0:
        # why: only a percentage threshold depends on the step's limit (one scan of the
        # open steps' limits); a working-day threshold is one date for every step.
        limits = sorted(
            set(
                CaseStep.objects.filter(state__in=(StepState.READY, StepState.CLAIMED))
                .values_list("limit_days", flat=True)
                .distinct()
            )
            | {0}
        )
    try:
        warn = _warn_dates(today, thresholds, limits)
    except CalendarUnknown:
        return None
    top = max(warn.values())
    near = Q(deadline__gte=today, deadline__lte=top)
    if len(set(warn.values())) > 1:
        per_limit = Q()
        for limit, last in warn.items():
            per_limit |= Q(limit_days=limit, deadline__lte=last)
        near &= per_limit
    return _steps_open_at(as_of, near)


def _steps_overdue(as_of: datetime, thresholds: dict):
    return _steps_open_at(as_of, Q(deadline__lt=_day(as_of)))


STEP_DUE_SOON = _step_breach_set(
    _steps_due_soon,
    _("办件 %(no)s 的环节“%(step)s”将于 %(due)s 到期，请抓紧办理"),
    _due_soon_clock,
)
STEP_OVERDUE = _step_breach_set(
    _steps_overdue,
    _("办件 %(no)s 的环节“%(step)s”已超过环节时限 %(due)s 仍未办结"),
    _overdue_clock,
)


def step_due_soon(as_of: datetime, thresholds: dict):
    """APR-5 预警: an open step whose deadline is today or within the warning window."""
    return STEP_DUE_SOON.sweep(as_of, thresholds)


def step_overdue(as_of: datetime, thresholds: dict):
    """SUP-2 黄牌: an open step past its own deadline, even when the case is on time."""
    return STEP_OVERDUE.sweep(as_of, thresholds)


def _cases_overdue(as_of: datetime, thresholds: dict):
    from .models import Case

    past_due = Q(due__lt=_day(as_of))
    return (
        # why the date in both arms: each arm is then one range of the (finished_at, due)
        # index; SQLite would otherwise read every open case
        Case.objects.filter(
            (past_due & Q(finished_at__isnull=True)) | (past_due & Q(finished_at__gt=as_of)),
            accepted_at__lte=as_of,
        )
        .annotate(paused=Exists(_paused_at(as_of, "pk")))
        .filter(paused=False)
        .order_by()
        .annotate(sweep_subject=subject_text(), sweep_key=dated_key("due:", "due"))
    )


def _case_overdue_findings(as_of: datetime, thresholds: dict, subject_ids=None):
    today = _day(as_of)
    text = _("办件 %(no)s 已超过承诺办结日 %(due)s 仍未办结")
    rows = _only(_cases_overdue(as_of, thresholds), subject_ids).values_list(
        "pk", "receipt_no", "due", "provisional", "unit_id", "promised_days", "sweep_key"
    )
    for pk, no, due, prov, unit_id, days, key in rows:
        yield Finding(
            CASE,
            str(pk),
            text % {"no": no or pk, "due": due},
            inputs={
                "due": due.isoformat(),
                "promised_days": days,
                "as_of_date": today.isoformat(),
                "provisional": prov,
            },
            unit_id=unit_id,
            key=key,
        )


def _case_overdue_changes(since: datetime, as_of: datetime, thresholds: dict, events):
    """`BreachSet.changed` for SUP-2-case-overdue: the cases the events touch and the open
    cases whose promised day the day change passed (one range of the (finished_at, due)
    index)."""
    from .models import Case

    out = _cases_touched(events)
    d0, d1 = _day(since), _day(as_of)
    if d0 < d1:
        out.update(
            Case.objects.filter(finished_at__isnull=True, due__gte=d0, due__lt=d1)
            .order_by()
            .values_list("pk", flat=True)
        )
    return [str(i) for i in out]


CASE_OVERDUE = BreachSet(CASE, _cases_overdue, _case_overdue_findings, _case_overdue_changes)


def case_overdue(as_of: datetime, thresholds: dict):
    """SUP-2 黄牌: an accepted case not finished by its promised day (附件3 第一: 审批事项一经受理，
    必须在承诺的时限内办结)."""
    return CASE_OVERDUE.sweep(as_of, thresholds)


def done_late(event, thresholds: dict):
    """SUP-2 黄牌: a step (or the case) finished after its deadline — a fact the sweep cannot
    keep (once done, a step is no longer open); recorded from the completion event."""
    p = event.payload
    day = timezone.localdate(event.at)
    deadline = p.get("deadline")
    if deadline is None and p.get("step_id"):
        from .models import CaseStep

        due = CaseStep.objects.filter(pk=p["step_id"]).values_list("deadline", flat=True).first()
        deadline = due.isoformat() if due else None
    if deadline and str(deadline) < day.isoformat():
        subject = _step_subject(event)
        yield Finding(
            *subject,
            _("环节“%(step)s”于 %(day)s 办结，超过环节时限 %(due)s")
            % {"step": p.get("step_name", ""), "day": day, "due": deadline},
            inputs={"deadline": deadline, "done_on": day.isoformat(), "case": p.get("case_id")},
            unit_id=p.get("unit_id"),
            post_id=p.get("post_id"),
            key=f"deadline:{deadline}",
        )
    if p.get("on_time") is False and p.get("case_id"):
        yield Finding(
            CASE,
            str(p["case_id"]),
            _("办件 %(no)s 于 %(day)s 办结，超过承诺办结日")
            % {"no": p.get("receipt_no") or p["case_id"], "day": day},
            inputs={"done_on": day.isoformat()},
            unit_id=p.get("case_unit_id"),
            key="case-late",
        )


# ---- process (APR-1, APR-3) ------------------------------------------------------------------


def step_without_post(event, thresholds: dict):
    """APR-3 红牌: a step done by someone who did not hold its post that day."""
    p = event.payload
    post_id = p.get("post_id")
    if not post_id or p.get("step_kind") is None:
        return
    person_id, username = _person_and_user(p)
    if person_id is None and username:
        person_id = _person_of_username(username)
    day = timezone.localdate(event.at)
    if p.get("holds_post") is True:
        return
    if person_id is not None and p.get("holds_post") is None and _holds(person_id, post_id, day):
        return
    if person_id is None and username is None and p.get("holds_post") is None:
        return  # why: no one is named (e.g. a system step): nothing to compare
    yield Finding(
        *_step_subject(event),
        _("环节“%(step)s”由未在该岗位任职的人员办理（%(day)s）")
        % {"step": p.get("step_name", ""), "day": day},
        inputs={"post": post_id, "person": person_id, "user": username, "day": day.isoformat()},
        unit_id=p.get("unit_id"),
        post_id=post_id,
        key=f"person:{person_id or username}",
    )


def _requirement(graph, node_id: str, seen: frozenset = frozenset()):
    """What must be done before `node_id` per the flow: ("task", id) | ("all"/"any", [...]) |
    None (nothing: the start). Gateways are walked through: a parallel join needs all of its
    branches, an exclusive/inclusive join (or an implicit merge) any one."""
    incoming = [e.source for e in graph.incoming(node_id) if e.source not in seen]
    parts = []
    for src in incoming:
        node = graph.nodes.get(src)
        if node is None:
            continue
        if node.step is not None:
            parts.append(("task", node.step.id))
        else:
            sub = _requirement(graph, src, seen | {node_id})
            if sub is not None:
                parts.append(sub)
    if not parts:
        return None
    node = graph.nodes.get(node_id)
    mode = "all" if node is not None and node.tag == "parallelGateway" else "any"
    return parts[0] if len(parts) == 1 else (mode, parts)


def _satisfied(req, done: set[str]) -> bool:
    if req is None:
        return True
    kind, arg = req
    if kind == "task":
        return arg in done
    results = [_satisfied(r, done) for r in arg]
    return all(results) if kind == "all" else any(results)


def _missing(req, done: set[str]) -> list[str]:
    if req is None or _satisfied(req, done):
        return []
    kind, arg = req
    if kind == "task":
        return [arg]
    return [m for r in arg for m in _missing(r, done)]


def _held_case(event, case_id):
    """The case (with its flow) of the step the recording service passed to `record` — the
    rows it saved in this transaction — or None when it must be read."""
    from .models import Case, CaseStep

    step = getattr(event, "subject_instance", None)
    if not isinstance(step, CaseStep) or not CaseStep.case.is_cached(step):
        return None
    case = step.case
    if case.pk != case_id or not Case.flow.is_cached(case):
        return None
    return case


def step_out_of_order(event, thresholds: dict):
    """APR-3 黄牌: a step done before the step(s) the flow puts before it (skipped or out of
    order). The acceptance (受理) counts as done once the case was accepted."""
    from wuquan.catalog import flows

    from .models import Case, CaseStep, StepState

    p = event.payload
    task = p.get("task")
    case_id = p.get("case_id")
    if not task or not case_id or p.get("step_kind") == ACCEPT_KIND:
        return
    # why: inline on every step: only the acceptance time and the flow's id and checksum
    # (graph_of is cached per version id + checksum and reads the BPMN text only on a miss),
    # from the case the completing service holds under its lock when it passed the step
    case = _held_case(event, case_id)
    if case is None:
        case = (
            Case.objects.select_related("flow")
            .only("accepted_at", "flow__checksum")
            .filter(pk=case_id)
            .first()
        )
    if case is None or case.flow is None:
        return
    graph = flows.graph_of(case.flow)
    if task not in graph.nodes:
        return
    req = _requirement(graph, task)
    done = set()
    if case.accepted_at is not None and case.accepted_at <= event.at:
        done |= {n.step.id for n in graph.nodes.values() if n.step and n.step.kind == ACCEPT_KIND}
    if _satisfied(req, done):
        return  # why: more done steps cannot unsatisfy it; the steps need not be read
    done |= set(
        CaseStep.objects.filter(case_id=case_id, state=StepState.DONE, completed_at__lte=event.at)
        .exclude(pk=p.get("step_id"))
        .values_list("step_id", flat=True)
    )
    missing = _missing(req, done)
    if not missing:
        return
    names = [
        graph.nodes[m].step.name for m in missing if graph.nodes.get(m) and graph.nodes[m].step
    ]
    yield Finding(
        *_step_subject(event),
        _("环节“%(step)s”在前序环节（%(before)s）办结之前办理，跳过或颠倒了法定流程")
        % {"step": p.get("step_name", ""), "before": "、".join(names)},
        inputs={"task": task, "missing": missing, "case": case_id},
        unit_id=p.get("unit_id"),
        post_id=p.get("post_id"),
    )


def result_without_acceptance(event, thresholds: dict):
    """APR-1 红牌: a result (准予/不予许可) recorded for a case with no acceptance record before
    it — handled outside the platform (体外循环, 附件12 第一步 三)."""
    from .models import Case

    p = event.payload
    case_id = p.get("case_id")
    if not case_id or p.get("result") not in ("approved", "denied"):
        return
    accepted_at = Case.objects.filter(pk=case_id).values_list("accepted_at", flat=True).first()
    if p.get("accepted") is not False and accepted_at is not None and accepted_at <= event.at:
        return
    yield Finding(
        CASE,
        str(case_id),
        _("办件 %(no)s 未经受理即作出办理结果（体外循环）")
        % {"no": p.get("receipt_no") or p.get("application_no") or case_id},
        inputs={"result": p.get("result"), "accepted_at": accepted_at and accepted_at.isoformat()},
        unit_id=p.get("case_unit_id"),
    )


def refused_without_reason(event, thresholds: dict):
    """APR-1 黄牌: 不予受理 (or 不予许可) without a stated reason."""
    p = event.payload
    if event.action == "approvals.case.result" and p.get("result") != "denied":
        return
    if (p.get("reason") or "").strip():
        return
    yield Finding(
        CASE,
        str(p.get("case_id") or event.subject_id),
        _("办件 %(no)s 不予受理/不予许可未说明理由")
        % {"no": p.get("receipt_no") or p.get("application_no")},
        inputs={"action": event.action},
        unit_id=p.get("case_unit_id"),
    )


def _material_set(case) -> frozenset:
    """What the applicant brought: (material, status, content digest of the file if any)."""
    out = set()
    for cm in case.materials.all():
        digest = ""
        if cm.file:
            try:
                with cm.file.open("rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            except (OSError, ValueError):
                digest = cm.file.name
        out.add((cm.material_id, cm.status if not digest else "file", digest))
    return frozenset(out)


def accepted_after_refusal(event, thresholds: dict):
    """APR-1 黄牌: a case accepted although the same application (same applicant — id number,
    else name — and same item) was refused before and no new materials came (the material set,
    compared by material, status and file content, is the refused one's)."""
    from .models import Case, CaseStatus

    p = event.payload
    case = Case.objects.filter(pk=p.get("case_id")).first()
    if case is None:
        return
    same = (
        Q(applicant_id_number=case.applicant_id_number)
        if case.applicant_id_number
        else Q(applicant_name=case.applicant_name)
    )
    refused = (
        Case.objects.filter(same, item_id=case.item_id, status=CaseStatus.NOT_ACCEPTED)
        .filter(finished_at__lte=event.at)
        .exclude(pk=case.pk)
        .order_by("-finished_at")
    )
    mine = None
    for earlier in refused[:5]:
        if mine is None:
            mine = _material_set(case)
        if _material_set(earlier) == mine:
            yield Finding(
                CASE,
                str(case.pk),
                _("办件 %(no)s 与曾被不予受理的申请（%(old)s）为同一申请且材料未变，却予以受理")
                % {"no": case.receipt_no or case.application_no, "old": earlier.application_no},
                inputs={"refused_case": earlier.pk, "refusal_reason": earlier.refusal_reason},
                unit_id=case.unit_id,
                key=f"refused:{earlier.pk}",
            )
            return


# ---- separation (SUP-3, SUP-4) ---------------------------------------------------------------


def review_and_approve(event, thresholds: dict):
    """SUP-3 红牌: the same person reviewed (审核) and approved (审批/决定) one case
    (附件2 一、二(二): 审查与批准相分离)."""
    from .models import CaseStep, StepState

    p = event.payload
    kind = p.get("step_kind")
    if kind != REVIEW_KIND and kind not in DECISION_KINDS:
        return
    person_id, username = _person_and_user(p)
    if person_id is None and username:
        person_id = _person_of_username(username)
    if person_id is None:
        return
    other = (REVIEW_KIND,) if kind in DECISION_KINDS else DECISION_KINDS
    match = (
        CaseStep.objects.filter(
            case_id=p.get("case_id"), kind__in=other, state=StepState.DONE, person_id=person_id
        )
        .exclude(pk=p.get("step_id"))
        .values_list("pk", flat=True)
        .first()
    )
    if match is None:
        return
    approve_step = p.get("step_id") if kind in DECISION_KINDS else match
    yield Finding(
        STEP,
        str(approve_step),
        _("同一人员既审核又审批了办件 %(no)s（审查与批准未分离）")
        % {"no": p.get("receipt_no") or p.get("case_id")},
        inputs={"person": person_id, "steps": sorted([p.get("step_id"), match])},
        unit_id=p.get("unit_id"),
        post_id=p.get("post_id"),
    )


def head_approves(event, thresholds: dict):
    """SUP-4 红牌: the unit head (a holder of the unit's is_head post) is the direct approver or
    signer of an item in one of the five hands-off areas (附件3 二、三 第一–第五)."""
    from wuquan.org.models import HANDS_OFF_AREAS, Appointment

    p = event.payload
    if p.get("step_kind") not in DECISION_KINDS:
        return
    area = p.get("item_area")
    if area is None and p.get("item_id"):
        from wuquan.catalog.models import ApprovalItem

        area = ApprovalItem.objects.filter(pk=p["item_id"]).values_list("area", flat=True).first()
    if area not in HANDS_OFF_AREAS:
        return
    person_id, username = _person_and_user(p)
    if person_id is None and username:
        person_id = _person_of_username(username)
    if person_id is None:
        return
    day = timezone.localdate(event.at)
    units = {u for u in (p.get("unit_id"), p.get("case_unit_id")) if u}
    head = (
        Appointment.objects.filter(
            person_id=person_id, post__is_head=True, post__unit_id__in=units, start__lte=day
        )
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .values_list("post_id", "post__unit_id")
        .first()
    )
    if head is None:
        return
    from wuquan.org.models import Area

    yield Finding(
        *_step_subject(event),
        _("一把手直接审批“%(area)s”领域事项（办件 %(no)s），违反“五个不直接管”")
        % {"area": Area(area).label, "no": p.get("receipt_no") or p.get("case_id")},
        inputs={"person": person_id, "head_post": head[0], "area": area, "day": day.isoformat()},
        unit_id=head[1],
        post_id=head[0],
    )


# ---- money and materials (APR-8, CAT-5) -----------------------------------------------------


def fee_outside_catalog(event, thresholds: dict):
    """APR-8 红牌: a fee that is not a row of the item's fee catalog, or above its standard
    (附件11 三(二): 收费目录“八公开”; 附件3 第一: 一个窗口收费)."""
    from wuquan.catalog.models import Fee

    p = event.payload
    try:
        amount = Decimal(str(p.get("amount")))
    except (InvalidOperation, TypeError):
        amount = None
    fee = Fee.objects.filter(pk=p.get("fee_id")).first() if p.get("fee_id") else None
    reason = None
    if fee is None or fee.item_id != p.get("item_id"):
        reason = _("收费项目“%(f)s”不在本事项收费目录内") % {
            "f": p.get("fee_name") or p.get("fee_code") or ""
        }
    elif amount is None or amount > fee.amount:
        reason = _("收费 %(a)s 元高于收费目录标准 %(s)s 元") % {"a": amount, "s": fee.amount}
    if reason is None:
        return
    yield Finding(
        event.subject_type,
        str(event.subject_id),
        reason,
        inputs={
            "fee": p.get("fee_id"),
            "amount": p.get("amount"),
            "catalog_amount": str(fee.amount) if fee else None,
            "case": p.get("case_id"),
        },
        unit_id=p.get("case_unit_id"),
    )


def materials_beyond_catalog(event, thresholds: dict):
    """CAT-5 黄牌: materials demanded (补正) or registered that are not in the item's material
    catalog, or that the records or an earlier step already hold (附件12 第三步 一、二)."""
    from wuquan.catalog.models import Material, MaterialReuse

    from .models import CaseMaterial, MaterialStatus

    p = event.payload
    item_id = p.get("item_id")
    case_id = p.get("case_id")
    if not item_id or not case_id:
        return
    if event.action == "approvals.case.suspended":
        ids = [int(i) for i in p.get("materials_demanded") or []]
    else:
        ids = [int(i) for i in (p.get("materials") or {})]
    if not ids:
        return
    found = dict(Material.objects.filter(pk__in=ids).values_list("pk", "item_id"))
    outside = [i for i in ids if found.get(i) != item_id]
    held = []
    if event.action == "approvals.case.suspended":
        held = list(
            Material.objects.filter(pk__in=ids, item_id=item_id)
            .exclude(reuse=MaterialReuse.NONE)
            .values_list("pk", flat=True)
        ) + list(
            CaseMaterial.objects.filter(
                case_id=case_id,
                material_id__in=ids,
                status__in=(MaterialStatus.REUSED, MaterialStatus.NOT_NEEDED),
            ).values_list("material_id", flat=True)
        )
    if not outside and not held:
        return
    yield Finding(
        CASE,
        str(case_id),
        _("办件 %(no)s 要求了申报材料目录以外或已有的材料")
        % {"no": p.get("receipt_no") or p.get("application_no") or case_id},
        inputs={"outside_catalog": outside, "already_held": sorted(set(held))},
        unit_id=p.get("case_unit_id"),
        event_indices=(event.index,),
        key=f"{event.action}:{event.index}",
    )


# ---- the rules ----------------------------------------------------------------------------

RULES = [
    Rule(
        code="APR-5-step-due-soon",
        name="办理环节临近时限",
        clause="附件11 二(三) 办理时限预警",
        severity=SEVERITY_WARNING,
        thresholds={"warn_working_days": 1, "warn_percent": 0},
        sweep=step_due_soon,
        breaches=STEP_DUE_SOON,
        clock=DAILY,
    ),
    Rule(
        code="SUP-2-step-overdue",
        name="办理环节超时未办结",
        clause="附件11 二(三)；附件6 二(一)",
        severity=SEVERITY_YELLOW,
        sweep=step_overdue,
        breaches=STEP_OVERDUE,
        clock=DAILY,
    ),
    Rule(
        code="SUP-2-case-overdue",
        name="办件超过承诺时限未办结",
        clause="附件3 三 第一（承诺时限内办结）；附件11 二(三)",
        severity=SEVERITY_YELLOW,
        sweep=case_overdue,
        breaches=CASE_OVERDUE,
        clock=DAILY,
    ),
    Rule(
        code="SUP-2-done-late",
        name="环节或办件超时办结",
        clause="附件3 三 第一；附件11 二(三)",
        severity=SEVERITY_YELLOW,
        on_actions=STEP_DONE_ACTIONS,
        check=done_late,
    ),
    Rule(
        code="APR-3-step-without-post",
        name="非本岗位人员办理环节",
        clause="附件2 二(三)（分解配置到具体岗位）；附件12 第三步 四",
        severity=SEVERITY_RED,
        on_actions=(*STEP_DONE_ACTIONS, "approvals.case.accepted", "approvals.case.refused"),
        check=step_without_post,
    ),
    Rule(
        code="APR-3-step-out-of-order",
        name="跳过或颠倒办理环节",
        clause="附件12 第三步 四（流程固化）",
        severity=SEVERITY_YELLOW,
        on_actions=STEP_DONE_ACTIONS,
        check=step_out_of_order,
    ),
    Rule(
        code="APR-1-result-without-acceptance",
        name="未经受理作出办理结果（体外循环）",
        clause="附件12 第一步 三、第二步 一；附件3 三 第一",
        severity=SEVERITY_RED,
        on_actions=("approvals.case.result",),
        check=result_without_acceptance,
    ),
    Rule(
        code="APR-1-refused-without-reason",
        name="不予受理（不予许可）未说明理由",
        clause="附件11 二(三)（及时发现和纠正审批违规行为）",
        severity=SEVERITY_YELLOW,
        on_actions=("approvals.case.refused", "approvals.case.result"),
        check=refused_without_reason,
    ),
    Rule(
        code="APR-1-accepted-after-refusal",
        name="同一申请材料未变，先不予受理后又受理",
        clause="附件12 第二步 一（杜绝“两头受理”）",
        severity=SEVERITY_YELLOW,
        on_actions=("approvals.case.accepted",),
        check=accepted_after_refusal,
    ),
    Rule(
        code="SUP-3-review-and-approve",
        name="同一人审核又审批",
        clause="附件2 一、二(二)（审查与批准相分离）",
        severity=SEVERITY_RED,
        on_actions=STEP_DONE_ACTIONS,
        check=review_and_approve,
    ),
    Rule(
        code="SUP-4-head-approves",
        name="一把手直接审批“五个不直接管”领域事项",
        clause="附件3 二、三 第一至第五",
        severity=SEVERITY_RED,
        on_actions=("approvals.case.result",),
        check=head_approves,
    ),
    Rule(
        code="APR-8-fee-outside-catalog",
        name="目录外收费或超标准收费",
        clause="附件11 三(二)；附件3 三 第一（一个窗口收费）",
        severity=SEVERITY_RED,
        on_actions=("approvals.fee.charged",),
        check=fee_outside_catalog,
    ),
    Rule(
        code="CAT-5-materials-beyond-catalog",
        name="要求目录外或已有的申报材料",
        clause="附件12 第三步 一、二",
        severity=SEVERITY_YELLOW,
        on_actions=("approvals.case.suspended", "approvals.case.accepted"),
        check=materials_beyond_catalog,
    ),
]


# ---- APR-10: whoever approves supervises ------------------------------------------------


def _quarter_of(day):
    return day.year, (day.month - 1) // 3 + 1


def audits_missing(as_of: datetime, thresholds: dict):
    """Each approving unit that finished cases in a quarter (from `from_quarter` on) and had
    opened no after-the-fact audit covering that quarter within `grace_days` days after it
    ended (附件11 二(四) 事后稽查). The seed gives no cadence; a quarterly audit with 30 days'
    grace is this district's default setting."""
    from datetime import date

    from wuquan.org.models import Unit

    from .models import ApprovalInspection, Case, InspectionKind

    today = timezone.localdate(as_of)
    grace = int(thresholds.get("grace_days", 30))
    first = tuple(int(x) for x in str(thresholds.get("from_quarter", "2026-1")).split("-"))
    year, quarter = first
    while True:
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
        if end + timedelta(days=grace) > today:
            break
        units = (
            Case.objects.filter(
                finished_at__date__gte=start, finished_at__date__lt=end, finished_at__lte=as_of
            )
            .values_list("unit_id", flat=True)
            .distinct()
        )
        for unit_id in sorted(set(units)):
            covered = ApprovalInspection.objects.filter(
                unit_id=unit_id,
                kind=InspectionKind.AFTER_AUDIT,
                period_start__lte=start,
                period_end__gte=end - timedelta(days=1),
                opened_at__date__lte=end + timedelta(days=grace),
                opened_at__lte=as_of,
            ).exists()
            if covered:
                continue
            unit = Unit.objects.get(pk=unit_id)
            yield Finding(
                subject_type="org.unit",
                subject_id=str(unit_id),
                message=_("%(u)s 未对 %(y)d 年第 %(q)d 季度办结的审批事项开展事后稽查")
                % {"u": unit.name, "y": year, "q": quarter},
                inputs={
                    "unit": unit.code,
                    "quarter": f"{year}-Q{quarter}",
                    "grace_days": grace,
                    "as_of_date": today.isoformat(),
                },
                unit_id=unit_id,
                key=f"quarter:{year}-{quarter}",
            )
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def findings_unrectified(as_of: datetime, thresholds: dict):
    """Problems found by an approving unit's inspection not rectified by their date."""
    from .models import InspectionFinding

    today = timezone.localdate(as_of)
    rows = (
        InspectionFinding.objects.filter(
            outcome="problem", rectify_by__lt=today, recorded_at__lte=as_of
        )
        .filter(Q(rectified_at__isnull=True) | Q(rectified_at__gt=as_of))
        .select_related("inspection__unit", "case")
    )
    for finding in rows:
        yield Finding(
            subject_type="approvals.inspectionfinding",
            subject_id=str(finding.pk),
            message=_("%(u)s 检查发现的问题（办件 %(c)s）未在 %(d)s 前整改")
            % {
                "u": finding.inspection.unit.name,
                "c": finding.case.receipt_no or finding.case.application_no,
                "d": finding.rectify_by,
            },
            inputs={
                "inspection": finding.inspection_id,
                "case": finding.case_id,
                "rectify_by": finding.rectify_by.isoformat(),
                "as_of_date": today.isoformat(),
            },
            unit_id=finding.inspection.unit_id,
            key=f"due:{finding.rectify_by.isoformat()}",
        )


RULES += [
    Rule(
        code="APR-10-audit-missing",
        name="审批单位未按期开展事后稽查",
        clause="附件11 二(四)（谁审批、谁监管）",
        severity=SEVERITY_WARNING,
        thresholds={"grace_days": 30, "from_quarter": "2026-1"},
        sweep=audits_missing,
        clock=DAILY,
    ),
    Rule(
        code="APR-10-finding-unrectified",
        name="审批监管检查发现问题逾期未整改",
        clause="附件11 二(四)",
        severity=SEVERITY_YELLOW,
        sweep=findings_unrectified,
        clock=DAILY,
    ),
]
