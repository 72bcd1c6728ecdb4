"""The transparency log: append-only Merkle tree, signed checkpoints, proofs, verify (AUD-1, AUD-2).

Other apps write with `from wuquan.ledger import record`; event subscribers may keep data
that only ever changes with a recorded event in `cached_under_lock` (see ledger.services).
"""


def record(actor, action, subject=None, payload=None, at=None):
    from .services import record as _record

    return _record(actor, action, subject, payload, at)


def cached_under_lock(key, load):
    from .services import cached_under_lock as _cached

    return _cached(key, load)


def forget(key):
    from .services import forget as _forget

    _forget(key)


def record_many(entries, at=None):
    from .services import record_many as _record_many

    return _record_many(entries, at)


def next_index():
    from .services import next_index as _next_index

    return _next_index()
