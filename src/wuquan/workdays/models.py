"""The working-day calendar and deadline arithmetic (APR-2)."""

from django.db import models  # noqa: F401
