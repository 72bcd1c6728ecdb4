"""Site-wide template context: the site name, the menus by role, and who is logged in.

Menus come from each app's `apps.py` (`staff_nav` / `portal_nav`), as `(label, url-name)` pairs
or `(label, url-name, roles)` triples. `roles` is an iterable of role names (org.roles, Django
groups); a link without roles is shown to every member of staff. Superusers and system
administrators see every link (issue 12, finding 10: each role sees its own menu).
"""

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

_resolved: dict[tuple, list[tuple]] = {}


def _entries(attr: str) -> list[tuple]:
    """(label, url, roles) of every app's `attr` menu entry whose URL resolves — reversed once
    per URLconf and script prefix (every page renders a menu; reversing ~20 names each time
    was a fifth of the portal home's time, bench/portal_pages.py)."""
    from django.urls import get_script_prefix, get_urlconf

    key = (attr, get_urlconf(), get_script_prefix())
    found = _resolved.get(key)
    if found is None:
        found = []
        for config in apps.get_app_configs():
            for entry in getattr(config, attr, []):
                label, url_name, *rest = entry
                roles = frozenset(rest[0]) if rest and rest[0] else frozenset()
                try:
                    url = reverse(url_name)
                except NoReverseMatch:
                    continue
                found.append((label, url, roles))
        _resolved[key] = found
    return found


def _links(attr, request=None, held: set[str] | None = None, see_all: bool = True):
    links = []
    path = getattr(request, "path", "") or ""
    for label, url, roles in _entries(attr):
        if roles and not see_all and not (roles & (held or set())):
            continue
        current = url != "/" and path.startswith(url)
        links.append({"label": label, "url": url, "current": current})
    return links


def _whoami(user) -> dict:
    """The person's name and current posts for the header (finding 10), never the username
    when a person is linked to the account."""
    from wuquan.org.selectors import person_of, posts_held, role_names

    person = person_of(user)
    posts = list(posts_held(person).select_related("unit")[:3]) if person else []
    held = role_names(user)
    return {
        "name": person.name if person else user.get_full_name() or user.get_username(),
        "posts": [str(p) for p in posts],
        "roles": sorted(held),
        "held": held,
    }


def site(request):
    user = getattr(request, "user", None)
    ctx = {"SITE_NAME": settings.WUQUAN_SITE_NAME}
    if user is not None and user.is_authenticated:
        from wuquan.org import roles as org_roles

        me = _whoami(user)
        see_all = user.is_superuser or org_roles.ADMIN in me["held"]
        ctx["me"] = me
        ctx["staff_nav"] = _links("staff_nav", request, me["held"], see_all)
    else:
        ctx["staff_nav"] = []
    ctx["portal_nav"] = _links("portal_nav", request)
    return ctx


def csrf_placeholder(request):
    """While `common.pagecache` renders the copy it keeps, `{% csrf_token %}` writes a
    placeholder that each visitor's own token replaces (listed after Django's csrf processor,
    so it wins)."""
    from .pagecache import CSRF_PLACEHOLDER, rendering_for_cache

    return {"csrf_token": CSRF_PLACEHOLDER} if rendering_for_cache(request) else {}
