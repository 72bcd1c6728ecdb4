from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "wuquan.disclosure"
    verbose_name = "阳光示权门户"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav: list[tuple] = [(_("村务公开与群众咨询"), "disclosure:staff-home")]
    portal_nav: list[tuple] = [
        (_("村务公开"), "disclosure:bulletins"),
        (_("重点领域公开"), "disclosure:keyarea"),
        (_("公开检索"), "disclosure:search"),
    ]
