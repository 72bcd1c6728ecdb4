"""The investment platform end to end in a real browser (FIN-16, FIN-18, SUP-7): 发改 records
an approval with its file → 财政 allocates a special fund to a project → the construction unit
records a disbursement on a progress certificate → 审计 files a problem report with a
rectification deadline → the deadline passes unrectified and the commission sees the alarm.
Every page is checked with axe-core (tests/conftest.py) and screenshotted."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser

SHOTS = "var/screenshots"
PDF = b"%PDF-1.4\n% invest browser test\n"


@pytest.fixture
def world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from wuquan.invest import demo
    from wuquan.invest.models import Project
    from wuquan.org import demo as org_demo

    org_demo.load(None)
    demo.load(None)
    return {
        "p2": Project.objects.get(code="2025-220203-83-01-000020"),
        "p3": Project.objects.get(code="2025-220203-76-01-000030"),
    }


def _shot(pg, name):
    for width in (1366, 390):
        pg.set_viewport_size({"width": width, "height": 900})
        pg.screenshot(path=f"{SHOTS}/invest-{name}-{width}.png", full_page=True)
    pg.set_viewport_size({"width": 1366, "height": 900})


def _logout(page):
    page.context.clear_cookies()


def test_approval_allocation_disbursement_problem_alarm(page, login, world, tmp_path):
    from wuquan.invest.models import Approval, Disbursement, Problem
    from wuquan.supervision import engine
    from wuquan.supervision.models import Alarm

    base = page.base_url
    today = timezone.localdate()
    p2, p3 = world["p2"], world["p3"]
    pdf = tmp_path / "初步设计批复.pdf"
    pdf.write_bytes(PDF)

    # 发改 records the 初步设计及概算批复 of the school project
    login(page, "fagai-tz")
    page.goto(f"{base}/staff/invest/projects/{p2.pk}/")
    form = page.locator("#approval-form")
    form.locator("select[name=kind]").select_option("design")
    form.locator("select[name=authority]").select_option(label="龙潭区发展和改革局")
    form.locator("input[name=doc_no]").fill("龙发改审批〔2026〕88号")
    form.locator("input[name=approved_on]").fill(today.isoformat())
    form.locator("input[name=amount]").fill("一千万")
    form.locator("input[name=file]").set_input_files(str(pdf))
    form.locator("button[name=record-approval]").click()
    assert "请填写金额（元）" in page.locator("#approval-form [data-field=amount]").inner_text()
    form = page.locator("#approval-form")
    form.locator("input[name=amount]").fill("12500000")
    form.locator("input[name=file]").set_input_files(str(pdf))
    form.locator("button[name=record-approval]").click()
    page.wait_for_selector("text=审批信息已录入")
    assert "龙发改审批〔2026〕88号" in page.locator("#approvals").inner_text()
    assert (
        Approval.objects.get(doc_no="龙发改审批〔2026〕88号").estimates.get().amount_fen
        == 1_250_000_000
    )
    _shot(page, "approval")
    _logout(page)

    # 财政 allocates 100万 of the water fund to the irrigation project
    login(page, "caizheng-zj")
    page.goto(f"{base}/staff/invest/projects/{p3.pk}/")
    form = page.locator("#allocation-form")
    form.locator("select[name=fund]").select_option(label="ZX-2025-SL-01 2025年中央水利发展资金")
    form.locator("input[name=amount]").fill("1000000")
    form.locator("input[name=doc_no]").fill("龙财农指〔2026〕5号")
    form.locator("input[name=allocated_on]").fill(today.isoformat())
    form.locator("button[name=allocate]").click()
    page.wait_for_selector("text=资金已下达")
    _shot(page, "allocation")
    page.goto(f"{base}/staff/invest/funds/")
    assert "2025年中央水利发展资金" in page.locator("#funds").inner_text()
    _logout(page)

    # the construction unit disburses 30万 on the existing certificate
    login(page, "xmjs")
    page.goto(f"{base}/staff/invest/projects/{p3.pk}/")
    form = page.locator("#disbursement-form")
    form.locator("select[name=allocation]").select_option(index=2)
    form.locator("select[name=contract]").select_option(index=1)
    form.locator("input[name=amount]").fill("300000")
    form.locator("input[name=paid_on]").fill(today.isoformat())
    form.locator("button[name=disburse]").click()
    assert (
        "拨付须附进度款支付证书"
        in page.locator("#disbursement-form [data-field=certificate]").inner_text()
    )
    form = page.locator("#disbursement-form")
    form.locator("select[name=certificate]").select_option(index=1)
    form.locator("button[name=disburse]").click()
    page.wait_for_selector("text=资金拨付已录入")
    assert Disbursement.objects.filter(project=p3, amount_fen=30_000_000).exists()
    _shot(page, "disbursement")
    _logout(page)

    # 审计 files a problem report whose deadline has already passed
    login(page, "shenji")
    page.goto(f"{base}/staff/invest/projects/{p3.pk}/")
    form = page.locator("#inspection-form")
    form.locator("select[name=kind]").select_option("problem")
    form.locator("input[name=inspected_on]").fill((today - timedelta(days=10)).isoformat())
    form.locator("textarea[name=summary]").fill("抽查进度款拨付与计量资料。")
    form.locator("textarea[name=problem]").fill("第二期计量签证未附监理日志")
    form.locator("input[name=deadline]").fill((today - timedelta(days=1)).isoformat())
    form.locator("button[name=file-inspection]").click()
    page.wait_for_selector("text=巡查记录已报送")
    assert "未整改" in page.locator("#inspections").inner_text()
    _shot(page, "inspection")
    # the project's file on paper: facts and tables, no forms and no buttons
    page.emulate_media(media="print")
    assert page.locator("#project-code").is_visible() and page.locator("#inspections").is_visible()
    assert not page.locator("#inspection-form").is_visible()
    assert not page.locator("#print-project").is_visible()
    _shot(page, "print")
    page.emulate_media(media="screen")
    _logout(page)

    engine.run_sweeps(codes=["SUP-7-problem-not-rectified"])
    problem = Problem.objects.get(description="第二期计量签证未附监理日志")
    alarm = Alarm.objects.get(rule_code="SUP-7-problem-not-rectified", subject_id=str(problem.pk))

    # the commission sees the alarm on its board and opens it
    login(page, "jiwei")
    page.goto(f"{base}/staff/supervision/")
    assert "逾期未整改" in page.locator("#open-alarms").inner_text()
    page.goto(f"{base}/staff/supervision/alarms/{alarm.pk}/")
    assert "逾期未整改" in page.content()
    _shot(page, "alarm")
    page.goto(f"{base}/gk/invest/{p3.pk}/")
    assert "第二期计量签证" not in page.content()  # inspections are internal
    _shot(page, "public")
