"""The counting rules, as pure functions: leadership votes (DEC-5) and village assemblies (DEC-10)."""

from __future__ import annotations

from dataclasses import dataclass


def _half(n: int) -> str:
    return f"{n // 2}" if n % 2 == 0 else f"{n / 2:.1f}"


def passes(yes: int, expected: int) -> bool:
    """附件8 二7: 赞成票超过应到会人数的半数为通过 — of those who SHOULD attend, not those present."""
    return 2 * yes > expected


def outcome_text(yes: int, expected: int) -> str:
    if passes(yes, expected):
        return f"赞成 {yes} 票 > 应到 {expected} 人的一半 {_half(expected)}，通过"
    return f"赞成 {yes} 票 ≤ 应到 {expected} 人的一半 {_half(expected)}，未通过"


def has_quorum(present: int, expected: int) -> bool:
    """A leadership meeting may vote only with more than half of its members present: the seed
    (附件8 二7) counts votes against 应到会人数, so fewer present could never pass anything, and
    附件8 一1 wants a real meeting (集体讨论决定), not a rump."""
    return 2 * present > expected


@dataclass(frozen=True)
class AssemblyOutcome:
    quorate: bool
    passed: bool
    text: str


def village_assembly(kind: str, eligible: int, attended: int, yes: int) -> AssemblyOutcome:
    """《村民委员会组织法》第二十二条: 村民会议 needs more than half of the adult villagers, or two
    thirds or more of the households' representatives; 第二十六条: 村民代表会议 needs two thirds or
    more of its members. Both decide by more than half of those present."""
    if kind == "villagers":
        quorate, need = 2 * attended > eligible, f"过半数（应到 {eligible} 人）"
    elif kind == "households":
        quorate, need = 3 * attended >= 2 * eligible, f"三分之二以上的户（共 {eligible} 户）"
    elif kind == "representatives":
        quorate, need = 3 * attended >= 2 * eligible, f"三分之二以上组成人员（共 {eligible} 人）"
    else:
        raise ValueError(kind)
    if not quorate:
        return AssemblyOutcome(False, False, f"实到 {attended}，未达到{need}，会议不能召开")
    passed = 2 * yes > attended
    verdict = "通过" if passed else "未通过"
    sign = ">" if passed else "≤"
    return AssemblyOutcome(
        True,
        passed,
        f"实到 {attended}（{need}）；赞成 {yes} {sign} 到会人数的一半 {_half(attended)}，{verdict}",
    )
