"""三重一大 meetings, speaking order, ballots, reconsideration; the village six-step method (DEC-1..11)."""

from django.db import models  # noqa: F401
