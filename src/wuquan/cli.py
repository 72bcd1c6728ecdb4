"""The `wuquan` console script: Django's management commands under one name.

`wuquan serve`, `wuquan demo`, `wuquan verify`, `wuquan checkpoint`, `wuquan migrate`, …
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuquan.settings")
    if sys.argv[1:2] == ["demo"]:
        # why: the demo serves plain HTTP on 127.0.0.1; HTTPS-only cookies and the redirect
        # to https would lock its visitors out (settings.py security block)
        os.environ.setdefault("WUQUAN_HTTPS", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wuquan", *sys.argv[1:]])


if __name__ == "__main__":
    main()
