from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "wuquan.org"
    verbose_name = "组织机构"
    # Links this context adds to the staff and portal menus: (label, url name).
    staff_nav: list[tuple[str, str]] = [("组织机构", "org:home"), ("轮岗提示", "org:rotation")]
    portal_nav: list[tuple[str, str]] = []
