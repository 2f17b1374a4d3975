"""Signing in through the real form in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_social_worker_signs_in_and_sees_their_work(page: Page, social_worker_a):
    page.goto("/")
    expect(page).to_have_url("/sign-in/?next=/")  # not signed in yet: sent to the form

    page.get_by_label("Username").fill("sw.a")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(page).to_have_title("Your work \N{EN DASH} Adoption case management")
    expect(page.get_by_text("Ashby Borough").first).to_be_visible()  # the header names their organisation
    expect(page.get_by_role("button", name=f"Sign out {social_worker_a.display_name}")).to_be_visible()


def test_a_wrong_password_shows_the_problem_and_keeps_the_username(page: Page, social_worker_a):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("sw.a")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username and password. Both are case-sensitive.")
    # GOV.UK Frontend moves focus to the summary so screen-reader users hear the problem first.
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: Sign in \N{EN DASH} Adoption case management")
    expect(page.get_by_label("Username")).to_have_value("sw.a")
    expect(page.get_by_label("Password")).to_have_value("")  # a password is never sent back
    expect(page).to_have_url("/sign-in/")


def _paste(page: Page, field, text: str) -> None:
    """Put ``text`` on the clipboard and paste it into ``field`` with the keyboard shortcut, as a person would from
    their password manager or authenticator app."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    field.focus()
    page.keyboard.press("ControlOrMeta+v")


def test_the_password_and_the_security_code_can_be_pasted(page: Page, social_worker_a, settings):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_MFA = True
    device = TOTPDevice.objects.create(user=social_worker_a, name="Authenticator app", confirmed=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    page.goto("/sign-in/")
    page.get_by_label("Username").fill("sw.a")
    password = page.get_by_label("Password")
    _paste(page, password, "correct horse battery staple")
    expect(password).to_have_value("correct horse battery staple")  # nothing on the page refuses a paste
    expect(password).to_have_attribute("autocomplete", "current-password")  # password managers may fill it
    page.get_by_role("button", name="Sign in").click()

    code = page.get_by_label("Security code")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"
    _paste(page, code, token)
    expect(code).to_have_value(token)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
