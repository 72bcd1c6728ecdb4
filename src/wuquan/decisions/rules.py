"""This app's supervision rules (DEC-2..6, DEC-10, FIN link), ready for the supervision registry.

Until the supervision engine exists the rules act as guards: the service REFUSES the action
(RuleViolation carrying the rule code) and the refusal itself is recorded in the log as
"decisions.refused" — after the refused action's transaction has rolled back, so the refusal
record persists while nothing of the action does.

Contract for callers: call a guarded service (or `assert_decided`) outside an outer
`transaction.atomic()` of your own, or the refusal record rolls back with your transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from wuquan.common.exceptions import RuleViolation
from wuquan.common.rules import SEVERITY_RED, SEVERITY_YELLOW, Finding, Rule
from wuquan.ledger import record

from . import events


def _refusal_check(event, thresholds) -> Iterable[Finding]:
    """Event check: every "decisions.refused" event for this rule is a finding."""
    payload = event.payload
    yield Finding(
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        # why: a refusal recorded without "message" made an alarm with an empty description on
        # the board (issue 12, finding 7); fall back to its reason, then the rule's name
        message=payload.get("message") or payload.get("reason") or payload.get("rule_name", ""),
        inputs=payload,
        event_indices=(event.index,),
        key=str(event.index),
    )


def _rule(code, name, clause, severity, actions=(events.REFUSED, events.BREACH_RECORDED)) -> Rule:
    def check(event, thresholds, _code=code):
        if event.payload.get("rule") == _code:
            yield from _refusal_check(event, thresholds)

    return Rule(
        code=code,
        name=name,
        clause=clause,
        severity=severity,
        on_actions=tuple(actions),
        check=check,
    )


OUTSIDE_MEETING = _rule(
    "DEC-2-decided-in-meeting", _("三重一大事项未经会议集体决定"), "附件8 一1", SEVERITY_RED
)
QUORUM = _rule(
    "DEC-2-quorum", _("到会人数未超过应到会人数的半数，不能表决"), "附件8 二7", SEVERITY_YELLOW
)
MATERIALS_LATE = _rule(
    "DEC-3-materials-one-working-day-ahead",
    _("议题材料未提前1个工作日送达与会人员"),
    "附件8 二5",
    SEVERITY_YELLOW,
)
HEAD_SPEAKS_LAST = _rule(
    "DEC-4-head-speaks-last", _("一把手未末位表态"), "附件2 二(二)2；附件3 第三", SEVERITY_YELLOW
)
RESULT_FINAL = _rule(
    "DEC-6-result-changed-without-reconsideration",
    _("票决结果未经复议程序被更改"),
    "附件2 二(二)2；附件8 二8",
    SEVERITY_RED,
)
NO_DECISION = _rule(
    "DEC-2-no-linked-decision",
    _("大额资金或重大项目未经集体决策即实施"),
    "附件3 第二、第四；附件8 一1",
    SEVERITY_RED,
)
VILLAGE_SIX_STEPS = _rule(
    "DEC-10-six-steps",
    _("村级“三重一大”事项未经“六步工作法”决策，无效"),
    "附件15 二(一)2–3",
    SEVERITY_RED,
    actions=(events.REFUSED, events.BREACH_RECORDED, events.VILLAGE_VOIDED),
)
VILLAGE_QUORUM = _rule(
    "DEC-10-assembly-quorum",
    _("村民会议或村民代表会议未达法定到会人数"),
    "《村民委员会组织法》第二十二条、第二十六条",
    SEVERITY_YELLOW,
)

BEFORE_DECISION = _rule(
    "DEC-8-before-decision",
    _("“三重一大”事项决策前未调查研究，或重大投资未经专家论证、涉及群众利益未经公示听证"),
    "附件8 一2",
    SEVERITY_YELLOW,
)

RULES: list[Rule] = [
    OUTSIDE_MEETING,
    QUORUM,
    MATERIALS_LATE,
    HEAD_SPEAKS_LAST,
    RESULT_FINAL,
    NO_DECISION,
    VILLAGE_SIX_STEPS,
    VILLAGE_QUORUM,
    BEFORE_DECISION,
]
RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}


def violation(rule: Rule, message, subject=None, **details) -> RuleViolation:
    """The exception a guard raises; `guarded` records it once the action has rolled back."""
    exc = RuleViolation(message, code=rule.code)
    exc.refusal = {"subject": subject, "details": details}
    return exc


def record_refusal(actor, exc: RuleViolation, at=None) -> None:
    refusal = getattr(exc, "refusal", {}) or {}
    rule = RULES_BY_CODE[exc.code]
    payload = events.refused(rule, message=exc.message, details=refusal.get("details", {}))
    with transaction.atomic():
        record(actor, events.REFUSED, refusal.get("subject"), payload, at=at)


def record_breach(actor, exc: RuleViolation, *, at=None, marker: dict) -> None:
    """Imported history that breached a rule (services.ImportedHistory): the same payload as a
    refusal, under its own action, with the import marker — the same rule finds it."""
    refusal = getattr(exc, "refusal", {}) or {}
    rule = RULES_BY_CODE[exc.code]
    payload = events.refused(rule, message=exc.message, details=refusal.get("details", {}))
    record(actor, events.BREACH_RECORDED, refusal.get("subject"), {**payload, **marker}, at=at)


def guarded(fn):
    """Run the service in its own transaction; on a rule refusal roll it back, then record the
    refusal (by the service's keyword-only `actor`, at its `at`) and re-raise."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except RuleViolation as exc:
            if exc.code in RULES_BY_CODE and not getattr(exc, "refusal_recorded", False):
                if connection.needs_rollback:  # pragma: no cover - outer block already broken
                    raise
                record_refusal(kwargs.get("actor"), exc, at=kwargs.get("at"))
                exc.refusal_recorded = True
            raise

    return wrapper
