from django.urls import path

from . import views

urlpatterns = [
    path("", views.request_list, name="list"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender"),
    path("red-flags/", views.red_flags, name="red-flags"),
]
