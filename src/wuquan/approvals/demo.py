"""Demo cases (APR-*): a month of applications over the catalog's demo items, driven through
the services with their own timestamps (no HTTP), in time order so the ledger reads like a
real month: most on time, some with 补正, some overdue, some still open — and a few deliberate
rule breaches for supervision to find (`breaches()` lists them by subject).

Idempotent: when the demo cases exist, nothing is added and the same breach list is printed.
"""

from __future__ import annotations

import heapq
import random
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from wuquan.catalog.models import ApprovalItem, FlowStatus
from wuquan.org import roles
from wuquan.org.models import Person, Post
from wuquan.org.services import do_appoint, ensure_staff
from wuquan.workdays.calendar import add_working_days, is_working_day

from . import engine, exchange, services
from .models import Case, CaseStep, Channel, StepState

SEED = 20261129
DEMO_PREFIX = "demo-"
CASES_PER_DAY = (3, 6)  # ~100 cases over 22 working days: enough for every figure, a quick demo

# Breaches (subject = ledger subject of the event a rule should flag)
SAME_PERSON_UNIT = "weijian"  # its 审核员 acts as deputy for a few days: reviews and approves
HEAD_UNIT = "chengguan"  # its head acts as approving deputy: head approving (hands-off area)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _user_for_post(post_id: int, on: date, cache: dict):
    key = post_id
    if key not in cache:
        person = (
            Person.objects.filter(appointments__post_id=post_id, user__isnull=False)
            .select_related("user")
            .order_by("appointments__start")
            .first()
        )
        cache[key] = person.user if person else None
    return cache[key]


def breaches() -> dict[str, list[list[str]]]:
    """The deliberate breaches of the demo as ledger subjects [type, id], by kind (for the
    supervision tests): same person reviewed and approved; head approved in a hands-off area;
    fee outside the catalog; result without acceptance; step by someone not holding its post."""
    out: dict[str, list[list[str]]] = {
        "same_person_review_and_approve": [],
        "head_approves_hands_off_area": [],
        "fee_not_in_catalog": [],
        "result_without_acceptance": [],
        "step_without_post": [],
    }
    for case in Case.objects.filter(source_ref__startswith=f"{DEMO_PREFIX}breach-").order_by("id"):
        kind = case.source_ref.split("breach-", 1)[1].rsplit("-", 1)[0]
        if kind == "same_person_review_and_approve":
            step = case.steps.get(kind="审批")
            out[kind].append(["approvals.casestep", str(step.pk)])
        elif kind == "head_approves_hands_off_area":
            step = case.steps.get(kind="审批")
            out[kind].append(["approvals.casestep", str(step.pk)])
        elif kind == "fee_not_in_catalog":
            for ch in case.charges.all():
                out[kind].append(["approvals.charge", str(ch.pk)])
        elif kind == "result_without_acceptance":
            out[kind].append(["approvals.case", str(case.pk)])
        elif kind == "step_without_post":
            step = case.steps.exclude(kind="受理").order_by("id").first()
            out[kind].append(["approvals.casestep", str(step.pk)])
    return out


def load(stdout=None) -> dict:
    if Case.objects.filter(source_ref__startswith=DEMO_PREFIX).exists():
        found = breaches()
        _report(
            stdout,
            Case.objects.filter(source_ref__startswith=DEMO_PREFIX).count(),
            found,
            again=True,
        )
        return found
    with transaction.atomic():
        n = _simulate(timezone.now())
    found = breaches()
    _report(stdout, n, found)
    return found


def summary(stdout=None) -> tuple[str, str] | None:
    """After the demo loads: a receipt number and a working query code to try on the portal
    (issue 12, finding 3). The code is re-issued through the window's service (identity checked
    against the case, recorded like any re-issue), since only its hash is stored."""
    from django.contrib.auth import get_user_model

    window = get_user_model().objects.filter(username="window").first()
    case = (
        Case.objects.filter(source_ref__startswith=DEMO_PREFIX, receipt_no__isnull=False)
        .exclude(applicant_id_number="")
        .order_by("-accepted_at")
        .first()
    )
    if window is None or case is None:
        return None
    with transaction.atomic():
        code = services.do_reissue_query_code(
            case, id_number=case.applicant_id_number, actor=window, send_sms=False
        )
    if stdout is not None:
        stdout.write(
            f"办件查询演示 try the lookup: 受理编号 {case.receipt_no}  查询码 {code}  "
            "→ /gk/approvals/lookup/"
        )
    return case.receipt_no, code


def _report(stdout, n, found, again=False):
    if stdout is None:
        return
    stdout.write(f"审批办件：{n} 件{'（已存在，未重复生成）' if again else ''}")
    for kind, subjects in found.items():
        stdout.write(f"  故意违规 {kind}: " + ", ".join(f"{t}:{i}" for t, i in subjects))


def _working_days_back(today: date, n: int) -> list[date]:
    days, d = [], today - timedelta(days=1)
    while len(days) < n:
        if is_working_day(d):
            days.append(d)
        d -= timedelta(days=1)
    return sorted(days)


def _acting(person_user, post: Post, start: date, end: date):
    person = Person.objects.get(user=person_user)
    if not post.appointments.filter(person=person).exists():
        do_appoint(person, post, start, actor="system:demo", end=end)


def _simulate(now: datetime) -> int:
    rng = random.Random(SEED)
    today = timezone.localdate(now)
    days = _working_days_back(today, 22)
    items = [
        it
        for it in ApprovalItem.objects.filter(flows__status=FlowStatus.PUBLISHED)
        .select_related("unit")
        .distinct()
        .order_by("code")
    ]
    if not items:
        return 0
    window = ensure_staff("window", "窗口受理员 李娜", None, [roles.WINDOW])
    users: dict = {}
    # breach set-up: acting appointments (代理) in the middle of the month
    mid = days[len(days) // 2]
    acting_end = days[min(len(days) - 1, len(days) // 2 + 4)]
    same_unit_items = [it for it in items if it.unit.code == SAME_PERSON_UNIT]
    head_items = [it for it in items if it.unit.code == HEAD_UNIT]
    reviewer = (
        Person.objects.filter(
            appointments__post__unit__code=SAME_PERSON_UNIT, appointments__post__code="shenhe"
        )
        .exclude(user=None)
        .first()
    )
    deputy_same = Post.objects.filter(unit__code=SAME_PERSON_UNIT, code="deputy-1").first()
    head_post = Post.objects.filter(unit__code=HEAD_UNIT, is_head=True).first()
    deputy_head = Post.objects.filter(unit__code=HEAD_UNIT, code="deputy-1").first()
    head_user = None
    if head_post is not None:
        head_user = ensure_staff(f"{HEAD_UNIT}-head", "城管局局长 郑国栋", head_post, [roles.HEAD])
    if reviewer and deputy_same:
        _acting(reviewer.user, deputy_same, mid, acting_end)
    if head_user and deputy_head:
        _acting(head_user, deputy_head, mid, acting_end)

    queue: list = []
    seq = 0

    def push(when, action, case_id, **kw):
        nonlocal seq
        seq += 1
        heapq.heappush(queue, (when, seq, action, case_id, kw))

    plans: dict[int, dict] = {}
    count = 0
    planted: set[str] = set()
    for d in days:
        for _k in range(rng.randint(*CASES_PER_DAY)):
            item = rng.choice(items)
            plan = {
                "overdue": rng.random() < 0.08,
                "supplement": rng.random() < 0.12,
                "deny": rng.random() < 0.08,
                "refuse": rng.random() < 0.04,
                "breach": None,
            }
            if d == mid and same_unit_items and "same" not in planted:
                item, plan["breach"] = same_unit_items[0], "same"
                planted.add("same")
            elif d == mid and head_items and "head" not in planted:
                item, plan["breach"] = head_items[0], "head"
                planted.add("head")
            if plan["breach"]:
                plan.update(overdue=False, supplement=False, deny=False, refuse=False)
            submitted = _at(d, rng.randint(8, 15), rng.choice((0, 10, 20, 30, 40, 50)))
            push(submitted, "submit", 0, item=item, plan=plan, online=rng.random() < 0.6)

    while queue:
        when, _s, action, case_id, kw = heapq.heappop(queue)
        if when > now:
            continue  # still to come: the case stays open at this step
        if action == "submit":
            case = _submit(kw["item"], kw["online"], kw["plan"], window, rng, when)
            plans[case.pk] = kw["plan"]
            count += 1
            accept_at = (
                when + timedelta(minutes=20)
                if not kw["online"]
                else _at(add_working_days(when, 1), 9, 15)
            )
            push(accept_at, "accept", case.pk)
            continue
        case = Case.objects.select_related("item", "flow").get(pk=case_id)
        plan = plans[case_id]
        if action == "accept":
            if plan["refuse"]:
                services.do_refuse_case(
                    case,
                    "申请事项不属于本机关职权范围，已告知向有关机关申请",
                    actor=window,
                    at=when,
                )
                continue
            marks = {
                cm.material_id: "provided" if cm.status == "missing" else cm.status
                for cm in case.materials.all()
            }
            services.do_accept_case(case, marks, actor=window, at=when)
            _schedule(case, when, plan, push, rng)
        elif action == "step":
            step = CaseStep.objects.select_related("post").get(pk=kw["step"])
            if step.state not in (StepState.READY, StepState.CLAIMED):
                continue
            if case.status == "suspended":
                push(when + timedelta(days=1), "step", case.pk, step=step.pk)  # wait for 补正
                continue
            if plan["supplement"] and step.kind == "审查" and not plan.get("supplemented"):
                plan["supplemented"] = True
                material = case.item.materials.filter(reuse="none").order_by("sort").last()
                user = _user_for_post(step.post_id, when.date(), users)
                services.do_suspend_case(
                    case,
                    "supplement",
                    f"{material.name}内容不完整，请补正",
                    [material.pk],
                    actor=user,
                    at=when,
                )
                back = when + timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 5))
                push(back, "resume", case.pk, step=step.pk, material=material.pk)
                continue
            user = _user_for_post(step.post_id, when.date(), users)
            if plan["breach"] == "same" and step.kind in ("审核", "审批"):
                user = reviewer.user
            if plan["breach"] == "head" and step.kind == "审批":
                user = head_user
            if user is None:
                continue
            kind = step.kind
            if kind in services.DECISION_KINDS:
                deny = plan["deny"]
                services.do_complete_step(
                    step,
                    "经审查，不符合法定条件" if deny else "符合法定条件，准予许可",
                    actor=user,
                    decision="deny" if deny else "approve",
                    reason="经审查，不符合法定条件" if deny else "",
                    at=when,
                )
            elif kind == "送达":
                fee = case.item.fees.first()
                if fee is not None and case.result == "approved":
                    services.do_charge_fee(
                        case,
                        fee,
                        fee.amount,
                        actor=window,
                        at=when - timedelta(minutes=5),
                    )
                services.do_complete_step(step, "已送达申请人", actor=user, at=when)
            else:
                services.do_complete_step(step, OPINIONS.get(kind, "同意"), actor=user, at=when)
            case.refresh_from_db()
            _schedule(case, when, plan, push, rng)
        elif action == "resume":
            services.do_resume_case(
                case,
                "已补正",
                actor=f"applicant:{case.number}",
                files={kw["material"]: ContentFile(b"%PDF-1.4 demo", name="supplement.pdf")},
                at=when,
            )
            push(when + timedelta(hours=2), "step", case.pk, step=kw["step"])
    _legacy(days, items, window)
    return count + 4


def _demo_id_number(name: str) -> str:
    """A well-formed resident ID (region 220203 = 吉林市龙潭区, checksum by python-stdnum) for a
    demo applicant, the same for the same name (so repeated applications stay the same person
    for APR-1), so the window's identity check before re-issuing a code can be tried."""
    import hashlib

    from stdnum.cn import ric

    n = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    # why 1985+: stdnum knows region 220203 only from 1983 on
    body = f"22020319{85 + n % 10}{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 997:03d}"
    return body + ric.calc_check_digit(body + "0")  # why: it reads the first 17 of 18


def _submit(item, online, plan, window, rng, when):
    version = item.published_flow()
    data = {}
    for name, kind in engine.condition_fields(version).items():
        data[name] = (
            rng.random() < 0.4 if kind == "bool" else rng.choice((80, 150, 300, 600, 1200, 150000))
        )
    files = {}
    if online:
        files = {
            m.pk: ContentFile(b"%PDF-1.4 demo", name=f"m{m.pk}.pdf")
            for m in item.materials.all()
            if m.reuse == "none"
        }
    name = rng.choice(APPLICANTS)
    case = services.do_submit_application(
        item,
        applicant_name=name,
        applicant_phone=f"138{rng.randint(10000000, 99999999)}",
        applicant_id_number=_demo_id_number(name),
        data=data,
        files=files,
        channel=Channel.ONLINE if online else Channel.WINDOW,
        actor=None if online else window,
        at=when,
    ).case
    tag = {"same": "same_person_review_and_approve-1", "head": "head_approves_hands_off_area-1"}
    case.source_ref = (
        f"{DEMO_PREFIX}breach-{tag[plan['breach']]}"
        if plan["breach"]
        else f"{DEMO_PREFIX}{case.application_no}"
    )
    case.save(update_fields=["source_ref"])
    return case


def _schedule(case, when, plan, push, rng):
    for step in case.steps.filter(state=StepState.READY).exclude(kind="受理"):
        limit = step.limit_days
        if plan["breach"]:
            n = 0
        elif plan["overdue"] and step.kind in ("审查", "审核") and limit:
            n = limit + rng.randint(1, 3)
        elif limit:
            n = rng.randint(0, max(limit - 1, 0))
        else:
            n = 0
        day = add_working_days(when, n) if n else timezone.localdate(when)
        hour = rng.randint(9, 16)
        done = _at(day, hour, rng.choice((5, 25, 45)))
        if done <= when:
            done = when + timedelta(minutes=rng.randint(20, 90))
        push(done, "step", case.pk, step=step.pk)


def _legacy(days, items, window):
    """History imported from the legacy system, two of them carrying breaches."""
    item = next((it for it in items if it.fees.exists()), items[0])
    first = days[0] - timedelta(days=7)
    steps = []
    from wuquan.catalog import flows

    version = item.published_flow()
    for s in flows.steps(version):
        person = Person.objects.filter(
            appointments__post__unit__code=s.unit_code, appointments__post__code=s.post_code
        ).first()
        steps.append((s, person))

    def stamp(day_offset, hour):
        return _at(first + timedelta(days=day_offset), hour).isoformat()

    def step_rows(skip_accept=False, wrong_person=None):
        rows = []
        for k, (s, person) in enumerate(steps):
            if skip_accept and s.kind == "受理":
                continue
            who = person.code if person else None
            if wrong_person is not None and k == 1:
                who = wrong_person.code
            rows.append(
                {
                    "task": s.id,
                    "name": s.name,
                    "kind": s.kind,
                    "unit": s.unit_code,
                    "post": s.post_code,
                    "limit_days": s.limit_days,
                    "person": who,
                    "opinion": "同意",
                    "started_at": stamp(k, 9),
                    "completed_at": stamp(k, 15),
                }
            )
        return rows

    fee = item.fees.first()
    base = {
        "item": item.code,
        "applicant_name": "历史申请人",
        "submitted_at": stamp(0, 8),
        "result": "approved",
        "result_at": stamp(len(steps) - 2, 15),
        "certificate_no": "LEGACY-0001",
    }
    outsider = Person.objects.filter(appointments__post__unit__code="jiaoyu").first()
    cases = [
        {
            **base,
            "ref": f"{DEMO_PREFIX}breach-fee_not_in_catalog-1",
            "accepted_at": stamp(0, 9),
            "receipt_no": "LT-LEGACY-0001",
            "steps": step_rows(),
            "fees": [
                {
                    "fee": None,
                    "name": "加急服务费",
                    "amount": "200.00",
                    "at": stamp(len(steps) - 1, 14),
                    "by": "window",
                }
            ],
        },
        {
            **base,
            "ref": f"{DEMO_PREFIX}breach-result_without_acceptance-1",
            "accepted_at": None,
            "steps": step_rows(skip_accept=True),
            "certificate_no": "LEGACY-0002",
        },
        {
            **base,
            "ref": f"{DEMO_PREFIX}breach-step_without_post-1",
            "accepted_at": stamp(0, 9),
            "receipt_no": "LT-LEGACY-0003",
            "steps": step_rows(wrong_person=outsider),
            "certificate_no": "LEGACY-0003",
        },
        {
            **base,
            "ref": f"{DEMO_PREFIX}legacy-clean-1",
            "accepted_at": stamp(0, 9),
            "receipt_no": "LT-LEGACY-0004",
            "steps": step_rows(),
            "certificate_no": "LEGACY-0004",
            "fees": [{"fee": fee.code, "amount": str(fee.amount), "at": stamp(len(steps) - 1, 14)}]
            if fee
            else [],
        },
    ]
    for c in cases:
        exchange.import_case(c)


APPLICANTS = [
    "龙潭区老街小吃店",
    "吉林市江城建筑工程有限公司",
    "张建华",
    "李秀英",
    "王德福",
    "龙潭区育才培训学校",
    "吉林市北山药房连锁有限公司",
    "刘淑芬",
    "龙华社区便民超市",
    "陈国强",
    "吉林市鑫源物流有限公司",
    "赵春梅",
    "乌拉街满族镇韩屯村股份经济合作社",
    "孙立军",
    "龙潭区康宁诊所",
    "周丽华",
]
OPINIONS = {
    "审查": "材料齐全，符合法定条件，建议准予",
    "会商": "经会审，无异议",
    "现场勘查": "经现场核查，与申报一致",
    "审核": "同意承办意见",
}
