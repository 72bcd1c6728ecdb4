"""The flow diagram's styling under the CSP (CAT-2, PUB-2; issue 13 finding 9): the SVG carries
no <style> and no style attribute — inline in the guide page a <style> would be blocked by
style-src 'self' — so in pages it is styled by site.css, and the standalone flow.svg names
site.css in an xml-stylesheet instruction (allowed by 'self', no 'unsafe-inline')."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders

from wuquan.catalog import demo
from wuquan.catalog.models import ApprovalItem


@pytest.fixture
def catalog(demo_org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load(None)
    return ApprovalItem.objects.get(code="spjy")


def style_src(response) -> str:
    policy = response.get("Content-Security-Policy", "")
    found = re.search(r"style-src ([^;]*)", policy) or re.search(r"default-src ([^;]*)", policy)
    assert found, policy
    return found.group(1)


def test_pub2_guide_page_svg_has_no_inline_style_and_site_css_styles_it(client, catalog):
    response = client.get(f"/gk/catalog/item/{catalog.code}/")
    page = response.content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'class="flow-diagram"' in svg
    assert "<style" not in page and " style=" not in svg  # nothing the CSP would block
    assert "'unsafe-inline'" not in style_src(response)
    css = open(finders.find("wuquan/site.css"), encoding="utf-8").read()
    for rule in (".flow-diagram .task rect", ".flow-diagram .edge", ".flow-diagram text"):
        assert rule in css
    assert "/static/wuquan/site.css" in page


def test_pub2_standalone_svg_is_styled_by_site_css_without_unsafe_inline(client, catalog):
    response = client.get(f"/gk/catalog/item/{catalog.code}/flow.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "'unsafe-inline'" not in style_src(response)
    body = response.content.decode()
    assert "<style" not in body and " style=" not in body
    found = re.search(r'<\?xml-stylesheet type="text/css" href="([^"]+)"\?>', body)
    assert found and found.group(1).endswith(".css") and "site" in found.group(1)
    root = ET.fromstring(response.content)  # well-formed XML, prolog included
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("class") == "flow-diagram"
    css = client.get(found.group(1))
    assert css.status_code == 200
    text = b"".join(css.streaming_content if css.streaming else [css.content]).decode()
    assert "svg.flow-diagram:root" in text and ".flow-diagram .task rect" in text


def test_pub2_standalone_svg_of_an_item_without_a_flow_is_404(client, catalog):
    catalog.flows.all().update(status="retired")
    assert client.get(f"/gk/catalog/item/{catalog.code}/flow.svg").status_code == 404
    assert client.get("/gk/catalog/item/no-such-item/flow.svg").status_code == 404
