from django.urls import path

from . import views

urlpatterns = [
    path("", views.selection_list, name="selections"),
    path("selections.xlsx", views.selections_excel, name="selections-excel"),
    path("selections/<int:pk>/", views.selection_detail, name="selection"),
    path("selections/<int:pk>/dossier/", views.selection_dossier, name="dossier"),
    path("reports/", views.reports, name="reports"),
    path("my-report/", views.my_report, name="my-report"),
    path("checks/<int:pk>/", views.check_detail, name="check"),
    path("cadres/<int:pk>/", views.cadre_file, name="cadre-file"),
    path("links/", views.links, name="links"),
    path("links/rebuild/", views.rebuild_index, name="rebuild-index"),
]
