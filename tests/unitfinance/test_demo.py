"""The demo: two units' reimbursements in every state, reports, a disclosure; each planted
breach found by its rule, nothing else."""

import time

from wuquan.unitfinance import demo, rules
from wuquan.unitfinance.models import FinanceReport, Reimbursement, StaffDisclosure, Status


def test_fin1_fin4_demo_loads_each_planted_breach_found_and_nothing_else(demo_org):
    t0 = time.perf_counter()
    demo.load(None)
    print(f"unitfinance demo load: {time.perf_counter() - t0:.1f} s")  # noqa: T201
    assert set(Reimbursement.objects.values_list("status", flat=True)) == set(Status.values)
    assert FinanceReport.objects.filter(received_at__isnull=False).count() == 5
    assert StaffDisclosure.objects.count() == 1
    found = rules.run_all(demo.AS_OF)
    counts = {code: len(f) for code, f in found.items() if f}
    assert counts == {code: 1 for code in demo.PLANTED}, counts
    planted = demo.officers(demo.PLANTED_UNIT)["unit"].pk
    assert {f[0].unit_id for f in found.values() if f} == {planted}
    demo.load(None)  # idempotent
    assert Reimbursement.objects.filter(unit__code=demo.CLEAN).count() == 10
