"""A spoke's support worker takes a family's request in Chromium from duty to an approved ASF application, and
the fund's limit for the year refuses an application that would go over it, with the reason."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from adoption.models import Role
from support.models import AsfApplication, SupportRequest
from tests import factories
from tests.browser.forms import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _saved(page: Page, message: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(message)


def test_a_request_goes_from_duty_to_an_approved_asf_application(page: Page, act, sign_in, la_a):
    today = timezone.localdate()
    worker = factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER, username="support.spoke", first_name="Sita")
    amelia = factories.ChildFactory(
        responsible_la=la_a, first_name="Amelia", last_name="Okafor", date_of_birth=today - timedelta(days=8 * 365)
    )
    family = factories.HouseholdFactory(approving_agency=la_a.raa, name="Okafor household")
    factories.AdoptivePlacementFactory(
        child=amelia, household=family, matched_on=today - timedelta(days=400), placed_on=today - timedelta(days=380)
    )
    sign_in(worker, act=act)

    # Duty: the request, the first response, the allocation.
    page.goto("/support/")
    act.click(page.get_by_role("button", name="Record a request"))
    act.fill(page.get_by_label("Family", exact=True), "The Okafors")
    act.select(page.get_by_label("Child (optional)"), value=str(amelia.pk))
    act.fill(page.get_by_label("Who asked"), "Ada Okafor")
    act.select(page.get_by_label("Who they are"), label="Adoptive parent")
    fill_date(page, "Date received", today, act)
    act.check(page.get_by_label("Trauma and therapeutic parenting"))
    act.click(page.get_by_role("button", name="Save"))
    _saved(page, "The request from The Okafors was recorded on duty")

    act.click(page.get_by_role("link", name="Record the first response"))
    fill_date(page, "Date of the first response", today, act)
    act.check(page.get_by_label(re.compile("Tier 3")))
    act.click(page.get_by_role("button", name="Save"))
    _saved(page, "The first response was recorded")

    act.click(page.get_by_role("link", name="Allocate the request"))
    act.select(page.get_by_label("Worker"), label=worker.display_name)
    fill_date(page, "Date allocated", today, act)
    act.click(page.get_by_role("button", name="Save"))
    _saved(page, "The request was allocated")

    # The assessment of need and the support plan.
    act.click(page.get_by_role("link", name="Start an assessment of need"))
    fill_date(page, "Date the assessment started", today, act)
    act.click(page.get_by_role("button", name="Save"))
    _saved(page, "The assessment of need was started")
    act.click(page.get_by_role("link", name="Complete the assessment"))
    fill_date(page, "Date completed", today, act)
    act.check(page.get_by_label("Support to be provided: a support plan"))
    act.fill(page.get_by_label("Needs identified"), "Amelia's trauma shows in rages at home; her parents need help.")
    act.click(page.get_by_role("button", name="Save"))
    _saved(page, "The assessment of need was completed")
    act.click(page.get_by_role("link", name="Record the support plan"))
    fill_date(page, "Date agreed", today, act)
    act.fill(page.get_by_label("Services agreed"), "Theraplay for Amelia and her parents, funded by the ASF.")
    act.check(page.get_by_label("Theraplay", exact=True))
    fill_date(page, "First review due", today + timedelta(days=90), act)
    act.click(page.get_by_role("button", name="Save"))
    _saved(page, "The support plan was recorded")

    # The ASF application: over the year's limit it is refused with the reason and nothing is saved.
    ends = date(today.year + (1 if today.month >= 4 else 0), 3, 1)
    act.click(page.get_by_role("link", name="Make an ASF application for Amelia"))
    act.select(page.get_by_label("Therapy or assessment"), label="Theraplay")
    act.check(page.get_by_role("group", name="Is this a specialist assessment?").get_by_label("No"))
    act.fill(page.get_by_label("Provider"), "Family Futures Therapy")
    act.fill(page.get_by_label("Number of sessions"), "12")
    act.fill(page.get_by_label("Cost of the work (£)"), "3600")
    fill_date(page, "Date the work starts", today, act)
    fill_date(page, "Date the work ends", ends, act)
    act.check(
        page.get_by_role("group", name="Does the child have an education, health and care plan?").get_by_label("No")
    )
    act.check(page.get_by_role("group", name=re.compile("adopted from abroad")).get_by_label("No"))
    act.click(page.get_by_role("button", name="Save and submit to the fund"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("£3,000 is left for Amelia")
    expect(page.get_by_label("Provider")).to_have_value("Family Futures Therapy")
    assert not AsfApplication.objects.exists()

    act.fill(page.get_by_label("Cost of the work (£)"), "2400")
    act.click(page.get_by_role("button", name="Save and submit to the fund"))
    _saved(page, "The application for Amelia Okafor was submitted to the fund")

    act.click(page.get_by_role("button", name="Record the fund's decision"))
    act.check(page.get_by_label("Approved", exact=True))
    fill_date(page, "Date of the decision", today, act)
    act.click(page.get_by_role("button", name="Save the decision"))
    _saved(page, "The fund's decision was recorded: approved")

    application = AsfApplication.objects.get()
    assert (application.status, application.cost, application.basis) == ("approved", 2400, "placed")
    assert application.request == SupportRequest.objects.get()
    page.goto(f"/support/children/{amelia.pk}/")
    expect(page.locator("main")).to_contain_text("Theraplay")
