"""Public pages rendered once, not once a request (PUB-1, APR-9; issue 20, bench/portal_pages.py).

`@public_page(timeout)` on a view: an anonymous visitor's GET with no cookie but the CSRF and
language ones is answered from the cache (`caches["default"]`: per process, or Redis when
REDIS_URL is set) by path, query string, host and language; anything else — staff, a visitor
with a session (a flash message, a looked-up case, a suggestion's tracking code to show once),
any other method — runs the view as before. Only a 200 text/html answer is kept, and only one
that set no cookie.

A form's CSRF token differs per visitor: the cached copy is rendered with a placeholder in its
place (`common.context_processors.csrf_placeholder`), put back per request with this visitor's
own token (`get_token`, which also sets their CSRF cookie). What a page shows must not depend on
anything but the URL, the language and the time within `timeout` — the views this decorates
render fixed text and links (the portal home, the case lookup form). The catalog's guide page
keeps its own cache, keyed by the item's last change (catalog/views.py).

`render_kept(request, template, data)` keeps a page that is not the same for everyone — the
applicant's case page (APR-9) — by what it shows: the key is a digest of `data`, the plain
values the template renders from and nothing else, so a page is reused exactly while what it
shows is unchanged; any change to the case is a new digest and a new render. It serves visitors
with a session (that is how the applicant's number and code reach the page) but not staff or a
visitor with a message to show once; forms' CSRF tokens and idempotency keys are placeholders in
the kept copy, and every visitor's copy gets its own.
"""

from __future__ import annotations

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

from .idempotency import new_key

# why this shape: no template can produce it by accident, and it survives HTML escaping
CSRF_PLACEHOLDER = "wuquanCsrfPlaceholder0x5f3759df"
IDEMPOTENCY_PLACEHOLDER = "wuquanIdempotencyPlaceholder0x1fe"
_ATTR = "_wuquan_page_cache"


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    allowed = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return not (set(request.COOKIES) - allowed)


def _version() -> str:
    """The installed release: a deploy does not serve the previous release's pages."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wuquan")
    except PackageNotFoundError:  # why: run from a source tree without installing
        return "src"


VERSION = _version()


def _key(request) -> str:
    parts = ("page", VERSION, get_language() or "", request.get_host(), request.get_full_path())
    return ":".join(parts)


def rendering_for_cache(request) -> bool:
    """Whether this request renders the copy to be cached (the CSRF token is a placeholder)."""
    return getattr(request, _ATTR, False)


def public_page(timeout: int = 300):
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key = _key(request)
            kept = cache.get(key)
            if kept is None:
                setattr(request, _ATTR, True)
                try:
                    response = view(request, *args, **kwargs)
                finally:
                    setattr(request, _ATTR, False)
                if response.streaming:  # why: never the case for these pages; left as it is
                    return response
                content_type = response.get("Content-Type", "")
                if (
                    response.status_code != 200
                    or response.cookies
                    or not content_type.startswith("text/html")
                ):
                    return _with_token(request, response.content, response)
                kept = (response.content, content_type)
                cache.set(key, kept, timeout)
            content, content_type = kept
            return _with_token(request, content, HttpResponse(content_type=content_type))

        return wrapped

    return decorate


def render_kept(request, template_name: str, data: dict, *, extra=(), timeout: int = 300):
    """The page `template_name` renders from `data` (plain, JSON-able values), rendered once per
    distinct `data` (and `extra`: anything else the page shows, such as a published key) and
    kept `timeout` seconds; staff and a visitor with a flash message get it rendered live."""
    if (
        request.method not in ("GET", "HEAD")
        or request.user.is_authenticated
        or len(get_messages(request))  # why: a message shows once, and only to its visitor
    ):
        return HttpResponse(render_to_string(template_name, data, request))
    # why repr: the dict's order is its builder's, fixed in code; json.dumps cost 4× as much
    digest = hashlib.sha256(repr((data, tuple(extra))).encode()).hexdigest()
    key = ":".join(("kept", _key(request), template_name, digest))
    content = cache.get(key)
    if content is None:
        setattr(request, _ATTR, True)
        try:
            content = render_to_string(template_name, data, request).encode()
        finally:
            setattr(request, _ATTR, False)
        cache.set(key, content, timeout)
    return _with_token(request, content, HttpResponse())


def _with_token(request, content: bytes, response: HttpResponse) -> HttpResponse:
    marker = CSRF_PLACEHOLDER.encode()
    if marker in content:
        content = content.replace(marker, get_token(request).encode())
    if IDEMPOTENCY_PLACEHOLDER.encode() in content:
        content = _IDEMPOTENCY.sub(lambda _m: new_key().encode(), content)
    response.content = content
    return response


_IDEMPOTENCY = re.compile(re.escape(IDEMPOTENCY_PLACEHOLDER.encode()))
