from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "wuquan.catalog"
    verbose_name = "职权与审批目录"
    # Links this context adds to the staff and portal menus: (label, url name).
    staff_nav: list[tuple[str, str]] = [("目录变更", "catalog:history")]
    portal_nav: list[tuple[str, str]] = [
        ("办事指南", "catalog-public:index"),
        ("收费目录", "catalog-public:fees"),
        ("职权与风险点", "catalog-public:units"),
    ]
