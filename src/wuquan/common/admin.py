"""The admin's titles (issue 12, finding 8: it was the stock "Django 管理")."""

from django.conf import settings
from django.contrib import admin

admin.site.site_header = settings.WUQUAN_ADMIN_TITLE
admin.site.site_title = settings.WUQUAN_ADMIN_TITLE
admin.site.index_title = "数据维护"
admin.site.site_url = "/staff/"
