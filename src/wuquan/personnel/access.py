"""Who may see what in personnel: personal-matters reports only the organisation department
(附件7 二(三)); supervision files the organisation department and the commission (二(八))."""

from __future__ import annotations

from django.conf import settings

from wuquan.common.exceptions import NotPermitted
from wuquan.org.selectors import is_supervisory, person_of, posts_held

# The units whose staff are "the organisation department" (区委组织部). A district may name
# others (e.g. 人社局 for the cadres it manages, 附件7 二(八)) in this setting.
DEFAULT_ORG_DEPARTMENT_UNITS = ("zuzhibu",)


def org_department_units() -> tuple[str, ...]:
    return tuple(getattr(settings, "WUQUAN_ORG_DEPARTMENT_UNITS", DEFAULT_ORG_DEPARTMENT_UNITS))


def is_org_department(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return posts_held(person_of(user)).filter(unit__code__in=org_department_units()).exists()


def can_see_files(user) -> bool:
    """Supervision files (PER-6) and the conflict-of-interest page: organisation department
    and the commission (纪检监察, and the other supervisory roles of org)."""
    return is_org_department(user) or is_supervisory(user)


def require_org_department(user) -> None:
    if not is_org_department(user):
        raise NotPermitted("只有区委组织部可以办理或查看此项。")


def require_files(user) -> None:
    if not can_see_files(user):
        raise NotPermitted("只有区委组织部和纪检监察机关可以查看干部监督档案。")
