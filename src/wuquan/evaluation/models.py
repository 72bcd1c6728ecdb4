"""Democratic evaluations and anonymous ballots (EVA-1..4)."""

from django.db import models  # noqa: F401
