"""The applicant's status page, kept by what it shows (APR-9, PUB-9; issue 20).

`public_views.status` renders the page once per distinct `selectors.public_status` dict
(`common.pagecache.render_kept`). What must hold: a reload with nothing changed renders
nothing; any change to the case, its steps or its pauses shows on the next reload; every
visitor's copy has its own CSRF token and a fresh idempotency key per form; a flash message
shows once; staff get the page rendered live; the plain-SQL reads give what the ORM gives."""

from __future__ import annotations

import pickle
import re
from datetime import date, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wuquan.approvals import selectors, services
from wuquan.approvals.models import Case, CaseStep, StepState
from wuquan.common import pagecache
from wuquan.common.idempotency import FIELD

from .approvals_helpers import pdf

STATUS = "/gk/approvals/lookup/status/"
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
KEYS = re.compile(rb'name="' + FIELD.encode() + rb'" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def looked_up(accepted):
    """An accepted case and an applicant's browser that has looked it up."""
    case, code = accepted
    browser = Client(enforce_csrf_checks=True)
    token = CSRF.findall(browser.get("/gk/approvals/lookup/").content)[0].decode()
    r = browser.post(
        "/gk/approvals/lookup/",
        {"number": case.receipt_no, "code": code, "csrfmiddlewaretoken": token},
    )
    assert r.status_code == 302 and r["Location"] == STATUS
    return case, code, browser


@pytest.fixture
def renders(monkeypatch):
    """How often render_kept renders a template."""
    counted = {"n": 0}
    real = pagecache.render_to_string

    def render_to_string(*args, **kwargs):
        counted["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(pagecache, "render_to_string", render_to_string)
    return counted


def _tokens_out(content: bytes) -> bytes:
    return KEYS.sub(b"K", CSRF.sub(b"C", content))


def _open_steps(case):
    return list(
        CaseStep.objects.filter(case=case, state__in=[StepState.READY, StepState.CLAIMED])
        .select_related("post")
        .order_by("unit__code")
    )


def test_apr9_a_reload_with_nothing_changed_renders_nothing(looked_up, renders):
    case, _code, browser = looked_up
    first, second = browser.get(STATUS), browser.get(STATUS)
    assert first.status_code == second.status_code == 200
    assert case.receipt_no in second.content.decode()
    assert renders["n"] == 1
    assert _tokens_out(first.content) == _tokens_out(second.content)
    for marker in (pagecache.CSRF_PLACEHOLDER, pagecache.IDEMPOTENCY_PLACEHOLDER):
        assert marker.encode() not in second.content


def test_apr9_the_kept_page_costs_the_session_and_two_reads(looked_up):
    _case, _code, browser = looked_up
    browser.get(STATUS)
    with CaptureQueriesContext(connection) as q:
        assert browser.get(STATUS).status_code == 200
    tables = [x["sql"].split("FROM", 1)[1].split()[0].strip('"') for x in q.captured_queries]
    assert tables == ["django_session", "approvals_case", "approvals_casestep"]  # + pauses


def test_apr9_each_change_to_the_case_shows_on_the_next_reload(world, looked_up, renders):
    case, _code, browser = looked_up
    page = browser.get(STATUS).content.decode()
    assert "办理中" in page or "受理" in page
    step = _open_steps(case)[0]
    services.do_complete_step(step, "同意", actor=world.users["chengban"])
    after_step = browser.get(STATUS).content.decode()
    assert after_step != page and renders["n"] == 2
    assert after_step.count("—") < page.count("—")  # the step's completion time is shown
    material = world.materials[0]
    services.do_suspend_case(
        case, "supplement", "申请书签章不全", [material.pk], actor=world.users["window"]
    )
    paused = browser.get(STATUS).content.decode()
    assert "申请书签章不全" in paused and "提交补正材料" in paused and material.name in paused
    services.do_resume_case(case, actor=f"applicant:{case.receipt_no}", files={material.pk: pdf()})
    resumed = browser.get(STATUS).content.decode()
    assert "提交补正材料" not in resumed and "申请书签章不全" in resumed
    assert renders["n"] == 4


def test_apr9_every_form_gets_its_own_fresh_key_and_the_visitors_csrf_token(world, looked_up):
    case, _code, browser = looked_up
    services.do_suspend_case(
        case, "supplement", "缺材料", [world.materials[0].pk], actor=world.users["window"]
    )
    first, second = browser.get(STATUS).content, browser.get(STATUS).content
    keys = KEYS.findall(first) + KEYS.findall(second)
    assert len(keys) == 4 and len(set(keys)) == 4  # supplement + withdraw, twice
    (token, *_rest) = CSRF.findall(second)
    answer = browser.post(
        "/gk/approvals/lookup/withdraw/",
        {"reason": "不办了", "csrfmiddlewaretoken": token.decode(), FIELD: keys[-1].decode()},
    )
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.status == "withdrawn"


def test_apr9_the_message_after_withdrawing_shows_once(looked_up, renders):
    case, _code, browser = looked_up
    page = browser.get(STATUS)
    token = CSRF.findall(page.content)[0].decode()
    key = KEYS.findall(page.content)[-1].decode()
    browser.post(
        "/gk/approvals/lookup/withdraw/",
        {"reason": "不办了", "csrfmiddlewaretoken": token, FIELD: key},
    )
    shown = browser.get(STATUS).content.decode()
    assert "申请已撤回。" in shown
    again = browser.get(STATUS).content.decode()
    assert "申请已撤回。" not in again and "申请人撤回" in again


def test_apr9_a_code_reissued_since_the_lookup_sends_the_browser_back_to_the_form(world, looked_up):
    case, _code, browser = looked_up
    assert browser.get(STATUS).status_code == 200
    services.do_reissue_query_code(
        case, id_number="220203199001011230", actor=world.users["window"], send_sms=False
    )
    r = browser.get(STATUS)
    assert r.status_code == 302 and r["Location"].endswith("/gk/approvals/lookup/")


def test_apr9_staff_get_the_page_rendered_live(world, looked_up, renders):
    _case, _code, browser = looked_up
    browser.get(STATUS)
    browser.get(STATUS)
    assert renders["n"] == 1
    browser.force_login(world.users["window"])
    session = browser.session
    session.update({"approvals-lookup": {"number": _case.receipt_no, "code": _code}})
    session.save()
    assert browser.get(STATUS).status_code == 200
    assert browser.get(STATUS).status_code == 200
    assert renders["n"] == 3


def test_pub9_the_plain_reads_give_what_the_orm_gives(world, looked_up):
    case, code, _browser = looked_up
    services.do_complete_step(_open_steps(case)[0], "同意", actor=world.users["chengban"])
    case = Case.objects.get(pk=case.pk)
    page = selectors.public_status(case.receipt_no, code)
    orm = [
        {
            "name": s.name,
            "post": str(s.post),
            "state": s.get_state_display(),
            "started_at": s.started_at,
            "completed_at": s.completed_at,
            "deadline": s.deadline,
            "provisional": s.provisional,
        }
        for s in case.steps.select_related("post__unit")
        .exclude(state=StepState.CANCELLED)
        .order_by("started_at", "id")
    ]
    assert page["steps"] == orm and any(s["completed_at"] for s in orm)
    assert page["case"]["due"] == case.due and page["case"]["provisional"] is case.provisional
    assert page["case"]["status_display"] == case.get_status_display()
    assert page["case"]["applicant_id"] != case.applicant_id_number  # masked
    assert "1234" not in page["case"]["applicant_phone"][3:7]
    assert page["current"] == [s for s in orm if s["completed_at"] is None]
    _only_plain_values(page)


PLAIN = (str, int, bool, type(None), date, datetime)


def _only_plain_values(value) -> None:
    """The kept page's key is a digest of repr(page): a lazy translation would repr as an
    object address, different in each process (and the JSON API refuses it)."""
    if isinstance(value, dict):
        for k, v in value.items():
            assert type(k) is str, k
            _only_plain_values(v)
    elif isinstance(value, list):
        for v in value:
            _only_plain_values(v)
    else:
        assert type(value) in PLAIN, (type(value), value)


def test_apr9_a_wrong_code_or_number_is_not_found_the_same_way(looked_up):
    case, code, _browser = looked_up
    from wuquan.common.exceptions import NotFound

    for number, given in ((case.receipt_no, "WRONG1"), ("LT-NOPE", code), ("", code)):
        with pytest.raises(NotFound) as e:
            selectors.public_status(number, given)
        assert str(e.value) == str(selectors.LOOKUP_FAILED)


def test_apr9_the_kept_copy_holds_placeholders_not_a_visitors_token(looked_up):
    _case, _code, browser = looked_up
    served = browser.get(STATUS).content
    # locmem keeps pickled values under its own keys: read back what render_kept stored
    kept = [pickle.loads(v) for k, v in cache._cache.items() if ":kept:" in k]
    assert len(kept) == 1
    assert pagecache.CSRF_PLACEHOLDER.encode() in kept[0]
    assert pagecache.IDEMPOTENCY_PLACEHOLDER.encode() in kept[0]
    for token in CSRF.findall(served) + KEYS.findall(served):
        assert token not in kept[0]
