"""Helpers shared by the approvals tests (imported by name: tests/approvals is on sys.path)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import TZ, at  # noqa: F401  (the shared time helper, re-exported)


def pdf(name="a.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")
