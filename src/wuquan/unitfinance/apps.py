from django.apps import AppConfig


class UnitfinanceConfig(AppConfig):
    name = "wuquan.unitfinance"
    verbose_name = "单位财务内控"
    # one entry (the menu is long already): the list page links the staff disclosures
    staff_nav: list[tuple[str, str]] = [("单位财务", "unitfinance:list")]
