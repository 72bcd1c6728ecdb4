"""The one django-ninja API (`/api/v1/`). Apps contribute `router` from their `api.py`.

Domain errors become 4xx JSON here, in one place.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from ninja import NinjaAPI

from .exceptions import DomainError

api = NinjaAPI(
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


for dotted in settings.WUQUAN_APPS:
    if find_spec(f"{dotted}.api"):
        module = import_module(f"{dotted}.api")
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(getattr(module, "prefix", "/" + dotted.rsplit(".", 1)[1]), router)
