"""Powers, approval items, versioned BPMN flows, materials, fees, risk points, discretion standards (CAT-1..9)."""

from django.db import models  # noqa: F401
