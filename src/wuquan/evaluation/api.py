"""Evaluation API (`/api/v1/evaluation/…`, django-ninja, staff session): evaluations, their
subjects, the voting state and the results (EVA-1..3, PUB-10; issue 11). Thin: reads from the
models the staff pages read, for staff who may see the unit; writes go through `services`
(errors mapped to 4xx by common/api.py). While voting is open the API shows only how many
codes were used and paper ballots keyed — never a grade; results exist only after the count
(EVA-1 无记名). Voter codes are not issued here: they are shown once, on the printable sheet."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.security import django_auth

from wuquan.common.exceptions import InvalidInput, NotPermitted
from wuquan.org.models import Person, Unit
from wuquan.org.selectors import units_visible_to

from . import services
from .models import Evaluation, EvaluationStatus

prefix = "/evaluation"
router = Router(tags=["evaluation"], auth=django_auth)

COUNTED = (EvaluationStatus.CLOSED, EvaluationStatus.PUBLISHED)


class EvaluationRow(Schema):
    id: int
    unit: str
    year: int
    kind: str
    title: str
    status: str


class SubjectOut(Schema):
    id: int
    person_id: int
    role: str
    rating: str | None = None  # None until the count
    counts: dict[str, int] | None = None


class EvaluationOut(EvaluationRow):
    scale: list[str]
    eligible_voters: int
    codes_issued: int
    codes_used: int
    paper_keyed: int
    subjects: list[SubjectOut]


class SubjectIn(Schema):
    person_id: int
    role_title: str


class QuestionIn(Schema):
    subject_id: int
    asker: str
    text: str
    answer: str = ""


class QuestionOut(Schema):
    id: int


def _in_range(pk: int) -> int:
    """An id past the column's range is a DataError on PostgreSQL: answer it as missing."""
    if not 0 < pk < 2**31:
        raise Http404
    return pk


def _visible_unit(request, unit: Unit) -> None:
    if not units_visible_to(request.user).filter(pk=unit.pk).exists():
        raise NotPermitted("您无权查看该单位的民主测评。")


def _evaluation(request, evaluation_id: int) -> Evaluation:
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("unit"), pk=_in_range(evaluation_id)
    )
    _visible_unit(request, evaluation.unit)
    return evaluation


def _row(e: Evaluation) -> dict:
    return {
        "id": e.pk,
        "unit": e.unit.code,
        "year": e.year,
        "kind": e.kind,
        "title": e.title,
        "status": e.status,
    }


def _detail(e: Evaluation) -> dict:
    counted = e.status in COUNTED
    return {
        **_row(e),
        "scale": list(e.scale),
        "eligible_voters": e.eligible_voters,
        "codes_issued": e.codes.count(),
        "codes_used": e.codes.filter(used=True).count(),
        "paper_keyed": services.paper_ballots_keyed(e),
        "subjects": [
            {
                "id": s.pk,
                "person_id": s.person_id,
                "role": s.role_title,
                "rating": s.rating if counted else None,
                "counts": s.counts if counted else None,
            }
            for s in e.subjects.order_by("id")
        ],
    }


@router.get("/units/{code}/evaluations", response=list[EvaluationRow], summary="单位的民主测评")
def evaluations(request, code: str):
    unit = get_object_or_404(Unit, code=code)
    _visible_unit(request, unit)
    return [_row(e) for e in Evaluation.objects.filter(unit=unit).order_by("-year", "-id")]


@router.get("/evaluations/{evaluation_id}", response=EvaluationOut, summary="测评：被测评人与进度")
def evaluation(request, evaluation_id: int):
    return _detail(_evaluation(request, evaluation_id))


@router.get(
    "/evaluations/{evaluation_id}/results",
    response=list[SubjectOut],
    summary="测评结果（计票后）",
)
def results(request, evaluation_id: int):
    e = _evaluation(request, evaluation_id)
    if e.status not in COUNTED:
        raise InvalidInput("测评尚未计票，没有结果。")
    return _detail(e)["subjects"]


@router.post(
    "/evaluations/{evaluation_id}/subjects",
    response={201: SubjectOut},
    summary="添加被测评人",
)
def add_subject(request, evaluation_id: int, body: SubjectIn):
    e = _evaluation(request, evaluation_id)
    person = Person.objects.filter(pk=_in_range(body.person_id)).first()
    if person is None:
        raise InvalidInput("人员不存在。", field="person_id")
    s = services.do_add_subject(e, person, body.role_title, actor=request.user)
    return Status(201, {"id": s.pk, "person_id": s.person_id, "role": s.role_title})


@router.post(
    "/evaluations/{evaluation_id}/questions",
    response={201: QuestionOut},
    summary="登记询问质询",
)
def ask(request, evaluation_id: int, body: QuestionIn):
    e = _evaluation(request, evaluation_id)
    subject = e.subjects.filter(pk=_in_range(body.subject_id)).first()
    if subject is None:
        raise InvalidInput("被测评人不存在。", field="subject_id")
    q = services.do_ask_question(subject, body.asker, body.text, body.answer, actor=request.user)
    return Status(201, {"id": q.pk})


def _step(name: str, fn, summary: str):
    def view(request, evaluation_id: int):
        e = _evaluation(request, evaluation_id)
        fn(e, actor=request.user)
        e.refresh_from_db()
        return _detail(e)

    view.__name__ = f"{name}_evaluation"
    router.post(f"/evaluations/{{evaluation_id}}/{name}", response=EvaluationOut, summary=summary)(
        view
    )


_step("open", services.do_open_voting, "开始测评投票")
_step("close", services.do_close_voting, "结束投票并计票")
_step("publish", services.do_publish_results, "公示测评结果")
