from django.apps import AppConfig


class CollectiveConfig(AppConfig):
    name = "wuquan.collective"
    verbose_name = "村集体三资"
    staff_nav: list[tuple[str, str]] = [("村集体三资", "collective:books")]
    portal_nav: list[tuple[str, str]] = [("村务财务公开", "collective-public:villages")]
    # 惠农补贴“一卡通” lists (PUB-8)
    portal_nav = [*portal_nav, ("惠农补贴公示", "collective-public:benefits")]
