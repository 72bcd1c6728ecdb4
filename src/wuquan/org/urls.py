from django.urls import path

from . import views

urlpatterns = [
    path("", views.org_home, name="home"),
    path("rotation/", views.rotation, name="rotation"),
    path("excel/", views.excel_page, name="excel"),
    path("excel/download/", views.excel_download, name="excel-download"),
]
