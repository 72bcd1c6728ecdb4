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
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

# why this shape: no template can produce it by accident, and it survives HTML escaping
CSRF_PLACEHOLDER = "wuquanCsrfPlaceholder0x5f3759df"
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


def _with_token(request, content: bytes, response: HttpResponse) -> HttpResponse:
    marker = CSRF_PLACEHOLDER.encode()
    if marker in content:
        content = content.replace(marker, get_token(request).encode())
    response.content = content
    return response
