from django.apps import AppConfig

from wuquan.org import roles


class OrgConfig(AppConfig):
    name = "wuquan.org"
    verbose_name = "组织机构"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav: list[tuple] = [
        ("组织机构", "org:home", (roles.ADMIN, roles.COMMISSION, roles.AUDIT, roles.HEAD)),
        ("轮岗提示", "org:rotation", (roles.ADMIN, roles.COMMISSION, roles.HEAD)),
    ]
    portal_nav: list[tuple] = []
