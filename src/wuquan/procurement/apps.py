from django.apps import AppConfig

from wuquan.org import roles


class ProcurementConfig(AppConfig):
    name = "wuquan.procurement"
    verbose_name = "招标采购"
    # The red-flag page is the commission's and the auditors' (views.red_flags refuses others),
    # so only they see its link (issue 16).
    staff_nav: list[tuple] = [
        ("招标采购", "procurement:list"),
        ("采购红旗", "procurement:red-flags", (roles.COMMISSION, roles.AUDIT)),
    ]
    portal_nav: list[tuple[str, str]] = [("招标采购公开", "procurement-public:list")]
