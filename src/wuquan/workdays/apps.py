"""The working-day calendar and deadline arithmetic (APR-2)."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from wuquan.org import roles


class WorkdaysConfig(AppConfig):
    name = "wuquan.workdays"
    verbose_name = "工作日历"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav: list[tuple] = [
        ("工作日历", "workdays:years", (roles.ADMIN, roles.WINDOW, roles.COMMISSION))
    ]
    portal_nav: list[tuple] = []

    def ready(self):
        from .models import OfficialSchedule, ScheduleDay
        from .signals import schedule_written

        for model in (OfficialSchedule, ScheduleDay):
            post_save.connect(schedule_written, sender=model, dispatch_uid=f"wd-{model.__name__}-s")
            post_delete.connect(
                schedule_written, sender=model, dispatch_uid=f"wd-{model.__name__}-d"
            )
