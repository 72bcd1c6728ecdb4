"""Idempotent public forms (issue 12 finding 5): a second POST of the same submission goes
where the first went and writes nothing.

Each public form carries a random key (`{% idempotency_field %}`, common/templatetags/wuquan_forms.py).
`@idempotent` claims the key in the shared cache with an atomic `add` before the view runs; a
view that succeeds answers with a redirect (POST-redirect-GET), whose target is remembered
under the key for a day. The same key again (a double click, Back then 提交 again, a browser
re-sending the POST) is sent to that target; while the first is still running it gets a
"being processed" page (409). A refused submission (a field error) frees the key, so the
corrected form can be sent. A form without the field is keyed by the client, the path and a
digest of its fields, so an identical resubmission is caught all the same.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import wraps

from django.core.cache import caches
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from .exceptions import RuleViolation


def _shared():
    """The cache every worker shares (settings.CACHES["shared"]: the database or Redis)."""
    return caches["shared"]


FIELD = "idempotency_key"


def new_key() -> str:
    """A fresh random key for one rendered form (`{% idempotency_field %}`)."""
    return secrets.token_urlsafe(24)


KEY_SHAPE = re.compile(r"\A[A-Za-z0-9_-]{16,64}\Z")
DONE_SECONDS = 24 * 3600
LOCK_SECONDS = 120


def _key(request) -> str:
    token = request.POST.get(FIELD, "")
    if KEY_SHAPE.match(token):
        raw = f"k\x1f{request.path}\x1f{token}"
    else:
        from .net import client_ip

        fields = sorted(
            (k, tuple(request.POST.getlist(k))) for k in request.POST if k != "csrfmiddlewaretoken"
        )
        files = sorted((k, f.name, f.size) for k, f in request.FILES.items())
        raw = f"h\x1f{request.path}\x1f{client_ip(request)}\x1f{fields!r}\x1f{files!r}"
    return hashlib.sha256(raw.encode()).hexdigest()


def idempotent(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        key = _key(request)
        done = _shared().get(f"idem:done:{key}")
        if done:
            return HttpResponseRedirect(done)
        if not _shared().add(f"idem:lock:{key}", 1, timeout=LOCK_SECONDS):
            error = RuleViolation(_("该表单已提交，正在处理，请勿重复提交。"))
            return render(request, "common/error.html", {"error": error}, status=409)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            _shared().delete(f"idem:lock:{key}")
            raise
        if response.status_code in (301, 302, 303) and response.get("Location"):
            _shared().set(f"idem:done:{key}", response["Location"], timeout=DONE_SECONDS)
        else:
            _shared().delete(f"idem:lock:{key}")
        return response

    return wrapper
