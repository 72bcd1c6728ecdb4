"""Issue 12, finding 6 on the decisions staff pages: a refused POST shows its error beside the
field, keeps what was typed and answers 400 (no separate error page); tables carry a caption
and column headers with scope."""

import pytest
from django.contrib.auth import get_user_model

from wuquan.decisions import services
from wuquan.ledger.models import Event

from .dec_helpers import FRIDAY_LATE, MONDAY, make_body, meeting_at_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(get_user_model().objects.create_superuser("dec-ui", password="x"))
    return client


def _beside(html, name, message):
    """The error span sits inside the label of the field `name`."""
    at = html.index(f'name="{name}"')
    label = html[html.rindex("<label", 0, at) : html.index("</label>", at)]
    return message in label and 'class="field-error"' in label


def test_finding6_new_meeting_error_beside_the_title_and_the_input_kept(staff):
    unit, _people = make_body(3, "formunit")
    before = Event.objects.count()
    r = staff.post("/staff/decisions/", {"unit": unit.pk, "title": " ", "date": "2025-06-16",
                                         "location": "三楼会议室"})  # fmt: skip
    html = r.content.decode()
    assert r.status_code == 400 and _beside(html, "title", "请填写会议名称")
    assert 'value="三楼会议室"' in html and 'value="2025-06-16"' in html
    assert Event.objects.count() == before
    # the lawful twin
    r = staff.post("/staff/decisions/", {"unit": unit.pk, "title": "党组会", "date": "2025-06-16"})
    assert r.status_code == 302


def test_finding6_statement_error_beside_its_field_and_the_text_kept(staff):
    meeting, item, members = meeting_at_vote(3, 3, code="stmt")
    item2 = services.do_add_agenda_item(meeting, "第二议题", "major_decision", "", actor="clerk")
    services.do_send_materials(item2, actor="clerk", at=FRIDAY_LATE)
    services.do_open_item(item2, actor="clerk")
    head = next(m for m in members if m.is_head)
    url = f"/staff/decisions/items/{item2.pk}/statement/"
    r = staff.post(url, {"member": head.pk, "text": "我同意"})  # head first: refused (DEC-4)
    html = r.content.decode()
    assert r.status_code == 400
    form = html[html.index(f"/staff/decisions/items/{item2.pk}/statement/") :]
    form = form[: form.index("</form>")]
    assert "主要负责人须末位表态" in form and 'value="我同意"' in form


def test_finding6_meeting_tables_have_caption_and_scoped_headers(staff):
    unit, _people = make_body(3, "tables")
    services.do_create_meeting(unit, "党组会", MONDAY, actor="clerk")
    html = staff.get("/staff/decisions/").content.decode()
    assert "<caption>" in html and '<th scope="col">' in html and "<th>" not in html
