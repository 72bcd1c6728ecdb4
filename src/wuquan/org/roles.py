"""Staff roles (Django groups) and which of them see beyond their own unit (ORG-1).

A role says what kind of work a user does; a post (org.Post) says where. Scoping: a user
sees their unit and the units below it, unless one of their roles is supervisory.
"""

from django.utils.translation import gettext_lazy as _

WINDOW = "窗口受理"
HANDLER = "承办"
REVIEWER = "审核"
DEPUTY = "分管领导"
HEAD = "主要负责人"
COMMISSION = "纪检监察"
SANZI_CENTRE = "三资中心"
VILLAGE_SUPERVISION = "村务监督委员会"
AUDIT = "审计"
ADMIN = "系统管理员"

ALL_ROLES = [
    WINDOW,
    HANDLER,
    REVIEWER,
    DEPUTY,
    HEAD,
    COMMISSION,
    SANZI_CENTRE,
    VILLAGE_SUPERVISION,
    AUDIT,
    ADMIN,
]

# Roles whose holders see every unit (SUP-5, SUP-7, SUP-8: the commission watches all).
SUPERVISORY_ROLES = {COMMISSION, AUDIT, ADMIN}

ROLE_HELP = {
    WINDOW: _("政务服务中心窗口：受理、补正、收费、送达"),
    HANDLER: _("承办岗：审查、提出意见"),
    REVIEWER: _("审核岗"),
    DEPUTY: _("分管副职：审批、签批"),
    HEAD: _("单位主要负责人（一把手）：监管，不直接分管五项工作"),
    COMMISSION: _("区纪委：电子监察、督查督办、投诉举报"),
    SANZI_CENTRE: _("乡镇三资代理服务中心"),
    VILLAGE_SUPERVISION: _("村务监督委员会"),
    AUDIT: _("审计局：巡查与问题报告"),
    ADMIN: _("系统管理员"),
}
