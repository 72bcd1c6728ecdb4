from django.urls import path

from . import public_views as views

urlpatterns = [
    path("", views.items, name="items"),
    path("items/<slug:code>/", views.item_detail, name="item"),
    path("items/<slug:code>/apply/", views.apply, name="apply"),
    path("items/<slug:code>/ask/", views.ask, name="ask"),
    path("submitted/<str:number>/", views.submitted, name="submitted"),
    path("lookup/", views.lookup, name="lookup"),
    path("lookup/status/", views.status, name="status"),
    path("lookup/supplement/", views.supplement, name="supplement"),
    path("lookup/withdraw/", views.withdraw, name="withdraw"),
]
