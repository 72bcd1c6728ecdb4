from django.urls import path

from . import views

urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/<slug:action>/", views.meeting_action, name="meeting-action"),
    path("items/<int:pk>/<slug:action>/", views.item_action, name="item-action"),
    path("village/", views.village_list, name="village"),
]
