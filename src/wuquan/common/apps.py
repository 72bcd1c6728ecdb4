from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "wuquan.common"
    verbose_name = "公共"
