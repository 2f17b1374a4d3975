"""The API's conventions: a retried POST with the same Idempotency-Key makes nothing twice, a stale change is
refused with 412 and changes nothing, a change without If-Match where one is required is 428, an API client
over its rate gets 429 with Retry-After, and the schema says all of this."""

# The ASF tests' fixtures are imported below, so each test that names one "redefines" it.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import json
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from adopters.models import Pause
from adoption import api_conventions
from adoption.api_conventions import ApiView
from adoption.models import AuditEvent, IdempotencyRecord, Job
from support.models import AsfApplication
from tests.api.errors import assert_error_shape
from tests.api.test_households_api import _day, _household, _snapshot
from tests.ssda903.test_import_journeys import _good_files, _upload
from tests.support.conftest import frozen_today, support_a  # noqa: F401  (the ASF tests' fixtures)
from tests.support.test_asf import S, amelia, application  # noqa: F401

ASF = "/api/v1/asf-applications/"
IMPORTS = "/api/v1/ssda903/imports/"
CHILDREN = "/api/v1/children/"
HOUSEHOLDS = "/api/v1/households/"


def _auth(token: str, **headers: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {token}", **headers}}


def _draft(child, **changes: Any) -> dict[str, Any]:
    return {
        "child_id": child.pk,
        "therapy": "theraplay",
        "provider": "Calm Minds Therapy",
        "sessions": 12,
        "cost": "900.00",
        "work_starts_on": "2025-07-07",
        "work_ends_on": "2026-01-30",
        **changes,
    }


def _expected_etag(body: Any) -> str:
    """Worked out here: SHA-256 of the body as canonical JSON (keys sorted, no spaces), in quotes."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest() + '"'


# --- Idempotency-Key ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_retried_asf_draft_gives_the_first_answer_and_makes_nothing_new(client, frozen_today, api_client_a, amelia):
    system, token = api_client_a
    first = client.post(
        ASF, _draft(amelia), content_type="application/json", **_auth(token, **{"Idempotency-Key": "k1"})
    )
    assert first.status_code == 201, first.content
    assert not first.has_header("Idempotent-Replayed")
    assert AsfApplication.objects.count() == 1

    again = client.post(
        ASF, _draft(amelia), content_type="application/json", **_auth(token, **{"Idempotency-Key": "k1"})
    )
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AsfApplication.objects.count() == 1
    assert IdempotencyRecord.objects.filter(client=system, key="k1").count() == 1

    # Another key is another request: a second draft.
    third = client.post(
        ASF, _draft(amelia), content_type="application/json", **_auth(token, **{"Idempotency-Key": "k2"})
    )
    assert third.status_code == 201 and third.json()["id"] != first.json()["id"]
    assert AsfApplication.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_and_makes_nothing(client, frozen_today, api_client_a, amelia):
    _, token = api_client_a
    key = _auth(token, **{"Idempotency-Key": "draft-7"})
    assert client.post(ASF, _draft(amelia), content_type="application/json", **key).status_code == 201
    response = client.post(ASF, _draft(amelia, sessions=13), content_type="application/json", **key)
    body = assert_error_shape(response, 422)
    assert "different request" in body["message"]
    assert AsfApplication.objects.count() == 1
    # The same key on another operation is refused too.
    draft = AsfApplication.objects.get()
    assert_error_shape(client.post(f"{ASF}{draft.pk}/submit/", content_type="application/json", **key), 422)
    assert AsfApplication.objects.get().status == S.DRAFT


@pytest.mark.django_db
def test_keys_are_per_client(client, frozen_today, api_client_a, amelia, la_a):
    from tests import factories

    _, token = api_client_a
    _, other_token = factories.api_client_with_token(la_a, name="Second system")
    for use in (token, other_token):
        response = client.post(
            ASF, _draft(amelia), content_type="application/json", **_auth(use, **{"Idempotency-Key": "shared"})
        )
        assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert AsfApplication.objects.count() == 2


@pytest.mark.django_db
def test_a_retried_submit_gives_the_first_answer_and_submits_once(
    client, frozen_today, api_client_a, amelia, support_a
):
    _, token = api_client_a
    draft = application(amelia, support_a, status=S.DRAFT, cost="900", starts=date(2025, 7, 7))
    key = _auth(token, **{"Idempotency-Key": "submit-1"})
    first = client.post(f"{ASF}{draft.pk}/submit/", content_type="application/json", **key)
    assert first.status_code == 200 and first.json()["status"] == "submitted"
    updates = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(draft.pk)).count()
    assert updates == 1

    again = client.post(f"{ASF}{draft.pk}/submit/", content_type="application/json", **key)
    # Without the key a second submit is refused (it is no longer a draft); with it, the first answer again.
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(draft.pk)).count() == 1
    assert_error_shape(client.post(f"{ASF}{draft.pk}/submit/", **_auth(token)), 400)


def _files(rows: list[tuple[str, bytes]]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, content, content_type="text/csv") for name, content in rows]


@pytest.mark.django_db
def test_a_retried_903_upload_is_one_job(client, api_client_a, la_a):
    _, token = api_client_a
    key = _auth(token, **{"Idempotency-Key": "903-2025-q1"})
    first = client.post(IMPORTS, {"files": _files(_upload(_good_files())), "dry_run": "true"}, **key)
    assert first.status_code == 202, first.content
    assert Job.objects.filter(kind=Job.Kind.SSDA903_IMPORT).count() == 1

    # The same files sent again (a new multipart boundary, the same content): the same job, nothing new.
    again = client.post(IMPORTS, {"files": _files(_upload(_good_files())), "dry_run": "true"}, **key)
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Job.objects.filter(kind=Job.Kind.SSDA903_IMPORT).count() == 1

    # Other content under the same key is refused.
    changed = [(name, content + b"\n") for name, content in _upload(_good_files())]
    assert_error_shape(client.post(IMPORTS, {"files": _files(changed), "dry_run": "true"}, **key), 422)
    assert_error_shape(client.post(IMPORTS, {"files": _files(_upload(_good_files()))}, **key), 422)
    assert Job.objects.filter(kind=Job.Kind.SSDA903_IMPORT).count() == 1


@pytest.mark.django_db
def test_a_refused_post_is_not_kept_so_the_key_can_be_used_again(client, frozen_today, api_client_a, amelia):
    _, token = api_client_a
    key = _auth(token, **{"Idempotency-Key": "retry-after-fix"})
    bad = _draft(amelia, sessions=0)
    assert_error_shape(client.post(ASF, bad, content_type="application/json", **key), 400)
    assert not IdempotencyRecord.objects.exists()
    # The same request again is checked again (not a stored 400), and nothing is made.
    assert_error_shape(client.post(ASF, bad, content_type="application/json", **key), 400)
    assert AsfApplication.objects.count() == 0


@pytest.mark.django_db
def test_a_key_is_kept_for_24_hours(client, api_client_a, amelia):
    import time_machine

    _, token = api_client_a
    key = _auth(token, **{"Idempotency-Key": "daily"})
    start = timezone.make_aware(timezone.datetime(2025, 6, 30, 9, 0))
    with time_machine.travel(start, tick=False):
        assert client.post(ASF, _draft(amelia), content_type="application/json", **key).status_code == 201
    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        response = client.post(ASF, _draft(amelia), content_type="application/json", **key)
        assert response["Idempotent-Replayed"] == "true"
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        response = client.post(ASF, _draft(amelia), content_type="application/json", **key)
        assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert AsfApplication.objects.count() == 2
    # The clean-up removes the keys older than a day and keeps the rest.
    with time_machine.travel(start + timedelta(hours=48), tick=False):
        assert api_conventions.idempotency_records_purge() == 0
    with time_machine.travel(start + timedelta(hours=48, minutes=2), tick=False):
        assert api_conventions.idempotency_records_purge() == 1
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256], ids=["empty", "too long"])
def test_a_malformed_key_is_400(client, frozen_today, api_client_a, amelia, key):
    _, token = api_client_a
    response = client.post(
        ASF, _draft(amelia), content_type="application/json", **_auth(token, **{"Idempotency-Key": key})
    )
    body = assert_error_shape(response, 400)
    assert "Idempotency-Key" in body["extra"]["fields"]
    assert AsfApplication.objects.count() == 0


@pytest.mark.django_db
def test_signed_in_staff_are_unaffected_by_the_key(frozen_today, support_a, amelia):
    """Keys are an API client's: a browser's session posts are answered each time (the model stores clients')."""
    api = APIClient()
    api.force_login(support_a)
    for _ in range(2):
        response = api.post(ASF, _draft(amelia), format="json", HTTP_IDEMPOTENCY_KEY="same")
        assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert AsfApplication.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_an_api_client_posting_to_a_household_is_404_and_keeps_no_key(client, api_client_a, raa):
    household = _household(raa, "Ashworth household")
    _, token = api_client_a
    response = client.post(
        f"{HOUSEHOLDS}{household.pk}/pauses/",
        {"started_on": _day(20), "reason": "Moving house"},
        content_type="application/json",
        **_auth(token, **{"Idempotency-Key": "p1"}),
    )
    assert_error_shape(response, 404)
    assert not Pause.objects.exists() and not IdempotencyRecord.objects.exists()


# --- ETag and If-Match --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_childs_detail_has_an_etag_of_what_it_shows(client, api_client_a, child_a):
    _, token = api_client_a
    response = client.get(f"{CHILDREN}{child_a.pk}/", **_auth(token))
    assert response.status_code == 200
    assert response["ETag"] == _expected_etag(response.json())
    same = client.get(f"{CHILDREN}{child_a.pk}/", **_auth(token))
    assert same["ETag"] == response["ETag"]
    child_a.last_name = "Ashford"
    child_a.save()
    changed = client.get(f"{CHILDREN}{child_a.pk}/", **_auth(token))
    assert changed["ETag"] != response["ETag"] and changed["ETag"] == _expected_etag(changed.json())
    # Lists have no ETag: it is a record's version.
    assert not client.get(CHILDREN, **_auth(token)).has_header("ETag")


@pytest.mark.django_db
def test_a_stale_submit_is_412_and_changes_nothing(client, frozen_today, api_client_a, amelia, support_a):
    _, token = api_client_a
    draft = application(amelia, support_a, status=S.DRAFT, cost="900", starts=date(2025, 7, 7))
    read = client.get(f"{ASF}{draft.pk}/", **_auth(token))
    assert read["ETag"] == _expected_etag(read.json())
    stale = read["ETag"]
    # Someone else changes the draft after it was read.
    AsfApplication.objects.filter(pk=draft.pk).update(cost="950.00")

    response = client.post(f"{ASF}{draft.pk}/submit/", **_auth(token, **{"If-Match": stale}))
    body = assert_error_shape(response, 412)
    assert "changed since you read it" in body["message"]
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_on, str(draft.cost)) == (S.DRAFT, None, "950.00")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(draft.pk)).exists()

    fresh = client.get(f"{ASF}{draft.pk}/", **_auth(token))["ETag"]
    response = client.post(f"{ASF}{draft.pk}/submit/", **_auth(token, **{"If-Match": f'"other", {fresh}'}))
    assert response.status_code == 200 and response.json()["status"] == "submitted"


@pytest.mark.django_db
def test_a_stale_pause_is_412_and_changes_nothing(assessing_social_worker, raa):
    household = _household(raa, "Ashworth household")
    api = APIClient()
    api.force_login(assessing_social_worker)
    read = api.get(f"{HOUSEHOLDS}{household.pk}/")
    assert read["ETag"] == _expected_etag(read.json())
    household.name = "Ashworth-Bell household"
    household.save()
    before = _snapshot(household)
    url = f"{HOUSEHOLDS}{household.pk}/pauses/"
    pause = {"started_on": _day(20), "reason": "Moving house"}
    assert_error_shape(api.post(url, pause, format="json", HTTP_IF_MATCH=read["ETag"]), 412)
    assert _snapshot(household) == before

    fresh = api.get(f"{HOUSEHOLDS}{household.pk}/")["ETag"]
    assert api.post(url, pause, format="json", HTTP_IF_MATCH=fresh).status_code == 201
    assert Pause.objects.filter(household=household).count() == 1


def _record_view(state: dict[str, Any]) -> Any:
    """A view of one record with PATCH, as any future update operation will be: the conventions come from ApiView."""

    class RecordApi(ApiView):
        etag = True

        def current_representation(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            return dict(state)

        def get(self, request: Any) -> Response:
            return Response(dict(state))

        def patch(self, request: Any) -> Response:
            state.update(request.data)
            return Response(dict(state))

    return RecordApi.as_view()


@pytest.mark.django_db
def test_an_update_needs_if_match_and_a_stale_one_is_412(social_worker_a):
    state = {"name": "First", "sessions": 10}
    view = _record_view(state)
    factory = APIRequestFactory()

    def call(method: str, **headers: str) -> Any:
        request = getattr(factory, method)("/record/", {"sessions": 12}, format="json", headers=headers)
        force_authenticate(request, user=social_worker_a)
        response = view(request)
        response.render()
        response.json = lambda: json.loads(response.content)  # as the test client's responses have it
        return response

    etag = call("get")["ETag"]
    assert etag == _expected_etag({"name": "First", "sessions": 10})
    body = assert_error_shape(call("patch"), 428)
    assert "If-Match" in body["message"]
    assert state == {"name": "First", "sessions": 10}
    assert_error_shape(call("patch", **{"If-Match": '"stale"'}), 412)
    assert state == {"name": "First", "sessions": 10}
    assert call("patch", **{"If-Match": etag}).status_code == 200
    assert state == {"name": "First", "sessions": 12}


# --- rate limits --------------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_rate(settings):
    settings.API_RATE_LIMIT = "2/minute"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_over_the_rate_an_api_client_gets_429_with_retry_after(
    client, tiny_rate, api_client_a, api_client_b, social_worker_a, child_a
):
    _, token = api_client_a
    assert [client.get(CHILDREN, **_auth(token)).status_code for _ in range(2)] == [200, 200]
    response = client.get(CHILDREN, **_auth(token))
    body = assert_error_shape(response, 429)
    wait = int(response["Retry-After"])
    assert 0 < wait <= 60
    assert body["message"].startswith("Too many requests from this API client")
    assert body["extra"] == {"retry_after": wait}
    assert child_a.last_name not in response.content.decode()
    # Writes count too, and are not made.
    assert_error_shape(client.post(IMPORTS, {}, **_auth(token)), 429)
    # Another client has its own allowance, and signed-in staff are not counted by the clients' limit.
    assert client.get(CHILDREN, **_auth(api_client_b[1])).status_code == 200
    staff = Client()
    staff.force_login(social_worker_a)
    assert [staff.get(CHILDREN).status_code for _ in range(4)] == [200] * 4


# --- the schema and every view ------------------------------------------------------------------------------------


def test_every_api_view_follows_the_conventions():
    endpoints = [
        e
        for e in EndpointEnumerator().get_api_endpoints()
        if e[0].startswith("/api/v1/") and e[3].cls is not SpectacularAPIView
    ]
    assert len(endpoints) >= 15
    for path, _, method, callback in endpoints:
        assert issubclass(callback.cls, ApiView), f"{method} {path} is not an ApiView"


def test_the_schema_documents_the_conventions():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    conditional = {
        ("/api/v1/households/{household_id}/transitions/", "post"),
        ("/api/v1/households/{household_id}/pauses/", "post"),
        ("/api/v1/households/{household_id}/pauses/end/", "post"),
        ("/api/v1/asf-applications/{application_id}/submit/", "post"),
    }
    posts = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
            responses = operation["responses"]
            assert "Retry-After" in responses["429"]["headers"], f"{method} {path}"
            assert responses["429"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            if method == "post":
                posts.append(path)
                assert headers["Idempotency-Key"].get("required", False) is False, path
                assert {"409", "422"} <= set(responses), path
            if (path, method) in conditional:
                assert "If-Match" in headers and "412" in responses, path
            if method == "get" and path.endswith("_id}/"):
                assert "ETag" in responses["200"]["headers"], path
    assert {"/api/v1/asf-applications/", "/api/v1/ssda903/imports/"} <= set(posts)
    assert len(posts) >= 7


# Last in the module: a transactional test's flush removes what the migrations loaded, put back after the module.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migration_data_reloaded_after_module")
def test_two_duplicates_at_once_make_one_draft(frozen_today, api_client_a, amelia):
    _, token = api_client_a
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(
                Client().post(
                    ASF, _draft(amelia), content_type="application/json", **_auth(token, **{"Idempotency-Key": "race"})
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [201, 201]
    assert sorted(a.has_header("Idempotent-Replayed") for a in answers) == [False, True]
    assert answers[0].json() == answers[1].json()
    assert AsfApplication.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
