from django.apps import AppConfig

from wuquan.org import roles


class CatalogConfig(AppConfig):
    name = "wuquan.catalog"
    verbose_name = "职权与审批目录"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav: list[tuple] = [
        ("目录变更", "catalog:history", (roles.ADMIN, roles.COMMISSION, roles.AUDIT, roles.HEAD))
    ]
    portal_nav: list[tuple] = [
        ("办事指南", "catalog-public:index"),
        ("收费目录", "catalog-public:fees"),
        ("职权与风险点", "catalog-public:units"),
    ]
