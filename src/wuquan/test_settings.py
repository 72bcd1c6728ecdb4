"""Settings for the test suite: the product's settings, with the HTTPS-only switches off.

why: DEBUG is off by default (issue 12), which turns HTTPS-only cookies and the redirect to
https on (issue 13); Django's test client and live server speak plain HTTP, as `wuquan demo`
does (cli.py). Set here, before the settings are read — a conftest runs too late."""

import os

os.environ.setdefault("WUQUAN_HTTPS", "0")

from wuquan.settings import *  # noqa: E402,F403
