"""Rule registry, alarms, 督查督办, inspections, complaints, dashboards (SUP-1..11)."""

from django.db import models  # noqa: F401
