from django.urls import path

from . import views

urlpatterns = [
    path("", views.project_list, name="list"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects.xlsx", views.project_excel, name="excel"),
    path("funds/", views.fund_list, name="funds"),
    path("funds/<int:pk>/", views.fund_detail, name="fund"),
    path("grants/", views.grant_list, name="grants"),
]
