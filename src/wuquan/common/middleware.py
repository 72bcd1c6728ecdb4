"""Maps domain exceptions raised below a view into a clear page (one place, STYLE.md)."""

from django.shortcuts import render

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
