"""Issue 13 finding 9: deployment settings from the environment, on in production; the default
secret key refused in production; `wuquan check --deploy` clean; a Content-Security-Policy
with no inline script or style anywhere in the templates."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

SRC = Path(__file__).resolve().parents[2] / "src" / "wuquan"
STRONG_KEY = "k3y-" + "Zx9_q" * 12


def _run(args, tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("WUQUAN_", "DJANGO_"))}
    environment.update(
        WUQUAN_VAR_DIR=str(tmp_path),
        WUQUAN_ALLOWED_HOSTS="wuquan.longtan.gov.cn",
        DJANGO_SETTINGS_MODULE="wuquan.settings",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "wuquan.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRINT = (
    "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
    " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
)


def test_13_9_check_deploy_is_clean_in_the_production_configuration(tmp_path):
    r = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        WUQUAN_DEBUG="0",
        WUQUAN_SECRET_KEY=STRONG_KEY,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_13_9_production_has_https_settings_on_and_the_environment_can_set_them(tmp_path):
    on = _run(
        ["shell", "--no-imports", "-c", PRINT],
        tmp_path,
        WUQUAN_DEBUG="0",
        WUQUAN_SECRET_KEY=STRONG_KEY,
    )
    assert on.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]
    off = _run(
        ["shell", "--no-imports", "-c", PRINT],
        tmp_path,
        WUQUAN_DEBUG="0",
        WUQUAN_SECRET_KEY=STRONG_KEY,
        WUQUAN_HTTPS="0",
    )
    assert off.stdout.split()[:4] == ["False", "False", "False", "0"]
    dev = _run(["shell", "--no-imports", "-c", PRINT], tmp_path, WUQUAN_DEBUG="1")
    assert dev.stdout.split()[:4] == ["False", "False", "False", "0"]


@pytest.mark.parametrize("key", ["wuquan-embedded-development-key-change-me", "short"])
def test_13_9_production_with_the_default_or_a_weak_secret_key_refuses_to_start(tmp_path, key):
    r = _run(["check"], tmp_path, WUQUAN_DEBUG="0", WUQUAN_SECRET_KEY=key)
    assert r.returncode != 0 and "refusing to start" in r.stderr


def test_13_9_embedded_production_without_a_key_makes_its_own_random_one(tmp_path):
    r = _run(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.SECRET_KEY)",
        ],
        tmp_path,
        WUQUAN_DEBUG="0",
    )
    key_file = tmp_path / "secret.key"
    assert r.returncode == 0 and key_file.read_text().strip() == r.stdout.strip()
    assert len(r.stdout.strip()) >= 50 and oct(key_file.stat().st_mode)[-3:] == "600"


@pytest.mark.django_db
def test_13_9_pages_carry_a_csp_without_unsafe_inline_and_the_security_headers():
    r = Client().get("/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I),
    re.compile(r"<style", re.I),
    re.compile(r"\sstyle=", re.I),
    re.compile(r"\son[a-z]+=", re.I),
    re.compile(r"javascript:", re.I),
]


def test_13_9_no_template_has_inline_script_style_or_handlers():
    offenders = []
    for path in SRC.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(SRC)}: {p.pattern}" for p in INLINE if p.search(text)]
    assert offenders == []
