"""An assessing social worker takes a household from enquiry to approval in Chromium; the ADM records the decision."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from adopters.models import Check, Household
from adoption.models import Role
from tests import factories
from tests.browser.forms import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(tempfile.gettempdir())


def step(page: Page, act, button: str, legend: str, day: date, **choices: str) -> None:
    act.click(page.get_by_role("button", name=button))
    expect(page.get_by_role("heading", level=1)).to_have_text(button)
    fill_date(page, legend, day, act)
    for label, option in choices.items():
        act.check(page.get_by_role("group", name=label).get_by_label(option, exact=True))
    act.click(page.get_by_role("button", name="Save"))


def test_a_household_goes_from_enquiry_to_approval(page: Page, act, sign_in, raa, assessing_social_worker):
    adm = factories.staff(raa, Role.ADM, username="adm.browser")
    panel = factories.staff(raa, Role.PANEL_ADVISER, username="pa.browser")
    sign_in(assessing_social_worker, act=act)

    page.goto("/households/all/")
    act.click(page.get_by_role("button", name="Record an enquiry"))
    act.fill(page.get_by_label("Household name"), "Okafor household")
    fill_date(page, "Date of enquiry", date(2025, 1, 6), act)
    act.fill(page.get_by_label("First applicant's first name"), "Ada")
    act.fill(page.get_by_label("First applicant's last name"), "Okafor")
    act.click(page.get_by_role("button", name="Save the enquiry"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The enquiry was recorded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Okafor household")
    household = Household.objects.get(name="Okafor household")

    step(
        page,
        act,
        "Accept the registration of interest",
        "Date the registration of interest was accepted",
        date(2025, 1, 13),
    )
    step(page, act, "Start stage 1", "Date stage 1 started", date(2025, 1, 20))
    expect(page.locator(".govuk-tag").first).to_have_text("Stage 1")

    # Stage 1 cannot end before the checks are back: the refusal names each one and nothing changes.
    step(page, act, "Complete stage 1", "Date stage 1 was completed", date(2025, 3, 14))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The checks are not complete")
    expect(summary).to_contain_text("DBS (enhanced) check for Ada Okafor not received")
    expect(page.get_by_role("group", name="Date stage 1 was completed").get_by_label("Day")).to_have_value("14")
    page.screenshot(path=SCREENSHOTS / "household_checks_refused.png", full_page=True)
    household.refresh_from_db()
    assert household.status == Household.Status.STAGE_1

    for kind in (
        "DBS (enhanced) check",
        "Medical (agency medical adviser)",
        "Local authority check",
        "Personal reference",
    ):
        page.goto(f"/households/{household.pk}/checks/new/")
        act.check(page.get_by_label("Ada Okafor"))
        act.select(page.get_by_label("Check", exact=True), label=kind)
        fill_date(page, "Date requested", date(2025, 1, 20), act)
        act.click(page.get_by_role("button", name="Save"))
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The check was requested")
    for check in Check.objects.filter(applicant__household=household):
        page.goto(f"/households/{household.pk}/checks/{check.pk}/received/")
        fill_date(page, "Date received", date(2025, 2, 10), act)
        act.check(page.get_by_label("Satisfactory", exact=True))
        act.click(page.get_by_role("button", name="Save"))

    page.goto(f"/households/{household.pk}/")
    step(page, act, "Complete stage 1", "Date stage 1 was completed", date(2025, 3, 14))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Stage 1 is complete")
    timeliness = page.locator("tr", has=page.locator("th", has_text="Stage 1"))
    expect(timeliness.first).to_contain_text("On time")

    step(page, act, "Start stage 2", "Date stage 2 started", date(2025, 4, 1))
    act.click(page.get_by_role("link", name="Update the Prospective Adopter's Report status"))
    act.check(page.get_by_label("Completed"))
    act.click(page.get_by_role("button", name="Save"))
    step(page, act, "Complete stage 2", "Date stage 2 was completed", date(2025, 7, 25))
    expect(page.locator(".govuk-tag").first).to_have_text("Assessment complete, awaiting panel")

    # The panel adviser records the recommendation, the ADM the decision.
    page.context.clear_cookies()
    sign_in(panel, act=act)
    page.goto(f"/households/{household.pk}/")
    step(
        page,
        act,
        "Record the panel's recommendation",
        "Date of the panel",
        date(2025, 8, 12),
        **{"The panel's recommendation": "Suitable to adopt"},
    )
    page.context.clear_cookies()
    sign_in(adm, act=act)
    page.goto(f"/households/{household.pk}/")
    act.click(page.get_by_role("button", name="Record the agency decision"))
    fill_date(page, "Date of the agency decision", date(2025, 8, 19), act)
    act.check(page.get_by_label("Approved as suitable to adopt"))
    act.fill(page.get_by_label("Number of children, at most"), "2")
    act.fill(page.get_by_label("Oldest age (years)"), "4")
    act.click(page.get_by_role("button", name="Save"))

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The agency decision was recorded")
    expect(page.locator(".govuk-tag").first).to_have_text("Approved, waiting")
    titles = page.locator(".app-timeline__title")
    expect(titles.first).to_have_text("Approved by the agency decision maker")
    expect(titles.nth(1)).to_have_text("Availability: Available")
    expect(
        page.locator(".app-timeline__item", has_text="Approved by the agency decision maker").locator("time")
    ).to_have_text("19 August 2025")
    page.screenshot(path=SCREENSHOTS / "household_approved.png", full_page=True)
    household.refresh_from_db()
    assert (household.status, household.approved_on, household.approved_children_max) == (
        Household.Status.APPROVED,
        date(2025, 8, 19),
        2,
    )
    assert re.search("Okafor", page.content())
