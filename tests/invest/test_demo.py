"""The demo: six projects and three funds through the services, each planted breach found
by its rule and nothing else flagged; idempotent; the OC4IDS package validates."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from wuquan.invest import demo, rules
from wuquan.invest.models import Disbursement, Project, SpecialFund


def test_fin16_demo_planted_breaches_found_and_nothing_else(demo_org):
    t0 = time.perf_counter()
    demo.load(None)
    print(f"invest demo load: {time.perf_counter() - t0:.1f} s")  # noqa: T201
    assert Project.objects.count() == 6
    assert SpecialFund.objects.count() == 3
    assert Disbursement.objects.count() == 3
    found = rules.run_all(datetime(2026, 6, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    flagged = {code: [f.subject_id for f in fs] for code, fs in found.items() if fs}
    expected = {
        rule: [str(Project.objects.get(code=code).pk)] for code, rule in demo.PLANTED.values()
    }
    assert flagged == expected
    demo.load(None)
    assert Project.objects.count() == 6
