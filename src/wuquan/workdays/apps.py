from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "wuquan.workdays"
    verbose_name = "工作日历"
    # Links this context adds to the staff and portal menus: (label, url name).
    staff_nav: list[tuple[str, str]] = []
    portal_nav: list[tuple[str, str]] = []
