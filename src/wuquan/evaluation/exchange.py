"""Evaluation lines of the exchange format (`wuquan import` / `wuquan export`,
docs/exchange-format.md; issue 11, EVA-1..3, PUB-10).

An `evaluation` line is the evaluation and its history as timed `actions` in the order they
happened — subjects, commitments, reports, questions and answers, codes issued, the opening,
each ballot, paper batches counted, the count, the publication. `wuquan import` replays them
through the same services as live work, at their own time, with
`history=ImportedHistory(source_ref=…)` (decision 0010). `wuquan export` writes the line back
from the log, so export → import → export is byte-identical but for the header.

No line ever says who graded whom how (EVA-1 无记名): a ballot action is only that a ballot
was cast; the grades are the count's tally per subject. The import casts each ballot with an
online code it issues itself (as live) and grades drawn from the tally, so every subject's
counts, rating and flags come out as the source's. An evaluation still open is exported
without its ballots' grades (they are sealed until the count): its ballots cannot be carried.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from wuquan.common.exceptions import DomainError
from wuquan.ledger.models import Event
from wuquan.org.models import Person, Unit

from . import events, services
from .models import Evaluation, EvaluationKind, Question, Subject

ACTOR = "system:import"
ACTIONS = {
    "subject",
    "commitment",
    "report",
    "question",
    "answer",
    "codes",
    "open",
    "ballot",
    "paper",
    "close",
    "publish",
}


class ReplayError(Exception):
    """A history the services cannot take (the line is reported; nothing is imported)."""


def _dt(value, name, errors) -> None:
    try:
        moment = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors.append(f"{name} 不是 ISO 8601 时间：{value}")
        return
    if timezone.is_naive(moment):
        errors.append(f"{name} 必须带时区（如 +08:00）：{value}")


def check_evaluation(o, seen, errors) -> None:
    for k in ("ref", "unit", "year", "title", "kind", "scale", "eligible_voters", "created_at"):
        if o.get(k) in (None, ""):
            errors.append(f"缺少字段 {k}")
    if o.get("unit") and not seen.unit(o["unit"]):
        errors.append(f"单位不存在：{o['unit']}")
    if o.get("kind") and o["kind"] not in EvaluationKind.values:
        errors.append(f"测评类别无效：{o['kind']}")
    _dt(o.get("created_at"), "created_at", errors)
    for n, a in enumerate(o.get("actions") or [], 1):
        if a.get("do") not in ACTIONS:
            errors.append(f"第 {n} 个动作未知：{a.get('do')}")
            continue
        _dt(a.get("at"), f"第 {n} 个动作的 at", errors)
        if a.get("person") and not seen.person(a["person"]):
            errors.append(f"第 {n} 个动作的人员不存在：{a['person']}")


def _tally(o) -> dict[str, list[str]]:
    """Each subject's grades at the count, in scale order, one per ballot."""
    close = next((a for a in o.get("actions") or [] if a["do"] == "close"), None)
    if close is None:
        return {}
    return {
        code: [g for g in o["scale"] for _n in range(counts.get(g, 0))]
        for code, counts in close["results"].items()
    }


def import_evaluation(o) -> bool:
    ref = o["ref"]
    if Evaluation.objects.filter(source_ref=ref).exists():
        return False
    history = services.ImportedHistory(source_ref=ref)
    try:
        evaluation = services.do_create_evaluation(
            Unit.objects.get(code=o["unit"]),
            int(o["year"]),
            o["title"],
            o["kind"],
            int(o["eligible_voters"]),
            list(o["scale"]),
            actor=ACTOR,
            at=datetime.fromisoformat(o["created_at"]),
            history=history,
        )
        state = {"tally": _tally(o), "codes": [], "questions": []}
        for a in o.get("actions") or []:
            _replay(evaluation, a, state, history)
    except DomainError as exc:
        raise ReplayError(f"测评 {ref}：{exc.message}") from exc
    return True


def _ballot(evaluation, state) -> dict[int, str]:
    grades = {}
    for subject in evaluation.subjects.select_related("person"):
        left = state["tally"].get(subject.person.code) or []
        if not left:
            raise ReplayError(f"选票多于计票结果（{subject.person.code}）")
        grades[subject.pk] = left.pop(0)
    return grades


def _replay(evaluation, a, state, history) -> None:
    kw = {"actor": ACTOR, "at": datetime.fromisoformat(a["at"]), "history": history}
    do = a["do"]
    evaluation.refresh_from_db()

    def subject() -> Subject:
        return evaluation.subjects.get(person__code=a["person"])

    if do == "subject":
        person = Person.objects.get(code=a["person"])
        services.do_add_subject(evaluation, person, a["role"], **kw)
    elif do == "commitment":
        services.do_record_commitment(subject(), a["text"], date.fromisoformat(a["on"]), **kw)
    elif do == "report":
        services.do_record_report(subject(), a["text"], date.fromisoformat(a["on"]), **kw)
    elif do == "question":
        q = services.do_ask_question(subject(), a["asker"], a["text"], a.get("answer", ""), **kw)
        state["questions"].append(q)
    elif do == "answer":
        services.do_answer_question(state["questions"][a["question"] - 1], a["answer"], **kw)
    elif do == "codes":
        state["codes"] += services.do_issue_codes(evaluation, int(a["count"]), **kw)
    elif do == "open":
        services.do_open_voting(evaluation, **kw)
    elif do == "ballot":
        if not state["codes"]:
            raise ReplayError("网上投票多于发放的投票码")
        code = state["codes"].pop(0)
        services.do_cast_online(evaluation, code, _ballot(evaluation, state), **kw)
    elif do == "paper":
        ballots = [_ballot(evaluation, state) for _n in range(int(a["ballots"]))]
        services.do_enter_paper_batch(evaluation, a["sheet"], ballots, **kw)
    elif do == "close":
        services.do_close_voting(evaluation, **kw)
        got = {s.person.code: s.counts for s in evaluation.subjects.select_related("person")}
        want = {c: {g: n for g, n in counts.items()} for c, counts in a["results"].items()}
        if got != want:
            raise ReplayError("计票结果与来源不符")
    elif do == "publish":
        services.do_publish_results(evaluation, **kw)


# ---- export ---------------------------------------------------------------------------------

EVALUATION = Evaluation._meta.label_lower
SUBJECT = Subject._meta.label_lower


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat()


def export_lines():
    for e in Evaluation.objects.select_related("unit").order_by("id"):
        yield evaluation_line(e)


def evaluation_line(e: Evaluation) -> dict:
    subjects = {str(s.pk): s for s in e.subjects.select_related("person")}
    codes = dict(Person.objects.filter(subject__evaluation=e).values_list("pk", "code"))
    questions = {
        q: n
        for n, q in enumerate(
            Question.objects.filter(subject__evaluation=e)
            .order_by("id")
            .values_list("pk", flat=True),
            1,
        )
    }
    evs = list(
        Event.objects.filter(
            Q(subject_type=EVALUATION, subject_id=str(e.pk))
            | Q(subject_type=SUBJECT, subject_id__in=list(subjects))
        ).order_by("index")
    )
    created = next(x for x in evs if x.action == events.CREATED)
    line = {
        "type": "evaluation",
        "ref": e.source_ref or f"{e.unit.code}/evaluation/{e.pk}",
        "unit": e.unit.code,
        "year": e.year,
        "title": e.title,
        "kind": e.kind,
        "scale": list(e.scale),
        "eligible_voters": e.eligible_voters,
        "created_at": _local(created.at),
        "actions": [],
    }
    for x in evs:
        p = x.payload
        of = subjects.get(x.subject_id) if x.subject_type == SUBJECT else None
        person = codes.get(of.person_id) if of is not None else None
        action = _action(x.action, p, person, codes, questions)
        if action is not None:
            line["actions"].append({"do": action.pop("do"), "at": _local(x.at), **action})
    return line


def _action(action, p, person, codes, questions) -> dict | None:
    """The line's action for one event of the evaluation (None: a consequence, not an act)."""
    build = {
        events.SUBJECT_ADDED: lambda: {"do": "subject", "person": codes.get(p["person"]), "role": p["role"]},
        events.COMMITMENT: lambda: {"do": "commitment", "person": person, "on": p["on"], "text": p["text"]},
        events.REPORT: lambda: {"do": "report", "person": person, "on": p["on"], "text": p["text"]},
        events.QUESTION: lambda: {"do": "question", "person": person, "asker": p["asker"], "text": p["text"], "answer": p["answer"]},
        events.QUESTION_ANSWERED: lambda: {"do": "answer", "question": questions.get(p["question"]), "answer": p["answer"]},
        events.CODES_ISSUED: lambda: {"do": "codes", "count": p["count"]},
        events.VOTING_OPENED: lambda: {"do": "open"},
        events.BALLOT_CAST: lambda: {"do": "ballot"},
        events.PAPER_COUNTED: lambda: {"do": "paper", "sheet": p["sheet"], "ballots": p["ballots"]},
        events.VOTING_CLOSED: lambda: {"do": "close", "results": {codes.get(int(k)): v["counts"] for k, v in p["results"].items()}},
        events.PUBLISHED: lambda: {"do": "publish"},
    }.get(action)  # fmt: skip
    return build() if build is not None else None


LINES = {"evaluation": (check_evaluation, import_evaluation)}
