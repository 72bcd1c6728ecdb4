"""Staff and portal pages render, refuse what they must, and keep entered data on error."""

from datetime import date

from wuquan.collective import services
from wuquan.collective.models import PaymentRequest

from .helpers import at, sign_all


def _login(client, user):
    client.force_login(user)


def test_fin12_staff_pages_and_reports_render_for_the_centre(client, books, users, budget):
    req = services.do_create_request(
        books,
        date(2025, 3, 3),
        "办公",
        10_000,
        "5101",
        "张三",
        actor=users["accountant"],
        counterparty_is_person=True,
    )
    v = sign_all(req, users, at(2025, 3, 3))
    _login(client, users["centre"])
    base = f"/staff/collective/books/{books.pk}/"
    assert client.get("/staff/collective/").status_code == 200
    r = client.get(base + "?year=2025&month=3")
    assert r.status_code == 200 and "科目余额表" in r.content.decode()
    for kind in ("general", "detail", "cash", "bank", "balance", "income"):
        assert client.get(f"{base}reports/{kind}/?year=2025&month=3").status_code == 200, kind
    x = client.get(f"{base}trial-balance.xlsx?year=2025&month=3")
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    p = client.get(f"/staff/collective/vouchers/{v.pk}/print/")
    assert "壹佰元整" in p.content.decode()
    assert client.get(f"/staff/collective/requests/{req.pk}/").status_code == 200


def test_fin12_a_user_of_another_village_cannot_read_the_book(client, books, demo_org):
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.get(username="window")
    client.force_login(other)
    r = client.get(f"/staff/collective/books/{books.pk}/")
    assert r.status_code == 403


def test_fin8_request_form_shows_every_error_beside_its_field_and_keeps_data(client, books, users):
    _login(client, users["accountant"])
    n = PaymentRequest.objects.count()
    r = client.post(
        f"/staff/collective/books/{books.pk}/requests/new/",
        {
            "date": "2025-03-03",
            "summary": "",
            "amount": "12.5",
            "account": "",
            "counterparty": "",
            "pay_method": "bank",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200 and PaymentRequest.objects.count() == n
    assert html.count("field-error") == 3 and 'value="12.5"' in html


def test_pub11_villager_asks_and_village_answers(client, books, users):
    content, name = services.statement_from_books(books, 2025, 1)
    services.do_import_statement(books, 2025, 1, content, name, actor=users["centre"])
    services.do_close_period(books, 2025, 1, actor=users["centre"])
    d = services.do_publish_month(books, 2025, 1, actor=users["centre"])
    url = f"/gk/collective/{books.pk}/2025/1/"
    assert "账目与公开内容一致" in client.get(url).content.decode()
    r = client.post(url, {"text": "期初余额是怎么来的？"})
    assert r.status_code == 302
    q = d.questions.get()
    from wuquan.ledger.models import Event

    assert "期初余额是怎么来的" not in str(Event.objects.order_by("-index").first().payload)
    _login(client, users["secretary"])
    client.post(
        f"/staff/collective/books/{books.pk}/do/answer/",
        {"year": 2025, "month": 1, "question": q.pk, "answer": "上年结转。"},
    )
    q.refresh_from_db()
    assert q.answer == "上年结转。"
    client.logout()
    assert "上年结转" in client.get(url).content.decode()
    assert client.get("/gk/collective/").status_code == 200


def test_fin7_api_trial_balance_for_readers_and_public_disclosures(client, books, users):
    url = f"/api/v1/collective/books/{books.pk}/trial-balance?year=2025&month=1"
    assert client.get(url).status_code == 401
    client.force_login(users["centre"])
    body = client.get(url).json()
    assert body["balanced"] and {r["code"] for r in body["rows"]} == {"1001", "1002", "3001"}
    client.logout()
    r = client.get(f"/api/v1/collective/books/{books.pk}/disclosures")
    assert r.status_code == 200 and r.json() == []
