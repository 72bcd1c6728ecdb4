from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "wuquan.catalog"
    verbose_name = "职权与审批目录"
    # Links this context adds to the staff and portal menus: (label, url name).
    staff_nav: list[tuple[str, str]] = []
    portal_nav: list[tuple[str, str]] = []
