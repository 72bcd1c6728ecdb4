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
from datetime import datetime, time
from fnmatch import fnmatchcase

from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Max, Value
from django.utils import timezone

from wuquan.common.bulk import insert_rows
from wuquan.common.rules import Finding, Rule, Touched, touched_ids
from wuquan.ledger import cached_under_lock, next_index, record, record_many

from . import events as ev
from . import registry
from .models import Alarm, AlarmStatus, Outcome, RuleSetting, SweepState

log = logging.getLogger(__name__)

SYSTEM = "system:supervision"
ALARM_TYPE = "supervision.alarm"  # Alarm._meta.label_lower: the subject of its events


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


def _new_alarm(
    rule: Rule, finding: Finding, at: datetime, eff: Effective, indices: list[int]
) -> Alarm:
    return Alarm(
        **_alarm_subject(rule, finding),
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


def _insert_alarm(
    rule: Rule,
    finding: Finding,
    at: datetime,
    eff: Effective,
    event_indices: tuple[int, ...] = (),
) -> Alarm | None:
    """Insert the alarm for `finding` and record it, once the caller knows that no alarm is
    open for the rule and subject and that no closed one handled this breach key."""
    indices = sorted(set(finding.event_indices) | set(event_indices))
    try:
        with transaction.atomic():
            alarm = _new_alarm(rule, finding, at, eff, indices)
            alarm.save(force_insert=True)
            event = record(
                SYSTEM, ev.ALARM_RAISED, alarm, ev.raised_payload(rule, finding, eff, at, indices)
            )
            alarm.raised_event = event.index
            alarm.save(update_fields=["raised_event"])
    except IntegrityError:
        # why: another process raised the same alarm between our check and our insert; the
        # partial unique index kept it to one.
        return None
    return alarm


BULK_MIN = 8  # from this many new alarms at once, one multi-row insert and one append
# the columns that differ between the alarms of one bulk raise (same rule, time, thresholds)
ALARM_VARYING = (
    "inputs", "message", "subject_type", "subject_id", "breach_key", "unit_id", "post_id",
    "event_indices", "raised_event",
)  # fmt: skip


def _insert_alarms(
    rule: Rule, findings: list[Finding], at: datetime, eff: Effective, first: int
) -> list[int]:
    """Insert the alarms of `findings` (one rule, one time) in few statements, the i-th
    with `raised_event` first + i, and return their ids in order, read back by `raised_event`
    (indices no other row can hold while this transaction holds the append lock). Why no
    model instances: an Alarm (~35 fields, a FileField) costs ~0.1–0.2 ms to build and prepare,
    as much as its ledger event (bench/sweep.py, issue 20); the columns that are the same for
    every row are prepared once from one template."""
    fields = [f for f in Alarm._meta.concrete_fields if not f.primary_key]
    template = _new_alarm(rule, findings[0], at, eff, [])
    constant = {
        f.attname: f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields
    }
    json_value = connection.ops.adapt_json_value
    names = [f.attname for f in fields]
    assert set(ALARM_VARYING) <= set(names)
    rows = []
    for i, f in enumerate(findings):
        varying = {
            "inputs": json_value(f.inputs, None),
            "message": str(f.message),
            "subject_type": f.subject_type,
            "subject_id": str(f.subject_id),
            "breach_key": f.key,
            "unit_id": f.unit_id,
            "post_id": f.post_id,
            "event_indices": json_value(sorted(set(f.event_indices)), None),
            "raised_event": first + i,
        }
        rows.append([varying[n] if n in varying else constant[n] for n in names])
    insert_rows(Alarm._meta.db_table, [f.column for f in fields], rows)
    ids = dict(
        Alarm.objects.filter(raised_event__gte=first, raised_event__lt=first + len(findings))
        .order_by()
        .values_list("raised_event", "pk")
    )
    return [ids[first + i] for i in range(len(findings))]


def _raise_many(rule: Rule, findings: list[Finding], at: datetime, eff: Effective) -> int:
    """Raise the alarms of `findings` (each: no open alarm, key not handled — as the caller
    found) in one go: one multi-row INSERT of the alarms, their `raised_event` known in
    advance (`ledger.next_index`, the append lock held), one `record_many` of the same
    `supervision.alarm.raised` events `_insert_alarm` writes (bench/sweep.py: 10^4 at once).
    A concurrent raise (the one-open-alarm index) falls back to one at a time."""
    if len(findings) < BULK_MIN:
        return sum(_insert_alarm(rule, f, at, eff) is not None for f in findings)
    try:
        with transaction.atomic():
            first = next_index()
            pks = _insert_alarms(rule, findings, at, eff, first)
            entries = [
                (
                    SYSTEM,
                    ev.ALARM_RAISED,
                    (ALARM_TYPE, pk),
                    ev.raised_payload(rule, f, eff, at, sorted(set(f.event_indices))),
                )
                for pk, f in zip(pks, findings, strict=True)
            ]
            written = record_many(entries)
            if written[0].index != first or written[-1].index != first + len(pks) - 1:
                raise RuntimeError("ledger indices moved under the append lock")
    except IntegrityError:
        return sum(raise_alarm(rule, f, at, eff) is not None for f in findings)
    return len(pks)


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
    mode: str = "full"
    # per rule: how it was swept ("full" / "incremental"), alarms whose breach came back, and
    # (incremental) how many subjects it compared — kept apart so `per_rule` reads as before
    detail: dict[str, dict] = field(default_factory=dict)
    # reconcile: per rule, what the full sweep still raised / cleared / returned after the
    # incremental one (all zero: the incremental state equals the full one)
    drift: dict[str, dict] = field(default_factory=dict)

    @property
    def raised(self) -> int:
        return sum(r["raised"] for r in self.per_rule.values())

    def lines(self) -> list[str]:
        out = [f"as of {timezone.localtime(self.as_of):%Y-%m-%d %H:%M %Z} ({self.mode})"]
        for code, r in self.per_rule.items():
            out.append(
                f"  {code:<36} found {r['found']:>4}  raised {r['raised']:>4}  "
                f"cleared {r['cleared']:>4}  {self.detail.get(code, {}).get('mode', '')}"
            )
        for code, d in self.drift.items():
            out.append(
                f"  {code:<36} reconciliation: raised {d['raised']} cleared {d['cleared']} "
                f"returned {d['returned']}"
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
        size = _ledger_size() if rule.clock else None
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
        if size is not None:
            _keep_state(rule, as_of, eff, size, "full")
    return {"found": len(findings), "raised": raised, "cleared": cleared}


def _flag(rule: Rule, alarms, as_of: datetime, cleared_at, action: str) -> int:
    """Set (or reset) `condition_cleared_at` on the alarms and record `action` for each: one
    UPDATE per 1000 alarms and one append for all."""
    alarms = list(alarms)
    for k in range(0, len(alarms), 1000):
        Alarm.objects.filter(pk__in=[a.pk for a in alarms[k : k + 1000]]).update(
            condition_cleared_at=cleared_at
        )
    for alarm in alarms:
        alarm.condition_cleared_at = cleared_at
    payload = ev.condition_payload(rule, as_of)
    record_many([(SYSTEM, action, alarm, payload) for alarm in alarms])
    return len(alarms)


def _mark_returned(rule: Rule, alarms, as_of: datetime) -> int:
    """Unflag alarms whose breach is found again after a sweep had flagged it gone (recorded)."""
    return _flag(rule, alarms, as_of, None, ev.CONDITION_RETURNED)


def _mark_cleared(rule: Rule, alarms, as_of: datetime) -> int:
    """Flag open alarms whose breach the sweep no longer finds (recorded; never deleted)."""
    return _flag(rule, alarms, as_of, as_of, ev.CONDITION_CLEARED)


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
    are built only for breaches that have no alarm yet (none in the steady state). Keeps the
    rule's SweepState (the incremental sweep's starting point) when the rule has `changed`."""
    bs = rule.breaches
    with transaction.atomic():
        size = _ledger_size() if bs.changed is not None or rule.clock else None
        found, subjects, clear, back = _compare(rule, bs.query(as_of, eff.thresholds), as_of)
        todo, new, raised = list(subjects), [], 0
        for k in range(0, len(todo), RAISE_CHUNK):
            for f in bs.findings(as_of, eff.thresholds, todo[k : k + RAISE_CHUNK]):
                if f.subject_type == bs.subject_type and subjects.get(f.subject_id) == f.key:
                    # why not raise_alarm: the statement just found no open alarm and no closed
                    # one of this key (a concurrent raise meets the unique index)
                    subjects.pop(f.subject_id)
                    new.append(f)
                else:  # the data moved since the statement: check as usual
                    raised += raise_alarm(rule, f, as_of, eff) is not None
        raised += _raise_many(rule, new, as_of, eff)
        # why the guards: even an empty `pk__in` costs a query compilation (~0.5 ms per rule)
        returned = _mark_returned(rule, Alarm.objects.filter(pk__in=back) if back else (), as_of)
        cleared = _mark_cleared(
            rule, list(Alarm.objects.filter(pk__in=clear)) if clear else [], as_of
        )
        if size is not None:
            _keep_state(rule, as_of, eff, size, "full")
    return {"found": found, "raised": raised, "cleared": cleared, "returned": returned}


# ---- incremental sweeps ------------------------------------------------------------------------
# A rule whose BreachSet has `changed` is swept incrementally: only the subjects that the ledger
# events recorded since its last sweep touch, or whose deadline the clock passed since then, are
# compared (docs/supervision.md "Incremental sweeps"). The first run, a replay (an `as_of`
# before the last sweep's), a new rule version or threshold setting, and an event after which
# every rule may read differently (FULL_SWEEP_ACTIONS) are swept in full instead; the nightly
# reconciliation sweeps in full after the incremental sweep and reports any difference.

# why: a calendar change moves every working-day deadline and warning window; a threshold
# change (also caught by the setting version) changes what breaches
FULL_SWEEP_ACTIONS = ("workdays.*", "supervision.rule_setting.*")


def _ledger_size() -> int:
    """Events in the log, read before the sweep reads anything else: the next incremental sweep
    starts from here (appends are serialised, so the committed events are always a prefix)."""
    from wuquan.ledger.models import Event

    last = Event.objects.order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def _incremental(rule: Rule) -> bool:
    return rule.breaches is not None and rule.breaches.changed is not None


def _keep_state(rule: Rule, as_of: datetime, eff: Effective, size: int, mode: str) -> None:
    """After a full comparison as of `as_of`: start the incremental sweep from here, unless
    a later sweep already stands (a replay): then drop it, so the next sweep is full."""
    state = SweepState.objects.select_for_update().filter(rule_code=rule.code).first()
    if state is not None and state.as_of > as_of:
        state.delete()
        return
    SweepState.objects.update_or_create(
        rule_code=rule.code,
        defaults={
            "as_of": as_of,
            "ledger_size": size,
            "rule_version": rule.version,
            "setting_version": eff.setting_version,
            "enabled": eff.enabled,
            "mode": mode,
            "updated_at": timezone.now(),
        },
    )


def _touched_since(lo: int, hi: int) -> list[Touched]:
    """The events [lo, hi) other than the engine's own bookkeeping, as `Touched` rows."""
    from wuquan.ledger.models import Event

    if lo >= hi:
        return []
    rows = (
        Event.objects.filter(index__gte=lo, index__lt=hi)
        .exclude(action__in=ev.BOOKKEEPING)
        .order_by()
        .values_list("index", "action", "subject_type", "subject_id")
    )
    return [Touched(*r) for r in rows]


def _alarm_subjects(rule: Rule, events: list[Touched]) -> set[str]:
    """The subjects of this rule's alarms that a lifecycle event (assigned, closed, …) names:
    a closing decides whether the same breach may be raised again."""
    ids = sorted(touched_ids(events, ALARM_TYPE))
    out: set[str] = set()
    for k in range(0, len(ids), 5000):
        out.update(
            Alarm.objects.filter(
                pk__in=ids[k : k + 5000],
                rule_code=rule.code,
                subject_type=rule.breaches.subject_type,
            ).values_list("subject_id", flat=True)
        )
    return out


def _sweep_subjects(rule: Rule, as_of: datetime, eff: Effective, subjects: set[str]) -> dict:
    """Compare the breaches of the given subjects with their alarms as of `as_of` — the same
    decisions COMPARE_SQL takes for every subject, in Python, for a few: raise a breach with no
    open alarm whose key no closed alarm handled (期限调整 does not count), flag an open
    alarm (raised by `as_of`) whose breach is gone, unflag one whose breach is back."""
    bs = rule.breaches
    st = bs.subject_type
    found, new, back, clear = 0, [], [], []
    todo = sorted(subjects)
    for k in range(0, len(todo), RAISE_CHUNK):
        chunk = todo[k : k + RAISE_CHUNK]
        findings: dict[str, Finding] = {}
        for f in bs.findings(as_of, eff.thresholds, chunk):
            if f.subject_type == st:
                findings.setdefault(str(f.subject_id), f)
        found += len(findings)
        open_now = {
            a.subject_id: a
            for a in Alarm.objects.filter(
                rule_code=rule.code, subject_type=st, subject_id__in=chunk
            )
            .exclude(status=AlarmStatus.CLOSED)
            .only("subject_id", "raised_at", "condition_cleared_at")
        }
        unalarmed = [sid for sid in findings if sid not in open_now]
        handled = set()
        if unalarmed:
            handled = set(
                Alarm.objects.filter(
                    rule_code=rule.code,
                    subject_type=st,
                    subject_id__in=unalarmed,
                    status=AlarmStatus.CLOSED,
                )
                .exclude(outcome=Outcome.DEADLINE_MOVED)
                .values_list("subject_id", "breach_key")
            )
        for sid, f in findings.items():
            alarm = open_now.get(sid)
            if alarm is None:
                if (sid, f.key) not in handled:
                    new.append(f)
            elif alarm.condition_cleared_at is not None and alarm.condition_cleared_at <= as_of:
                back.append(alarm)
        for sid, alarm in open_now.items():
            if sid not in findings and alarm.condition_cleared_at is None:
                if alarm.raised_at <= as_of:
                    clear.append(alarm)
    raised = _raise_many(rule, new, as_of, eff)
    returned = _mark_returned(rule, back, as_of)
    cleared = _mark_cleared(rule, clear, as_of)
    return {"found": found, "raised": raised, "cleared": cleared, "returned": returned}


def _run_incremental(rules: list[Rule], as_of: datetime, in_force: dict, summary) -> list[Rule]:
    """Sweep the incremental rules from their SweepState; returns those to sweep in full."""
    full: list[Rule] = []
    with transaction.atomic():
        size = _ledger_size()
        states = {
            s.rule_code: s
            for s in SweepState.objects.select_for_update().filter(
                rule_code__in=[r.code for r in rules]
            )
        }
        usable: list[tuple[Rule, SweepState]] = []
        for rule in rules:
            state, eff = states.get(rule.code), in_force[rule.code]
            if (
                state is None
                or state.as_of > as_of  # a replay: full
                or state.ledger_size > size
                or state.rule_version != rule.version
                or state.setting_version != eff.setting_version
                or state.enabled != eff.enabled
            ):
                full.append(rule)
            else:
                usable.append((rule, state))
        if not usable:
            return full
        events = _touched_since(min(s.ledger_size for _r, s in usable), size)
        if any(fnmatchcase(e.action, p) for e in events for p in FULL_SWEEP_ACTIONS):
            return full + [r for r, _s in usable]
        advanced = []
        for rule, state in usable:
            eff = in_force[rule.code]
            if not eff.enabled:
                summary.per_rule[rule.code] = {"found": 0, "raised": 0, "cleared": 0,
                                               "disabled": True}  # fmt: skip
                summary.detail[rule.code] = {"mode": "incremental"}
                advanced.append(rule.code)
                continue
            mine = [e for e in events if e.index >= state.ledger_size]
            try:
                subjects = rule.breaches.changed(state.as_of, as_of, eff.thresholds, mine)
                if subjects is None:
                    full.append(rule)
                    continue
                subjects = {str(s) for s in subjects} | _alarm_subjects(rule, mine)
                result = {"found": 0, "raised": 0, "cleared": 0, "returned": 0}
                if subjects:
                    with transaction.atomic():
                        result = _sweep_subjects(rule, as_of, eff, subjects)
            except Exception as exc:  # noqa: BLE001
                log.exception("incremental sweep %s failed", rule.code)
                summary.errors[rule.code] = repr(exc)
                continue  # why: its state stays, so the next sweep looks at all this again
            summary.per_rule[rule.code] = _public(result)
            summary.detail[rule.code] = {"mode": "incremental", "candidates": len(subjects),
                                         "returned": result["returned"]}  # fmt: skip
            advanced.append(rule.code)
        if advanced:
            SweepState.objects.filter(rule_code__in=advanced).update(
                as_of=as_of, ledger_size=size, mode="incremental", updated_at=timezone.now()
            )
    return full


# ---- quiet sweeps -------------------------------------------------------------------------------
# A DAILY rule (common.rules.DAILY) finds, as of any time of a local day, what it found at its
# last sweep of that day if no event but the engine's own bookkeeping was recorded since, and
# none is dated between the two times (an import may date an event after the last sweep's
# `as_of`). The every-minute sweep skips such a rule: a few indexed reads for all of them
# instead of running each (issue 20: the steady state within 10x of the bare overdue count).


QUIET_STATES_SQL = """
SELECT {code}, {size}, {rule_version}, {setting_version}, {enabled} FROM {state}
WHERE {as_of} >= %s AND {as_of} <= %s
"""
QUIET_LOG_SQL = """
SELECT (SELECT max({index}) FROM {event}),
       (SELECT max({index}) FROM {event} WHERE {index} >= %s AND {action} NOT IN ({own})),
       (SELECT 1 FROM {event} WHERE {action} NOT IN ({own}) AND {at} <= %s AND {at} >
            (SELECT min({as_of}) FROM {state} WHERE {as_of} >= %s AND {as_of} <= %s) LIMIT 1)
"""


def _quiet_sql(template: str) -> str:
    from wuquan.ledger.models import Event

    q = connection.ops.quote_name
    columns = {
        f: q(SweepState._meta.get_field(f).column)
        for f in ("as_of", "rule_version", "setting_version", "enabled")
    }
    return template.format(
        state=q(SweepState._meta.db_table), code=q("rule_code"), size=q("ledger_size"),
        event=q(Event._meta.db_table), index=q("index"), action=q("action"), at=q("at"),
        own=", ".join(["%s"] * len(ev.BOOKKEEPING)), **columns,
    )  # fmt: skip


def _quiet(rules: list[Rule], as_of: datetime, in_force: dict, summary) -> set[str]:
    """The codes of the DAILY rules that cannot have changed since their last sweep that day
    (docs/supervision.md "Quiet sweeps"): two statements, no datetime read back in the
    steady state — this is the whole every-minute sweep then (bench/sweep.py, issue 20)."""
    from wuquan.ledger.models import Event

    clocked = {r.code: r for r in rules if r.clock}
    if not clocked:
        return set()
    stamp = connection.ops.adapt_datetimefield_value
    tz = timezone.get_current_timezone()
    day = (stamp(datetime.combine(timezone.localdate(as_of), time.min, tz)), stamp(as_of))
    usable = {}
    with connection.cursor() as cur:
        cur.execute(_quiet_sql(QUIET_STATES_SQL), day)
        for code, size, rule_version, setting_version, enabled in cur.fetchall():
            rule = clocked.get(code)
            if rule is None:
                continue
            eff = in_force[code]
            if (rule_version, setting_version, bool(enabled)) == (
                rule.version,
                eff.setting_version,
                eff.enabled,
            ):
                usable[code] = size
        if not usable:
            return set()
        own = list(ev.BOOKKEEPING)
        cur.execute(_quiet_sql(QUIET_LOG_SQL), [min(usable.values()), *own, *own, day[1], *day])
        last, last_real, dated = cur.fetchone()
    size_now = 0 if last is None else last + 1
    if dated is not None:
        # an event dated after some state's time (an import dated ahead): which states?
        last_at = (
            Event.objects.exclude(action__in=ev.BOOKKEEPING)
            .filter(at__lte=as_of)
            .aggregate(m=Max("at"))["m"]
        )
        late = set(
            SweepState.objects.filter(rule_code__in=list(usable), as_of__lt=last_at).values_list(
                "rule_code", flat=True
            )
        )
    else:
        late = set()
    quiet = set()
    for code, size in usable.items():
        if size > size_now or (last_real is not None and last_real >= size) or code in late:
            continue
        quiet.add(code)
        summary.per_rule[code] = {"found": 0, "raised": 0, "cleared": 0}
        summary.detail[code] = {"mode": "quiet"}
    return quiet


SWEEP_MODES = ("full", "incremental", "reconcile")


def _public(result: dict) -> dict:
    """A rule's line in `SweepSummary.per_rule`: found, raised, cleared (and disabled)."""
    return {k: v for k, v in result.items() if k not in ("returned",)}


def run_sweeps(
    as_of: datetime | None = None, codes: list[str] | None = None, *, mode: str = "full"
) -> SweepSummary:
    """Run every (or the named) sweep rule as of `as_of` (SUP-2). One rule's failure is
    reported in the summary and does not stop the others.

    `mode`: "full" compares every breach of every rule (replays, on demand); "incremental"
    (the every-minute task) skips the DAILY rules nothing can have changed for since their last
    sweep that day (`_quiet`), looks only at what changed since each rule's last sweep and falls
    back to full where it cannot (first run, replay, new thresholds); "reconcile" (nightly)
    runs the incremental sweep, then the full one, and reports in `summary.drift` what the
    full sweep still had to do — zero when the incremental state equals the full one."""
    if mode not in SWEEP_MODES:
        raise ValueError(f"mode must be one of {SWEEP_MODES}")
    as_of = aware(as_of)
    summary = SweepSummary(as_of, mode=mode)
    rules = [r for r in registry.sweep_rules() if not codes or r.code in codes]
    # why: one query for the thresholds of every rule (the whole tiny table: an IN list of ~70
    # codes costs more to compile than the rows cost to read)
    in_force = effective_all(rules, as_of, list(RuleSetting.objects.order_by()))
    todo, quiet = rules, set()
    if mode != "full":
        quiet = _quiet(rules, as_of, in_force, summary)
        awake = [r for r in rules if r.code not in quiet]
        incremental = [r for r in awake if _incremental(r)]
        full = _run_incremental(incremental, as_of, in_force, summary) if incremental else []
        todo = [r for r in awake if not _incremental(r) or r in full]
    for rule in todo:
        try:
            result = sweep_rule(rule, as_of, in_force[rule.code])
            summary.per_rule[rule.code] = _public(result)
            summary.detail[rule.code] = {"mode": "full", "returned": result.get("returned", 0)}
        except Exception as exc:  # noqa: BLE001
            log.exception("sweep %s failed", rule.code)
            summary.errors[rule.code] = repr(exc)
    if mode == "reconcile":
        for rule in rules:
            swept_in_part = _incremental(rule) or rule.code in quiet
            if not swept_in_part or rule in todo or rule.code in summary.errors:
                continue
            try:
                result = sweep_rule(rule, as_of, in_force[rule.code])
            except Exception as exc:  # noqa: BLE001
                log.exception("reconciliation %s failed", rule.code)
                summary.errors[rule.code] = repr(exc)
                continue
            drift = {k: result.get(k, 0) for k in ("raised", "cleared", "returned")}
            summary.drift[rule.code] = drift
            if any(drift.values()):
                log.warning("reconciliation %s: the full sweep found %s", rule.code, drift)
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
