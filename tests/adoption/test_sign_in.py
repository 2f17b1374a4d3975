"""Signing in and out: the form, the five-strikes lock per username, and the audit trail."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.core.management import call_command

from adoption.models import AuditEvent
from tests.adoption.conftest import PASSWORD, sign_in, signed_in_user_id

LOCKED = "Your account is locked"


def _fail_five_times(client, username: str):
    for _ in range(5):
        response = sign_in(client, username, "not the password")
    return response


def test_the_sign_in_page_shows_the_form(client):
    response = client.get("/sign-in/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in body
    assert 'name="username"' in body and 'name="password"' in body
    assert 'autocomplete="current-password"' in body


def test_signing_in_with_the_right_password_goes_to_the_home_page(client, social_worker_a):
    response = sign_in(client, "sw.a")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(social_worker_a.pk)
    home = client.get("/")
    assert home.status_code == 200
    assert "Your work" in home.content.decode()


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client, social_worker_a):
    response = sign_in(client, "sw.a", "not the password")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith("/sign-in/")


def test_a_page_needs_sign_in(client, child_a):
    response = client.get(f"/children/{child_a.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next=/children/{child_a.pk}/"


def test_after_five_wrong_passwords_the_right_one_is_refused_until_unlocked(client, social_worker_a):
    fifth = _fail_five_times(client, "sw.a")
    assert LOCKED in fifth.content.decode()

    response = sign_in(client, "sw.a", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302  # still anonymous: sent to sign in

    reset(username="sw.a")

    response = sign_in(client, "sw.a", PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(social_worker_a.pk)


def test_the_management_command_lifts_the_lock(client, social_worker_a):
    _fail_five_times(client, "sw.a")
    assert LOCKED in sign_in(client, "sw.a").content.decode()
    call_command("axes_reset_username", "sw.a")
    assert sign_in(client, "sw.a").status_code == 302
    assert signed_in_user_id(client) == str(social_worker_a.pk)


def test_four_wrong_passwords_do_not_lock(client, social_worker_a):
    for _ in range(4):
        sign_in(client, "sw.a", "not the password")
    assert sign_in(client, "sw.a").status_code == 302
    assert signed_in_user_id(client) == str(social_worker_a.pk)


def test_the_lock_is_per_username_not_per_address(client, social_worker_a, social_worker_b):
    _fail_five_times(client, "sw.a")
    # Same browser, same address, another person: not locked.
    response = sign_in(client, "sw.b")
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(social_worker_b.pk)
    # A different address does not get round the lock on sw.a.
    client.post("/sign-out/")
    response = sign_in(client, "sw.a", REMOTE_ADDR="10.9.8.7")
    assert LOCKED in response.content.decode()
    assert signed_in_user_id(client) is None
    assert AccessAttempt.objects.filter(username="sw.a").exists()


def test_signing_in_is_audited(client, social_worker_a):
    sign_in(client, "sw.a")
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
    assert event.actor == social_worker_a
    assert (event.object_type, event.object_id) == ("adoption.user", str(social_worker_a.pk))


def test_a_failed_sign_in_and_a_lockout_are_audited(client, social_worker_a):
    _fail_five_times(client, "sw.a")
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert failed.count() == 5
    assert {(e.actor_id, e.object_type, e.object_id) for e in failed} == {
        (None, "adoption.user", str(social_worker_a.pk))
    }
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT, object_id=str(social_worker_a.pk)).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN).exists()


def test_a_failed_sign_in_for_an_unknown_username_is_audited_without_a_user(client, db):
    sign_in(client, "nobody", "whatever it is")
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert (event.actor_id, event.object_id) == (None, "")


def test_sign_out_is_post_only(client, social_worker_a):
    sign_in(client, "sw.a")
    response = client.get("/sign-out/")
    assert response.status_code == 405
    assert signed_in_user_id(client) == str(social_worker_a.pk)

    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_OUT, actor=social_worker_a).count() == 1


@pytest.mark.parametrize("next_url", ["https://evil.example.org/", "//evil.example.org/"])
def test_sign_in_does_not_redirect_off_site(client, social_worker_a, next_url):
    response = client.post("/sign-in/", {"username": "sw.a", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
