"""Issue 12, finding 10 for meetings: a meeting dated ahead cannot be held today, and a named
vote (记名表决) shows who voted how, not only the totals."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from wuquan.common.exceptions import RuleViolation
from wuquan.decisions import services
from wuquan.decisions.models import Choice, MeetingStatus
from wuquan.ledger.models import Event

from .dec_helpers import make_body, meeting_at_vote

pytestmark = pytest.mark.django_db


def test_finding10_a_meeting_dated_two_days_ahead_cannot_be_held_today():
    unit, people = make_body(3, "early")
    ahead = timezone.localdate() + timedelta(days=2)
    meeting = services.do_create_meeting(unit, "党组会", ahead, actor="clerk")
    n = Event.objects.count()
    with pytest.raises(RuleViolation) as err:
        services.do_record_attendance(meeting, [p.pk for p in people], actor="clerk")
    assert ahead.isoformat() in str(err.value.message)
    meeting.refresh_from_db()
    assert meeting.status != MeetingStatus.HELD and Event.objects.count() == n
    # its lawful twin: on the day itself it opens
    today = services.do_create_meeting(unit, "党组会", timezone.localdate(), actor="clerk")
    services.do_record_attendance(today, [p.pk for p in people], actor="clerk")
    today.refresh_from_db()
    assert today.status == MeetingStatus.HELD


def test_finding10_a_roll_call_vote_shows_who_voted_how(client):
    meeting, item, members = meeting_at_vote(3, 3, code="rollcall")
    choices = [Choice.YES, Choice.NO, Choice.ABSTAIN]
    for member, choice in zip(members, choices, strict=True):
        services.do_cast_vote(item, member, choice, actor="clerk")
    services.do_close_vote(item, actor="clerk")
    admin = get_user_model().objects.create_superuser("t-admin", password="x")
    client.force_login(admin)
    html = client.get(f"/staff/decisions/meetings/{meeting.pk}/").content.decode()
    table = html[html.index('class="roll-call"') :]
    table = table[: table.index("</table>")]
    for member, label in zip(members, ("赞成", "反对", "弃权"), strict=True):
        row = table[table.index(str(member.person)) :]
        assert row[: row.index("</tr>")].count(label) == 1
