from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "wuquan.decisions"
    verbose_name = "集体决策"
    # Links this context adds to the staff and portal menus: (label, url name).
    staff_nav: list[tuple[str, str]] = [("集体决策", "decisions:meetings")]
    portal_nav: list[tuple[str, str]] = [("决策公开", "decisions-public:list")]
