from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "wuquan.supervision"
    verbose_name = "电子监察"
    # Links this context adds to the staff and portal menus: (label, url name).
    staff_nav: list[tuple[str, str]] = []
    portal_nav: list[tuple[str, str]] = []
