"""The audit log: one event per read of a child, none for lists, and a table nobody can rewrite."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from adoption.models import AuditEvent
from children.models import Child, ChildEvent
from tests import factories


@pytest.fixture
def signed_in_a(client, social_worker_a):
    client.force_login(social_worker_a)  # writes its own sign-in event, before any test counts
    return client


def _events_since(last_id: int):
    return AuditEvent.objects.filter(id__gt=last_id).order_by("id")


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_opening_a_child_page_writes_exactly_one_read_event(signed_in_a, social_worker_a, child_a, la_a):
    before = _last_id()
    response = signed_in_a.get(f"/children/{child_a.pk}/")
    assert response.status_code == 200
    assert child_a.full_name in response.content.decode()

    [event] = _events_since(before)
    assert event.action == AuditEvent.Action.READ
    assert event.object_type == "children.child"
    assert event.object_id == str(child_a.pk)
    assert event.organisation == la_a
    assert event.actor == social_worker_a
    assert event.actor_label == "sw.a"
    assert event.request_id
    assert event.request_id == response["X-Request-ID"]


def test_a_safe_incoming_request_id_is_kept_for_tracing(signed_in_a, child_a):
    before = _last_id()
    response = signed_in_a.get(f"/children/{child_a.pk}/", headers={"X-Request-ID": "lb-trace-0001"})
    assert response["X-Request-ID"] == "lb-trace-0001"
    assert [e.request_id for e in _events_since(before)] == ["lb-trace-0001"]


def test_an_unsafe_incoming_request_id_is_replaced(signed_in_a, child_a):
    before = _last_id()
    response = signed_in_a.get(f"/children/{child_a.pk}/", headers={"X-Request-ID": "x' OR 1=1 --"})
    assert response["X-Request-ID"] != "x' OR 1=1 --"
    assert [e.request_id for e in _events_since(before)] == [response["X-Request-ID"]]


def test_the_event_holds_no_values_from_the_record(signed_in_a, child_a):
    before = _last_id()
    signed_in_a.get(f"/children/{child_a.pk}/")
    [event] = _events_since(before)
    stored = " ".join(str(getattr(event, f.attname)) for f in AuditEvent._meta.concrete_fields)
    for value in (child_a.first_name, child_a.last_name, child_a.la_child_id, child_a.child_903_id):
        assert value not in stored


def test_an_api_read_of_a_child_writes_the_call_and_exactly_one_read_event(client, api_client_a, child_a, la_a):
    api_client, token = api_client_a
    before = _last_id()
    response = client.get(f"/api/v1/children/{child_a.pk}/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["id"] == child_a.pk

    # The call itself (adoption.api_scopes), and the one read of the child's record.
    call, event = _events_since(before).order_by("id")
    assert (call.object_type, call.object_id, call.api_client) == (
        "api_call",
        f"GET /api/v1/children/{child_a.pk}/",
        api_client,
    )
    assert event.action == AuditEvent.Action.READ
    assert event.object_type == "children.child"
    assert event.object_id == str(child_a.pk)
    assert event.organisation == la_a
    assert event.actor is None
    assert event.api_client == api_client
    assert event.actor_label == f"api:{api_client.token_prefix}"
    assert event.request_id == response["X-Request-ID"]


def test_a_refused_read_writes_no_event(signed_in_a, child_b):
    before = _last_id()
    assert signed_in_a.get(f"/children/{child_b.pk}/").status_code == 404
    assert not _events_since(before).exists()


def test_the_child_list_writes_no_event_per_child(signed_in_a, la_a):
    children = factories.ChildFactory.create_batch(3, responsible_la=la_a)
    before = _last_id()
    response = signed_in_a.get("/children/")
    assert response.status_code == 200
    body = response.content.decode()
    assert all(child.full_name in body for child in children)
    assert not _events_since(before).exists()


def test_the_api_list_writes_no_event_per_child(client, api_client_a, la_a):
    _, token = api_client_a
    factories.ChildFactory.create_batch(3, responsible_la=la_a)
    before = _last_id()
    response = client.get("/api/v1/children/", headers={"Authorization": f"Bearer {token}"})
    assert response.json()["count"] == 3
    # Only the call itself is recorded (adoption.api_scopes), not a read of each child listed.
    [call] = _events_since(before)
    assert (call.object_type, call.object_id) == ("api_call", "GET /api/v1/children/")


# --- append-only --------------------------------------------------------------------------------


@pytest.fixture
def event(signed_in_a, child_a):
    before = _last_id()
    signed_in_a.get(f"/children/{child_a.pk}/")
    return _events_since(before).get()


def _row(event_id: int):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT action, object_type, object_id, actor_id, organisation_id, request_id "
            "FROM adoption_auditevent WHERE id = %s",
            [event_id],
        )
        return cursor.fetchone()


def test_the_database_refuses_to_update_an_audit_event(event):
    original = _row(event.id)
    with (
        pytest.raises(InternalError, match="Cannot update or delete rows from adoption_auditevent"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE adoption_auditevent SET object_id = '0', actor_id = NULL WHERE id = %s", [event.id])
    assert _row(event.id) == original


def test_the_database_refuses_to_delete_an_audit_event(event):
    original = _row(event.id)
    with (
        pytest.raises(InternalError, match="Cannot update or delete rows from adoption_auditevent"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM adoption_auditevent")
    assert _row(event.id) == original


def test_the_orm_cannot_rewrite_the_log_either(event):
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditEvent.Action.UPDATE)
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == AuditEvent.Action.READ


# --- change history -------------------------------------------------------------------------------


def test_a_bulk_update_of_a_child_is_recorded_in_history(child_a):
    Child.objects.filter(pk=child_a.pk).update(last_name="Ashworth")
    history = list(ChildEvent.objects.filter(pgh_obj=child_a).order_by("pgh_id").values_list("pgh_label", "last_name"))
    assert history == [("insert", "Ashdown"), ("update", "Ashworth")]


def test_a_raw_sql_update_of_a_child_is_recorded_in_history(child_a):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE children_child SET first_name = 'Amy' WHERE id = %s", [child_a.pk])
    latest = ChildEvent.objects.filter(pgh_obj=child_a).latest("pgh_id")
    assert (latest.pgh_label, latest.first_name, latest.last_name) == ("update", "Amy", "Ashdown")
