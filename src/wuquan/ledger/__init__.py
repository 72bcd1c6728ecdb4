"""The transparency log: append-only Merkle tree, signed checkpoints, proofs, verify (AUD-1, AUD-2).

Other apps write with `from wuquan.ledger import record`.
"""


def record(actor, action, subject=None, payload=None, at=None):
    from .services import record as _record

    return _record(actor, action, subject, payload, at)
