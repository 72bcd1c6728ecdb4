"""The public guide page draws every demo item's flow with every step's name (CAT-2, PUB-2)."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog_demo(demo_org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from wuquan.catalog import demo

    demo.load(None)


def test_pub2_guide_page_renders_every_demo_items_diagram_with_every_step(page, catalog_demo):
    from wuquan.catalog import flows
    from wuquan.catalog.models import ApprovalItem

    items = list(ApprovalItem.objects.all())
    assert len(items) >= 20
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    for item in items:
        page.goto(f"{page.base_url}/gk/catalog/item/{item.code}/")
        svg = page.locator("#flow-diagram svg")
        assert svg.count() == 1, item.name
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 40, item.name
        drawn = svg.text_content()
        for step in flows.steps(item.published_flow()):
            # a long name is wrapped over two lines inside its box
            assert step.name.replace(" ", "") in drawn.replace(" ", ""), (item.name, step.name)
        # the diagram needs no script: the only scripts are the site's own static files (the
        # CSP forbids inline ones), none from elsewhere
        assert page.locator("script:not([src])").count() == 0
        for src in page.locator("script[src]").evaluate_all("els => els.map(e => e.src)"):
            assert src.startswith(page.base_url + "/static/"), src


def test_pub2_diagram_is_styled_by_site_css_in_the_page_and_standalone(page, catalog_demo):
    """Under the enforced CSP (no 'unsafe-inline' style): the same colours in the guide page
    and in flow.svg opened on its own (site.css via xml-stylesheet), no CSP violation."""
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    fill = "el => getComputedStyle(el).fill"
    page.goto(f"{page.base_url}/gk/catalog/item/spjy/")
    in_page = page.locator("#flow-diagram svg .task rect").first.evaluate(fill)
    page.goto(f"{page.base_url}/gk/catalog/item/spjy/flow.svg")
    standalone = page.locator(".task rect").first.evaluate(fill)
    edge = page.locator(".edge").first.evaluate(fill)
    # .flow-diagram .task rect, or .checkpoint rect (the first step of this item is one)
    assert in_page == standalone
    assert standalone in ("rgb(238, 244, 251)", "rgb(255, 243, 240)")
    assert edge == "none"  # unstyled, an SVG path would be filled black
    assert violations == []
