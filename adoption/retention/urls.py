"""The retention page and its forms (``adoption.views_retention``)."""

from django.urls import path

from adoption import views_retention as views

urlpatterns = [
    path("", views.retention_page, name="retention"),
    path("holds/new/", views.hold_place_page, name="retention-hold-place"),
    path("holds/<int:hold_id>/release/", views.hold_release_page, name="retention-hold-release"),
    path("disposals/new/", views.disposal_request_page, name="retention-disposal-request"),
    path("disposals/<int:request_id>/approve/", views.disposal_approve_page, name="retention-disposal-approve"),
    path("disposals/<int:request_id>/refuse/", views.disposal_refuse_page, name="retention-disposal-refuse"),
]
