"""RFC 6962 / RFC 9162 Merkle-tree hashing, proofs and proof verification over bytes.

Plain functions, no Django. Leaf hash = SHA-256(0x00 ‖ data); node = SHA-256(0x01 ‖ l ‖ r).
Proof generation takes a `subtree(lo, hi)` callable that returns the hash of the complete,
aligned range [lo, hi) — the ledger answers it from stored nodes; `root()` answers it from a
list. Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 and accepts exactly the valid
vectors of transparency-dev/merkle (tests/ledger/vectors).
"""

from collections.abc import Callable, Sequence
from hashlib import sha256

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify; the message says why."""


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_aligned_subtree(lo: int, hi: int) -> bool:
    size = hi - lo
    return size > 0 and size & (size - 1) == 0 and lo % size == 0


SubtreeFn = Callable[[int, int], bytes]


def range_hash(lo: int, hi: int, subtree: SubtreeFn) -> bytes:
    """MTH of leaves [lo, hi): complete aligned ranges come from `subtree`, others are split."""
    if _is_aligned_subtree(lo, hi):
        return subtree(lo, hi)
    k = _split(hi - lo)
    return node_hash(range_hash(lo, lo + k, subtree), range_hash(lo + k, hi, subtree))


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash of a list of leaf hashes (RFC 6962 §2.1)."""
    if not leaf_hashes:
        return EMPTY_ROOT

    def subtree(lo: int, hi: int) -> bytes:
        if hi - lo == 1:
            return leaf_hashes[lo]
        k = (hi - lo) // 2
        return node_hash(subtree(lo, lo + k), subtree(lo + k, hi))

    return range_hash(0, len(leaf_hashes), subtree)


def inclusion_path(index: int, size: int, subtree: SubtreeFn) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1 for leaf `index` in a tree of `size` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    proof: list[bytes] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            proof.append(range_hash(lo + k, hi, subtree))
            hi = lo + k
        else:
            proof.append(range_hash(lo, lo + k, subtree))
            lo, m = lo + k, m - k
    proof.reverse()
    return proof


def consistency_path(size1: int, size2: int, subtree: SubtreeFn) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2 between tree sizes size1 ≤ size2."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == 0 or size1 == size2:
        return []
    proof: list[bytes] = []
    lo, hi, m, complete = 0, size2, size1, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(range_hash(lo + k, hi, subtree))
            hi = lo + k
        else:
            proof.append(range_hash(lo, lo + k, subtree))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        proof.append(range_hash(lo, hi, subtree))
    proof.reverse()
    return proof


# --- verification (RFC 9162 §2.1.3.2, §2.1.4.2) -------------------------------------------


def _decompose(index: int, size: int) -> tuple[int, int]:
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1 == 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def _check_hashes(*hashes: bytes) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise ProofError(f"hash of {len(h)} bytes, expected {HASH_SIZE}")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if index < 0 or index >= size:
        raise ProofError(f"index {index} is beyond the tree size {size}")
    _check_hashes(leaf, *proof)
    inner, border = _decompose(index, size)
    if len(proof) != inner + border:
        raise ProofError(f"wrong proof size {len(proof)}, want {inner + border}")
    res = _chain_inner(leaf, proof[:inner], index)
    return _chain_border_right(res, proof[inner:])


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Raise ProofError unless `proof` shows leaf hash `leaf` at `index` under `root_hash`."""
    _check_hashes(root_hash)
    calculated = root_from_inclusion(index, size, leaf, proof)
    if calculated != root_hash:
        raise ProofError("calculated root differs from the given root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless `proof` shows the size1 tree is a prefix of the size2 tree."""
    if size2 < size1:
        raise ProofError(f"size2 ({size2}) < size1 ({size1})")
    _check_hashes(*proof)
    if size1 == 0:
        # why: every tree extends the empty tree, so such a "proof" proves nothing; the
        # transparency-dev vectors require it to be refused rather than accepted.
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if size1 == size2:
        if proof:
            raise ProofError("size1 == size2 but the proof is not empty")
        if root1 != root2:
            raise ProofError("equal sizes with different roots")
        return
    if not proof:
        raise ProofError("empty proof")
    _check_hashes(root1, root2)
    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    if size1 == 1 << shift:
        seed, start = root1, 0
    else:
        seed, start = proof[0], 1
    if len(proof) != start + inner + border:
        raise ProofError(f"wrong proof size {len(proof)}, want {start + inner + border}")
    rest = proof[start:]
    mask = (size1 - 1) >> shift
    hash1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    if hash1 != root1:
        raise ProofError("proof does not lead to root1")
    hash2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    if hash2 != root2:
        raise ProofError("proof does not lead to root2")


class Frontier:
    """The right edge of a growing tree: hashes of its maximal complete subtrees, left to right.

    `append` is O(log n) and returns the hash of the complete subtree that the new leaf closes
    (what the ledger stores per event, so any aligned subtree can be rebuilt from the store).
    """

    __slots__ = ("size", "hashes")

    def __init__(self, size: int = 0, hashes: list[bytes] | None = None):
        self.size = size
        self.hashes = list(hashes or [])

    def append(self, leaf: bytes) -> bytes:
        h = leaf
        n = self.size
        while n & 1:
            h = node_hash(self.hashes.pop(), h)
            n >>= 1
        self.hashes.append(h)
        self.size += 1
        return h

    def copy(self) -> "Frontier":
        return Frontier(self.size, self.hashes)

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        h = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            h = node_hash(left, h)
        return h

    @staticmethod
    def closing_positions(size: int) -> list[int]:
        """Indices of the events whose stored node hashes form the frontier of `size`."""
        positions, end = [], 0
        for bit in reversed(range(size.bit_length())):
            if size >> bit & 1:
                end += 1 << bit
                positions.append(end - 1)
        return positions


# --- proofs from the store (the Django side lives in ledger.proofs; imported lazily so this
# module stays free of Django for tools that only verify) -----------------------------------


def inclusion_proof(index: int, size: int) -> list[bytes]:
    """Audit path for stored event `index` in the stored tree of `size` events."""
    from .proofs import inclusion_proof as from_store

    return from_store(index, size)


def consistency_proof(size1: int, size2: int) -> list[bytes]:
    """Consistency proof between two sizes of the stored tree."""
    from .proofs import consistency_proof as from_store

    return from_store(size1, size2)


def is_consistent(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """`verify_consistency` as a yes/no answer."""
    try:
        verify_consistency(size1, size2, root1, root2, proof)
    except ProofError:
        return False
    return True
