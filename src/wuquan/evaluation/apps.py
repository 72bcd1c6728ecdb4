from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "wuquan.evaluation"
    verbose_name = "民主测评"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav: list[tuple[str, str]] = [("民主测评", "evaluation:list")]
    portal_nav: list[tuple[str, str]] = [("测评公示", "evaluation-public:list")]
