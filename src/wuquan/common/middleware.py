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
