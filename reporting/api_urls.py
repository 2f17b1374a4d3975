"""The reports API's addresses, mounted under ``/api/v1/returns/`` and ``/api/v1/scorecards/`` (``adoption.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from reporting import api

returns: list[URLPattern | URLResolver] = [
    path("", api.ReturnListApi.as_view(), name="api-returns-list"),
    path("<int:return_id>/", api.ReturnDetailApi.as_view(), name="api-returns-detail"),
    path("<int:return_id>/files/<slug:file>/", api.ReturnFileApi.as_view(), name="api-returns-file"),
]

scorecards: list[URLPattern | URLResolver] = [
    path("", api.ScorecardListApi.as_view(), name="api-scorecards-list"),
    path("<uuid:job_id>/", api.ScorecardDetailApi.as_view(), name="api-scorecards-detail"),
    path("<uuid:job_id>/pdf/", api.ScorecardPdfApi.as_view(), name="api-scorecards-pdf"),
]
