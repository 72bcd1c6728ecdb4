from django.urls import path

from . import views

app_name = "disclosure"

urlpatterns = [
    path("", views.home, name="home"),
    path("gk/workplan/", views.workplan, name="workplan"),
    path("gk/log/", views.checkpoints, name="checkpoints"),
    # PUB-6 village affairs bulletins, PUB-12 the village page with its spokesperson
    path("gk/bulletins/", views.bulletins, name="bulletins"),
    path("gk/bulletins/<int:pk>/", views.bulletin, name="bulletin"),
    path("gk/village/<slug:code>/", views.village, name="village"),
    # PUB-4 the key-area catalog
    path("gk/keyarea/", views.keyarea, name="keyarea"),
    # PUB-11 questions and suggestions beside any disclosure
    path("gk/ask/", views.ask, name="ask"),
    path("gk/ask/done/", views.ask_done, name="ask-done"),
    # one search and Atom feeds across every disclosure
    path("gk/search/", views.search, name="search"),
    path("gk/feeds/all.atom", views.DisclosureFeed(), name="feed-all"),
    path("gk/feeds/unit/<slug:code>.atom", views.DisclosureFeed(), name="feed-unit"),
    path("gk/feeds/kind/<slug:kind>.atom", views.DisclosureFeed(), name="feed-kind"),
    # staff pages of what the portal owns
    path("staff/disclosure/", views.staff_home, name="staff-home"),
    path("staff/disclosure/bulletins/new/", views.bulletin_new, name="staff-bulletin-new"),
    path("staff/disclosure/bulletins/<int:pk>/", views.staff_bulletin, name="staff-bulletin"),
    path("staff/disclosure/inquiries/<int:pk>/", views.staff_answer, name="staff-answer"),
    path("staff/disclosure/keyarea/", views.staff_keyarea, name="staff-keyarea"),
    path("staff/disclosure/assessment/", views.staff_assessment, name="staff-assessment"),
    path(
        "staff/disclosure/keyarea/items/<int:pk>/",
        views.staff_keyarea_item,
        name="staff-keyarea-item",
    ),
]
