"""The one django-ninja API (`/api/v1/`). Apps contribute `router` from their `api.py`.

Domain errors become 4xx JSON here, in one place. Every JSON body passes `SafeJSONParser`
(no control characters, no value over `inputs.ANY_TEXT_MAX`) before a schema sees it
(issue 13 finding 6).
"""

import json
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.db import DataError
from ninja import NinjaAPI
from ninja.parser import Parser

from .exceptions import DomainError
from .inputs import find_control_chars


class SafeJSONParser(Parser):
    """json.loads, then refuse a body holding a NUL or other control character in any key or
    string, or a string longer than the door's cap: PostgreSQL cannot store the one and the
    other is never a real value. ninja answers a parser error with 400."""

    def parse_body(self, request):
        data = json.loads(request.body)
        reason = find_control_chars(data)
        if reason:
            raise ValueError(reason)
        return data


api = NinjaAPI(
    parser=SafeJSONParser(),
    title="Wuquan 五权 API",
    version="1",
    description="行政审批、运行记录与公开数据接口 · approvals, transparency log and disclosure",
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(
        request,
        {"error": exc.code, "message": str(exc.message), "field": exc.field},
        status=exc.status_code,
    )


@api.exception_handler(DataError)
def data_error(request, exc: DataError):
    """The last line, not the check: a value the database refuses (out of range, too long)
    that slipped past a schema is the client's error, so 400, never a 500."""
    return api.create_response(
        request,
        {"error": "InvalidInput", "message": "输入超出允许范围。", "field": None},
        status=400,
    )


for dotted in settings.WUQUAN_APPS:
    if find_spec(f"{dotted}.api"):
        module = import_module(f"{dotted}.api")
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(getattr(module, "prefix", "/" + dotted.rsplit(".", 1)[1]), router)
