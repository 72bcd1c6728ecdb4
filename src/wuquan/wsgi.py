"""WSGI entry point (gunicorn wuquan.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuquan.settings")
application = get_wsgi_application()
