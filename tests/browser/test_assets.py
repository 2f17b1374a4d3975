"""The pages arrive whole in a real browser: stylesheet applied, GOV.UK Frontend running, no errors.

The ``page`` fixture also fails any browser test whose pages logged a console error, threw, or had
a request fail; these tests state it for the two kinds of page (signed out and signed in).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TRANSPARENT = "rgba(0, 0, 0, 0)"


def assert_styled_and_scripted(page: Page) -> None:
    header = page.locator(".govuk-header")
    background = header.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background != TRANSPARENT, "main.css did not style the header"
    font = page.locator("h1").evaluate("element => getComputedStyle(element).fontFamily")
    assert "Times" not in font, f"the heading has the browser's default font: {font}"
    # The inline script marks the body as supported; GOV.UK Frontend's initAll() then starts each
    # component and marks its root with data-<module>-init.
    expect(page.locator("body")).to_have_class(
        "govuk-template__body js-enabled govuk-frontend-supported", timeout=5_000
    )
    expect(page.locator('.govuk-skip-link[data-module="govuk-skip-link"]')).to_have_attribute(
        "data-govuk-skip-link-init", ""
    )
    for button in page.locator('[data-module="govuk-button"]').all():
        expect(button).to_have_attribute("data-govuk-button-init", "")


def test_the_sign_in_page_is_styled_scripted_and_error_free(page: Page, browser_problems):
    page.goto("/sign-in/")
    assert_styled_and_scripted(page)
    assert browser_problems.all() == []


def test_the_children_page_is_styled_scripted_and_error_free(
    page: Page, sign_in, social_worker_a, child_a, browser_problems
):
    sign_in(social_worker_a)
    page.goto("/children/")
    expect(page.get_by_role("link", name="Amelia Ashdown")).to_be_visible()
    assert_styled_and_scripted(page)
    expect(page.locator('[data-module="govuk-service-navigation"]')).to_have_attribute(
        "data-govuk-service-navigation-init", ""
    )
    assert browser_problems.all() == []
