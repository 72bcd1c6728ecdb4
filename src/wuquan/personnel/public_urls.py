from django.urls import path

from . import public_views

urlpatterns = [
    path("", public_views.notices, name="notices"),
    path("<int:pk>/", public_views.notice, name="notice"),
    path("evaluations/", public_views.work_results, name="work-results"),
]
