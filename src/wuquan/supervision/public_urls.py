"""Public pages (/gk/supervision/): the complaint form and the tracking-code lookup (SUP-9)."""

from django.urls import path

from . import views

urlpatterns = [
    path("complaint/", views.complaint_form, name="complaint"),
    path("complaint/done/", views.complaint_done, name="complaint-done"),
    path("complaint/track/", views.complaint_track, name="complaint-track"),
]
