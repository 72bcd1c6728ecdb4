"""A meeting clerk runs a 三重一大 meeting from agenda to published result (DEC-2..9, PUB-5)."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from wuquan.workdays.calendar import last_working_day_before

SH = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.browser


@pytest.fixture
def decisions_demo(demo_org):
    from wuquan.decisions import demo

    demo.load(None)


def _agenda_sent_the_day_before(meeting_day):
    """The clerk called the meeting, put the item on the agenda and handed out the materials on
    the last working day before it (DEC-3: 至少提前1个工作日送达) — recorded through the
    services at that time (they honour `at`, issue 11)."""
    from datetime import datetime, time

    from wuquan.decisions import services
    from wuquan.decisions.models import MatterKind
    from wuquan.org.models import Unit

    before = datetime.combine(last_working_day_before(meeting_day), time(10), SH)
    unit = Unit.objects.get(name="龙潭区发展和改革局")
    kw = {"actor": "huiyi", "at": before}
    meeting = services.do_create_meeting(unit, "浏览器测试党组会议", meeting_day, **kw)
    item = services.do_add_agenda_item(
        meeting, "采购无人机测绘服务（60 万元）", MatterKind.LARGE_SUM, "采购方案", **kw
    )
    services.do_send_materials(item, **kw)
    return meeting


def test_dec_clerk_runs_meeting_from_agenda_to_published_result(page, login, decisions_demo):
    """The meeting is held on its own day (today), its materials sent the working day before;
    a refusal (the head speaking first) shows beside the statement field."""
    meeting_day = timezone.localdate()
    meeting = _agenda_sent_the_day_before(meeting_day)
    login(page, "huiyi")
    page.goto(page.base_url + "/staff/decisions/")
    form = page.locator("#new-meeting")
    form.locator("select[name=unit]").select_option(label="龙潭区发展和改革局")
    form.locator("input[name=title]").fill(" ")
    form.locator("input[name=date]").fill(meeting_day.isoformat())
    form.locator("button[type=submit]").click()  # refused: the error beside the title
    expect(form.locator(".field-error")).to_contain_text("请填写会议名称")
    expect(form.locator("input[name=date]")).to_have_value(meeting_day.isoformat())

    page.goto(page.base_url + f"/staff/decisions/meetings/{meeting.pk}/")
    expect(page.locator("h1")).to_have_text("浏览器测试党组会议")
    expect(page.get_by_text("材料已送达 4 人")).to_be_visible()

    for box in page.locator("#attendance input[name=present]").all():
        box.check()
    page.locator("#attendance button[type=submit]").click()
    page.locator(".card.item button[name=open]").click()
    expect(page.locator(".card.item .item-status")).to_have_text("讨论中")

    def speak(name, text):
        form = page.locator(".statement-form")
        form.locator("select[name=member]").select_option(label=name)
        form.locator("input[name=text]").fill(text)
        form.locator("button[type=submit]").click()

    speak("王建国", "我先说")  # the head may not speak first (DEC-4)
    expect(page.locator(".statement-form .field-error")).to_contain_text("末位表态")
    expect(page.locator(".statement-form input[name=text]")).to_have_value("我先说")
    for name in ("刘洋", "陈静", "张伟"):
        speak(name, f"{name}：同意")
    speak("王建国", "综合大家意见，同意")
    expect(page.locator("ol.statements li").last).to_contain_text("末位表态")

    page.locator("button[name=start-vote]").click()
    for name, choice in [("王建国", "yes"), ("刘洋", "yes"), ("陈静", "no"), ("张伟", "yes")]:
        vote = page.locator(".vote-form")
        vote.locator("select[name=member]").select_option(label=name)
        vote.locator("select[name=choice]").select_option(choice)
        vote.locator("button[type=submit]").click()
    expect(page.locator(".result")).to_have_count(0)  # no result before the vote closes
    page.locator("button[name=close-vote]").click()
    expect(page.locator(".result")).to_contain_text("赞成 3 票 > 应到 4 人的一半 2，通过")

    publish = page.locator(".publish-form")
    publish.locator("input[name=summary]").fill("同意采购无人机测绘服务，按政府采购程序实施。")
    publish.locator("button[type=submit]").click()
    expect(page.get_by_text("已公开：同意采购无人机测绘服务")).to_be_visible()

    page.goto(page.base_url + "/gk/decisions/")
    card = page.locator(".card.decision", has_text="采购无人机测绘服务（60 万元）")
    expect(card).to_contain_text("赞成 3 票 > 应到 4 人的一半 2，通过")
    expect(card).to_contain_text(re.compile("同意采购无人机测绘服务"))
