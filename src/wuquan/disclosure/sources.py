"""What the portal finds in the other apps, by convention (docs/decisions/0001): each app may
offer a `disclosures.py` module with any of

- `TARGETS: dict[str, Callable[[str], Target | None]]` — published things a question or
  suggestion may be left beside (PUB-11), by key prefix (`"decision"` resolves `"decision:7"`);
- `public_items(*, unit_ids, since, until, q) -> Iterable[PublicItem]` — what it publishes, for
  the one search across every disclosure and the Atom feeds;
- `bulletin_finance(village, start, end) -> dict | None` — the finance part of a village
  bulletin from the 三资 books (附件13 三(四)3: every income and expense of the quarter and the
  quarter-end cash and deposit balance).

The portal imports the apps; no app imports the portal (ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.conf import settings

from wuquan.common.publication import PublicItem, Target

__all__ = ["PublicItem", "Target", "public_items", "resolve_target", "bulletin_finance"]


@cache
def _modules() -> tuple[ModuleType, ...]:
    found = []
    for dotted in settings.WUQUAN_APPS:
        if find_spec(f"{dotted}.disclosures"):
            found.append(import_module(f"{dotted}.disclosures"))
    return tuple(found)


def _targets() -> dict[str, Callable[[str], Target | None]]:
    resolvers: dict[str, Callable[[str], Target | None]] = {}
    for module in _modules():
        resolvers.update(getattr(module, "TARGETS", {}))
    return resolvers


def target_kinds() -> list[str]:
    return sorted(_targets())


def resolve_target(key: str) -> Target | None:
    """The Target named by `"<kind>:<id>"`, or None when no app publishes such a thing."""
    kind, sep, ident = (key or "").strip().partition(":")
    if not sep or not ident or len(key) > 120:
        return None
    resolver = _targets().get(kind)
    return resolver(ident) if resolver else None


def public_items(
    *,
    unit_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: str = "",
) -> list[PublicItem]:
    """Every published disclosure matching the filters, newest first."""
    wanted = set(kinds or ())
    items: list[PublicItem] = []
    for module in _modules():
        provider = getattr(module, "public_items", None)
        if provider is None:
            continue
        for item in provider(unit_ids=unit_ids, since=since, until=until, q=q):
            if not wanted or item.kind in wanted:
                items.append(item)
    items.sort(key=lambda i: i.published_at, reverse=True)
    return items


def bulletin_finance(village, start, end) -> dict | None:
    for module in _modules():
        provider = getattr(module, "bulletin_finance", None)
        if provider is not None:
            found = provider(village, start, end)
            if found is not None:
                return found
    return None
