from django.urls import path

from . import views

urlpatterns = [
    path("", views.public_villages, name="villages"),
    path("<int:pk>/", views.public_book, name="book"),
    path("<int:pk>/<int:year>/<int:month>/", views.public_month, name="month"),
]
