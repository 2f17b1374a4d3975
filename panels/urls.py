from django.urls import URLPattern, path

from panels import views

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
]
