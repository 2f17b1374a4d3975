"""The reports API: an LA's quarterly returns and scorecard PDFs (list, read, download, ask for one) and the
reference code lists. An LA's client sees its own LA's reports only; everything else answers 404."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from drf_spectacular.generators import SchemaGenerator
from pypdf import PdfReader

from adoption.models import ApiScope, AuditEvent, Job
from reporting.models import QuarterlyReturn
from tests import factories
from tests.api.errors import assert_error_shape

RETURNS = "/api/v1/returns/"
SCORECARDS = "/api/v1/scorecards/"
CODES = "/api/v1/codes/"
PREFIXES = (RETURNS, SCORECARDS, CODES)


def _auth(token: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


def _return(organisation, *, period_end: date, version: int, children: int = 0, families: int = 0):
    """A frozen return with ``children`` and ``families`` rows and a file of each kind."""
    made = QuarterlyReturn(
        organisation=organisation,
        period_start=period_end.replace(day=1) - timedelta(days=61),
        period_end=period_end,
        version=version,
        children=[{"la_child_id": f"C{n}"} for n in range(children)],
        families=[{"reference": f"F{n}"} for n in range(families)],
        summary={"adoptions": 4, "approvals": 2},
    )
    stem = f"{organisation.pk}-{period_end}-v{version}"
    made.xlsx.save(f"{stem}.xlsx", ContentFile(b"PK-xlsx-" + stem.encode()), save=False)
    made.children_csv.save(f"{stem}-children.csv", ContentFile(b"children," + stem.encode()), save=False)
    made.families_csv.save(f"{stem}-families.csv", ContentFile(b"families," + stem.encode()), save=False)
    made.summary_pdf.save(f"{stem}-summary.pdf", ContentFile(b"%PDF-summary-" + stem.encode()), save=False)
    made.save()
    return made


@pytest.fixture
def returns_a(la_a):
    """LA A's returns: Q1 2025-26 in two versions, and Q4 2024-25."""
    return [
        _return(la_a, period_end=date(2025, 6, 30), version=1, children=3, families=0),
        _return(la_a, period_end=date(2025, 6, 30), version=2, children=4, families=1),
        _return(la_a, period_end=date(2025, 3, 31), version=1, children=2),
    ]


@pytest.fixture
def return_b(la_b):
    return _return(la_b, period_end=date(2025, 6, 30), version=1, children=5)


@pytest.fixture
def return_raa(raa):
    """The RAA's return: it holds LA B's children too, so LA A's client must not see it."""
    return _return(raa, period_end=date(2025, 6, 30), version=1, children=9, families=6)


def _scorecard_job(organisation, la_ids, *, agency_ids=(), period_end="2025-03-31", status=Job.Status.QUEUED):
    return Job.objects.create(
        kind=Job.Kind.SCORECARD,
        organisation=organisation,
        status=status,
        params={
            "area": f"la-{la_ids[0]}",
            "label": organisation.name,
            "la_ids": list(la_ids),
            "agency_ids": list(agency_ids),
            "period_end": period_end,
        },
    )


@pytest.fixture
def scorecards(la_a, la_b, raa):
    """LA A's own scorecard, and those LA A's client must not see: LA B's, the RAA's of both LAs, and LA A's
    counting the RAA's families."""
    return {
        "a": _scorecard_job(la_a, [la_a.pk]),
        "a_2024": _scorecard_job(la_a, [la_a.pk], period_end="2024-03-31"),
        "b": _scorecard_job(la_b, [la_b.pk]),
        "raa": _scorecard_job(raa, sorted([la_a.pk, la_b.pk]), agency_ids=[raa.pk]),
        "a_with_families": _scorecard_job(la_a, [la_a.pk], agency_ids=[raa.pk]),
    }


# --- quarterly returns -----------------------------------------------------------------------------------------


def test_the_list_shows_the_las_own_returns_only(client, api_client_a, returns_a, return_b, return_raa):
    _, token = api_client_a
    response = client.get(RETURNS, **_auth(token))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    rows = body["results"]
    # Latest period first, then the latest version.
    assert [(r["period_end"], r["version"]) for r in rows] == [
        ("2025-06-30", 2),
        ("2025-06-30", 1),
        ("2025-03-31", 1),
    ]
    assert {r["id"] for r in rows} == {r.pk for r in returns_a}
    assert [r["children_rows"] for r in rows] == [4, 3, 2]
    assert [r["families_rows"] for r in rows] == [1, 0, 0]
    assert rows[0]["organisation"] == returns_a[0].organisation.ons_code
    assert set(rows[0]["files"]) == {"xlsx", "children-csv", "families-csv", "pdf"}
    assert rows[0]["files"]["pdf"].endswith(f"/api/v1/returns/{returns_a[1].pk}/files/pdf/")
    assert return_b.organisation.ons_code not in response.content.decode()


def test_returns_filter_by_period_and_version_and_order(client, api_client_a, returns_a):
    _, token = api_client_a
    found = client.get(RETURNS, {"period_end_after": "2025-04-01"}, **_auth(token)).json()
    assert {r["id"] for r in found["results"]} == {returns_a[0].pk, returns_a[1].pk}
    found = client.get(RETURNS, {"period_end_before": "2025-03-31"}, **_auth(token)).json()
    assert [r["id"] for r in found["results"]] == [returns_a[2].pk]
    found = client.get(RETURNS, {"version": 2}, **_auth(token)).json()
    assert [r["id"] for r in found["results"]] == [returns_a[1].pk]
    found = client.get(RETURNS, {"ordering": "period_end"}, **_auth(token)).json()
    assert found["results"][0]["id"] == returns_a[2].pk


def test_a_bad_filter_is_400_in_the_error_shape(client, api_client_a, returns_a):
    _, token = api_client_a
    body = assert_error_shape(client.get(RETURNS, {"period_end_after": "last tuesday"}, **_auth(token)), 400)
    assert "period_end" in body["extra"]["fields"]
    body = assert_error_shape(client.get(RETURNS, {"version": "0"}, **_auth(token)), 400)
    assert "version" in body["extra"]["fields"]


def test_a_return_reads_with_its_summary(client, api_client_a, returns_a):
    _, token = api_client_a
    response = client.get(f"{RETURNS}{returns_a[1].pk}/", **_auth(token))
    assert response.status_code == 200
    assert response["ETag"]
    body = response.json()
    assert body["version"] == 2
    assert body["period_start"] == "2025-04-01"
    assert body["quarter"]  # in words
    assert body["summary"] == [
        {"key": "adoptions", "label": "Adoption orders", "count": 4},
        {"key": "approvals", "label": "Approvals", "count": 2},
    ]


@pytest.mark.parametrize(
    "file, content_type, start",
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK-xlsx-"),
        ("children-csv", "text/csv", b"children,"),
        ("families-csv", "text/csv", b"families,"),
        ("pdf", "application/pdf", b"%PDF-summary-"),
    ],
)
def test_each_file_downloads_and_is_audited(client, api_client_a, returns_a, file, content_type, start):
    api_client, token = api_client_a
    made = returns_a[0]
    response = client.get(f"{RETURNS}{made.pk}/files/{file}/", **_auth(token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == start + f"{made.organisation_id}-2025-06-30-v1".encode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert event.api_client == api_client
    assert event.object_type == "reporting.quarterlyreturn"
    assert event.object_id == str(made.pk)


def test_an_unknown_file_is_404(client, api_client_a, returns_a):
    _, token = api_client_a
    assert_error_shape(client.get(f"{RETURNS}{returns_a[0].pk}/files/docx/", **_auth(token)), 404)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


# --- scorecards ------------------------------------------------------------------------------------------------


def test_the_scorecard_list_shows_the_las_own_scorecards_only(client, api_client_a, scorecards):
    _, token = api_client_a
    body = client.get(SCORECARDS, **_auth(token)).json()
    assert {r["id"] for r in body["results"]} == {str(scorecards["a"].pk), str(scorecards["a_2024"].pk)}
    assert body["count"] == 2
    found = client.get(SCORECARDS, {"period_end_after": "2025-01-01"}, **_auth(token)).json()
    assert [r["id"] for r in found["results"]] == [str(scorecards["a"].pk)]
    found = client.get(SCORECARDS, {"ordering": "period_end"}, **_auth(token)).json()
    assert [r["period_end"] for r in found["results"]] == ["2024-03-31", "2025-03-31"]
    row = found["results"][1]
    assert row["status"] == "queued"
    assert row["download_url"] is None
    assert row["status_url"].endswith(f"/api/v1/scorecards/{scorecards['a'].pk}/")


def test_asking_for_a_scorecard_makes_a_job_and_its_pdf_downloads(
    client, api_client_a, la_a, django_capture_on_commit_callbacks
):
    api_client, token = api_client_a
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SCORECARDS, {"period_end": "2025-03-31"}, content_type="application/json", **_auth(token)
        )
    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get(kind=Job.Kind.SCORECARD)
    assert body["id"] == str(job.pk)
    assert response["Location"] == body["status_url"]
    assert job.organisation == la_a
    assert job.requested_by is None
    assert job.params["la_ids"] == [la_a.pk]
    assert job.params["agency_ids"] == []
    assert job.params["api_client_id"] == api_client.pk
    assert AuditEvent.objects.filter(action=AuditEvent.Action.JOB_REQUESTED, api_client=api_client).exists()

    status = client.get(body["status_url"], **_auth(token)).json()
    assert status["status"] == "succeeded"
    assert status["period_end"] == "2025-03-31"
    pdf = client.get(status["download_url"], **_auth(token))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert la_a.name in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, api_client=api_client).count() == 1


def test_a_repeated_request_with_the_same_key_makes_one_job(client, api_client_a):
    _, token = api_client_a
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "scorecard-2025"}
    data = {"period_end": "2025-03-31"}
    first = client.post(SCORECARDS, data, content_type="application/json", headers=headers)
    again = client.post(SCORECARDS, data, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Job.objects.count() == 1


def test_a_scorecard_not_made_yet_does_not_download(client, api_client_a, scorecards):
    _, token = api_client_a
    assert_error_shape(client.get(f"{SCORECARDS}{scorecards['a'].pk}/pdf/", **_auth(token)), 404)


@pytest.mark.parametrize(
    "data, field",
    [({}, "period_end"), ({"period_end": "31/03/2025"}, "period_end"), ({"period_end": "2999-03-31"}, "period_end")],
    ids=["missing", "not a date", "future"],
)
def test_a_bad_scorecard_request_is_400_and_makes_nothing(client, api_client_a, data, field):
    _, token = api_client_a
    body = assert_error_shape(client.post(SCORECARDS, data, content_type="application/json", **_auth(token)), 400)
    assert field in body["extra"]["fields"]
    assert not Job.objects.exists()


# --- who may -----------------------------------------------------------------------------------------------------


def test_a_client_without_the_reports_scope_is_refused(client, la_a, returns_a, scorecards):
    _, token = factories.api_client_with_token(la_a, scopes=[ApiScope.READ_CHILDREN.value])
    for url in (RETURNS, f"{RETURNS}{returns_a[0].pk}/", f"{RETURNS}{returns_a[0].pk}/files/pdf/", SCORECARDS):
        assert_error_shape(client.get(url, **_auth(token)), 403)
    response = client.post(SCORECARDS, {"period_end": "2025-03-31"}, content_type="application/json", **_auth(token))
    assert_error_shape(response, 403)
    assert Job.objects.count() == len(scorecards)
    # The code lists need no scope.
    assert client.get(CODES, **_auth(token)).status_code == 200


def test_no_token_is_401(client, returns_a):
    for url in (RETURNS, SCORECARDS, CODES, f"{CODES}sex/"):
        assert_error_shape(client.get(url), 401)


def test_staff_without_a_reporting_role_are_refused(client, social_worker_a, returns_a):
    client.force_login(social_worker_a)
    assert_error_shape(client.get(RETURNS), 403)
    assert_error_shape(client.get(SCORECARDS), 403)


def test_a_manager_signed_in_sees_their_las_returns(client, manager_a, returns_a, return_b):
    client.force_login(manager_a)
    body = client.get(RETURNS).json()
    assert {r["id"] for r in body["results"]} == {r.pk for r in returns_a}


def test_a_manager_signed_in_asks_for_a_scorecard_by_area(client, manager_a, la_a, la_b):
    client.force_login(manager_a)
    data = {"period_end": "2025-03-31", "area": f"la-{la_a.pk}"}
    assert client.post(SCORECARDS, data, content_type="application/json").status_code == 202
    assert Job.objects.get().params["la_ids"] == [la_a.pk]
    other = {"period_end": "2025-03-31", "area": f"la-{la_b.pk}"}
    assert_error_shape(client.post(SCORECARDS, other, content_type="application/json"), 404)
    assert not Job.objects.filter(organisation=la_b).exists()


# --- another LA's reports: 404 on every operation ---------------------------------------------------------------


def _operations() -> list[tuple[str, str, tuple[str, ...]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        if not path.startswith(PREFIXES):
            continue
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                params = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
                found.append((path, method, params))
    return found


OPERATIONS = _operations()


def test_the_walk_covers_the_reports_operations():
    assert {(path, method) for path, method, _p in OPERATIONS} == {
        (RETURNS, "get"),
        (f"{RETURNS}{{return_id}}/", "get"),
        (f"{RETURNS}{{return_id}}/files/{{file}}/", "get"),
        (SCORECARDS, "get"),
        (SCORECARDS, "post"),
        (f"{SCORECARDS}{{job_id}}/", "get"),
        (f"{SCORECARDS}{{job_id}}/pdf/", "get"),
        (CODES, "get"),
        (f"{CODES}{{name}}/", "get"),
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{m} {p}" for p, m, _x in OPERATIONS])
def test_every_reports_operation_hides_another_las_records(
    client, operation, api_client_a, la_b, returns_a, return_b, return_raa, scorecards
):
    path, method, params = operation
    _, token = api_client_a
    done = scorecards["a"]
    done.status = Job.Status.SUCCEEDED
    done.file.save("scorecard-a.pdf", ContentFile(b"%PDF-a"), save=False)
    done.save()
    others = {
        "return_id": [return_b.pk, return_raa.pk],
        "job_id": [scorecards[k].pk for k in ("b", "raa", "a_with_families")],
    }
    own = {"return_id": returns_a[0].pk, "job_id": done.pk, "file": "pdf", "name": "sex"}
    secrets = [la_b.ons_code, la_b.name]

    def url(values: dict) -> str:
        return re.sub(r"\{([^}]+)\}", lambda m: str(values[m[1]]), path)

    if method == "post":  # asking for another LA's scorecard
        data = {"period_end": "2025-03-31", "area": f"la-{la_b.pk}"}
        before = Job.objects.count()
        response = client.post(path, data, content_type="application/json", **_auth(token))
        assert_error_shape(response, 404)
        assert Job.objects.count() == before
        return
    assert client.get(url(own), **_auth(token)).status_code == 200
    record_params = [p for p in params if p in others]
    if not record_params:  # a list: none of another LA's (or its RAA's) reports in it
        content = client.get(path, **_auth(token)).content.decode()
        for secret in secrets:
            assert secret not in content
        if path == RETURNS:
            ids = {r["id"] for r in client.get(path, **_auth(token)).json()["results"]}
            assert not ids & set(others["return_id"])
        if path == SCORECARDS:
            ids = {r["id"] for r in client.get(path, **_auth(token)).json()["results"]}
            assert not ids & {str(j) for j in others["job_id"]}
        return
    for param in record_params:
        for other in others[param]:
            response = client.get(url({**own, param: other}), **_auth(token))
            body = assert_error_shape(response, 404)
            assert not any(secret in str(body) for secret in secrets)


# --- reference code lists ---------------------------------------------------------------------------------------


def test_the_code_lists_are_listed(client, api_client_a):
    _, token = api_client_a
    body = client.get(CODES, **_auth(token)).json()
    by_name = {row["name"]: row for row in body}
    assert {"sex", "ethnicity", "legal-status", "placement-type", "reason-episode-ceased"} <= set(by_name)
    assert by_name["sex"]["field"] == "SEX"
    assert by_name["sex"]["count"] == 3
    assert by_name["sex"]["url"].endswith("/api/v1/codes/sex/")


def test_a_code_list_gives_codes_and_labels(client, api_client_a):
    _, token = api_client_a
    body = client.get(f"{CODES}sex/", **_auth(token)).json()
    assert body["codes"] == [
        {"code": "M", "label": "Male"},
        {"code": "F", "label": "Female"},
        {"code": "U", "label": "Not known"},
    ]
    ethnicity = client.get(f"{CODES}ethnicity/", **_auth(token)).json()["codes"]
    assert len(ethnicity) == 20
    assert {"code": "WBRI", "label": "White British"} in ethnicity


def test_an_unknown_code_list_is_404(client, api_client_a):
    _, token = api_client_a
    assert_error_shape(client.get(f"{CODES}shoe-size/", **_auth(token)), 404)


def test_staff_may_read_the_code_lists(client, social_worker_a):
    client.force_login(social_worker_a)
    assert client.get(f"{CODES}sex/").status_code == 200
