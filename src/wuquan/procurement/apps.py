from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "wuquan.procurement"
    verbose_name = "招标采购"
    staff_nav: list[tuple[str, str]] = [
        ("招标采购", "procurement:list"),
        ("采购红旗", "procurement:red-flags"),
    ]
    portal_nav: list[tuple[str, str]] = [("招标采购公开", "procurement-public:list")]
