from django.urls import path

from . import views

urlpatterns = [
    path("", views.public_list, name="list"),
    path("<int:pk>/vote/", views.vote, name="vote"),
]
