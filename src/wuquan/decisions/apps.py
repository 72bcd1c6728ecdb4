from django.apps import AppConfig

from wuquan.org import roles


class DecisionsConfig(AppConfig):
    name = "wuquan.decisions"
    verbose_name = "集体决策"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav: list[tuple] = [
        (
            "集体决策",
            "decisions:meetings",
            (
                roles.HEAD,
                roles.DEPUTY,
                roles.HANDLER,
                roles.COMMISSION,
                roles.AUDIT,
                roles.SANZI_CENTRE,
                roles.VILLAGE_SUPERVISION,
            ),
        )
    ]
    portal_nav: list[tuple] = [("决策公开", "decisions-public:list")]
