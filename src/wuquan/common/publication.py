"""The shape of a published thing, shared by the apps that publish and the portal that lists
them (disclosure/sources.py). Kept here, below every app, so that a domain app can describe
what it publishes without importing the portal (ARCHITECTURE.md: dependencies point one way)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Target:
    """A published thing that questions and suggestions can be left beside (PUB-11)."""

    key: str  # "<kind>:<id>"
    kind: str
    title: str
    owner: object  # the org.Unit that answers
    url: str = ""


@dataclass(frozen=True)
class PublicItem:
    """One published disclosure, as the portal's search and Atom feeds list it."""

    kind: str  # a stable code, e.g. "bulletin", "decision"
    kind_label: str
    title: str
    unit_code: str
    unit_name: str
    published_at: datetime
    url: str
    summary: str = ""
    key: str = ""
