"""The ledger's supervision rules (AUD-2; issue 13 findings 1 and 2).

The ledger never imports supervision: it records `ledger.checkpoint.refused` /
`ledger.witness.refused` and these event checks turn them into red-card alarms on the
commission's board (no unit: the commission's own). Seed: 附件2 二(二)2 (results stand
unless a prescribed procedure changes them) and 二(二)3 (the run of every important power
registered in full). The 等保2.0 audit-record protection clause (GB/T 22239-2019, 安全审计:
protect audit records from unexpected deletion, modification or overwriting) could not be
confirmed with the search tool; it is named here as the intended basis, unverified.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from wuquan.common.rules import SEVERITY_RED, Finding, Rule

from . import events

_WHAT = {
    events.PROBLEM_MISSING: _("上次签发的检查点已从数据库中消失"),
    events.PROBLEM_INCONSISTENT: _("运行记录与上次签发的检查点不一致（历史被改写）"),
    events.PROBLEM_TRUNCATED: _("运行记录比上次签发的检查点短（记录被截断）"),
    events.PROBLEM_BAD_SIGNATURE: _("数据库中的检查点不是本系统密钥所签"),
    events.PROBLEM_KEY_NOT_PUBLISHED: _("签名密钥文件与公布的验证公钥不符（密钥被替换）"),
    events.PROBLEM_WITNESS_AHEAD: _("见证方记录的树比本系统的大（记录被截断）"),
    events.PROBLEM_WITNESS_FORK: _("见证方拒绝一致性证明（历史被改写）"),
    events.PROBLEM_WITNESS_MISMATCH: _("见证方在同一大小下记录了不同的树根（分叉）"),
}


def _refusal(event, thresholds) -> Iterable[Finding]:
    payload = event.payload
    problem = payload.get("problem", "")
    yield Finding(
        subject_type="ledger.checkpoint",
        subject_id=str(payload.get("size", "")),
        message=str(_WHAT.get(problem, problem)),
        inputs=payload,
        event_indices=(event.index,),
        key=f"{event.action}:{problem}:{event.index}",
    )


CHECKPOINT_REFUSED = Rule(
    code="AUD-2-checkpoint-refused",
    name=_("检查点拒签：运行记录与已签发的检查点不一致或检查点缺失"),
    clause="附件2 二(二)2、二(二)3",
    severity=SEVERITY_RED,
    on_actions=(events.CHECKPOINT_REFUSED,),
    check=_refusal,
)
WITNESS_REFUSED = Rule(
    code="AUD-2-witness-refused",
    name=_("见证方拒绝联署：运行记录被截断或分叉"),
    clause="附件2 二(二)2、二(二)3",
    severity=SEVERITY_RED,
    on_actions=(events.WITNESS_REFUSED,),
    check=_refusal,
)

RULES: list[Rule] = [CHECKPOINT_REFUSED, WITNESS_REFUSED]
