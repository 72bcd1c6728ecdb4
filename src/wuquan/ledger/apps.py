from django.apps import AppConfig

from wuquan.org import roles


class LedgerConfig(AppConfig):
    name = "wuquan.ledger"
    verbose_name = "运行记录"
    staff_nav: list[tuple] = [
        (
            "运行记录",
            "ledger:staff-events",
            (roles.COMMISSION, roles.AUDIT, roles.ADMIN, roles.HEAD),
        )
    ]
    portal_nav: list[tuple] = []
