"""APR-2 B: official schedules (layer 1), tracked deadlines recomputed when a schedule
arrives, the ledger record, the deadline_moved signal, notices, the command and the warning."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.ledger.models import Event
from wuquan.org import roles
from wuquan.workdays import calendar as wd
from wuquan.workdays import home, layers, selectors, services
from wuquan.workdays.layers import OFFICIAL, PACKAGE, PROVISIONAL
from wuquan.workdays.models import Notice, OfficialSchedule, TrackedDeadline
from wuquan.workdays.signals import deadline_moved

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOTICE = "国办发明电〔2026〕9号"

# An invented but realistic 2027 schedule (the real one is published in autumn 2026). The
# makeup Sunday 2027-01-10 is invented so that it falls inside the test deadline.
SCHEDULE_2027 = [
    ("2027-01-01", "holiday", "元旦"),
    ("2027-01-02", "holiday", "元旦"),
    ("2027-01-03", "holiday", "元旦"),
    ("2027-01-10", "makeup_workday", "春节"),
    *[(f"2027-02-{d:02d}", "holiday", "春节") for d in range(5, 14)],
    ("2027-02-20", "makeup_workday", "春节"),
    ("2027-04-03", "holiday", "清明节"),
    ("2027-04-04", "holiday", "清明节"),
    ("2027-04-05", "holiday", "清明节"),
    *[(f"2027-05-{d:02d}", "holiday", "劳动节") for d in range(1, 6)],
    ("2027-04-25", "makeup_workday", "劳动节"),
    ("2027-05-08", "makeup_workday", "劳动节"),
    ("2027-06-09", "holiday", "端午节"),
    ("2027-09-15", "holiday", "中秋节"),
    *[(f"2027-10-{d:02d}", "holiday", "国庆节") for d in range(1, 8)],
    ("2027-09-26", "makeup_workday", "国庆节"),
    ("2027-10-09", "makeup_workday", "国庆节"),
]


def at(y, m, d, h=15, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture
def admin_user(db):
    return User.objects.create_user("wd-admin", is_superuser=True, is_staff=True)


@pytest.fixture
def clerk(db):
    return User.objects.create_user("wd-clerk")


def load_2027(actor="test", days=SCHEDULE_2027, notice=NOTICE):
    return services.do_load_official_schedule(2027, notice, "2026-11-05", days, actor=actor)


def test_apr2_loading_2027_schedule_recomputes_provisional_deadline_and_logs_it(admin_user, clerk):
    moved = []

    def receiver(sender, deadline, old_due, new_due, **kw):
        moved.append((deadline.subject_id, old_due, new_due))

    deadline_moved.connect(receiver)
    try:
        dl = services.track_deadline(
            ("approvals.case", "42"), "办理时限", at(2026, 12, 20), 15, owner=clerk
        )
        # provisional: Mon 2027-01-11 (hand count in test_workdays_calendar)
        assert (dl.due, dl.provisional, dl.layer) == (
            date(2027, 1, 11),
            True,
            "package,provisional",
        )
        assert [d.pk for d in selectors.open_deadlines(provisional=True)] == [dl.pk]
        result = load_2027(admin_user)
    finally:
        deadline_moved.disconnect(receiver)
    # With the notice: 12-21..12-31 give 9 days; 1-1..1-3 off; Mon 1-4 (10) … Fri 1-8 (14);
    # Sun 1-10 is a makeup workday (15): the deadline moves one day EARLIER, to 2027-01-10.
    dl.refresh_from_db()
    assert (dl.due, dl.provisional, dl.layer) == (date(2027, 1, 10), False, "official,package")
    assert result.recomputed == 1 and [m[0].pk for m in result.moved] == [dl.pk]
    assert moved == [("42", date(2027, 1, 11), date(2027, 1, 10))]
    loaded = Event.objects.get(action="workdays.schedule.loaded")
    assert loaded.payload["notice_number"] == NOTICE and loaded.payload["makeup_workdays"] == 6
    assert loaded.actor == "user:wd-admin"
    ev = Event.objects.get(action="workdays.deadline.recomputed")
    assert (ev.subject_type, ev.subject_id) == ("workdays.trackeddeadline", str(dl.pk))
    assert ev.payload == {
        "subject": ["approvals.case", "42"],
        "purpose": "办理时限",
        "old_due": "2027-01-11",
        "new_due": "2027-01-10",
        "old_layers": "package,provisional",
        "new_layers": "official,package",
        "old_provisional": True,
        "new_provisional": False,
        "cause": {"year": 2027, "notice_number": NOTICE, "notice_date": "2026-11-05"},
    }
    assert ev.index > loaded.index
    mine = selectors.unread_notices(clerk)
    assert len(mine) == 1 and "2027-01-10" in mine[0].text and NOTICE in mine[0].text
    assert Notice.objects.filter(recipient__isnull=True).count() == 1
    assert wd.day_info(date(2027, 1, 10)) == wd.DayInfo(date(2027, 1, 10), True, OFFICIAL, "春节")


def test_apr2_recompute_skips_closed_and_unrelated_deadlines(admin_user):
    closed = services.track_deadline(("approvals.case", "1"), "办理时限", at(2026, 12, 20), 15)
    services.close_deadline(closed)
    inside_2026 = services.track_deadline(("approvals.case", "2"), "办理时限", at(2026, 3, 2), 5)
    result = load_2027(admin_user)
    assert result.recomputed == 0
    closed.refresh_from_db()
    assert closed.due == date(2027, 1, 11) and closed.provisional
    assert Event.objects.filter(action="workdays.deadline.recomputed").count() == 0
    assert TrackedDeadline.objects.get(pk=inside_2026.pk).layer == PACKAGE


def test_apr2_same_due_but_now_official_is_still_recorded(admin_user):
    # Accepted Mon 2027-03-01, 3 days: 3-4 either way; the standing changes to official.
    dl = services.track_deadline(("decisions.meeting", "7"), "会前通知", at(2027, 3, 1), 3)
    assert dl.provisional
    result = load_2027(admin_user)
    dl.refresh_from_db()
    assert dl.due == date(2027, 3, 4) and not dl.provisional and result.moved == []
    ev = Event.objects.get(action="workdays.deadline.recomputed")
    assert ev.payload["old_due"] == ev.payload["new_due"] == "2027-03-04"


def test_apr2_reloading_a_corrected_notice_recomputes_official_deadlines(admin_user):
    load_2027(admin_user)
    dl = services.track_deadline(("approvals.case", "9"), "办理时限", at(2026, 12, 20), 15)
    assert dl.due == date(2027, 1, 10) and dl.layer == "official,package"
    without_sunday = [row for row in SCHEDULE_2027 if row[0] != "2027-01-10"]
    result = load_2027(admin_user, without_sunday, notice="国办发明电〔2026〕10号")
    dl.refresh_from_db()
    assert dl.due == date(2027, 1, 11) and len(result.moved) == 1
    assert (
        Event.objects.filter(action="workdays.schedule.loaded").last().payload["replaced"] == NOTICE
    )
    assert OfficialSchedule.objects.get(year=2027).days.count() == len(without_sunday)


def test_apr2_official_schedule_outranks_the_package():
    # An (invented) correction for 2026 making Thu 2026-12-31 a holiday.
    assert wd.day_info(date(2026, 12, 31)).layer == PACKAGE
    services.do_load_official_schedule(
        2026, "测试〔2026〕1号", "2025-11-04", [("2026-12-31", "holiday", "测试")], actor="test"
    )
    info = wd.day_info(date(2026, 12, 31))
    assert (info.working, info.layer) == (False, OFFICIAL)
    # the official table is complete for its year: days it does not name are ordinary days
    assert wd.is_working_day(date(2026, 10, 8))


@pytest.mark.parametrize(
    "days, notice, field",
    [
        ([("2027-01-04", "makeup_workday", "")], NOTICE, "days"),  # a Monday
        ([("2026-12-31", "holiday", "")], NOTICE, "days"),  # not in 2027
        ([("2027-01-01", "holiday", ""), ("2027-01-01", "holiday", "")], NOTICE, "days"),
        ([("2027-01-01", "day-off", "")], NOTICE, "days"),
        ([("2027-13-01", "holiday", "")], NOTICE, "days"),
        ([("2027-01-10", "makeup_workday", "")], NOTICE, "days"),  # no holiday at all
        ([("2027-01-01", "holiday", "")], "  ", "notice_number"),
    ],
)
def test_apr2_bad_schedule_is_refused_and_nothing_is_written(days, notice, field):
    dl = services.track_deadline(("approvals.case", "5"), "办理时限", at(2026, 12, 20), 15)
    with pytest.raises(InvalidInput) as err:
        services.do_load_official_schedule(2027, notice, "2026-11-05", days, actor="test")
    assert err.value.field == field
    assert not OfficialSchedule.objects.exists() and not Event.objects.exists()
    dl.refresh_from_db()
    assert dl.provisional and wd.day_info(date(2027, 1, 1)).layer == PROVISIONAL


def test_apr2_schedule_for_a_year_out_of_range_is_refused():
    with pytest.raises(InvalidInput):
        services.do_load_official_schedule(2003, NOTICE, "2002-11-05", [], actor="test")


def test_apr2_suspend_resume_close_tracked_deadline():
    dl = services.track_deadline(("approvals.case", "3"), "办理时限", at(2025, 3, 3), 5)
    assert dl.due == date(2025, 3, 10)
    services.suspend_deadline(dl, at(2025, 3, 5, 10))
    assert dl.due is None and dl.suspended
    with pytest.raises(RuleViolation):
        services.suspend_deadline(dl, at(2025, 3, 6))
    services.resume_deadline(dl, at(2025, 3, 10, 9))
    dl.refresh_from_db()
    assert dl.due == date(2025, 3, 13) and not dl.suspended
    assert dl.suspensions == [["2025-03-05T10:00:00+08:00", "2025-03-10T09:00:00+08:00"]]
    with pytest.raises(RuleViolation):
        services.resume_deadline(dl, at(2025, 3, 11))
    services.close_deadline(dl)
    assert list(selectors.deadlines_for(("approvals.case", "3"), open_only=True)) == []
    assert list(selectors.deadlines_for(("approvals.case", "3"))) == [dl]


def test_apr2_track_deadline_refuses_naive_start():
    with pytest.raises(InvalidInput):
        services.track_deadline(("approvals.case", "4"), "x", datetime(2025, 3, 3, 9), 5)
    assert not TrackedDeadline.objects.exists()


def test_apr2_load_schedule_command(tmp_path, capsys):
    dl = services.track_deadline(("approvals.case", "42"), "办理时限", at(2026, 12, 20), 15)
    csv_file = tmp_path / "days.csv"
    csv_file.write_text(
        "day,kind,name\n" + "".join(f"{d},{k},{n}\n" for d, k, n in SCHEDULE_2027),
        encoding="utf-8",
    )
    call_command(
        "load_schedule", "2027", "--notice", NOTICE, "--date", "2026-11-05", "--file", str(csv_file)
    )
    assert "重算未结时限 1 个" in capsys.readouterr().out
    dl.refresh_from_db()
    assert dl.due == date(2027, 1, 10)
    assert Event.objects.get(action="workdays.schedule.loaded").actor == "cli:load_schedule"
    bad = tmp_path / "bad.csv"
    bad.write_text("2028-01-03,makeup_workday,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="不在 2027 年内"):
        call_command(
            "load_schedule", "2027", "--notice", NOTICE, "--date", "2026-11-05", "--file", str(bad)
        )


class _Req:
    def __init__(self, user):
        self.user = user


def test_apr2_warning_from_1_october_for_admins_while_next_year_unknown(admin_user, clerk):
    assert home.panels(_Req(admin_user), as_of=date(2026, 9, 30)) == []
    [panel] = home.panels(_Req(admin_user), as_of=date(2026, 10, 1))
    assert panel["level"] == "warning" and "2027" in panel["title"]
    assert "还有 92 天" in panel["html"]
    [panel] = home.panels(_Req(admin_user), as_of=date(2026, 12, 30))
    assert "还有 2 天" in panel["html"]
    assert home.panels(_Req(clerk), as_of=date(2026, 10, 1)) == []
    # the role 系统管理员 counts as admin
    clerk.groups.add(Group.objects.get_or_create(name=roles.ADMIN)[0])
    assert len(home.panels(_Req(clerk), as_of=date(2026, 10, 1))) == 1
    # 2025-10-01: 2026 is known to the package; no warning
    assert home.panels(_Req(admin_user), as_of=date(2025, 10, 1)) == []
    load_2027(admin_user)
    panels = home.panels(_Req(admin_user), as_of=date(2026, 10, 1))
    assert [p["level"] for p in panels] == ["info"]  # only the load notice, no warning


def test_apr2_years_page_shows_the_layer_of_each_year(client, admin_user):
    client.force_login(admin_user)
    load_2027(admin_user)
    page = client.get("/staff/workdays/").content.decode()
    assert NOTICE in page and "临时日历" in page
    rows = selectors.calendar_years(date(2026, 5, 1), before=1, after=2)
    assert [(r.year, r.layer) for r in rows] == [
        (2025, PACKAGE),
        (2026, PACKAGE),
        (2027, OFFICIAL),
        (2028, PROVISIONAL),
    ]


def test_apr2_admin_saves_schedule_through_the_service(client, admin_user):
    client.force_login(admin_user)
    dl = services.track_deadline(("approvals.case", "42"), "办理时限", at(2026, 12, 20), 15)
    data = {
        "year": "2027",
        "notice_number": NOTICE,
        "notice_date": "2026-11-05",
        "days-TOTAL_FORMS": "3",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-day": "2027-01-01",
        "days-0-kind": "holiday",
        "days-0-name": "元旦",
        "days-1-day": "2027-01-10",
        "days-1-kind": "makeup_workday",
        "days-1-name": "调休",
        "days-2-day": "",
        "days-2-kind": "",
        "days-2-name": "",
    }
    resp = client.post("/admin/workdays/officialschedule/add/", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    schedule = OfficialSchedule.objects.get(year=2027)
    assert schedule.loaded_by == "user:wd-admin" and schedule.days.count() == 2
    dl.refresh_from_db()
    assert dl.due == date(2027, 1, 10) and not dl.provisional
    assert Event.objects.filter(action="workdays.deadline.recomputed").count() == 1


def test_apr2_per_year_cache_does_not_query_per_day(django_assert_max_num_queries):
    wd.is_working_day(date(2026, 1, 5))  # warm
    with django_assert_max_num_queries(4):
        # ~400 calendar days over 2026-2027: at most the 2027 build (official lookup) + check
        wd.compute_deadline(at(2026, 3, 2), 250)
    layers.REVALIDATE_SECONDS  # noqa: B018


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2026, 9, 1), max_value=datetime(2027, 3, 1), timezones=st.just(TZ)
    ),
    n=st.integers(min_value=0, max_value=40),
    pause=st.tuples(st.integers(0, 30), st.integers(0, 15)),
)
def _check_across_layers(start, n, pause):
    dl = wd.compute_deadline(start, n)
    assert wd.count_working_days(start, dl.due).days == n
    susp = [[start + timedelta(days=pause[0]), start + timedelta(days=sum(pause))]]
    later = wd.compute_deadline(start, n, susp)
    assert later.due >= dl.due
    assert wd.count_working_days(start, later.due, susp).days == n
    assert dl.provisional == (PROVISIONAL in dl.layers) and dl.provisional == any(
        y in dl.provisional_years for y in dl.years
    )


def test_apr2_property_across_2026_2027_provisional_then_official():
    _check_across_layers()
    load_2027()
    _check_across_layers()
    assert not wd.compute_deadline(at(2026, 12, 20), 15).provisional


def test_apr2_notices_show_on_staff_home_and_can_be_marked_read(client, admin_user, clerk):
    services.track_deadline(("approvals.case", "42"), "办理时限", at(2026, 12, 20), 15, owner=clerk)
    load_2027(admin_user)
    client.force_login(clerk)
    page = client.get("/staff/").content.decode()
    assert "工作日历通知" in page and "2027-01-10" in page
    assert client.post("/staff/workdays/notices/read/").status_code == 302
    assert selectors.unread_notices(clerk) == []
    assert "工作日历通知" not in client.get("/staff/").content.decode()


def test_apr2_demo_loads_2025_schedule_once_and_it_matches_the_package():
    from wuquan.workdays import demo

    demo.load(None)
    demo.load(None)
    assert Event.objects.filter(action="workdays.schedule.loaded").count() == 1
    official = layers.year_calendar(2025)
    assert official.layer == OFFICIAL and official.source == demo.NOTICE
    for day in (date(2025, 9, 28), date(2025, 10, 8), date(2025, 10, 11), date(2025, 6, 2)):
        layers.invalidate()
        assert official.is_working_day(day) == layers._package_year(2025).is_working_day(day)
