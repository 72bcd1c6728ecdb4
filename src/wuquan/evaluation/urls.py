"""Staff pages of democratic evaluation, mounted at /staff/evaluation/ (EVA-1..4, PUB-10)."""

from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.evaluation_list, name="list"),
    path("<int:pk>/", staff_views.evaluation_detail, name="detail"),
    path("<int:pk>/codes/", staff_views.issue_codes, name="codes"),
    path("<int:pk>/paper/", staff_views.paper, name="paper"),
    path("<int:pk>/<slug:action>/", staff_views.evaluation_action, name="action"),
]
