from django.apps import AppConfig

from wuquan.org import roles


class WorkplanConfig(AppConfig):
    name = "wuquan.workplan"
    verbose_name = "任务分工"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav: list[tuple] = [
        (
            "任务分工",
            "workplan:staff-list",
            (roles.COMMISSION, roles.HEAD, roles.DEPUTY, roles.HANDLER, roles.AUDIT),
        ),
        (
            "工作调度",
            "workplan:dispatch",
            (roles.COMMISSION, roles.HEAD, roles.DEPUTY, roles.HANDLER),
        ),
    ]
    portal_nav: list[tuple] = []
