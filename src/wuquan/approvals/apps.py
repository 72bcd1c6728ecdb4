from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "wuquan.approvals"
    verbose_name = "行政审批"
    # Links this context adds to the staff and portal menus: (label, url name).
    staff_nav: list[tuple[str, str]] = [
        ("审批办件", "approvals:worklist"),
        ("审批效能", "approvals:figures"),
        ("审批监管检查", "approvals:inspections"),
    ]
    portal_nav: list[tuple[str, str]] = [
        ("网上办事", "approvals-public:items"),
        ("办件查询", "approvals-public:lookup"),
    ]

    def ready(self):
        from wuquan.workdays.signals import deadline_moved

        from . import signals

        deadline_moved.connect(signals.on_deadline_moved, dispatch_uid="approvals-deadline-moved")
