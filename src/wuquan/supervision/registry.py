"""The rule registry: rules discovered from every app's `<app>.rules.RULES` (SUP-1..4).

Domain apps never import `supervision`; they expose `RULES: list[wuquan.common.rules.Rule]` and
`SupervisionConfig.ready()` calls `discover()`. Tests may `register()` extra rules and
`unregister()` them afterwards.
"""

from __future__ import annotations

import logging
from fnmatch import fnmatchcase
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings

from wuquan.common.rules import SEVERITIES, Rule

log = logging.getLogger(__name__)

_rules: dict[str, Rule] = {}
# why: the inline dispatch runs on every ledger event; the matching rules of an action are
# computed once (fnmatch over every rule's patterns) and kept until the registry changes.
_by_action: dict[str, tuple[Rule, ...]] = {}
# why: one app's broken rules module must not take the whole site down, but it must not go
# unnoticed either: the errors are shown on the commission's board.
discovery_errors: list[str] = []


class RuleDefinitionError(ValueError):
    """A rule is malformed (unknown severity, no check and no sweep is allowed only for
    rules raised by services, such as complaints)."""


def register(rule: Rule) -> Rule:
    if rule.severity not in SEVERITIES:
        raise RuleDefinitionError(f"{rule.code}: severity {rule.severity!r} not in {SEVERITIES}")
    if rule.check is not None and not rule.on_actions:
        raise RuleDefinitionError(f"{rule.code}: an event check needs on_actions")
    existing = _rules.get(rule.code)
    if existing is not None and existing is not rule:
        raise RuleDefinitionError(f"rule code {rule.code} registered twice")
    _rules[rule.code] = rule
    _by_action.clear()
    return rule


def unregister(code: str) -> None:
    _rules.pop(code, None)
    _by_action.clear()


def get(code: str) -> Rule | None:
    return _rules.get(code)


def all_rules() -> list[Rule]:
    return sorted(_rules.values(), key=lambda r: r.code)


def sweep_rules() -> list[Rule]:
    return [r for r in all_rules() if r.sweep is not None]


def rules_for_action(action: str) -> list[Rule]:
    """Event-check rules whose `on_actions` match `action` (exact or shell pattern, e.g.
    `approvals.case.*`), in code order; memoised per action until the registry changes."""
    found = _by_action.get(action)
    if found is None:
        found = tuple(
            r
            for r in all_rules()
            if r.check is not None and any(fnmatchcase(action, pat) for pat in r.on_actions)
        )
        _by_action[action] = found
    return list(found)


def discover() -> list[str]:
    """Import `<app>.rules` for every app in settings.WUQUAN_APPS and register its RULES."""
    found = []
    for dotted in settings.WUQUAN_APPS:
        module_name = f"{dotted}.rules"
        if dotted == "wuquan.common" or not find_spec(module_name):
            continue
        try:
            module = import_module(module_name)
            rules = getattr(module, "RULES", [])
            for rule in rules.values() if isinstance(rules, dict) else rules:
                if not isinstance(rule, Rule):
                    raise RuleDefinitionError(
                        f"{rule!r} is not a wuquan.common.rules.Rule (no check or sweep to run)"
                    )
                register(rule)
                found.append(rule.code)
        except Exception as exc:  # noqa: BLE001
            log.exception("could not load supervision rules from %s", module_name)
            discovery_errors.append(f"{module_name}: {exc!r}")
    log.debug("supervision rules discovered: %s", found)
    return found
