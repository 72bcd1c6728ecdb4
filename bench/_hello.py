"""The bare Django "hello" view the page benchmarks compare with: the project's settings and
middleware, one URL (gunicorn imports `_hello:application`)."""

import os

from django.http import HttpResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuquan.settings")


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("", hello)]


def _application():
    from django.conf import settings

    settings.ROOT_URLCONF = __name__
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


application = _application()
