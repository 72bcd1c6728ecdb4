"""Discovery of the per-app plug-in modules personnel reads by convention, like rules.py:

- `<app>/cadre_file.py` with `sections(person, as_of) -> list[dict]` feeds the supervision file
  of a cadre (PER-6);
- `<app>/parties.py` with `parties(as_of) -> Iterable[dict]` feeds the conflict-of-interest
  index (index.py).

Looping over settings.WUQUAN_APPS keeps the dependency direction: personnel never names
`supervision` (or procurement, collective, invest); an app that offers the module is read,
one added later plugs in without changing personnel (docs/decisions/0071)."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings


def modules(name: str) -> list:
    found = []
    for app in settings.WUQUAN_APPS:
        dotted = f"{app}.{name}"
        try:
            spec = find_spec(dotted)
        except ModuleNotFoundError:
            spec = None
        if spec is not None:
            found.append(import_module(dotted))
    return found
