from django.urls import path

from . import public_views

urlpatterns = [
    path("", public_views.project_list, name="list"),
    path("<int:pk>/", public_views.project_detail, name="detail"),
    path("<int:pk>/oc4ids.json", public_views.project_oc4ids, name="oc4ids"),
    path("oc4ids.json", public_views.all_oc4ids, name="oc4ids-all"),
]
