"""Rate limits in the shared cache (issue 13 finding 8): the database cache, or Redis when
REDIS_URL is set (settings.CACHES), so every worker and every restart sees the same counts.

A window of `seconds` holds `limit` slots; each allowed attempt takes one slot with
`cache.add`, which is atomic on both backends (an INSERT on the primary key of the cache table;
Redis SET NX) — unlike `incr` on the database cache, a read then a write that loses counts
when two workers race. A hint key remembers how many slots are taken so a busy key costs one
or two queries, not `limit`.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import caches

from .exceptions import RuleViolation


def _shared():
    """The cache every worker shares (settings.CACHES["shared"]: the database or Redis)."""
    return caches["shared"]


class RateLimited(RuleViolation):
    status_code = 429


def _bucket(scope: str, key: str, seconds: int, now: float) -> str:
    digest = hashlib.sha256(f"{scope}\x1f{key}".encode()).hexdigest()[:24]
    return f"rl:{scope}:{digest}:{int(now // seconds)}"


def take(
    scope: str, key: str, *, limit: int, seconds: int = 3600, now: float | None = None
) -> bool:
    """Take one slot for `key` in `scope`; False when the window's `limit` is used up."""
    if limit <= 0:
        return False
    bucket = _bucket(scope, key or "unknown", seconds, time.time() if now is None else now)
    ttl = seconds + 60
    with _one_write():
        start = int(_shared().get(f"{bucket}:n") or 0) + 1
        for slot in range(start, limit + 1):
            if _shared().add(f"{bucket}:{slot}", 1, timeout=ttl):
                _shared().set(f"{bucket}:n", slot, timeout=ttl)
                return True
    return False


def _one_write():
    """On the database cache, the slot and its hint in one transaction: one commit, and on
    SQLite one turn of the single write lock instead of two (bench/portal_pages.py: two
    workers' lookups queued behind each other's commits); on Redis nothing to wrap."""
    from contextlib import nullcontext

    from django.core.cache.backends.db import DatabaseCache
    from django.db import router, transaction

    cache = _shared()
    if not isinstance(cache, DatabaseCache):
        return nullcontext()
    return transaction.atomic(using=router.db_for_write(cache.cache_model_class))


def used(
    scope: str, key: str, *, limit: int, seconds: int = 3600, now: float | None = None
) -> bool:
    """True when `key` has used up its `limit` in the current window (takes nothing)."""
    bucket = _bucket(scope, key or "unknown", seconds, time.time() if now is None else now)
    return (
        int(_shared().get(f"{bucket}:n") or 0) >= limit
        or _shared().get(f"{bucket}:{limit}") is not None
    )


def require(scope: str, key: str, *, limit: int, seconds: int = 3600, message, now=None) -> None:
    """`take`, raising RateLimited(message) (HTTP 429) when the limit is used up."""
    if not take(scope, key, limit=limit, seconds=seconds, now=now):
        raise RateLimited(message)
