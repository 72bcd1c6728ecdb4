from django.urls import path

from . import views

urlpatterns = [
    path("", views.reimbursement_list, name="list"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("units/<int:pk>/new/", views.reimbursement_new, name="new"),
    path("units/<int:pk>/limits/", views.limits, name="limits"),
    path("units/<int:pk>/limits.xlsx", views.limits_template, name="limits-xlsx"),
    path("units/<int:pk>/reports/", views.reports, name="reports"),
    path("r/<int:pk>/", views.reimbursement_detail, name="detail"),
    path("r/<int:pk>/attach/", views.attach, name="attach"),
    path("r/<int:pk>/do/<slug:action>/", views.act, name="act"),
    path("r/<int:pk>/print/", views.reimbursement_print, name="print"),
    path("r/<int:pk>/files/<int:aid>/raw/", views.attachment_raw, name="file"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("disclosures/", views.disclosure_list, name="disclosures"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure"),
]
