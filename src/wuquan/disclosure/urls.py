from django.urls import path

from . import views

app_name = "disclosure"

urlpatterns = [
    path("", views.home, name="home"),
    path("gk/workplan/", views.workplan, name="workplan"),
    path("gk/log/", views.checkpoints, name="checkpoints"),
]
