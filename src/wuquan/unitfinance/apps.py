from django.apps import AppConfig


class UnitfinanceConfig(AppConfig):
    name = "wuquan.unitfinance"
    verbose_name = "单位财务内控"
    staff_nav: list[tuple[str, str]] = [
        ("报销审批", "unitfinance:list"),
        ("财务公开（职工）", "unitfinance:disclosures"),
    ]
