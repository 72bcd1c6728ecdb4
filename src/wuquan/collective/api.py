"""Collective books API (FIN-7, PUB-7): a book's 科目余额表 for staff who may read it, and the
published months for anyone. Thin over selectors; amounts in integer fen."""

from ninja import Router, Schema
from ninja.security import django_auth

from wuquan.common.exceptions import InvalidInput, NotFound, NotPermitted

from . import selectors
from .models import Book, Disclosure

router = Router(tags=["村集体三资 collective"])
prefix = "/collective"


class TrialRowOut(Schema):
    code: str
    name: str
    opening: int
    debit: int
    credit: int
    closing: int


class TrialBalanceOut(Schema):
    book: str
    year: int
    month: int
    balanced: bool
    rows: list[TrialRowOut]


class DisclosureOut(Schema):
    year: int
    month: int
    sha256: str
    published_at: str
    still_matches: bool
    lines: list[dict]


def _book(pk: int) -> Book:
    # why the range: an id past the column's range is a DataError on PostgreSQL (issue 13,
    # finding 6); no such book exists either way
    book = (
        Book.objects.filter(pk=pk).select_related("unit", "centre").first()
        if 0 < pk < 2**31
        else None
    )
    if book is None:
        raise NotFound("没有该账套")
    return book


@router.get(
    "/books/{pk}/trial-balance",
    response=TrialBalanceOut,
    auth=django_auth,
    summary="科目余额表（分）",
)
def trial_balance(request, pk: int, year: int, month: int):
    book = _book(pk)
    if not selectors.can_read_book(request.user, book):
        raise NotPermitted("您无权查看该账套")
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise InvalidInput("年度或月份不正确", field="month")
    tb = selectors.trial_balance(book, year, month)
    return {
        "book": book.code,
        "year": year,
        "month": month,
        "balanced": tb.balanced,
        "rows": [
            {
                "code": r.account.code,
                "name": r.account.name,
                "opening": r.opening,
                "debit": r.debit,
                "credit": r.credit,
                "closing": r.closing,
            }
            for r in tb.rows
        ],
    }


@router.get("/books/{pk}/disclosures", response=list[DisclosureOut], summary="逐月公开（公开）")
def disclosures(request, pk: int):
    book = _book(pk)
    return [
        {
            "year": d.year,
            "month": d.month,
            "sha256": d.sha256,
            "published_at": d.published_at.isoformat(),
            "still_matches": selectors.disclosure_matches(d),
            "lines": d.content["lines"],
        }
        for d in Disclosure.objects.filter(book=book)
    ]


# ==== 惠农补贴“一卡通” lists (PUB-8): what the portal shows, masked ===========================


class BenefitListOut(Schema):
    publication: int
    village: str
    programme: str
    kind: str
    basis: str
    fund: str
    published_at: str
    online_until: str
    sha256: str
    total: int
    rows: list[dict]


@router.get(
    "/benefits/{pk}", response=BenefitListOut, summary="补贴发放名单公示（公开，已隐去个人信息）"
)
def benefit_list(request, pk: int):
    from .models import BenefitPublication

    pub = (
        BenefitPublication.objects.filter(pk=pk, taken_down_at__isnull=True)
        .select_related("programme__book__unit")
        .first()
        if 0 < pk < 2**31
        else None
    )
    if pub is None:
        raise NotFound("没有该公示")
    c = pub.content
    return {
        "publication": pub.pk,
        "village": pub.programme.book.unit.name,
        "programme": c["name"],
        "kind": c["kind"],
        "basis": c["basis"],
        "fund": c["fund"],
        "published_at": pub.published_at.isoformat(),
        "online_until": pub.online_until.isoformat(),
        "sha256": pub.sha256,
        "total": c["total"],
        "rows": c["rows"],
    }
