"""The personnel demo: fast, idempotent, and every planted flag is found by its rule."""

import time

import pytest

from wuquan.ledger.models import Event
from wuquan.personnel import events, rules
from wuquan.personnel.models import Selection, SelectionStatus, SpotCheckRound

pytestmark = pytest.mark.django_db


def test_personnel_demo_loads_fast_twice_and_its_flags_are_found(demo_org):
    from wuquan.decisions import demo as decisions_demo
    from wuquan.personnel import demo

    decisions_demo.load(None)
    started = time.perf_counter()
    demo.load(None)
    took = time.perf_counter() - started
    demo.load(None)  # a second run finds the data and reuses it
    assert took < 15
    done = Selection.objects.filter(status=SelectionStatus.APPOINTED)
    assert done.count() == 2 and done.filter(review_status="approved").count() == 1
    assert all(s.dossier_digest for s in done)
    assert Event.objects.filter(action=events.SELECTION_REFUSED).count() == 1
    assert SpotCheckRound.objects.get(year=2025).drawn
    codes = {r.code for r in rules.RULES if r.sweep and list(r.sweep(_now(), dict(r.thresholds)))}
    assert codes >= {
        "PER-5-over-quota",
        "PER-5-rushed-min-time",
        "PER-5-mixed-post",
        "PER-5-risk-a-rotation",
        "PER-1-imported-step-order",
    }


def _now():
    from django.utils import timezone

    return timezone.now()
