"""Reads of the transparency log."""

from .models import Checkpoint, Event


def tree_head() -> tuple[int, bytes]:
    """(size, root) of the current tree; the root is folded from the stored frontier (AUD-2)."""
    from .proofs import current_size, frontier_at

    size = current_size()
    return size, frontier_at(size).root()


def events_for(subject_type: str, subject_id: str):
    return Event.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by(
        "index"
    )


def recent_events(limit: int = 100):
    return Event.objects.order_by("-index")[:limit]


def public_log_summary() -> dict:
    """What the public checkpoints page shows (AUD-2, PUB): head, checkpoints, the key."""
    import base64

    from . import signing

    size, root = tree_head()
    return {
        "size": size,
        "root_hex": root.hex(),
        "root_b64": base64.b64encode(root).decode(),
        "checkpoints": Checkpoint.objects.order_by("-size")[:200],
        "checkpoint_count": Checkpoint.objects.count(),
        # the key the operator published apart from the database, when configured (issue 13)
        "public_key": (signing.published_vkey() or (signing.verifier_key(), ""))[0],
        "origin": signing.key_name(),
    }
