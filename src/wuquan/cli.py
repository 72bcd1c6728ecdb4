"""The `wuquan` console script: Django's management commands under one name.

`wuquan serve`, `wuquan demo`, `wuquan verify`, `wuquan checkpoint`, `wuquan migrate`, …
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuquan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wuquan", *sys.argv[1:]])


if __name__ == "__main__":
    main()
