"""Two social workers change the same child's details at once, each in their own browser: the second save is
refused with the error summary, keeps what they typed, and the first one's change stands."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from adoption.concurrency import RECORD_CHANGED_MESSAGE
from adoption.models import Role
from children.models import Child
from tests import factories
from tests.browser.conftest import PASSWORD, TIMEOUT_MS, BrowserProblems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def second_page(browser: Browser, live_server, browser_problems: BrowserProblems) -> Iterator[Page]:
    """A second browser, with cookies of its own (another person at another desk), watched like the first."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and browser_problems.console_errors.append(m.text))
    page.on("pageerror", lambda error: browser_problems.page_errors.append(str(error)))
    page.on(
        "response",
        lambda r: r.status >= 400 and browser_problems.failed_requests.append(f"{r.url}: HTTP {r.status}"),
    )
    yield page
    context.close()


def signed_in(page: Page, user) -> Page:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    return page


def test_the_second_save_shows_that_someone_else_changed_the_child(page: Page, second_page: Page, la_a, child_a):
    edit = reverse("children:update", kwargs={"child_id": child_a.pk})
    first = signed_in(page, factories.staff(la_a, Role.SOCIAL_WORKER, username="sw.first"))
    second = signed_in(second_page, factories.staff(la_a, Role.SOCIAL_WORKER, username="sw.second"))
    first.goto(edit)
    second.goto(edit)
    expect(second.get_by_label("First name")).to_have_value("Amelia")

    first.get_by_label("First name").fill("Amelie")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Amelie Ashdown")

    second.get_by_label("First name").fill("Emilia")
    second.get_by_label("Last name").fill("Ashby")
    second.get_by_role("button", name="Save").click()

    summary = second.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to it, so a screen reader reads it first
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("listitem")).to_have_text(RECORD_CHANGED_MESSAGE)
    expect(second).to_have_title(re.compile(r"^Error: "))
    expect(second.get_by_label("First name")).to_have_value("Emilia")
    expect(second.get_by_label("Last name")).to_have_value("Ashby")
    child = Child.objects.get(pk=child_a.pk)
    assert (child.first_name, child.last_name) == ("Amelie", "Ashdown")

    # Reloading shows the child as the first social worker left them; the change can then be made again.
    second.goto(edit)
    expect(second.locator(".govuk-error-summary")).to_have_count(0)
    expect(second.get_by_label("First name")).to_have_value("Amelie")
    second.get_by_label("Last name").fill("Ashby")
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_role("heading", level=1)).to_have_text("Amelie Ashby")
