from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "wuquan.disclosure"
    verbose_name = "阳光示权门户"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav: list[tuple[str, str]] = []
    portal_nav: list[tuple[str, str]] = []
