"""Accounts: a disabled account's sessions end at once, and every change made in the admin is audited."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.test import Client

from adoption.admin import AuditedAdmin
from adoption.models import AuditEvent, Organisation, User
from tests import factories
from tests.adoption.conftest import sign_in, signed_in_user_id


@pytest.fixture
def support_admin(db):
    """Support staff who use the Django admin."""
    return factories.UserFactory(username="support.admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(support_admin):
    """The support admin's own browser (beside ``client``, a member of staff's)."""
    browser = Client()
    browser.force_login(support_admin)
    return browser


def _sessions_of(user: User) -> list[Session]:
    return [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def _user_change_form(user: User, **changes) -> dict:
    """The admin's change form for ``user`` as a browser posts it, with its memberships kept."""
    memberships = list(user.memberships.all())
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        # One labelled box for a date and time (adoption.admin.AuditedAdmin), not the admin's two.
        "date_joined": user.date_joined.strftime("%Y-%m-%d %H:%M:%S"),
        "last_login": "",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    if user.is_active:
        data["is_active"] = "on"
    for i, membership in enumerate(memberships):
        data |= {
            f"memberships-{i}-id": str(membership.pk),
            f"memberships-{i}-user": str(user.pk),
            f"memberships-{i}-organisation": str(membership.organisation_id),
            f"memberships-{i}-role": membership.role,
            f"memberships-{i}-is_active": "on",
        }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- a disabled account's sessions end ---------------------------------------------------------------------------


def test_disabling_a_user_in_the_admin_ends_their_session_and_is_audited(
    client, admin_client, support_admin, social_worker_a
):
    assert sign_in(client, "sw.a").status_code == 302
    assert client.get("/children/").status_code == 200
    assert len(_sessions_of(social_worker_a)) == 1

    response = admin_client.post(
        f"/admin/adoption/user/{social_worker_a.pk}/change/", _user_change_form(social_worker_a, is_active=None)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    social_worker_a.refresh_from_db()
    assert social_worker_a.is_active is False

    # The session is gone from the store at once, and the next request goes to sign in.
    assert _sessions_of(social_worker_a) == []
    response = client.get("/children/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/children/"
    assert signed_in_user_id(client) is None

    disabled = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_DISABLED)
    assert disabled.actor == support_admin
    assert (disabled.object_type, disabled.object_id) == ("adoption.user", str(social_worker_a.pk))


def test_disabling_a_user_anywhere_else_ends_every_one_of_their_sessions(client, social_worker_a, manager_a):
    laptop, phone, colleague = client, Client(), Client()
    for browser, name in ((laptop, "sw.a"), (phone, "sw.a"), (colleague, "manager.a")):
        assert sign_in(browser, name).status_code == 302
    assert len(_sessions_of(social_worker_a)) == 2

    social_worker_a.is_active = False
    social_worker_a.save()

    assert _sessions_of(social_worker_a) == []
    for browser in (laptop, phone):
        assert browser.get("/")["Location"] == "/sign-in/?next=/"
    # Nobody else is signed out.
    assert colleague.get("/").status_code == 200
    assert len(_sessions_of(manager_a)) == 1
    disabled = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_DISABLED)
    assert disabled.actor is None  # no one signed in did it (a command, a service): the event names the account
    assert disabled.object_id == str(social_worker_a.pk)


def test_a_disabled_user_cannot_use_the_api_with_their_session(client, social_worker_a, child_a):
    assert sign_in(client, "sw.a").status_code == 302
    assert client.get(f"/api/v1/children/{child_a.pk}/").status_code == 200
    social_worker_a.is_active = False
    social_worker_a.save()
    response = client.get(f"/api/v1/children/{child_a.pk}/")
    assert response.status_code == 401
    assert set(response.json()) == {"message", "extra"}


def test_a_session_left_by_a_bulk_update_ends_at_the_next_request(client, social_worker_a):
    """A bulk update sends no signal: the session is still stored, but ends at its next request."""
    assert sign_in(client, "sw.a").status_code == 302
    User.objects.filter(pk=social_worker_a.pk).update(is_active=False)
    assert len(_sessions_of(social_worker_a)) == 1

    response = client.get("/children/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/children/"
    assert _sessions_of(social_worker_a) == []


def test_saving_an_active_or_already_disabled_user_ends_nothing(client, social_worker_a):
    assert sign_in(client, "sw.a").status_code == 302
    social_worker_a.first_name = "Sam"
    social_worker_a.save()
    assert client.get("/children/").status_code == 200
    social_worker_a.is_active = False
    social_worker_a.save()
    social_worker_a.save()  # saved again while disabled: one event only
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DISABLED).count() == 1


def test_a_disabled_user_cannot_sign_in_again(client, social_worker_a):
    social_worker_a.is_active = False
    social_worker_a.save()
    response = sign_in(client, "sw.a")
    assert response.status_code == 200
    assert signed_in_user_id(client) is None


# --- every change made in the admin is audited --------------------------------------------------------------------


def test_every_admin_of_every_app_is_audited():
    assert admin.site._registry, "the admin has models registered"
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdmin), f"{model._meta.label}'s admin is not audited"


def _admin_events():
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.ADMIN_CHANGE).order_by("id"))


def _values_in(event: AuditEvent) -> str:
    return " ".join(
        str(v) for v in (event.actor_label, event.action, event.object_type, event.object_id, event.request_id)
    )


def test_adding_and_changing_in_the_admin_are_audited_without_values(admin_client, support_admin, raa):
    form = {"name": "Dunmore Borough", "kind": "la", "la_code": "", "ons_code": "", "region": "", "raa": raa.pk}
    response = admin_client.post("/admin/adoption/organisation/add/", {**form, "is_active": "on"})
    assert response.status_code == 302
    added = Organisation.objects.get(name="Dunmore Borough")

    response = admin_client.post(
        f"/admin/adoption/organisation/{added.pk}/change/", {**form, "name": "Dunmore Metropolitan Borough"}
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.name, added.is_active) == ("Dunmore Metropolitan Borough", False)

    events = _admin_events()
    assert len(events) == 2
    for event in events:
        assert event.actor == support_admin
        assert (event.object_type, event.object_id, event.organisation_id) == (
            "adoption.organisation",
            str(added.pk),
            added.pk,
        )
        assert event.request_id
        assert "Dunmore" not in _values_in(event)


def test_deleting_in_the_admin_is_audited_one_event_per_record(admin_client, support_admin):
    """Deleting one record from its page, and several from the list, on a model another app registered."""
    from django.contrib.auth.models import Group

    one, *several = (Group.objects.create(name=name) for name in ("Duty desk", "Panel clerks", "Life story"))
    response = admin_client.post(f"/admin/auth/group/{one.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = admin_client.post(
        "/admin/auth/group/",
        {"action": "delete_selected", "_selected_action": [g.pk for g in several], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Group.objects.exists()

    events = _admin_events()
    assert sorted((e.object_type, e.object_id) for e in events) == sorted(
        ("auth.group", str(g.pk)) for g in (one, *several)
    )
    assert all(e.actor == support_admin for e in events)
    assert all("Duty" not in _values_in(e) and "Panel" not in _values_in(e) for e in events)


def test_organisations_and_staff_are_disabled_never_deleted_in_the_admin(admin_client, raa, social_worker_a):
    """Audit events and records name them: the admin refuses to delete them, and records nothing."""
    for url in (f"/admin/adoption/organisation/{raa.pk}/delete/", f"/admin/adoption/user/{social_worker_a.pk}/delete/"):
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Organisation.objects.filter(pk=raa.pk).exists()
    assert User.objects.filter(pk=social_worker_a.pk).exists()
    assert _admin_events() == []


def test_changing_a_user_in_the_admin_is_audited_once(admin_client, support_admin, social_worker_a):
    response = admin_client.post(
        f"/admin/adoption/user/{social_worker_a.pk}/change/",
        _user_change_form(social_worker_a, first_name="Samira"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    events = _admin_events()
    assert [(e.actor, e.object_type, e.object_id) for e in events] == [
        (support_admin, "adoption.user", str(social_worker_a.pk))
    ]
    assert "Samira" not in _values_in(events[0])
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DISABLED).exists()


def test_a_refused_admin_change_writes_nothing(admin_client):
    """Audit events are read-only in the admin: an attempt to change one is refused and audits nothing."""
    event = AuditEvent.objects.create(action=AuditEvent.Action.READ, object_type="children.child", object_id="1")
    response = admin_client.post(f"/admin/adoption/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert _admin_events() == []
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- the session's warning ---------------------------------------------------------------------------------------


def test_every_page_tells_the_browser_when_to_warn_and_how_to_stay_signed_in(client, social_worker_a):
    """The warning before the idle limit: the page carries the limits and the dialog the script opens (the script
    itself is exercised by the browser tests; here, what every signed-in page must hold for it)."""
    assert sign_in(client, "sw.a").status_code == 302
    body = client.get("/children/").content.decode()
    assert f'data-session-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in body
    assert f'data-session-warning-seconds="{settings.SESSION_WARNING_SECONDS}"' in body
    assert 'data-session-extend-url="/session/extend/"' in body
    assert "You are about to be signed out" in body
    assert "Stay signed in" in body
    # Choosing to stay signed in renews the session (tests/adoption/test_session.py follows the timer).
    assert client.post("/session/extend/").status_code == 204


def test_no_warning_for_a_visitor_who_is_not_signed_in(client, db):
    body = client.get("/sign-in/").content.decode()
    assert "data-session-idle-seconds" not in body
    assert "You are about to be signed out" not in body
