"""The supervision engine: thresholds in force, inline event checks, sweeps as of a time, and
alarm raising with one open alarm per rule and subject (SUP-1, SUP-2; ARCHITECTURE: Supervision
rules).

- `on_event(event)` is subscribed to the ledger: it runs in the recording transaction, so an
  alarm raised by an event check rolls back with the event that raised it.
- `run_sweeps(as_of)` runs every sweep rule as of a time; running it twice for the same time
  raises nothing new (the open alarm is found), so a past day can be replayed. A rule that
  gives its breaches as a query (`Rule.breaches`) is compared with its alarms in one SQL
  statement (COMPARE_SQL) and Findings are built only for breaches without an alarm; other
  sweep rules are run over every Finding (bench/sweep.py measures both).
- A sweep that no longer finds a breach marks the open alarm "condition cleared" and leaves it
  for the commission to close; nothing is deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Value
from django.utils import timezone

from wuquan.common.rules import Finding, Rule
from wuquan.ledger import cached_under_lock, record

from . import registry
from .models import Alarm, AlarmStatus, Outcome, RuleSetting

log = logging.getLogger(__name__)

SYSTEM = "system:supervision"


@dataclass(frozen=True)
class Effective:
    """The thresholds in force for a rule at a time, and where they come from."""

    thresholds: dict
    setting_version: int | None
    enabled: bool


def effective(rule: Rule, as_of: datetime) -> Effective:
    """The rule's defaults overlaid with the newest RuleSetting valid at `as_of`."""
    setting = (
        RuleSetting.objects.filter(rule_code=rule.code, valid_from__lte=as_of)
        .order_by("-valid_from", "-version")
        .first()
    )
    if setting is None:
        return Effective(dict(rule.thresholds), None, True)
    return Effective({**rule.thresholds, **setting.thresholds}, setting.version, setting.enabled)


def effective_all(
    rules: list[Rule], as_of: datetime, settings: list[RuleSetting] | None = None
) -> dict[str, Effective]:
    """`effective` for several rules with one query (the inline dispatch runs per event), or
    none when `settings` (every RuleSetting row, as `_settings_rows` gives) is passed."""
    newest: dict[str, RuleSetting] = {}
    if rules:
        codes = {r.code for r in rules}
        if settings is None:
            # the newest (valid_from, then version) per rule, as `effective`; picked here
            # rather than sorted by the database (a tiny, append-only table)
            settings = RuleSetting.objects.filter(rule_code__in=codes, valid_from__lte=as_of)
            settings = settings.order_by()
        for setting in settings:
            if setting.rule_code not in codes or setting.valid_from > as_of:
                continue
            known = newest.get(setting.rule_code)
            if known is None or (setting.valid_from, setting.version) > (
                known.valid_from,
                known.version,
            ):
                newest[setting.rule_code] = setting
    out = {}
    for rule in rules:
        setting = newest.get(rule.code)
        if setting is None:
            out[rule.code] = Effective(dict(rule.thresholds), None, True)
        else:
            out[rule.code] = Effective(
                {**rule.thresholds, **setting.thresholds}, setting.version, setting.enabled
            )
    return out


SETTINGS_CACHE_KEY = "supervision.rule_settings"


def _settings_rows() -> list[RuleSetting]:
    """Every RuleSetting row, kept between events while no other connection writes to the log
    (`ledger.cached_under_lock`): a setting is only ever added by `do_change_rule_setting`,
    which records `supervision.rule_setting.changed` in the same transaction, and saving one
    here drops the cache (models.py). The inline checks then cost no settings query per
    event."""
    return cached_under_lock(SETTINGS_CACHE_KEY, lambda: list(RuleSetting.objects.order_by()))


def aware(as_of: datetime | None) -> datetime:
    """`as_of` as an aware time: now when None, Asia/Shanghai (the current zone) when naive."""
    if as_of is None:
        return timezone.now()
    if timezone.is_naive(as_of):
        return timezone.make_aware(as_of, timezone.get_current_timezone())
    return as_of


def _alarm_subject(rule: Rule, finding: Finding) -> dict:
    """The columns that make an alarm one per rule and subject (the partial unique index)."""
    return {
        "rule_code": rule.code,
        "subject_type": finding.subject_type,
        "subject_id": str(finding.subject_id),
    }


def raise_alarm(
    rule: Rule,
    finding: Finding,
    at: datetime,
    eff: Effective,
    event_indices: tuple[int, ...] = (),
) -> Alarm | None:
    """Raise an alarm for `finding` unless one is already open for the rule and subject, or the
    same breach (same key) was already closed by the commission. Returns the new alarm or None.
    """
    subject = _alarm_subject(rule, finding)
    open_alarm = Alarm.objects.filter(**subject).exclude(status=AlarmStatus.CLOSED).first()
    if open_alarm is not None:
        if open_alarm.condition_cleared_at is not None and open_alarm.condition_cleared_at <= at:
            _mark_returned(rule, [open_alarm], at)
        return None
    handled = (
        Alarm.objects.filter(**subject, status=AlarmStatus.CLOSED, breach_key=finding.key)
        .exclude(outcome=Outcome.DEADLINE_MOVED)
        .exists()
    )
    if handled:
        return None
    return _insert_alarm(rule, finding, at, eff, event_indices)


def _insert_alarm(
    rule: Rule,
    finding: Finding,
    at: datetime,
    eff: Effective,
    event_indices: tuple[int, ...] = (),
) -> Alarm | None:
    """Insert the alarm for `finding` and record it, once the caller knows that no alarm is
    open for the rule and subject and that no closed one handled this breach key."""
    subject = _alarm_subject(rule, finding)
    indices = sorted(set(finding.event_indices) | set(event_indices))
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                **subject,
                rule_version=rule.version,
                setting_version=eff.setting_version,
                severity=rule.severity,
                thresholds=eff.thresholds,
                inputs=finding.inputs,
                message=finding.message,
                breach_key=finding.key,
                unit_id=finding.unit_id,
                post_id=finding.post_id,
                event_indices=indices,
                raised_at=at,
            )
            event = record(
                SYSTEM,
                "supervision.alarm.raised",
                alarm,
                {
                    "rule": rule.code,
                    "rule_version": rule.version,
                    "setting_version": eff.setting_version,
                    "severity": rule.severity,
                    "thresholds": eff.thresholds,
                    "inputs": finding.inputs,
                    "subject": [finding.subject_type, str(finding.subject_id)],
                    "unit": finding.unit_id,
                    "post": finding.post_id,
                    "events": indices,
                    "key": finding.key,
                    "as_of": at.isoformat(),
                },
            )
            alarm.raised_event = event.index
            alarm.save(update_fields=["raised_event"])
    except IntegrityError:
        # why: another process raised the same alarm between our check and our insert; the
        # partial unique index kept it to one.
        return None
    return alarm


def on_event(event) -> None:
    """Ledger subscriber: run the event checks whose `on_actions` match, inline (SUP-1)."""
    if event.action.startswith("supervision.alarm."):
        return  # why: the engine's own records must not re-enter it
    rules = registry.rules_for_action(event.action)
    if not rules:
        return
    in_force = effective_all(rules, event.at, _settings_rows())
    for rule in rules:
        eff = in_force[rule.code]
        if not eff.enabled:
            continue
        for finding in rule.check(event, eff.thresholds) or ():
            raise_alarm(rule, finding, event.at, eff, (event.index,))


@dataclass
class SweepSummary:
    as_of: datetime
    per_rule: dict[str, dict] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def raised(self) -> int:
        return sum(r["raised"] for r in self.per_rule.values())

    def lines(self) -> list[str]:
        out = [f"as of {timezone.localtime(self.as_of):%Y-%m-%d %H:%M %Z}"]
        for code, r in self.per_rule.items():
            out.append(
                f"  {code:<36} found {r['found']:>4}  raised {r['raised']:>4}  "
                f"cleared {r['cleared']:>4}"
            )
        for code, err in self.errors.items():
            out.append(f"  {code:<36} ERROR {err}")
        return out


def sweep_rule(rule: Rule, as_of: datetime, eff: Effective | None = None) -> dict:
    """Run one sweep rule as of `as_of` in its own transaction: set-based when the rule gives
    its breaches as a query (`Rule.breaches`), else over every Finding of `rule.sweep`."""
    eff = eff if eff is not None else effective(rule, as_of)
    if not eff.enabled:
        return {"found": 0, "raised": 0, "cleared": 0, "disabled": True}
    if rule.breaches is not None:
        return _sweep_breach_set(rule, as_of, eff)
    with transaction.atomic():
        findings = list(rule.sweep(as_of, eff.thresholds) or ())
        # why: one query for the rule's open alarms instead of one per finding (bench/sweep.py)
        open_now = {
            (a.subject_type, a.subject_id): a
            for a in Alarm.objects.filter(rule_code=rule.code)
            .exclude(status=AlarmStatus.CLOSED)
            .only("subject_type", "subject_id", "raised_at", "condition_cleared_at")
        }
        raised = 0
        for f in findings:
            known = open_now.get((f.subject_type, str(f.subject_id)))
            if known is not None and known.condition_cleared_at is None:
                continue
            raised += raise_alarm(rule, f, as_of, eff) is not None
        found_subjects = {(f.subject_type, str(f.subject_id)) for f in findings}
        still_open = [
            a for a in open_now.values() if a.raised_at <= as_of and a.condition_cleared_at is None
        ]
        cleared = _mark_cleared(
            rule,
            [a for a in still_open if (a.subject_type, a.subject_id) not in found_subjects],
            as_of,
        )
    return {"found": len(findings), "raised": raised, "cleared": cleared}


def _mark_returned(rule: Rule, alarms, as_of: datetime) -> None:
    """Unflag alarms whose breach is found again after a sweep had flagged it gone (recorded)."""
    for alarm in alarms:
        alarm.condition_cleared_at = None
        alarm.save(update_fields=["condition_cleared_at"])
        record(
            SYSTEM,
            "supervision.alarm.condition_returned",
            alarm,
            {"rule": rule.code, "as_of": as_of.isoformat()},
        )


def _mark_cleared(rule: Rule, alarms, as_of: datetime) -> int:
    """Flag open alarms whose breach the sweep no longer finds (recorded; never deleted)."""
    for alarm in alarms:
        alarm.condition_cleared_at = as_of
        alarm.save(update_fields=["condition_cleared_at"])
        record(
            SYSTEM,
            "supervision.alarm.condition_cleared",
            alarm,
            {"rule": rule.code, "as_of": as_of.isoformat()},
        )
    return len(alarms)


# The comparison of a BreachSet with the rule's alarms, in one statement. `b` is the rule's
# breach query (subject type, subject, key), `a` the rule's open alarms. Rows: ("n", count of
# breaches); ("raise", subject) for a breach with no open alarm whose key no closed alarm
# handled (a closing with outcome 期限调整 does not count); ("clear", alarm) for an open alarm
# raised by `as_of` and not flagged whose breach is gone; ("back", alarm) for a flagged alarm
# (flagged by `as_of`) whose breach is back.
# why FULL JOIN on PostgreSQL: it is done by hashing or merging, never by a nested loop, so a
# stale estimate (many alarms just raised, not yet analysed) cannot make it quadratic.
# why two LEFT JOINs on SQLite: FULL JOIN needs SQLite 3.39; SQLite indexes `a` or `b` itself.
# why 'closed' written out: SQLite uses a partial index only for a condition it can read
# (Alarm's indexes `sup_alarm_open_subject` and the one-open-alarm constraint).
COMPARE_HEAD = """
WITH b (stype, subj, bkey) AS ({breaches}),
a AS (
    SELECT id, subject_type, subject_id, raised_at, condition_cleared_at FROM {alarm}
    WHERE rule_code = %s AND NOT (status = 'closed')
)
SELECT 'n', NULL, NULL, (SELECT count(*) FROM b)
UNION ALL
"""
NOT_HANDLED = """NOT EXISTS (
    SELECT 1 FROM {alarm} c
    WHERE c.rule_code = %s AND c.subject_type = b.stype AND c.subject_id = b.subj
    AND c.status = 'closed' AND c.breach_key = b.bkey AND NOT (c.outcome = %s)
)"""
COMPARE_SQL = {
    "postgresql": COMPARE_HEAD
    + """SELECT CASE WHEN a.id IS NULL THEN 'raise' WHEN b.subj IS NULL THEN 'clear' ELSE 'back'
    END, b.subj, b.bkey, a.id
FROM b FULL JOIN a ON a.subject_id = b.subj AND a.subject_type = b.stype
WHERE (a.id IS NULL AND """
    + NOT_HANDLED
    + """)
OR (b.subj IS NULL AND a.condition_cleared_at IS NULL AND a.raised_at <= %s)
OR (b.subj IS NOT NULL AND a.condition_cleared_at <= %s)""",
    "sqlite": COMPARE_HEAD
    + """SELECT CASE WHEN a.id IS NULL THEN 'raise' ELSE 'back' END, b.subj, b.bkey, a.id
FROM b LEFT JOIN a ON a.subject_id = b.subj AND a.subject_type = b.stype
WHERE (a.id IS NULL AND """
    + NOT_HANDLED
    + """) OR a.condition_cleared_at <= %s
UNION ALL
SELECT 'clear', NULL, NULL, a.id FROM a LEFT JOIN b ON b.subj = a.subject_id AND b.stype = a.subject_type
WHERE b.subj IS NULL AND a.condition_cleared_at IS NULL AND a.raised_at <= %s""",
}
RAISE_CHUNK = 500  # subjects whose Findings are built per query (an IN list each)


def compare_sql(rule: Rule, breaches, as_of: datetime) -> tuple[str, tuple]:
    """The statement (and its parameters) comparing a BreachSet query with the rule's alarms
    as of `as_of` (see COMPARE_SQL); bench/sweep.py explains it."""
    # why: no breach query (e.g. no calendar) or an empty one still compares: alarms clear
    sql, params = "SELECT NULL, NULL, NULL WHERE 1 = 0", ()
    if breaches is not None:
        try:
            sql, params = (
                breaches.annotate(sweep_type=Value(rule.breaches.subject_type, CharField()))
                .values_list("sweep_type", "sweep_subject", "sweep_key")
                .order_by()
                .query.sql_with_params()
            )
        except EmptyResultSet:
            pass
    at = connection.ops.adapt_datetimefield_value(as_of)
    template = COMPARE_SQL.get(connection.vendor, COMPARE_SQL["sqlite"])
    args = (
        *params,
        rule.code,  # a
        rule.code, Outcome.DEADLINE_MOVED.value,  # not handled
        at, at,  # back and clear (SQLite), clear and back (PostgreSQL)
    )  # fmt: skip
    alarm_table = connection.ops.quote_name(Alarm._meta.db_table)
    return template.format(breaches=sql, alarm=alarm_table), args


def _compare(rule: Rule, breaches, as_of: datetime) -> tuple[int, dict[str, str], list, list]:
    """(breaches found, {subject to raise: its breach key}, alarm ids to clear, alarm ids whose
    breach is back) for a BreachSet query as of `as_of`, read in one statement."""
    found, subjects, clear, back = 0, {}, [], []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # why: the planner overestimates open steps past a date (done steps hold the past
            # deadlines), prices a 10 ms statement high enough to JIT-compile it, and compiling
            # takes 40–200 ms (bench/sweep.py); for this transaction only
            cur.execute("SET LOCAL jit = off")
        cur.execute(*compare_sql(rule, breaches, as_of))
        for kind, subject, key, n in cur.fetchall():
            if kind == "n":
                found = n
            elif kind == "raise":
                subjects[subject] = key
            elif kind == "clear":
                clear.append(n)
            else:
                back.append(n)
    return found, subjects, clear, back


def _sweep_breach_set(rule: Rule, as_of: datetime, eff: Effective) -> dict:
    """The set-based sweep: the database compares the breaches with the open alarms; Findings
    are built only for breaches that have no alarm yet (none in the steady state)."""
    bs = rule.breaches
    with transaction.atomic():
        found, subjects, clear, back = _compare(rule, bs.query(as_of, eff.thresholds), as_of)
        raised, todo = 0, list(subjects)
        for k in range(0, len(todo), RAISE_CHUNK):
            for f in bs.findings(as_of, eff.thresholds, todo[k : k + RAISE_CHUNK]):
                if f.subject_type == bs.subject_type and subjects.get(f.subject_id) == f.key:
                    # why not raise_alarm: the statement just found no open alarm and no closed
                    # one of this key (a concurrent raise meets the unique index)
                    alarm = _insert_alarm(rule, f, as_of, eff)
                else:  # the data moved since the statement: check as usual
                    alarm = raise_alarm(rule, f, as_of, eff)
                raised += alarm is not None
        # why the guards: even an empty `pk__in` costs a query compilation (~0.5 ms per rule)
        _mark_returned(rule, Alarm.objects.filter(pk__in=back) if back else (), as_of)
        cleared = _mark_cleared(
            rule, list(Alarm.objects.filter(pk__in=clear)) if clear else [], as_of
        )
    return {"found": found, "raised": raised, "cleared": cleared}


def run_sweeps(as_of: datetime | None = None, codes: list[str] | None = None) -> SweepSummary:
    """Run every (or the named) sweep rule as of `as_of` (SUP-2). One rule's failure is
    reported in the summary and does not stop the others."""
    as_of = aware(as_of)
    summary = SweepSummary(as_of)
    rules = [r for r in registry.sweep_rules() if not codes or r.code in codes]
    in_force = effective_all(rules, as_of)  # why: one query for the thresholds of every rule
    for rule in rules:
        try:
            summary.per_rule[rule.code] = sweep_rule(rule, as_of, in_force[rule.code])
        except Exception as exc:  # noqa: BLE001
            log.exception("sweep %s failed", rule.code)
            summary.errors[rule.code] = repr(exc)
    return summary


def still_breached(alarm: Alarm, as_of: datetime) -> bool:
    """Re-run the alarm's rule for its subject as of `as_of`: does the breach still hold?"""
    from wuquan.ledger.models import Event

    rule = registry.get(alarm.rule_code)
    if rule is None:
        return True  # why: a rule we cannot run is no evidence the breach went away
    eff = effective(rule, as_of)
    findings: list[Finding] = []
    if rule.breaches is not None:
        if alarm.subject_type != rule.breaches.subject_type:
            return False
        # why: the subject's own Finding, not every breach of the rule (10^6 open cases)
        findings = list(rule.breaches.findings(as_of, eff.thresholds, [alarm.subject_id]))
    elif rule.sweep is not None:
        findings = list(rule.sweep(as_of, eff.thresholds) or ())
    elif rule.check is not None and alarm.event_indices:
        for event in Event.objects.filter(index__in=alarm.event_indices):
            findings.extend(rule.check(event, eff.thresholds) or ())
    else:
        return True
    return any(
        f.subject_type == alarm.subject_type and str(f.subject_id) == alarm.subject_id
        for f in findings
    )


def reevaluate_subject(
    subject_type: str, subject_id: str, as_of: datetime | None = None, reason: str = ""
) -> list[Alarm]:
    """Re-run the rules of every open alarm on a subject; close those no longer breached with
    the outcome "期限调整" (recorded). Returns the alarms closed."""
    as_of = aware(as_of)
    closed = []
    with transaction.atomic():
        alarms = (
            Alarm.objects.select_for_update()
            .filter(subject_type=subject_type, subject_id=str(subject_id))
            .exclude(status=AlarmStatus.CLOSED)
        )
        for alarm in alarms:
            if still_breached(alarm, as_of):
                continue
            alarm.status = AlarmStatus.CLOSED
            alarm.outcome = Outcome.DEADLINE_MOVED
            alarm.closed_at = as_of
            alarm.closed_by = SYSTEM
            alarm.close_note = reason
            alarm.save()
            record(
                SYSTEM,
                "supervision.alarm.closed",
                alarm,
                {
                    "outcome": Outcome.DEADLINE_MOVED.value,
                    "reason": reason,
                    "as_of": as_of.isoformat(),
                },
            )
            closed.append(alarm)
    return closed


def subject_of(obj) -> tuple[str, str] | None:
    """(type, id) of whatever a `deadline_moved` signal carries: a (type, id) pair, an object
    with `subject_type`/`subject_id`, or a model instance."""
    if obj is None:
        return None
    if isinstance(obj, tuple) and len(obj) == 2:
        return str(obj[0]), str(obj[1])
    st, sid = getattr(obj, "subject_type", None), getattr(obj, "subject_id", None)
    if st and sid is not None:
        return str(st), str(sid)
    meta = getattr(obj, "_meta", None)
    if meta is not None and getattr(obj, "pk", None) is not None:
        return meta.label_lower, str(obj.pk)
    return None


def on_deadline_moved(sender, deadline=None, old_due=None, new_due=None, **kwargs) -> None:
    """Receiver for `wuquan.workdays` `deadline_moved`: an alarm raised on a provisional
    deadline that the official schedule moves is re-evaluated now (APR-2, SUP-2)."""
    subject = subject_of(deadline)
    if subject is None:
        return
    reevaluate_subject(*subject, reason=f"期限由 {old_due} 调整为 {new_due}")
