"""The 903 import through its pages and the API, and who may import for which LA.

An LA's staff import only for their own LA (another LA answers 404, as if it did not exist); an
LA's API client only for its LA; roles that cannot record a child's journey cannot import.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from drf_spectacular.generators import SchemaGenerator

from adoption.models import AuditEvent, Job
from children.models import Child
from children.ssda903 import importer
from tests.ssda903.test_import_journeys import _good_files, _malformed, _upload, table_counts

UPLOAD = "/ssda903/imports/"
API = "/api/v1/ssda903/imports/"


def _uploads(files: list[tuple[str, bytes]]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, content, content_type="text/csv") for name, content in files]


def _auth(token: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


# --- who may import for which LA ----------------------------------------------------------------------


def test_the_upload_page_offers_only_the_users_own_la(client, social_worker_a, la_a, la_b):
    client.force_login(social_worker_a)
    response = client.get(UPLOAD)
    assert response.status_code == 200
    body = response.content.decode()
    assert la_a.name in body
    assert la_b.name not in body
    assert 'type="file"' in body and "multiple" in body and 'accept=".csv,.xml' in body


def test_an_la_user_cannot_import_for_another_la(client, social_worker_a, la_b):
    client.force_login(social_worker_a)
    files = _uploads(_upload(_good_files()))
    response = client.post(UPLOAD, {"la": la_b.pk, "uploads": files})
    assert response.status_code == 400
    assert "Choose a local authority" in response.content.decode()
    assert not Job.objects.filter(organisation=la_b).exists()
    # The service itself answers 404 for an LA the user cannot see.
    with pytest.raises(Http404):
        importer.import_request(actor=social_worker_a, la_id=la_b.pk, files=_uploads(_upload(_good_files())))


def test_a_role_that_cannot_record_journeys_cannot_import(client, panel_adviser, la_a):
    client.force_login(panel_adviser)
    assert client.get(UPLOAD).status_code == 403
    with pytest.raises(PermissionDenied):
        importer.import_request(actor=panel_adviser, la_id=la_a.pk, files=_uploads(_upload(_good_files())))


def test_another_las_import_is_not_found(client, social_worker_a, social_worker_b, la_b):
    job = Job.objects.create(
        kind=Job.Kind.SSDA903_IMPORT, organisation=la_b, requested_by=social_worker_b, params={"phase": "preview"}
    )
    client.force_login(social_worker_a)
    assert client.get(f"{UPLOAD}{job.pk}/").status_code == 404
    assert client.post(f"{UPLOAD}{job.pk}/").status_code == 404
    assert not Job.objects.filter(params__preview_job_id=str(job.pk)).exists()
    client.force_login(social_worker_b)
    assert client.get(f"{UPLOAD}{job.pk}/").status_code == 200  # the control: LA B's own user sees it


# --- the pages ------------------------------------------------------------------------------------------


def test_upload_preview_confirm_and_result(client, social_worker_a, la_a, django_capture_on_commit_callbacks):
    client.force_login(social_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"la": la_a.pk, "uploads": _uploads(_upload(_good_files()))})
    assert response.status_code == 302
    preview = Job.objects.get(organisation=la_a, kind=Job.Kind.SSDA903_IMPORT)
    assert response["Location"] == f"{UPLOAD}{preview.pk}/"
    assert preview.params["phase"] == "preview"
    assert preview.inputs.count() == 4

    body = client.get(response["Location"]).content.decode()
    assert "Check the 903 import" in body
    assert "2 new, 0 changed, 0 unchanged" in body
    assert "Entered care on 10 January 2022 (C2, U6)" in body
    assert "Import these changes" in body
    assert not Child.objects.filter(responsible_la=la_a).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{UPLOAD}{preview.pk}/")
    apply = Job.objects.get(params__preview_job_id=str(preview.pk))
    assert response["Location"] == f"{UPLOAD}{apply.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert "903 import complete" in body
    child = Child.objects.get(responsible_la=la_a, child_903_id="1001")
    assert f"/children/{child.pk}/" in body
    # Confirming again does not import twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{UPLOAD}{preview.pk}/")
    assert Job.objects.filter(params__preview_job_id=str(preview.pk)).count() == 1
    assert "These changes have been confirmed" in client.get(f"{UPLOAD}{preview.pk}/").content.decode()


def test_the_preview_lists_each_problem_by_file_row_child_and_rule(
    client, social_worker_a, la_a, django_capture_on_commit_callbacks
):
    client.force_login(social_worker_a)
    before = table_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"la": la_a.pk, "uploads": _uploads(_malformed("unknown code"))})
    preview = Job.objects.get(organisation=la_a)
    body = client.get(response["Location"]).content.decode()
    assert "The files cannot be imported" in body
    assert "Nothing has been changed" in body
    assert "Import these changes" not in body
    row = body[body.index("PLACE &#x27;Q9&#x27; is not a placement type code") - 700 :]
    assert "episodes.csv" in body and ">4<" in row and ">1002<" in row and ">146<" in row
    # Nothing but the job, its files and its audit event was written.
    after = table_counts()
    assert {k for k in after if after[k] != before[k]} == {"adoption.Job", "adoption.JobInput", "adoption.AuditEvent"}
    # A preview with problems cannot be confirmed.
    response = client.post(f"{UPLOAD}{preview.pk}/", follow=True)
    assert "This import cannot be applied" in response.content.decode()
    assert not Job.objects.filter(params__preview_job_id=str(preview.pk)).exists()


# --- the API ----------------------------------------------------------------------------------------------


def test_api_dry_run_then_import_for_the_clients_own_la(client, api_client_a, la_a, django_capture_on_commit_callbacks):
    api_client, token = api_client_a
    files = _uploads(_upload(_good_files()))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, {"files": files, "dry_run": "true"}, **_auth(token))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["phase"] == "preview"
    assert body["la"] == la_a.ons_code
    assert body["status_url"] == f"http://testserver{API}{body['id']}/"
    job = Job.objects.get(pk=body["id"])
    assert job.requested_by is None and job.params["api_client_id"] == api_client.pk
    assert AuditEvent.objects.filter(action=AuditEvent.Action.JOB_REQUESTED, api_client=api_client).exists()

    status = client.get(body["status_url"], **_auth(token))
    assert status.status_code == 200
    data = status.json()
    assert data["status"] == "succeeded"
    assert data["progress"] == 100
    assert data["summary"] == {"children": 2, "new": 2, "changed": 0, "unchanged": 0, "changes": 10}
    assert data["blocking_count"] == 0 and data["applied"] is False
    assert {c["child"] for c in data["changes"]} == {"1001", "1002"}
    assert all(
        set(p) == {"file", "table", "row", "child", "rule", "message", "blocking", "source"} for p in data["problems"]
    )
    assert not Child.objects.filter(responsible_la=la_a).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, {"files": _uploads(_upload(_good_files()))}, **_auth(token))
    data = client.get(response.json()["status_url"], **_auth(token)).json()
    assert data["phase"] == "import" and data["applied"] is True
    assert set(Child.objects.filter(responsible_la=la_a).values_list("child_903_id", flat=True)) == {"1001", "1002"}
    created = AuditEvent.objects.filter(api_client=api_client, action=AuditEvent.Action.CREATE)
    assert created.exists() and not created.filter(actor__isnull=False).exists()


def test_api_problems_come_back_in_the_status(client, api_client_a, django_capture_on_commit_callbacks):
    _, token = api_client_a
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, {"files": _uploads(_malformed("child in AD1 missing from Header"))}, **_auth(token))
    data = client.get(response.json()["status_url"], **_auth(token)).json()
    assert data["applied"] is False and data["blocking_count"] >= 1
    problem = next(p for p in data["problems"] if p["rule"] == "IMP-NOT-IN-HEADER")
    assert (problem["file"], problem["row"], problem["child"], problem["blocking"]) == ("ad1.csv", 2, "7777", True)


def test_an_api_client_cannot_import_for_or_read_another_la(
    client, api_client_a, api_client_b, la_a, la_b, social_worker_b
):
    _, token_a = api_client_a
    response = client.post(API, {"files": _uploads(_upload(_good_files())), "la": la_b.ons_code}, **_auth(token_a))
    assert response.status_code == 404
    assert set(response.json()) == {"message", "extra"}
    assert not Job.objects.exists()

    other = Job.objects.create(kind=Job.Kind.SSDA903_IMPORT, organisation=la_b, params={"phase": "preview"})
    assert client.get(f"{API}{other.pk}/", **_auth(token_a)).status_code == 404
    _, token_b = api_client_b
    assert client.get(f"{API}{other.pk}/", **_auth(token_b)).status_code == 200  # the control
    # Only import jobs are found here, even of the client's own LA.
    report = Job.objects.create(kind=Job.Kind.A1_REPORT, organisation=la_a)
    assert client.get(f"{API}{report.pk}/", **_auth(token_a)).status_code == 404


def test_api_without_files_is_a_400_with_the_error_shape(client, api_client_a):
    _, token = api_client_a
    response = client.post(API, {"dry_run": "true"}, **_auth(token))
    assert response.status_code == 400
    assert response.json()["message"] == "The request has invalid fields."
    assert "files" in response.json()["extra"]["fields"]


def test_the_schema_describes_the_upload_as_multipart():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    create = schema["paths"]["/api/v1/ssda903/imports/"]["post"]
    assert list(create["requestBody"]["content"]) == ["multipart/form-data"]
    # Beside the upload's own answers, the API's conventions' (idempotency: 409, 422; rate limits: 429).
    assert set(create["responses"]) - {"409", "422", "429"} == {"202", "400", "401", "403", "404"}
    assert "get" in schema["paths"]["/api/v1/ssda903/imports/{job_id}/"]
