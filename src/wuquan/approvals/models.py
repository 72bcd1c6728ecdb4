"""Cases (办件) from the window to the result (APR-1..11)."""

from django.db import models  # noqa: F401
