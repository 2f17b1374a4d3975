"""The warning before the idle limit signs a user out, in Chromium: it opens as a modal dialog with the focus on
"Stay signed in", passes axe's checks, and the keyboard alone keeps the user signed in; left alone, the user is
signed out when the limit comes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import CONTEXT_OPTIONS, assert_accessible, install
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def short_session(settings):
    """An idle limit of 20 seconds with the warning 16 seconds before it (the service's are 30 and 2 minutes)."""
    settings.SESSION_COOKIE_AGE = 20
    settings.SESSION_WARNING_SECONDS = 16


def _sign_in(page: Page, user) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def test_the_warning_lets_a_keyboard_user_stay_signed_in(browser, live_server, short_session, social_worker_a):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **CONTEXT_OPTIONS)
    install(context)
    page = context.new_page()
    try:
        _sign_in(page, social_worker_a)
        page.goto("/children/")
        dialog = page.get_by_role("dialog", name="You are about to be signed out")
        expect(dialog).to_be_visible(timeout=10_000)  # 4 seconds after the page loaded
        stay = dialog.get_by_role("button", name="Stay signed in")
        expect(stay).to_be_focused()
        assert_accessible(page, "the session time-out warning")
        with page.expect_response(re.compile(r"/session/extend/$")) as extended:
            page.keyboard.press("Enter")
        assert extended.value.status == 204
        expect(dialog).to_be_hidden()
        # The session was renewed: the next page answers, without signing in again.
        page.goto("/children/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Children")
    finally:
        context.close()


def test_left_alone_the_user_is_signed_out_at_the_limit(browser, live_server, short_session, social_worker_a):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    try:
        _sign_in(page, social_worker_a)
        page.goto("/children/")
        expect(page.get_by_role("dialog", name="You are about to be signed out")).to_be_visible(timeout=10_000)
        page.wait_for_url(re.compile(r"/sign-in/\?expired=1"), timeout=30_000)
        page.goto("/children/")
        expect(page).to_have_url(re.compile(r"/sign-in/"))
    finally:
        context.close()
