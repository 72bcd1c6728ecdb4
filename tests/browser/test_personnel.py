"""The organisation department runs a selection from 动议 to 任职, through the 党组 meeting's
secret ballot in decisions and the public notice on the portal (PER-1, PER-2, PER-4)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from wuquan.workdays.calendar import add_working_days

pytestmark = pytest.mark.browser
SHOTS = Path("var/screenshots")


@pytest.fixture
def personnel_world(demo_org):
    from wuquan.decisions import demo as decisions_demo
    from wuquan.org.models import Post, Unit
    from wuquan.org.services import ensure_post, ensure_staff
    from wuquan.personnel import services
    from wuquan.personnel.models import Rank

    decisions_demo.load(None)  # 发改局's body and the meeting clerk `huiyi`
    zuzhibu = Unit.objects.get(code="zuzhibu")
    ensure_staff(
        "zuzhibu",
        "干部监督室 孙敏",
        ensure_post(zuzhibu, "cadre-supervision", "干部监督室", "B"),
        [],
    )
    fagai = Unit.objects.get(code="fagai")
    post = ensure_post(fagai, "planning-chief", "规划科科长", "B")
    services.do_set_post_profile(post, actor="test", rank=Rank.SECTION, district_reviewed=True)
    services.do_set_establishment(fagai, "正科级领导职数", 1, [post], actor="test")
    return Post.objects.get(pk=post.pk)


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"personnel-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _step(page, participants="局党组成员", outcome="同意"):
    form = page.locator("#step-form")
    form.locator("input[name=participants]").fill(participants)
    form.locator("textarea[name=outcome]").fill(outcome)
    form.locator("button[type=submit]").click()


def test_per1_org_department_runs_a_selection_from_motion_to_appointment(
    page, browser, login, personnel_world, live_server
):
    from wuquan.personnel.models import Selection

    login(page, "zuzhibu")
    page.goto(page.base_url + "/staff/personnel/")
    form = page.locator("#open-selection")
    form.locator("select[name=post]").select_option(label=str(personnel_world))
    form.locator("button[type=submit]").click()  # everything missing: all errors at once
    expect(page.locator("#open-selection .error-message")).to_have_count(3)
    expect(form.locator("select[name=post]")).to_have_value(str(personnel_world.pk))
    form.locator("input[name=title]").fill("规划科科长选拔")
    form.locator("input[name=participants]").fill("局党组成员")
    form.locator("textarea[name=outcome]").fill("规划科科长空缺，按条例启动选拔")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("规划科科长选拔")
    expect(page.locator("ol.steps li.done")).to_have_count(1)

    # 民主推荐 cannot be closed without a real-name nomination (PER-2)
    _step(page)
    expect(page.locator(".error-message").first).to_contain_text("实名推荐")
    nom = page.locator("#nominate")
    nom.locator("select[name=nominee]").select_option(label="刘洋")
    nom.locator("select[name=nominator]").select_option(label="张伟")
    nom.locator("textarea[name=reason]").fill("业务熟悉，群众公认")
    nom.locator("input[name=signature]").fill("张伟")
    nom.locator("button[type=submit]").click()
    expect(page.locator("table").nth(1)).to_contain_text("业务熟悉，群众公认")
    _step(page, outcome="会议推荐 18 票")
    page.locator("#step-form select[name=candidate]").select_option(label="刘洋")
    _step(page, outcome="确定为考察对象")
    expect(page.locator("ol.steps li.done")).to_have_count(3)

    # 考察 waits for the candidate's personal-matters check
    _step(page, outcome="考察结论：优秀")
    expect(page.locator(".error-message").first).to_contain_text("查核")
    page.locator("a.check-link").click()
    page.locator("#conclude select[name=finding]").select_option("consistent")
    page.locator("#conclude select[name=outcome]").select_option("none")
    page.locator("#conclude button[type=submit]").click()
    _step(page, outcome="考察结论：优秀")
    expect(page.locator("ol.steps li.done")).to_have_count(4)
    page.locator("#submit-review button").click()
    expect(page.locator("#review-status")).to_have_text("审核中")
    page.locator("#decide-review button").click()
    expect(page.locator("#review-status")).to_have_text("审核通过")

    # the 党组 meeting (the clerk `huiyi`, in decisions) decides by secret ballot
    clerk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    cp = clerk.new_page()
    cp.base_url = page.base_url
    login(cp, "huiyi")
    cp.goto(cp.base_url + "/staff/decisions/")
    mf = cp.locator("#new-meeting")
    mf.locator("select[name=unit]").select_option(label="龙潭区发展和改革局")
    mf.locator("input[name=title]").fill("局党组会议（干部任免）")
    mf.locator("input[name=date]").fill(timezone.localdate().isoformat())
    mf.locator("button[type=submit]").click()
    meeting_url = cp.url

    page.goto(page.url)
    page.locator("#request-decision select[name=meeting]").select_option(index=1)
    page.locator("#request-decision button").click()
    page.locator("#step-form button").click()  # no decision yet: refused
    expect(page.locator(".error-message").first).to_contain_text("无记名票决")

    cp.goto(meeting_url)
    for box in cp.locator("#attendance input[name=present]").all():
        box.check()
    cp.locator("#attendance button[type=submit]").click()
    cp.locator(".card.item button[name=open]").click()
    for name in ("刘洋", "陈静", "张伟", "王建国"):  # the head speaks last (DEC-4)
        st = cp.locator(".statement-form")
        st.locator("select[name=member]").select_option(label=name)
        st.locator("input[name=text]").fill("同意")
        st.locator("button[type=submit]").click()
    cp.locator("button[name=start-vote]").click()
    for name in ("刘洋", "陈静", "张伟", "王建国"):
        mark = cp.locator(".mark-form")
        mark.locator("select[name=member]").select_option(label=name)
        mark.locator("button[type=submit]").click()
    for choice in ("yes", "yes", "yes", "no"):
        ballot = cp.locator(".ballot-form")
        ballot.locator("select[name=choice]").select_option(choice)
        ballot.locator("button[type=submit]").click()
    cp.locator("button[name=close-vote]").click()
    expect(cp.locator(".result")).to_contain_text("通过")
    clerk.close()

    page.goto(page.url)
    page.locator("#step-form button").click()
    expect(page.locator("ol.steps li.done")).to_have_count(5)
    page.locator("#publish-notice button").click()
    expect(page.locator("#notice-period")).to_be_visible()

    # the public notice on the portal, and an objection from a member of the public
    public = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pp = public.new_page()
    pp.goto(page.base_url + "/gk/personnel/")
    pp.locator(".card.notice a").first.click()
    expect(pp.locator("h1")).to_contain_text("刘洋")
    pp.locator("#objection button").click()
    expect(pp.locator("#objection .error-message")).to_contain_text("反映内容")
    pp.locator("#objection textarea[name=content]").fill("反映该同志工作作风问题，请核实。")
    pp.locator("#objection button").click()
    expect(pp.locator(".messages")).to_contain_text("查询码")
    _shot(pp, "public-notice")
    public.close()

    page.goto(page.url)
    handle = page.locator(".handle-objection")
    handle.locator("input[name=finding]").fill("经核实，反映问题不属实")
    handle.locator("button").click()
    expect(page.locator(".card.objection")).to_contain_text("不影响任职")
    page.locator("#step-form input[name=participants]").fill("干部监督室")
    page.locator("#step-form button").click()  # five working days have not passed
    expect(page.locator(".error-message").first).to_contain_text("五个工作日")

    # why: five working days cannot pass inside a test; the notice window is moved back as
    # the calendar would have moved on (the only step not done through the pages)
    sel = Selection.objects.get()
    start = timezone.localdate() - timedelta(days=14)
    Selection.objects.filter(pk=sel.pk).update(
        notice_start=start, notice_end=add_working_days(start, 5)
    )
    page.goto(page.url)
    page.locator("#step-form input[name=participants]").fill("干部监督室")
    page.locator("#step-form button").click()
    expect(page.locator("ol.steps li.done")).to_have_count(6)
    page.locator("#step-form input[name=participants]").fill("干部监督室")
    page.locator("#step-form button").click()
    expect(page.locator("#status")).to_have_text("已任职")
    _shot(page, "selection")
    page.goto(page.base_url + f"/staff/personnel/selections/{sel.pk}/dossier/")
    expect(page.locator(".dossier table").first).to_contain_text("任前公示")
    expect(page.locator(".digest")).not_to_contain_text("未归档")
    _shot(page, "dossier")
