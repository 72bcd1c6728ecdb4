from django.apps import AppConfig


class WorkplanConfig(AppConfig):
    name = "wuquan.workplan"
    verbose_name = "任务分工"
    # Links this context adds to the staff and portal menus: (label, url name).
    staff_nav: list[tuple[str, str]] = []
    portal_nav: list[tuple[str, str]] = []
