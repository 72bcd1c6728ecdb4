"""The ledger's own event names and payload builders, and its sensitivity mapping (AUD-2;
issue 13). Payloads hold only sizes, codes and digests, never free text."""

from __future__ import annotations

# finding 1: the signer refused to sign a head (its previous checkpoint is missing, or the
# tree is not an extension of it); supervision turns it into an alarm for the commission
CHECKPOINT_REFUSED = "ledger.checkpoint.refused"
# finding 2: a witness refused our checkpoint (409 with a larger size: truncation; 422: fork)
WITNESS_REFUSED = "ledger.witness.refused"
# finding 4: a committed value and its salt were erased on a lawful request (PIPL art. 47)
COMMITMENT_ERASED = "ledger.commitment.erased"

# why the problem codes: an alarm names what happened without free text in the leaf
PROBLEM_MISSING = "previous-checkpoint-missing"
PROBLEM_INCONSISTENT = "inconsistent-with-previous"
PROBLEM_TRUNCATED = "log-shorter-than-signed"
PROBLEM_BAD_SIGNATURE = "stored-checkpoint-not-signed-by-us"
PROBLEM_KEY_NOT_PUBLISHED = "signing-key-is-not-the-published-key"
PROBLEM_WITNESS_AHEAD = "witness-has-a-larger-tree"
PROBLEM_WITNESS_FORK = "witness-rejects-consistency-proof"
PROBLEM_WITNESS_MISMATCH = "witness-has-another-root-at-this-size"

# no field of the ledger's own events is sensitive
SENSITIVE: dict[str, tuple[str, ...]] = {}


def checkpoint_refused(problem: str, size: int, last_size: int | None) -> dict:
    return {"problem": problem, "size": size, "last_size": last_size}


def witness_refused(problem: str, witness: str, status: int, size: int, witness_size) -> dict:
    return {
        "problem": problem,
        "witness": witness,
        "status": status,
        "size": size,
        "witness_size": witness_size,
    }


def commitment_erased(event_index: int, field: str, basis: str) -> dict:
    return {"event": event_index, "field": field, "basis": basis}
