from django.urls import path

from . import public_views

urlpatterns = [
    path("", public_views.tender_list, name="list"),
    path("<int:pk>/", public_views.tender_detail, name="detail"),
    path("<int:pk>/ocds.json", public_views.tender_ocds, name="ocds"),
    path("<int:pk>/record.json", public_views.tender_record, name="record"),
    path("releases.jsonl", public_views.bulk_jsonl, name="jsonl"),
    path("releases.xlsx", public_views.bulk_excel, name="excel"),
]
