"""Staff pages: the commission's board, alarms and their 督查督办, inspections, the dispatch
report, the inbox (mounted at /staff/supervision/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.board, name="board"),
    path("alarms/<int:pk>/", views.alarm_detail, name="alarm"),
    path("alarms/<int:pk>/assign/", views.alarm_assign, name="alarm-assign"),
    path("alarms/<int:pk>/answer/", views.alarm_answer, name="alarm-answer"),
    path("alarms/<int:pk>/check/", views.alarm_check, name="alarm-check"),
    path("alarms/<int:pk>/close/", views.alarm_close, name="alarm-close"),
    path("inspections/", views.inspections, name="inspections"),
    path("dispatch/", views.dispatch_report, name="dispatch"),
    path("inbox/", views.inbox, name="inbox"),
]
