from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "wuquan.approvals"
    verbose_name = "行政审批"
    # Links this context adds to the staff and portal menus: (label, url name).
    staff_nav: list[tuple[str, str]] = []
    portal_nav: list[tuple[str, str]] = []
