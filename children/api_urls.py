from django.urls import path

from children import api, api_events

urlpatterns = [
    path("children/", api.ChildListApi.as_view(), name="api-children-list"),
    path("children/<int:child_id>/", api.ChildDetailApi.as_view(), name="api-children-detail"),
    path("children/<int:child_id>/events/", api_events.ChildEventsApi.as_view(), name="api-children-events"),
]
