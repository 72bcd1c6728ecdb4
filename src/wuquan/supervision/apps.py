"""Rule registry, alarms, 督查督办, inspections, complaints, dashboards (SUP-1..11)."""

import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from wuquan.org import roles

log = logging.getLogger(__name__)


def _deadline_moved_signal():
    """The workdays engineer's `deadline_moved` signal, wherever it lives (guarded import)."""
    for module_name in ("wuquan.workdays.signals", "wuquan.workdays"):
        try:
            module = __import__(module_name, fromlist=["deadline_moved"])
        except ImportError:
            continue
        signal = getattr(module, "deadline_moved", None)
        if signal is not None:
            return signal
    return None


class SupervisionConfig(AppConfig):
    name = "wuquan.supervision"
    verbose_name = "电子监察"
    # Links this context adds to the staff and portal menus: (label, url name[, roles]); no roles = every member of staff.
    staff_nav = [
        (
            _("电子监察"),
            "supervision:board",
            (roles.COMMISSION, roles.AUDIT, roles.HEAD, roles.DEPUTY),
        ),
        (_("消息"), "supervision:inbox"),
    ]
    portal_nav = [(_("投诉举报"), "supervision-public:complaint")]

    def ready(self):
        from wuquan.ledger.services import subscribe

        from . import engine, registry

        registry.discover()
        subscribe(engine.on_event)
        signal = _deadline_moved_signal()
        if signal is not None:
            signal.connect(engine.on_deadline_moved, dispatch_uid="supervision-deadline-moved")
