from django.urls import path

from . import twofactor_views, views

urlpatterns = [
    path("", views.org_home, name="home"),
    path("rotation/", views.rotation, name="rotation"),
    path("excel/", views.excel_page, name="excel"),
    path("excel/download/", views.excel_download, name="excel-download"),
    path("2fa/", twofactor_views.verify, name="2fa"),
    path("2fa/setup/", twofactor_views.setup, name="2fa-setup"),
]
