"""URL map. Each bounded context mounts itself; nothing here knows an app's pages.

- `/staff/<app>/`  — the app's `urls.py` (staff pages, namespace = app label)
- `/gk/<app>/`     — the app's `public_urls.py` (public pages, namespace = "<label>-public")
- `/api/v1/`       — django-ninja; each app's `api.py` contributes `router`
"""

from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from wuquan.common import views as common_views
from wuquan.common.api import api
from wuquan.disclosure import views as disclosure_views

urlpatterns = [
    path("", disclosure_views.home, name="portal-home"),
    path("", include("wuquan.disclosure.urls")),
    path("staff/", common_views.staff_home, name="staff-home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

for dotted in settings.WUQUAN_APPS:
    label = dotted.rsplit(".", 1)[1]
    if label in ("common", "disclosure"):
        continue
    if find_spec(f"{dotted}.urls"):
        urlpatterns.append(path(f"staff/{label}/", include((f"{dotted}.urls", label))))
    if find_spec(f"{dotted}.public_urls"):
        urlpatterns.append(
            path(f"gk/{label}/", include((f"{dotted}.public_urls", f"{label}-public")))
        )
