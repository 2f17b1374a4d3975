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
