"""The public portal (阳光示权): home, publications, masking, checkpoints page (PUB-*)."""

from django.db import models  # noqa: F401
