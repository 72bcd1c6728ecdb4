from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse


def _links(attr):
    links = []
    for config in apps.get_app_configs():
        for label, url_name in getattr(config, attr, []):
            try:
                links.append({"label": label, "url": reverse(url_name)})
            except NoReverseMatch:
                continue
    return links


def site(request):
    return {
        "SITE_NAME": settings.WUQUAN_SITE_NAME,
        "staff_nav": _links("staff_nav"),
        "portal_nav": _links("portal_nav"),
    }
