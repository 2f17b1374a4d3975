"""Every address the load test asks for, as plain data.

The locust scenario (``loadtest/locustfile.py``) builds each request from a route here and reports it under the
route's template, so the statistics group requests by page or operation rather than by record. Nothing here imports
Django or locust: ``tests/test_load_scenario.py`` checks every route against the URLconf and every API operation
against the OpenAPI schema without the load tools installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter
from typing import Final


@dataclass(frozen=True)
class Route:
    """One page or API operation. ``template`` is a ``str.format`` pattern whose fields are named as the API schema
    names its path parameters; ``url_name`` is the name ``django.urls.resolve`` must find for it."""

    url_name: str
    template: str
    methods: tuple[str, ...] = ("GET",)
    api: bool = False

    def path(self, **params: object) -> str:
        return self.template.format(**params)

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(field for _text, field, _spec, _conv in Formatter().parse(self.template) if field)


# --- pages ----------------------------------------------------------------------------------------------------
SIGN_IN: Final = Route("sign-in", "/sign-in/", ("GET", "POST"))
HOME: Final = Route("home", "/")
CHILD_LIST: Final = Route("children:list", "/children/")
CHILDREN_WAITING: Final = Route("children:waiting", "/children/waiting/")
CHILD_DETAIL: Final = Route("children:detail", "/children/{child_id}/")
CHILD_UPDATE: Final = Route("children:update", "/children/{child_id}/update/", ("GET", "POST"))
FAMILY_FINDING_STATUS: Final = Route("children:family-finding", "/children/{child_id}/family-finding/", ("GET", "POST"))
SUGGESTED_FAMILIES: Final = Route("children:suggested-families", "/children/{child_id}/suggested-families/")
FAMILY_FINDING_FIGURES: Final = Route("children:family-finding-figures", "/children/family-finding/")
HOUSEHOLDS_WAITING: Final = Route("adopters:waiting", "/households/waiting/")
DASHBOARD: Final = Route("reporting:dashboard", "/reports/")
SCORECARD: Final = Route("reporting:scorecard", "/reports/scorecard/")
RETURNS: Final = Route("reporting:returns", "/reports/returns/", ("GET", "POST"))
REPORT_RUNS: Final = Route("reporting:runs", "/reports/runs/")
JOB: Final = Route("job-detail", "/jobs/{job_id}/")

# --- the LA API -------------------------------------------------------------------------------------------------
API_CHILDREN: Final = Route("api-children-list", "/api/v1/children/", ("GET", "POST"), api=True)
API_CHILD: Final = Route("api-children-detail", "/api/v1/children/{child_id}/", api=True)
API_CHILD_EVENTS: Final = Route("api-children-events", "/api/v1/children/{child_id}/events/", ("GET", "POST"), api=True)
API_RETURNS: Final = Route("api-returns-list", "/api/v1/returns/", api=True)
API_RETURN: Final = Route("api-returns-detail", "/api/v1/returns/{return_id}/", api=True)
API_RETURN_FILE: Final = Route("api-returns-file", "/api/v1/returns/{return_id}/files/{file}/", api=True)

ROUTES: Final[tuple[Route, ...]] = tuple(value for value in list(globals().values()) if isinstance(value, Route))

# A value of each path parameter that makes a route's address well formed (for checking the routes, not for load).
EXAMPLE_PARAMETERS: Final[dict[str, str]] = {
    "child_id": "1",
    "job_id": "0b6e4f2a-3c1d-4e5f-8a9b-0c1d2e3f4a5b",
    "return_id": "1",
    "file": "children-csv",
}

# The files of a quarterly return the API client downloads (``file`` of API_RETURN_FILE).
RETURN_FILES: Final[tuple[str, ...]] = ("children-csv", "families-csv", "xlsx", "pdf")
