"""Inclusion and consistency proofs answered from the stored events (AUD-2).

Any complete aligned subtree [a, a+2^h) of the log can be rebuilt from the rows: a leaf
(h = 0) is the row's `leaf_hash`; a subtree whose end a+2^h has lowbit 2^h was *closed* by
event a+2^h-1, whose `node_hash` is exactly that subtree; otherwise it is
H(left half, right half) where the left half is closed (stored) and the right half recurses.
A proof first walks the tree with a recording stand-in to learn which rows it needs, fetches
them in one query, and walks again with the real hashes.

Tree heads are not stored per row: the head of size n is the fold of the frontier, the
`node_hash` of the ≤ log n events at `Frontier.closing_positions(n)` (`frontier_at`, `root_at`).
"""

from __future__ import annotations

from collections.abc import Callable

from wuquan.common.exceptions import InvalidInput, RuleViolation

from . import merkle
from .models import Event

_Need = tuple[int, str]  # (event index, "leaf_hash" | "node_hash")


def _subtree_needs(lo: int, hi: int, out: set[_Need]) -> None:
    size = hi - lo
    if size == 1:
        out.add((lo, "leaf_hash"))
    elif hi & -hi == size:
        out.add((hi - 1, "node_hash"))
    else:
        half = size // 2
        out.add((lo + half - 1, "node_hash"))
        _subtree_needs(lo + half, hi, out)


def _subtree_from(rows: dict[int, tuple[bytes, bytes]]) -> merkle.SubtreeFn:
    def subtree(lo: int, hi: int) -> bytes:
        size = hi - lo
        if size == 1:
            return rows[lo][0]
        if hi & -hi == size:
            return rows[hi - 1][1]
        half = size // 2
        return merkle.node_hash(rows[lo + half - 1][1], subtree(lo + half, hi))

    return subtree


def _from_store(build: Callable[[merkle.SubtreeFn], list[bytes]]) -> list[bytes]:
    needs: set[_Need] = set()
    dummy = bytes(merkle.HASH_SIZE)

    def record_needs(lo: int, hi: int) -> bytes:
        _subtree_needs(lo, hi, needs)
        return dummy

    build(record_needs)
    indices = {i for i, _ in needs}
    rows = {
        i: (bytes(lh), bytes(nh))
        for i, lh, nh in Event.objects.filter(index__in=indices).values_list(
            "index", "leaf_hash", "node_hash"
        )
    }
    if len(rows) != len(indices):
        raise InvalidInput("运行记录缺少证明所需的节点，请运行 wuquan verify 检查")
    return build(_subtree_from(rows))


def current_size() -> int:
    last = Event.objects.order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def _check_size(size: int, field: str = "tree_size") -> None:
    if size < 0:
        raise InvalidInput("树大小不能为负数", field=field)
    if size > current_size():
        raise InvalidInput(f"树大小 {size} 超过当前记录数", field=field)


def frontier_at(size: int) -> merkle.Frontier:
    """The frontier of the stored tree of `size` events, from one query (AUD-2).

    RuleViolation if a row it needs is missing (a damaged log: `wuquan verify` says where).
    """
    positions = merkle.Frontier.closing_positions(size)
    if not positions:
        return merkle.Frontier()
    nodes = dict(Event.objects.filter(index__in=positions).values_list("index", "node_hash"))
    missing = [p for p in positions if p not in nodes]
    if missing:
        raise RuleViolation(
            f"运行记录缺少树头所需的节点（序号 {missing[0]}），请运行 wuquan verify 检查"
        )
    return merkle.Frontier(size, [bytes(nodes[p]) for p in positions])


def root_at(size: int) -> bytes:
    """The tree head after `size` events (the empty-tree hash for 0), folded from the stored
    frontier: popcount(size) − 1 hashes."""
    _check_size(size)
    return frontier_at(size).root()


def inclusion_proof(index: int, size: int) -> list[bytes]:
    """RFC 6962 audit path for event `index` in the tree of `size` events (AUD-2)."""
    _check_size(size)
    if not 0 <= index < size:
        raise InvalidInput(f"序号 {index} 不在大小为 {size} 的树中", field="index")
    return _from_store(lambda subtree: merkle.inclusion_path(index, size, subtree))


def consistency_proof(size1: int, size2: int) -> list[bytes]:
    """RFC 6962 consistency proof that the size1 tree is a prefix of the size2 tree (AUD-2)."""
    _check_size(size2, "size2")
    if not 0 <= size1 <= size2:
        raise InvalidInput("需要 0 ≤ size1 ≤ size2", field="size1")
    return _from_store(lambda subtree: merkle.consistency_path(size1, size2, subtree))
