"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set.

Browser tests (marker `browser`) drive Debian's /usr/bin/chromium through Playwright for
Python against Django's live server; no browser is ever downloaded.

Accessibility (issue 12): every page a browser test opens (each GET of an HTML page of ours,
in any context of the session's browser) is checked again with axe-core
(axe-playwright-python) when the test ends; a serious or critical violation fails the test.
`WUQUAN_AXE=0` turns the check off while debugging.
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live_server

CHROMIUM = os.environ.get("WUQUAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _two_factor_where_tested(request, settings):
    """Two-factor login (org/twofactor.py) is on for browser tests, which pass it through
    `login()` like a person, and for tests marked `two_factor`; other tests sign in with
    `force_login` and test something else."""
    if not (
        request.node.get_closest_marker("two_factor") or request.node.get_closest_marker("browser")
    ):
        settings.WUQUAN_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit slots live in the database cache table, which no test flush empties."""
    yield
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if uses_db or request.node.get_closest_marker("django_db"):
        from django.core.cache import caches

        try:
            caches["shared"].clear()
        except Exception:  # why: a test that ended with its database blocked or broken
            pass


@pytest.fixture(autouse=True)
def _log_key(settings, tmp_path):
    """Each test signs checkpoints with a fresh log key in its own temporary directory, with
    its verifier key "published" apart from it (WUQUAN_LOG_VKEY), as a deployment does: the
    signer remembers what it signed beside its key (issue 13), and a key shared between
    tests with fresh databases would refuse to sign over their "truncated" logs."""
    from wuquan.ledger import signing

    settings.WUQUAN_LOG_KEY_PATH = tmp_path / "log-key" / "log-ed25519.key"
    settings.WUQUAN_LOG_VKEY = signing.verifier_key()
    settings.WUQUAN_WITNESSES = ""
    return settings.WUQUAN_LOG_KEY_PATH


@pytest.fixture
def demo_org(db):
    """The Longtan demo organisation and accounts (org.demo)."""
    from wuquan.org import demo

    demo.load(None)
    return demo


AXE_IMPACTS = {"serious", "critical"}
AXE_SKIP = ("/api/", "/static/", "/media/", "/admin/", "/raw/")
AXE_MAX_PAGES = 40  # per test: the distinct pages visited are checked, up to this many
_visits: list[tuple] = []  # (context, [urls]) of the contexts opened during the current test


def _track(context) -> None:
    urls: list[str] = []
    _visits.append((context, urls))

    def on_response(response):
        request = response.request
        try:
            main = request.frame.parent_frame is None
        except Exception:  # noqa: BLE001 — a frame already gone
            return
        if (
            main
            and request.resource_type == "document"
            and request.method == "GET"
            and response.status == 200
            and "text/html" in (response.headers.get("content-type") or "")
        ):
            url = response.url.split("#", 1)[0]
            if not any(part in url for part in AXE_SKIP) and url not in urls:
                urls.append(url)

    context.on("response", on_response)


def _axe_violations() -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = []
    for context, urls in _visits:
        try:
            pg = context.new_page()
        except Exception:  # noqa: BLE001 — the test closed this context itself
            continue
        for url in urls[:AXE_MAX_PAGES]:
            pg.goto(url)
            for v in axe.run(pg).response.get("violations", []):
                if v.get("impact") in AXE_IMPACTS:
                    targets = [n.get("target") for n in v.get("nodes", [])][:3]
                    found.append(f"{url}: [{v['impact']}] {v['id']} — {v['help']} {targets}")
        pg.close()
    return found


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        new_context = b.new_context

        def tracked_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            _track(context)
            return context

        b.new_context = tracked_context  # every context a test opens is followed for axe
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    _visits.clear()
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url
    yield pg
    problems = _axe_violations() if os.environ.get("WUQUAN_AXE", "1") != "0" else []
    for other, _urls in _visits:
        if other is not context:
            other.close()
    _visits.clear()
    context.close()
    if problems:
        pytest.fail("axe-core: serious/critical accessibility violations:\n" + "\n".join(problems))


def _login(page, username: str, password: str = "wuquan2026") -> None:
    """Log in through the real login form."""
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/**")
    if "/staff/org/2fa/" in page.url:  # two-factor roles (org/twofactor.py): type the code
        from django.contrib.auth import get_user_model

        from wuquan.org import twofactor

        user = get_user_model().objects.get(username=username)
        device = twofactor.confirmed_device(user) or twofactor.enrol_device(user)  # or enrol
        page.fill("input[name=code]", _unused_code(device))
        page.click("#otp-form button[type=submit]")
        page.wait_for_url(lambda url: "/2fa/" not in url)


def _unused_code(device) -> str:
    """The current TOTP code, or the next step's when this step's code was already used (a
    second login within 30 seconds): django-otp refuses a replayed code and accepts one step
    of drift."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if device.last_t is not None and totp.t() <= device.last_t:
        totp.time = device.t0 + (device.last_t + 1) * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def login():
    """`login(page, username)` — log in through the real login form (a fixture, so browser
    tests need no import from conftest, whose module name is ambiguous across test folders)."""
    return _login
