"""The shape of a supervision rule, shared by the apps that define rules and the engine.

Rules live in the app whose data they read (`<app>/rules.py`, exposing `RULES: list[Rule]`);
the `supervision` app discovers and runs them. Keeping the dataclass here (below every app)
lets domain apps define rules without importing `supervision` (ARCHITECTURE.md: dependencies
point one way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SEVERITY_WARNING = "预警"
SEVERITY_YELLOW = "黄牌"
SEVERITY_RED = "红牌"
SEVERITIES = (SEVERITY_WARNING, SEVERITY_YELLOW, SEVERITY_RED)


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


@dataclass(frozen=True)
class Rule:
    """A supervision rule. `code` starts with the requirement ID (e.g. `SUP-4-head-approves`).

    Either `check(event, thresholds) -> Iterable[Finding]` runs inline for events whose action
    is in `on_actions`, or `sweep(as_of, thresholds) -> Iterable[Finding]` runs over current
    state (periodically and on demand with --as-of). `thresholds` are the defaults; a district
    may override them (versioned by the engine).
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
