"""Salted commitments for personal data and free text in leaves (issue 13, finding 4; AUD-2,
PIPL art. 47 right to deletion).

A leaf is permanent and public; a sensitive payload field never enters it in clear. Each app
declares, in `<app>/events.py`, `SENSITIVE = {action or fnmatch pattern: (field path, …)}`
(a path is dotted keys into the payload, e.g. "inputs" or "fields"). `record()` replaces the
value at each declared path by

    {"$salted_sha256": hex(SHA-256(salt ‖ canonical value))}

where salt is 32 random bytes and the canonical value is the UTF-8 bytes of
`canonical_json(value)` — the leaf encoding (JSON, keys sorted, no spaces, characters not
escaped): a string "张三" is the 8 bytes `"张三"` including its quotes; a dict or list is
committed whole. No Unicode normalisation is applied: the value committed is exactly the
value the service passed. The canonical value and the salt are kept in `Commitment` (an
ordinary, erasable table, keyed by event index and path). Verification of the log needs
neither; `do_erase_commitment` erases both on a lawful request (an event records that it
happened, with a basis code, never the value). Without the salt the commitment cannot be
brute-forced (a mobile number has only ~10^10 values).

`reveal(event)` gives the payload with every committed value that still exists put back
(for staff pages, rules replaying from stored rows and the catalog history); an erased one
reads `ERASED`.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from fnmatch import fnmatchcase
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings

MARKER = "$salted_sha256"
ERASED = "〔已依法删除〕"
SALT_BYTES = 32

_declared: dict[str, tuple[str, ...]] | None = None
_by_action: dict[str, tuple[str, ...]] = {}


def _all_declared() -> dict[str, tuple[str, ...]]:
    """Every app's `events.SENSITIVE`, merged (loaded once)."""
    global _declared
    if _declared is None:
        merged: dict[str, set[str]] = {}
        for app in settings.WUQUAN_APPS:
            name = f"{app}.events"
            if find_spec(name) is None:
                continue
            for pattern, paths in getattr(import_module(name), "SENSITIVE", {}).items():
                merged.setdefault(pattern, set()).update(paths)
        _declared = {k: tuple(sorted(v)) for k, v in merged.items()}
        _by_action.clear()
    return _declared


def sensitive_paths(action: str) -> tuple[str, ...]:
    found = _by_action.get(action)
    if found is None:
        paths: set[str] = set()
        for pattern, declared in _all_declared().items():
            if pattern == action or fnmatchcase(action, pattern):
                paths.update(declared)
        found = _by_action[action] = tuple(sorted(paths))
    return found


def digest(salt: bytes, value_text: str) -> bytes:
    return hashlib.sha256(salt + value_text.encode("utf-8")).digest()


def is_commitment(value) -> bool:
    return isinstance(value, dict) and len(value) == 1 and MARKER in value


def apply(action: str, payload: dict) -> tuple[dict, list[tuple[str, bytes, str, bytes]]]:
    """(the payload for the leaf, [(path, salt, canonical value, digest)]). The caller's
    payload is not changed; only the dicts on a committed path are copied."""
    from .services import canonical_json

    paths = sensitive_paths(action)
    if not paths or not payload:
        return payload, []
    out = copy.copy(payload)
    openings = []
    for path in paths:
        keys = path.split(".")
        node = out
        for key in keys[:-1]:
            child = node.get(key) if isinstance(node, dict) else None
            if not isinstance(child, dict):
                node = None
                break
            node[key] = child = copy.copy(child)
            node = child
        last = keys[-1]
        if not isinstance(node, dict) or node.get(last) is None or is_commitment(node[last]):
            continue
        text = canonical_json(node[last])
        salt = secrets.token_bytes(SALT_BYTES)
        d = digest(salt, text)
        node[last] = {MARKER: d.hex()}
        openings.append((path, salt, text, d))
    return out, openings


def _set(payload: dict, path: str, value) -> None:
    keys = path.split(".")
    node = payload
    for key in keys[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict) and keys[-1] in node:
        node[keys[-1]] = value


def _get(payload: dict, path: str):
    node = payload
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def reveal(index: int, payload: dict) -> dict:
    """`payload` (a leaf's) with the committed values of event `index` put back."""
    import json

    from .models import Commitment

    out = copy.deepcopy(payload)
    for c in Commitment.objects.filter(event_index=index):
        _set(out, c.field, ERASED if c.value is None else json.loads(c.value))
    return out


def openings(event) -> list[dict]:
    """What a staff page shows for each committed field of `event`: the path, the leaf's
    commitment, the value (None if erased) and whether SHA-256(salt ‖ value) matches it."""
    from .models import Commitment

    payload = event.data.get("payload", {})
    rows = {c.field: c for c in Commitment.objects.filter(event_index=event.index)}
    out = []
    for path in sorted(rows):
        c = rows[path]
        in_leaf = _get(payload, path)
        leaf_hex = in_leaf.get(MARKER) if is_commitment(in_leaf) else None
        matches = None
        if c.value is not None and c.salt is not None and leaf_hex is not None:
            matches = digest(bytes(c.salt), c.value).hex() == leaf_hex
        out.append(
            {
                "field": path,
                "commitment": leaf_hex,
                "value": c.value,
                "salt_hex": bytes(c.salt).hex() if c.salt is not None else None,
                "matches": matches,
                "erased_at": c.erased_at,
                "commitment_row": c,
            }
        )
    return out
