"""One case history, played two ways: through the live services (users at the window and on
the posts) and as a `wuquan import` line — for the one-write-path tests (AUD-1, APR-2, SUP-2).

A `Story` is the facts of a case in the sample world (approvals.sample): when it came in,
its site area (the conditional site check), how long each step took, a pause (补正 or a
special procedure) before one of the steps, a catalog fee, the decision, and how far it got.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wuquan.approvals import services
from wuquan.approvals.models import Case, StepState
from wuquan.org.selectors import person_of

# the sample flow's steps: who does each (a key of World.users)
WHO = {
    "窗口受理": "window",
    "承办审查": "chengban",
    "消防会审": "xf",
    "现场核查": "chengban",
    "科长审核": "shenhe",
    "分管领导审批": "deputy",
    "制证送达": "window",
}
OPINION = "符合法定条件"
ACCEPT_NOTE = "材料齐全，予以受理"
DENY_REASON = "不符合法定条件"


@dataclass
class Pause:
    before: int  # index in the story's steps: the pause starts 1 h after the previous action
    kind: str  # supplement | hearing
    hours: int


@dataclass
class Story:
    start: datetime
    area: int = 100
    parallel_first: str = "承办审查"
    gaps: list[int] = field(default_factory=lambda: [20] * 7)  # hours before each step
    pause: Pause | None = None
    fee: bool = False
    decision: str = "approve"
    done: int = 99  # how many steps after acceptance are done

    def steps(self) -> list[str]:
        pair = ["承办审查", "消防会审"]
        if self.parallel_first != pair[0]:
            pair.reverse()
        site = ["现场核查"] if self.area > 500 else []
        return [*pair, *site, "科长审核", "分管领导审批", "制证送达"][: self.done]

    def timeline(self):
        """(time, what, step name) in order: 'accept', 'suspend', 'resume', 'step', 'fee'."""
        t = self.start + timedelta(minutes=30)
        out = [(t, "accept", "窗口受理")]
        for k, name in enumerate(self.steps()):
            if self.pause is not None and self.pause.before == k:
                t += timedelta(hours=1)
                out.append((t, "suspend", None))
                t += timedelta(hours=self.pause.hours)
                out.append((t, "resume", None))
            t += timedelta(hours=self.gaps[k % len(self.gaps)], minutes=7)
            out.append((t, "step", name))
            if name == "分管领导审批" and self.fee:
                out.append((t + timedelta(minutes=10), "fee", None))
        return out


def _ready(case, name):
    return case.steps.get(name=name, state__in=(StepState.READY, StepState.CLAIMED))


def play_live(world, story: Story, files) -> Case:
    """The story through the live services, each act by the user on its post."""
    u = world.users
    case = services.do_submit_application(
        world.item,
        applicant_name="龙潭小吃店",
        data={"area_sqm": story.area},
        files=files(),
        at=story.start,
    ).case
    for when, what, name in story.timeline():
        case.refresh_from_db()
        if what == "accept":
            services.do_accept_case(case, {}, ACCEPT_NOTE, actor=u["window"], at=when)
        elif what == "suspend":
            services.do_suspend_case(
                case,
                story.pause.kind,
                "请补正" if story.pause.kind == "supplement" else "组织听证",
                ["食品经营许可申请书"] if story.pause.kind == "supplement" else [],
                actor=u["window"],
                at=when,
            )
        elif what == "resume":
            services.do_resume_case(case, actor=u["window"], at=when)
        elif what == "fee":
            services.do_charge_fee(case, world.fee, "10.00", actor=u["window"], at=when)
        else:
            decide = name == "分管领导审批"
            services.do_complete_step(
                _ready(case, name),
                OPINION,
                actor=u[WHO[name]],
                decision=story.decision if decide else "",
                reason=DENY_REASON if decide and story.decision == "deny" else "",
                certificate_no="ZS-0001" if decide else "",
                at=when,
            )
    case.refresh_from_db()
    return case


def _code(world, key):
    return person_of(world.users[key]).code


def import_line(world, story: Story, ref: str) -> str:
    """The same story as a line of the exchange format (docs/exchange-format.md)."""
    iso = datetime.isoformat
    tl = story.timeline()
    steps = []
    for when, what, name in tl:
        if what in ("accept", "step"):
            row = next(r for r in world_rows() if r["name"] == name)
            steps.append(
                {
                    **row,
                    "person": _code(world, WHO[name]),
                    "opinion": ACCEPT_NOTE if what == "accept" else OPINION,
                    "completed_at": iso(when),
                }
            )
    pauses = []
    if any(what == "suspend" for _w, what, _n in tl):
        start = next(w for w, what, _n in tl if what == "suspend")
        end = next(w for w, what, _n in tl if what == "resume")
        pauses.append(
            {
                "kind": story.pause.kind,
                "reason": "请补正" if story.pause.kind == "supplement" else "组织听证",
                "from": iso(start),
                "to": iso(end),
                "demanded": ["食品经营许可申请书"] if story.pause.kind == "supplement" else [],
                "by": "t-window",
                "resumed_by": "t-window",
            }
        )
    decided = next((w for w, what, n in tl if n == "分管领导审批" and what == "step"), None)
    line = {
        "type": "case",
        "ref": ref,
        "item": world.item.code,
        "applicant_name": "龙潭小吃店",
        "data": {"area_sqm": story.area},
        "submitted_at": iso(story.start),
        "accepted_at": iso(tl[0][0]),
        "result": ("approved" if story.decision == "approve" else "denied") if decided else "",
        "result_reason": DENY_REASON if decided and story.decision == "deny" else "",
        "result_at": iso(decided) if decided else None,
        "certificate_no": "ZS-0001" if decided and story.decision == "approve" else "",
        "steps": steps,
        "suspensions": pauses,
        "fees": [
            {"fee": world.fee.code, "amount": "10.00", "at": iso(w), "by": "t-window"}
            for w, what, _n in tl
            if what == "fee"
        ],
    }
    return json.dumps(line, ensure_ascii=False)


def world_rows():
    from wuquan.approvals.sample import ROWS

    return [{"name": r[0], "kind": r[1], "unit": r[3], "post": r[4]} for r in ROWS]
