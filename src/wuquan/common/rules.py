"""The shape of a supervision rule, shared by the apps that define rules and the engine.

Rules live in the app whose data they read (`<app>/rules.py`, exposing `RULES: list[Rule]`);
the `supervision` app discovers and runs them. Keeping the dataclass here (below every app)
lets domain apps define rules without importing `supervision` (ARCHITECTURE.md: dependencies
point one way).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import CharField, Func, Value
from django.db.models.functions import Cast, Concat

SEVERITY_WARNING = "预警"
SEVERITY_YELLOW = "黄牌"
SEVERITY_RED = "红牌"
SEVERITIES = (SEVERITY_WARNING, SEVERITY_YELLOW, SEVERITY_RED)

# `Rule.clock`: what, besides the recorded events, a sweep rule's findings depend on.
# DAILY — only the local (Asia/Shanghai) date of `as_of`: the rule compares dates (deadlines,
# due days, the day of `as_of`) and the times of recorded events, never a time of day that no
# event marks. With no event since its last sweep and the same local date, such a rule finds
# what it found then, so the every-minute sweep need not run it (supervision.engine "quiet
# sweeps"; checked for every DAILY rule by tests/supervision/test_supervision_quiet.py).
DAILY = "day"


@dataclass(frozen=True)
class Finding:
    """One breach a rule found: what it concerns and the inputs that made it fire.

    `key` tells separate breaches of the same subject apart (e.g. the step or the deadline that
    was missed): once an alarm for (rule, subject, key) has been closed by the commission, the
    same breach is not raised again; a new key raises a new alarm. Default "": one per subject.
    """

    subject_type: str
    subject_id: str
    message: str
    inputs: dict[str, Any] = field(default_factory=dict)
    unit_id: int | None = None
    post_id: int | None = None
    event_indices: tuple[int, ...] = ()
    key: str = ""


class IsoDate(Func):
    """A date column as its `date.isoformat()` text on every backend (SQLite keeps dates as
    that text already), so that a breach key computed in SQL equals the one built in Python."""

    template = "%(expressions)s"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        # why to_char: `date::text` follows the session's DateStyle
        return self.as_sql(
            compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM-DD')", **extra
        )


def subject_text(field: str = "pk") -> Cast:
    """`sweep_subject` for a BreachSet: the subject's id as text, as `Alarm.subject_id`."""
    return Cast(field, CharField())


def dated_key(prefix: str, field: str) -> Concat:
    """`sweep_key` for a BreachSet: e.g. `dated_key("deadline:", "deadline")` is the SQL for
    `f"deadline:{deadline.isoformat()}"`."""
    return Concat(Value(prefix), IsoDate(field), output_field=CharField())


class Touched(NamedTuple):
    """A ledger event as an incremental sweep sees it (`BreachSet.changed`)."""

    index: int
    action: str
    subject_type: str
    subject_id: str


def touched_ids(events, subject_type: str) -> set[int]:
    """The integer ids of the `subject_type` subjects the events name (others ignored)."""
    return {
        int(e.subject_id)
        for e in events
        if e.subject_type == subject_type and e.subject_id.isdigit()
    }


@dataclass(frozen=True)
class BreachSet:
    """A sweep's breaches as one database query, so that the engine can compare them with the
    rule's alarms in SQL and build Findings only for what changed (SUP-2; bench/sweep.py: the
    every-minute sweep over 10^6 open cases must not turn every standing breach into a Finding).

    - `query(as_of, thresholds)` returns a QuerySet with at most one row per subject, annotated
      `sweep_subject` (text: the Finding's `subject_id`) and `sweep_key` (text: its `key`),
      or None when nothing can breach as of that time;
    - `findings(as_of, thresholds, subject_ids)` yields the Findings of those subjects (all of
      them when `subject_ids` is None): exactly what the rule's `sweep` yields for them;
    - every subject is of `subject_type`.

    A rule given `breaches` and no `sweep` gets `sweep = breaches.sweep` (every Finding), which
    replays, tests and `still_breached` keep using.

    Optional, for the incremental sweep (docs/supervision.md "Incremental sweeps"):
    `changed(since, as_of, thresholds, events)` returns the subjects (text ids) whose breach
    may differ between the last sweep's `since` and this one's `as_of` — those the ledger
    `events` recorded since then touch (a list of `Touched`), and those whose deadline the
    clock passed between the two times (one indexed range) — or None when it cannot tell
    (the engine then compares everything). A superset is harmless; a subject left out is a
    missed alarm (the nightly reconciliation reports it). Without `changed` the rule is swept
    in full every time, as before.
    """

    subject_type: str
    query: Callable[[datetime, dict], Any]
    findings: Callable[[datetime, dict, Collection[str] | None], Iterable[Finding]]
    changed: Callable[[datetime, datetime, dict, list], Iterable[str] | None] | None = None

    def sweep(self, as_of: datetime, thresholds: dict) -> Iterable[Finding]:
        return self.findings(as_of, thresholds, None)


@dataclass(frozen=True)
class Rule:
    """A supervision rule. `code` starts with the requirement ID (e.g. `SUP-4-head-approves`).

    Either `check(event, thresholds) -> Iterable[Finding]` runs inline for events whose action
    is in `on_actions`, or `sweep(as_of, thresholds) -> Iterable[Finding]` runs over current
    state (periodically and on demand with --as-of). `thresholds` are the defaults; a district
    may override them (versioned by the engine). A sweep may also be given as `breaches`
    (a `BreachSet`): the engine then runs it set-based. `clock=DAILY` declares that its
    findings change within a day only through recorded events (see DAILY above).
    """

    code: str
    name: str
    clause: str
    severity: str
    thresholds: dict[str, Any] = field(default_factory=dict)
    on_actions: tuple[str, ...] = ()
    check: Callable[[Any, dict], Iterable[Finding]] | None = None
    sweep: Callable[[datetime, dict], Iterable[Finding]] | None = None
    version: int = 1
    breaches: BreachSet | None = None
    clock: str | None = None  # DAILY, or None: the engine assumes any instant may change it

    def __post_init__(self):
        if self.breaches is not None and self.sweep is None:
            object.__setattr__(self, "sweep", self.breaches.sweep)
