from django.urls import path

from . import views

urlpatterns = [
    path("", views.public_villages, name="villages"),
    path("<int:pk>/", views.public_book, name="book"),
    path("<int:pk>/<int:year>/<int:month>/", views.public_month, name="month"),
    # ---- 惠农补贴“一卡通” and community funds (FIN-15, PUB-8) ----
    path("benefits/", views.public_benefits, name="benefits"),
    path("benefits/<int:pk>/", views.public_benefit, name="benefit"),
    path("<int:pk>/<int:year>/<int:month>/funds/", views.public_funds, name="funds"),
]
