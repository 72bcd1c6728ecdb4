from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("item/<slug:code>/", views.item_guide, name="item"),
    path("item/<slug:code>/flow.svg", views.item_diagram, name="item-svg"),
    path("fees/", views.fee_catalog, name="fees"),
    path("units/", views.unit_list, name="units"),
    path("units/<slug:code>/", views.unit_powers, name="unit"),
]
