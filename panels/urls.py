from django.urls import URLPattern, path

from panels import dashboard_views, feedback_views, pack_views, views

app_name = "panels"

urlpatterns: list[URLPattern] = [
    path("", views.member_list, name="members"),
    path("make-up/", views.make_up, name="make-up"),
    path("appraisals/", views.appraisals, name="appraisals"),
    path("members/new/", views.member_create, name="member-create"),
    path("members/<int:member_id>/", views.member_detail, name="member"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member-edit"),
    path("members/<int:member_id>/appraisal/", views.appraisal_record, name="appraisal"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:meeting_id>/invite/", views.meeting_invite, name="invite"),
    path("meetings/<int:meeting_id>/attendance/", views.meeting_attendance, name="attendance"),
    # agenda items, papers, recommendations, minutes, decisions (views):
    path("meetings/<int:meeting_id>/items/new/", views.item_add, name="item-add"),
    path("meetings/<int:meeting_id>/confirm/", views.meeting_confirm, name="confirm"),
    path("meetings/<int:meeting_id>/minutes/draft/", views.minutes_step, {"step": "draft"}, name="minutes-draft"),
    path(
        "meetings/<int:meeting_id>/minutes/check/", views.minutes_step, {"step": "accuracy_check"}, name="minutes-check"
    ),
    path("meetings/<int:meeting_id>/minutes/final/", views.minutes_step, {"step": "final"}, name="minutes-final"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("items/<int:item_id>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:item_id>/move/", views.item_move, name="item-move"),
    path("items/<int:item_id>/remove/", views.item_remove, name="item-remove"),
    path("items/<int:item_id>/papers/new/", views.paper_upload, name="paper-upload"),
    path("items/<int:item_id>/recommendation/", views.recommendation, name="recommendation"),
    path("items/<int:item_id>/minutes/", views.item_minutes, name="item-minutes"),
    path("items/<int:item_id>/decision/", views.decision, name="decision"),
    path("items/<int:item_id>/told/", views.told, name="told"),
    path("papers/<int:paper_id>/", views.paper_download, name="paper"),
    # agenda pack (pack_views):
    path("meetings/<int:meeting_id>/pack/", pack_views.pack_page, name="pack"),
    path("meetings/<int:meeting_id>/pack/build/", pack_views.pack_build, name="pack-build"),
    path("meetings/<int:meeting_id>/pack/download/", pack_views.pack_download, name="pack-download"),
    # quality and attendee feedback (feedback_views):
    path("items/<int:item_id>/ratings/", feedback_views.item_ratings, name="item-ratings"),
    path("items/<int:item_id>/feedback/invite/", feedback_views.feedback_invite, name="feedback-invite"),
    path("feedback/", feedback_views.feedback_form, name="feedback-form"),
    path("feedback/<str:token>/", feedback_views.feedback_link, name="feedback-link"),
    path("quality/", feedback_views.quality_report, name="quality-report"),
    # dashboard and the report to panel (dashboard_views):
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("report/", dashboard_views.panel_report, name="panel-report"),
]
