"""OCDS API (`/api/v1/ocds/…`, PUB-4): release packages and record packages by date range and
ocid, paginated; every package validated before it is returned."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from wuquan.common.exceptions import InvalidInput, NotFound

from . import exports, selectors

prefix = "/ocds"
router = Router(tags=["ocds"])
PAGE_SIZE = 100


def _links(request: HttpRequest, page: int, more: bool) -> dict:
    base = request.build_absolute_uri(request.path)
    params = request.GET.copy()
    links = {}
    if more:
        params["page"] = str(page + 1)
        links["next"] = f"{base}?{params.urlencode()}"
    if page > 1:
        params["page"] = str(page - 1)
        links["prev"] = f"{base}?{params.urlencode()}"
    return links


def _window(since: datetime | None, until: datetime | None) -> None:
    """Dates far outside any procurement are refused before they reach the database, where
    PostgreSQL answers some with a DataError (issue 13, finding 6)."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and not 1990 <= value.year <= 2200:
            raise InvalidInput(_("日期超出范围（1990—2200 年）。"), field=name)


def _response(package: dict, links: dict) -> JsonResponse:
    """The package as JSON; the pages as an RFC 8288 `Link` header (OCDS 1.1.5 packages have no
    `links` member)."""
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False})
    if links:
        response["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    return response


@router.get("/releases", summary="OCDS release package (paginated, 100 releases a page)")
def releases(
    request,
    since: datetime | None = None,
    until: datetime | None = None,
    ocid: str | None = None,
    page: int = Query(1, ge=1, le=1_000_000),
):
    page = max(page, 1)
    _window(since, until)
    qs = selectors.releases(since=since, until=until, ocid=ocid)
    rows = list(qs.values_list("data", flat=True)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    if not rows:  # why: a release package must hold at least one release (OCDS 1.1.5)
        raise NotFound(_("没有符合条件的 OCDS 发布。"))
    more = len(rows) > PAGE_SIZE
    package = exports.release_package(rows[:PAGE_SIZE], request.build_absolute_uri())
    return _response(package, _links(request, page, more))


@router.get("/records", summary="OCDS record package with compiled releases (paginated)")
def records(
    request,
    since: datetime | None = None,
    until: datetime | None = None,
    ocid: str | None = None,
    page: int = Query(1, ge=1, le=1_000_000),
):
    page = max(page, 1)
    _window(since, until)
    qs = selectors.releases(since=since, until=until, ocid=ocid)
    ocids = list(
        qs.order_by("ocid")
        .values_list("ocid", flat=True)
        .distinct()[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1]
    )
    if not ocids:  # why: a record package must hold at least one record (OCDS 1.1.5)
        raise NotFound(_("没有符合条件的 OCDS 记录。"))
    more = len(ocids) > PAGE_SIZE
    package = exports.record_package(ocids[:PAGE_SIZE], request.build_absolute_uri())
    return _response(package, _links(request, page, more))
