"""Issue 12, finding 6 on the evaluation staff pages: a refused POST shows its error beside the
field, keeps what was typed and answers 400; tables carry a caption and scoped headers; the
codes sheet has no inline style (CSP)."""

import pytest
from django.contrib.auth import get_user_model

from wuquan.evaluation import services
from wuquan.ledger.models import Event
from wuquan.org.models import Person
from wuquan.org.services import ensure_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(get_user_model().objects.create_superuser("eva-ui", password="x"))
    return client


@pytest.fixture
def evaluation():
    village = ensure_unit("uivillage", "界面村", "village")
    ev = services.do_create_evaluation(village, 2025, "2025年度勤廉双述", "village_cadres", 3,
                                       actor="clerk")  # fmt: skip
    services.do_add_subject(ev, Person.objects.create(name="甲"), "主任", actor="clerk")
    return ev


def _beside(html, name, message):
    at = html.index(f'name="{name}"')
    label = html[html.rindex("<label", 0, at) : html.index("</label>", at)]
    return message in label and 'class="field-error"' in label


def test_finding6_new_evaluation_error_beside_the_voters_and_the_input_kept(staff, evaluation):
    before = Event.objects.count()
    r = staff.post("/staff/evaluation/", {"unit": evaluation.unit.pk, "year": "2026",
                   "title": "二〇二六年测评", "kind": "village_cadres", "eligible_voters": "0"})  # fmt: skip
    html = r.content.decode()
    assert r.status_code == 400 and _beside(html, "eligible_voters", "参评人数须大于 0")
    assert 'value="二〇二六年测评"' in html and Event.objects.count() == before


def test_finding6_codes_over_the_voters_beside_the_count(staff, evaluation):
    r = staff.post(f"/staff/evaluation/{evaluation.pk}/codes/", {"count": "9"})
    html = r.content.decode()
    assert r.status_code == 400 and _beside(html, "count", "不能超过参评人数")
    assert 'value="9"' in html
    # its lawful twin: the printable sheet, with no inline style
    r = staff.post(f"/staff/evaluation/{evaluation.pk}/codes/", {"count": "2"})
    assert r.status_code == 200 and "style=" not in r.content.decode()


def test_finding6_question_error_beside_the_asker_and_text_kept(staff, evaluation):
    subject = evaluation.subjects.get()
    r = staff.post(f"/staff/evaluation/{evaluation.pk}/question/",
                   {"subject": subject.pk, "asker": "", "text": "修路款怎么花的？"})  # fmt: skip
    html = r.content.decode()
    assert r.status_code == 400 and _beside(html, "asker", "请填写提问人")
    assert 'value="修路款怎么花的？"' in html


def test_finding6_evaluation_tables_have_caption_and_scoped_headers(staff, evaluation):
    for url in ("/staff/evaluation/", f"/staff/evaluation/{evaluation.pk}/"):
        html = staff.get(url).content.decode()
        assert "<caption>" in html and '<th scope="col">' in html and "<th>" not in html
