"""Sessions end after 30 minutes idle, and 12 hours after sign-in however busy the user is."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session

from adoption.models import AuditEvent
from tests.adoption.conftest import sign_in, signed_in_user_id

START = datetime(2025, 3, 3, 8, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(client, social_worker_a, traveller):
    assert sign_in(client, "sw.a").status_code == 302
    assert client.get("/").status_code == 200
    return client


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_configured_limits():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60


def test_each_request_renews_the_idle_timer(signed_in, traveller):
    assert _expiry(signed_in) == START + timedelta(minutes=30)
    traveller.shift(timedelta(minutes=20))
    assert signed_in.get("/children/").status_code == 200
    assert _expiry(signed_in) == START + timedelta(minutes=50)
    # 40 minutes after sign-in but only 20 idle: still signed in.
    traveller.shift(timedelta(minutes=20))
    assert signed_in.get("/children/").status_code == 200


def test_thirty_minutes_idle_signs_the_user_out(signed_in, traveller):
    traveller.shift(timedelta(minutes=31))
    response = signed_in.get("/children/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/children/"
    assert signed_in_user_id(signed_in) is None


def test_twelve_hours_after_sign_in_even_a_busy_user_is_signed_out(signed_in, traveller, social_worker_a):
    # Busy all day: a request every 25 minutes keeps the idle timer from ever running out.
    for _ in range(28):  # 28 x 25 minutes = 11 hours 40 minutes
        traveller.shift(timedelta(minutes=25))
        assert signed_in.get("/children/").status_code == 200
    traveller.move_to(START + timedelta(hours=12, minutes=1))

    response = signed_in.get("/children/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?expired=1"
    assert signed_in_user_id(signed_in) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_OUT, actor=social_worker_a).count() == 1

    page = signed_in.get(response["Location"])
    assert page.status_code == 200
    assert "You were signed out to keep the records safe." in page.content.decode()
    assert signed_in.get("/children/")["Location"] == "/sign-in/?next=/children/"


def test_signing_in_again_starts_a_new_twelve_hours(signed_in, traveller):
    for _ in range(29):
        traveller.shift(timedelta(minutes=25))
        signed_in.get("/")
    assert signed_in_user_id(signed_in) is None  # 12 hours 5 minutes: gone
    assert sign_in(signed_in, "sw.a").status_code == 302
    traveller.shift(timedelta(minutes=25))
    assert signed_in.get("/children/").status_code == 200


def test_stay_signed_in_answers_204_and_renews_the_timer(signed_in, traveller):
    traveller.shift(timedelta(minutes=28))
    response = signed_in.post("/session/extend/")
    assert response.status_code == 204
    assert _expiry(signed_in) == START + timedelta(minutes=58)
    traveller.shift(timedelta(minutes=28))  # 56 minutes after sign-in, 28 idle
    assert signed_in.get("/children/").status_code == 200


def test_stay_signed_in_is_post_only_and_needs_a_session(client, signed_in):
    assert signed_in.get("/session/extend/").status_code == 405
    signed_in.post("/sign-out/")
    response = signed_in.post("/session/extend/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
