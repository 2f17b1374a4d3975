"""Contract tests of the LA API against its own published schema (`/api/v1/schema/`).

* schemathesis generates requests for every operation of the live schema (in-process, through the WSGI app) with
  LA A's client token and checks each answer: never a server error, a documented status code, the documented
  content type and a body that matches the documented schema.
* A client generated from the live schema by openapi-python-client lists LA A's children, records a journey event
  and asks for a scorecard, then downloads its PDF: the schema is good enough for a real client to be made from it.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.files.base import ContentFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from adopters.models import Household
from children.models import AdoptionDecision, AdoptivePlacement, Match, SiblingGroup, SiblingGroupMember
from reporting.models import QuarterlyReturn
from tests import factories

SCHEMA = "/api/v1/schema/"
MAX_EXAMPLES = 10  # per operation: about 40 seconds for all of them on this machine


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def contract_records(la_a, raa):
    """LA A's records, so that the reads have something to answer with: a waiting child with a decision, a sibling
    group, a matched and placed child, and a frozen quarterly return."""
    waiting = factories.ChildFactory(responsible_la=la_a)
    factories.PeriodOfCareFactory(child=waiting, started_on=date(2023, 1, 5))
    factories.AdoptionDecisionFactory(child=waiting, decided_on=date(2023, 6, 1))
    sister = factories.ChildFactory(responsible_la=la_a, last_name=waiting.last_name)
    factories.PeriodOfCareFactory(child=sister, started_on=date(2023, 3, 1))  # in care, no decision yet
    group = SiblingGroup.objects.create(responsible_la=la_a, name="Contract siblings")
    SiblingGroupMember.objects.create(group=group, child=waiting)
    SiblingGroupMember.objects.create(group=group, child=sister)
    household: Household = factories.HouseholdFactory(approving_agency=raa)
    placed = factories.ChildFactory(responsible_la=la_a)
    factories.PeriodOfCareFactory(child=placed, started_on=date(2022, 1, 5))
    factories.AdoptionDecisionFactory(child=placed, decided_on=date(2022, 6, 1))
    match = Match.objects.create(household=household, decided_on=date(2023, 11, 1))
    AdoptivePlacement.objects.create(
        child=placed, household=household, matched_on=date(2023, 11, 1), placed_on=date(2023, 12, 1), match=match
    )
    made = QuarterlyReturn(
        organisation=la_a,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        version=1,
        children=[{"la_child_id": waiting.la_child_id}],
        families=[{"reference": household.reference}],
        summary={"adoptions": 0, "approvals": 1},
    )
    stem = f"{la_a.pk}-contract"
    made.xlsx.save(f"{stem}.xlsx", ContentFile(b"PK-xlsx"), save=False)
    made.children_csv.save(f"{stem}-children.csv", ContentFile(b"children"), save=False)
    made.families_csv.save(f"{stem}-families.csv", ContentFile(b"families"), save=False)
    made.summary_pdf.save(f"{stem}-summary.pdf", ContentFile(b"%PDF-summary"), save=False)
    made.save()
    return {"waiting": waiting, "sister": sister, "placed": placed, "group": group, "match": match, "return": made}


@pytest.fixture
def token_a(api_client_a) -> str:
    return api_client_a[1]


@pytest.fixture
def wsgi_app(db) -> Iterator[Any]:
    """The project's WSGI app, called in-process inside the test's transaction: like Django's test client, it must
    not close the database connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app, contract_records, token_a):
    """The live schema, loaded from the app itself; its cases are sent to the same WSGI app."""
    return schemathesis.openapi.from_wsgi(
        SCHEMA, wsgi_app, headers={"Authorization": f"Bearer {token_a}", "Accept": "application/json"}
    )


def _check_operation(operation: Any, token: str, seen: list[tuple[str, int]]) -> str | None:
    """Send a few generated requests (valid and invalid) for one operation; the first broken answer, if any."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
        seen.append((f"{operation.method.upper()} {operation.path}", response.status_code))

    try:
        run()
    except (AssertionError, BaseExceptionGroup) as error:  # reported with the others, below
        return f"{operation.method.upper()} {operation.path}: {error}"
    return None


def test_every_operation_keeps_to_the_schema(api_schema, token_a):
    """schemathesis's ``from_fixture``/``parametrize`` do not work with pytest 9 (it sets ``Function._nodeid``), so
    the operations are walked here, each with its own bounded Hypothesis run, and every broken one is reported."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30
    seen: list[tuple[str, int]] = []
    failures = [found for operation in operations if (found := _check_operation(operation, token_a, seen))]
    assert failures == [], "\n\n".join(failures)
    # Every operation was called, and the reads of LA A's records found them (the token was accepted).
    assert {name for name, _ in seen} == {f"{op.method.upper()} {op.path}" for op in operations}
    answered_ok = {name for name, status in seen if status == 200}
    assert {
        "GET /api/v1/children/",
        "GET /api/v1/matches/",
        "GET /api/v1/placements/",
        "GET /api/v1/sibling-groups/",
        "GET /api/v1/returns/",
        "GET /api/v1/codes/",
    } <= answered_ok


@pytest.mark.parametrize(
    "path",
    ["/api/v1/children/-4761/", "/api/v1/codes/No%20support%20needed/", "/api/v1/asf-applications/-1/submit/"],
)
def test_an_unrouted_api_url_answers_json(client, token_a, path):
    response = client.get(path, headers={"Authorization": f"Bearer {token_a}"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"message": "Not found.", "extra": {}}


@pytest.mark.parametrize("updated_since", ["0328-12-03T15:01:48.2+16:20", "2025-01-01T00:00:00-17:00"])
def test_updated_since_with_a_far_offset_is_not_a_server_error(api_client_a, updated_since):
    response = Client(raise_request_exception=False).get(
        "/api/v1/children/", {"updated_since": updated_since}, headers={"Authorization": f"Bearer {api_client_a[1]}"}
    )
    # Compared in UTC: the offset is turned into UTC first, so the list answers (both are long past).
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("path", ["/api/v1/children/", "/api/v1/matches/"])
def test_a_page_past_the_end_answers_a_documented_status(client, token_a, contract_records, path):
    headers = {"Authorization": f"Bearer {token_a}", "Accept": "application/json"}
    schema = json.loads(client.get(SCHEMA, headers=headers).content)
    documented = {int(code) for code in schema["paths"][path]["get"]["responses"]}
    response = client.get(path, {"page": 4096}, headers=headers)
    assert response.status_code == 400 and 400 in documented
    assert response.json()["extra"]["fields"]["page"] == ["Invalid page."]


# --- a generated client ----------------------------------------------------------------------------------------


def _form_request_bodies(schema: dict[str, Any]) -> list[str]:
    """The operations whose request body is documented in another content type besides JSON."""
    return [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if set(operation.get("requestBody", {}).get("content", {})) - {"application/json"}
    ]


def test_request_bodies_are_documented_as_json_only(client, token_a):
    schema = json.loads(
        client.get(SCHEMA, headers={"Authorization": f"Bearer {token_a}", "Accept": "application/json"}).content
    )
    # The 903 upload alone takes files (multipart); every other body is JSON, so a generated client sends it so.
    assert _form_request_bodies(schema) == ["POST /api/v1/ssda903/imports/"]


@pytest.fixture
def generated_client(client, token_a, tmp_path, monkeypatch):
    """A Python package generated from the live schema by openapi-python-client, importable as ``adoption_api``."""
    response = client.get(SCHEMA, headers={"Authorization": f"Bearer {token_a}", "Accept": "application/json"})
    assert response.status_code == 200
    schema_file = tmp_path / "schema.json"
    schema_file.write_bytes(response.content)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"package_name_override": "adoption_api", "post_hooks": []}))
    out = tmp_path / "adoption_api"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            str(schema_file),
            "--output-path",
            str(out),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "__init__.py").exists(), done.stdout
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "adoption_api" or m.startswith("adoption_api.")]:
        del sys.modules[name]
    return importlib.import_module("adoption_api")


def test_a_generated_client_lists_children_records_an_event_and_downloads_a_scorecard(
    generated_client, wsgi_app, token_a, contract_records, django_capture_on_commit_callbacks
):
    import httpx
    from adoption_api import AuthenticatedClient  # type: ignore[import-not-found]
    from adoption_api.api.children import (  # type: ignore[import-not-found]
        children_events_create,
        children_events_list,
        children_list,
    )
    from adoption_api.api.scorecards import (  # type: ignore[import-not-found]
        scorecards_create,
        scorecards_pdf,
        scorecards_retrieve,
    )
    from adoption_api.models import (  # type: ignore[import-not-found]
        AdmDecisionInputRequest,
        AdmDecisionInputTypeEnum,
        ScorecardRequestInputRequest,
    )

    api = AuthenticatedClient(
        base_url="http://testserver",
        token=token_a,
        httpx_args={"transport": httpx.WSGITransport(app=wsgi_app)},
    )
    waiting, placed, sister = (contract_records[name] for name in ("waiting", "placed", "sister"))

    listed = children_list.sync(client=api, ordering="la_child_id")
    assert listed.count == 3
    assert {child.la_child_id for child in listed.results} >= {waiting.la_child_id, placed.la_child_id}

    made = children_events_create.sync_detailed(
        sister.pk,
        client=api,
        body=AdmDecisionInputRequest(type_=AdmDecisionInputTypeEnum.ADM_DECISION, decided_on=date(2024, 2, 1)),
    )
    assert made.status_code == 201, made.content
    assert AdoptionDecision.objects.filter(child=sister, decided_on=date(2024, 2, 1)).exists()
    events = children_events_list.sync(sister.pk, client=api)
    assert ("adm_decision", date(2024, 2, 1)) in [(str(e.type_), e.date) for e in events.events]

    with django_capture_on_commit_callbacks(execute=True):  # the job is queued on commit; tasks run eagerly
        asked = scorecards_create.sync_detailed(
            client=api, body=ScorecardRequestInputRequest(period_end=date(2025, 3, 31))
        )
    assert asked.status_code == 202, asked.content
    job = scorecards_retrieve.sync(asked.parsed.id, client=api)
    assert job.status == "succeeded", job.error
    assert job.download_url
    pdf = scorecards_pdf.sync_detailed(asked.parsed.id, client=api)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
