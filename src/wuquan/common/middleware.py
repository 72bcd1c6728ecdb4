"""Maps domain exceptions raised below a view into a clear page (one place, STYLE.md)."""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from .exceptions import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return render(
                request,
                "common/error.html",
                {"error": exception},
                status=exception.status_code,
            )
        return None


class EdgeInputMiddleware:
    """Refuse, before any view runs, a request whose path, query string or form fields hold a
    control character (a NUL above all, which PostgreSQL cannot store and used to answer with
    a 500) or a single value longer than `inputs.ANY_TEXT_MAX` (issue 13 finding 6). Per-field
    lengths are the forms', schemas' and services' job (common/inputs.py); this is the floor
    that holds for every page, including those that read `request.POST` directly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = self._reason(request)
        if reason:
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _reason(request) -> str:
        from .inputs import find_control_chars

        if find_control_chars(request.path):
            return "path"
        sources = (request.GET, request.POST) if request.method == "POST" else (request.GET,)
        for data in sources:
            for key, values in data.lists():
                if find_control_chars(key) or find_control_chars(values):
                    return "field"
        return ""

    @staticmethod
    def _refuse(request):
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        message = _("提交的内容含有不允许的控制字符或过长，未作任何处理。")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": "InvalidInput", "message": message, "field": None}, status=400
            )
        from .exceptions import InvalidInput

        return render(request, "common/error.html", {"error": InvalidInput(message)}, status=400)


class IdleTimeoutMiddleware:
    """End a signed-in session idle for longer than `settings.WUQUAN_IDLE_TIMEOUT` (issue 13
    finding 7; 等保2.0 三级 "登录连接超时自动退出"). The last-seen time is refreshed at most
    once a minute, so an active session costs one session write a minute, not one a request."""

    KEY = "wq_last_seen"
    REFRESH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            import time

            from django.conf import settings
            from django.contrib import messages
            from django.contrib.auth import logout
            from django.utils.translation import gettext as _

            now = int(time.time())
            idle = int(settings.WUQUAN_IDLE_TIMEOUT.total_seconds())
            seen = request.session.get(self.KEY)
            if seen is not None and now - int(seen) > idle:
                logout(request)
                messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
            elif seen is None or now - int(seen) >= self.REFRESH_SECONDS:
                request.session[self.KEY] = now
        return self.get_response(request)


class PublicFormRateMiddleware:
    """Every POST to the public portal (/gk/…) and to the public API counts against one budget
    per client address and hour in the shared cache (issue 13 finding 8); tighter limits for
    complaints and wrong query codes live beside them (supervision/complaints.py,
    approvals/access.py). Staff pages and signed-in staff are not counted here."""

    PUBLIC_API = ("/api/v1/approvals/applications", "/api/v1/approvals/status")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and (
            request.path.startswith("/gk/") or request.path in self.PUBLIC_API
        ):
            from django.conf import settings
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            from . import ratelimit
            from .exceptions import RuleViolation
            from .net import client_ip

            if not ratelimit.take(
                "public-post",
                client_ip(request),
                limit=settings.WUQUAN_PUBLIC_POSTS_PER_HOUR,
            ):
                message = _("提交过于频繁，请一小时后再试。")
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"error": "RateLimited", "message": message, "field": None}, status=429
                    )
                error = RuleViolation(message)
                return render(request, "common/error.html", {"error": error}, status=429)
        return self.get_response(request)


class SiteLanguageMiddleware:
    """The site speaks Chinese whatever the browser asks for (issue 12, finding 8: the admin
    followed Accept-Language). A person who chose a language through `/i18n/setlang/` gets it
    (the language cookie); nobody gets a language by accident. Replaces LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        translation.deactivate()
        return response
