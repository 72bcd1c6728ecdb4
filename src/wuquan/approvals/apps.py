from django.apps import AppConfig

from wuquan.org import roles

# Menus by role (issue 12): the case worklist for those who handle or watch cases, the
# efficiency figures for those who lead or supervise.
_APPROVAL_ROLES = (
    roles.WINDOW,
    roles.HANDLER,
    roles.REVIEWER,
    roles.DEPUTY,
    roles.HEAD,
    roles.COMMISSION,
    roles.AUDIT,
)
_OVERSIGHT_ROLES = (roles.REVIEWER, roles.DEPUTY, roles.HEAD, roles.COMMISSION, roles.AUDIT)


class ApprovalsConfig(AppConfig):
    name = "wuquan.approvals"
    verbose_name = "行政审批"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav: list[tuple] = [
        ("审批办件", "approvals:worklist", _APPROVAL_ROLES),
        ("审批效能", "approvals:figures", _OVERSIGHT_ROLES),
        ("审批监管检查", "approvals:inspections", _OVERSIGHT_ROLES),
    ]
    portal_nav: list[tuple] = [
        ("网上办事", "approvals-public:items"),
        ("办件查询", "approvals-public:lookup"),
    ]

    def ready(self):
        from wuquan.workdays.signals import deadline_moved

        from . import signals

        deadline_moved.connect(signals.on_deadline_moved, dispatch_uid="approvals-deadline-moved")
