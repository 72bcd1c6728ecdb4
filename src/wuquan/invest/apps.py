from django.apps import AppConfig


class InvestConfig(AppConfig):
    name = "wuquan.invest"
    verbose_name = "政府投资项目和专项资金"
    staff_nav: list[tuple[str, str]] = [
        ("投资项目", "invest:list"),
        ("专项资金", "invest:funds"),
    ]
    portal_nav: list[tuple[str, str]] = [("政府投资项目公开", "invest-public:list")]
