from django.urls import path

from . import views

urlpatterns = [
    path("", views.staff_history, name="history"),
    path("import/", views.staff_import, name="import"),
    path("export/", views.staff_export, name="export"),
]
