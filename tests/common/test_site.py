"""The site as a whole: pages every user reaches first, assets, API docs, errors in Chinese."""

import pytest


@pytest.mark.django_db
def test_stylesheet_is_served_without_a_collectstatic_step(client):
    response = client.get("/static/wuquan/site.css")
    assert response.status_code == 200
    assert b".topbar" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_portal_home_is_chinese_and_links_the_public_sections(client, demo_org):
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "阳光示权" in page
    for href in ("/gk/workplan/", "/gk/log/", "/gk/catalog/", "/gk/supervision/complaint/"):
        assert href in page


@pytest.mark.django_db
def test_staff_home_needs_a_login_and_then_shows_the_menu(client, demo_org):
    assert client.get("/staff/").status_code == 302
    client.login(username="jiwei", password="wuquan2026")
    page = client.get("/staff/").content.decode()
    assert "工作台" in page and "电子监察" in page and "退出" in page


@pytest.mark.django_db
def test_openapi_lists_the_log_and_approvals_routes(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert "/api/v1/log/checkpoint" in paths
    assert any(p.startswith("/api/v1/approvals/") for p in paths)


@pytest.mark.django_db
def test_wrong_login_gives_a_clear_chinese_message(client, demo_org):
    page = client.post("/accounts/login/", {"username": "jiwei", "password": "x"}).content.decode()
    assert "用户名或密码不正确" in page


@pytest.mark.django_db
def test_an_unknown_page_answers_404_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
