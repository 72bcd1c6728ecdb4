from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "wuquan.ledger"
    verbose_name = "运行记录"
    staff_nav: list[tuple[str, str]] = [("运行记录", "ledger:staff-events")]
    portal_nav: list[tuple[str, str]] = []
