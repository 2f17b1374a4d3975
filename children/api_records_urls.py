"""The sibling groups, matches and placements APIs, each mounted under its own prefix in ``adoption.urls``."""

from django.urls import path

from children import api_records

sibling_groups = [
    path("", api_records.SiblingGroupListApi.as_view(), name="api-sibling-groups-list"),
    path("<int:group_id>/", api_records.SiblingGroupDetailApi.as_view(), name="api-sibling-groups-detail"),
]
matches = [
    path("", api_records.MatchListApi.as_view(), name="api-matches-list"),
    path("<int:match_id>/", api_records.MatchDetailApi.as_view(), name="api-matches-detail"),
]
placements = [
    path("", api_records.PlacementListApi.as_view(), name="api-placements-list"),
    path("<int:placement_id>/", api_records.PlacementDetailApi.as_view(), name="api-placements-detail"),
]
