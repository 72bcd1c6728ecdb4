from django.urls import path

from . import inspection_views, views

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("window/", views.window_apply, name="window-apply"),
    path("figures/", views.figures, name="figures"),
    path("consultations/", views.consultations, name="consultations"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/accept/", views.accept, name="accept"),
    path("cases/<int:pk>/notice/", views.notice, name="notice"),
    path("cases/<int:pk>/reissue-code/", views.reissue_code, name="reissue-code"),
    path("cases/<int:pk>/suspend/", views.suspend, name="suspend"),
    path("cases/<int:pk>/resume/", views.resume, name="resume"),
    path("cases/<int:pk>/charge/", views.charge, name="charge"),
    path("cases/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "cases/<int:pk>/files/<str:kind>/<int:obj_pk>/",
        views.file_preview,
        name="file-preview",
    ),
    path(
        "cases/<int:pk>/files/<str:kind>/<int:obj_pk>/raw/",
        views.stored_file,
        name="file",
    ),
    path("cases/<int:pk>/steps/<int:step_pk>/claim/", views.step_claim, name="step-claim"),
    path("cases/<int:pk>/steps/<int:step_pk>/complete/", views.step_complete, name="step-complete"),
    # APR-10: the approving unit's own in-process inspections and after-the-fact audits
    path("inspections/", inspection_views.inspections, name="inspections"),
    path("inspections/<int:pk>/", inspection_views.inspection, name="inspection"),
]
