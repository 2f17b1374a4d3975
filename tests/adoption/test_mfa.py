"""Two-factor sign-in: with REQUIRE_MFA on, a password alone reaches nothing but the two-factor pages."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from adoption.models import AuditEvent
from tests.adoption.conftest import sign_in
from tests.test_anonymous import url_of
from tests.test_permission_matrix import ROUTES

SETUP = "/sign-in/two-factor/setup/"
VERIFY = "/sign-in/two-factor/"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def _wrong_code(device: TOTPDevice) -> str:
    right = int(_code(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


@pytest.fixture
def mfa_on(settings):
    settings.REQUIRE_MFA = True


@pytest.fixture
def enrolled(client, social_worker_a, mfa_on):
    """sw.a has set up an authenticator app, then signed out."""
    sign_in(client, "sw.a")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=social_worker_a)
    assert client.post(SETUP, {"token": _code(device)}).status_code == 302
    client.post("/sign-out/")
    device.refresh_from_db()
    assert device.confirmed
    return device


@pytest.mark.parametrize("path", ["/", "/children/", "/reports/a1/", "/accessibility/", "/api/v1/children/"])
def test_after_a_password_every_page_leads_to_setting_up_two_factor(client, social_worker_a, mfa_on, path):
    assert sign_in(client, "sw.a").status_code == 302
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_the_setup_page_shows_a_qr_code_and_the_key(client, social_worker_a, mfa_on):
    sign_in(client, "sw.a")
    response = client.get(SETUP)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Set up two-factor sign-in" in body
    assert "<svg" in body and "<path" in body
    device = TOTPDevice.objects.get(user=social_worker_a, confirmed=False)
    key = base64.b32encode(device.bin_key).decode()
    grouped = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    assert f'Key: <code class="govuk-!-font-weight-bold">{grouped}</code>' in body


def test_the_right_code_confirms_the_device_and_opens_the_service(client, social_worker_a, mfa_on):
    sign_in(client, "sw.a")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=social_worker_a)

    response = client.post(SETUP, {"token": _code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    home = client.get("/")
    assert home.status_code == 200
    assert "Two-factor sign-in is set up." in home.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MFA_ENROLLED, actor=social_worker_a).count() == 1


def test_a_wrong_code_shows_an_error_and_keeps_them_out(client, social_worker_a, mfa_on):
    sign_in(client, "sw.a")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=social_worker_a)

    response = client.post(SETUP, {"token": _wrong_code(device)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The security code is not right" in body
    assert "<title>Error: " in body
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/")["Location"] == SETUP
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.MFA_ENROLLED).exists()


def test_a_non_numeric_code_is_refused(client, social_worker_a, mfa_on):
    sign_in(client, "sw.a")
    client.get(SETUP)
    response = client.post(SETUP, {"token": "abcdef"})
    assert response.status_code == 400
    assert "The security code must be 6 digits" in response.content.decode()


def test_next_sign_in_asks_for_a_code_and_the_right_one_lets_them_in(client, social_worker_a, enrolled):
    sign_in(client, "sw.a")
    assert client.get("/")["Location"] == VERIFY
    assert client.get(SETUP)["Location"] == VERIFY  # a second device cannot be added without a code
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert "Enter your security code" in page.content.decode()

    # The code used at setup cannot be replayed, so wait for the authenticator's next code.
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False) as traveller:
        wrong = client.post(VERIFY, {"token": _wrong_code(enrolled)})
        assert wrong.status_code == 400
        assert "The security code is not right" in wrong.content.decode()
        assert client.get("/")["Location"] == VERIFY

        traveller.shift(timedelta(seconds=5))  # django-otp slows down guessing after a wrong code
        response = client.post(VERIFY, {"token": _code(enrolled)})
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert client.get("/").status_code == 200


def test_a_code_cannot_be_used_twice(client, social_worker_a, enrolled):
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        sign_in(client, "sw.a")
        code = _code(enrolled)
        assert client.post(VERIFY, {"token": code}).status_code == 302
        client.post("/sign-out/")
        sign_in(client, "sw.a")
        assert client.post(VERIFY, {"token": code}).status_code == 400
        assert client.get("/")["Location"] == VERIFY


@pytest.mark.parametrize("next_url", ["https://evil.example.org/", "//evil.example.org/"])
def test_verifying_does_not_redirect_off_site(client, social_worker_a, enrolled, next_url):
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        sign_in(client, "sw.a")
        response = client.post(f"{VERIFY}?next={next_url}", {"token": _code(enrolled)})
        assert response.status_code == 302
        assert response["Location"] == "/"


def test_verifying_returns_to_a_page_of_the_service(client, social_worker_a, enrolled):
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        sign_in(client, "sw.a")
        response = client.post(f"{VERIFY}?next=/children/", {"token": _code(enrolled)})
        assert response["Location"] == "/children/"


def test_the_api_with_a_token_does_not_need_a_second_factor(client, api_client_a, child_a, mfa_on):
    _, token = api_client_a
    response = client.get("/api/v1/children/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [child_a.pk]


def test_without_require_mfa_a_password_is_enough(client, social_worker_a):
    sign_in(client, "sw.a")
    response = client.get("/")
    assert response.status_code == 200
    assert "Your work" in response.content.decode()


# --- every page, walked: a password alone reaches none of them ----------------------------------------------------

# The pages a password-only session may reach: signing out, the two-factor pages themselves, keeping the session
# (its timer), and the health check (adoption.middleware.MfaRequiredMiddleware.EXEMPT_URL_NAMES).
BEFORE_TWO_FACTOR = {"sign-out", "mfa-setup", "mfa-verify", "session-extend", "health"}
GUARDED = [r for r in ROUTES if r.name not in BEFORE_TWO_FACTOR]


def test_the_walk_leaves_out_only_the_two_factor_pages():
    from adoption.middleware import MfaRequiredMiddleware

    assert BEFORE_TWO_FACTOR == MfaRequiredMiddleware.EXEMPT_URL_NAMES
    assert {r.name for r in ROUTES} >= BEFORE_TWO_FACTOR
    assert len(GUARDED) > 100


@pytest.mark.parametrize("route", GUARDED, ids=[r.route or "/" for r in GUARDED])
def test_every_page_needs_the_second_factor(route, client, social_worker_a, mfa_on):
    """Each page (the admin and the API called with a session too), asked for or posted to after a password only,
    leads to setting up two-factor, or, once an authenticator is set up, to entering its code: never the page."""
    url = url_of(route)
    client.force_login(social_worker_a)  # signed in with a password: not verified
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302, f"{url} answered {response.status_code} before two-factor"
        assert response["Location"] == SETUP, f"{url} sent a password-only session to {response['Location']}"
    TOTPDevice.objects.create(user=social_worker_a, name="phone", confirmed=True)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == VERIFY, f"{url} sent an unverified session to {response['Location']}"
