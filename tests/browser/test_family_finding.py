"""A family finder takes a child from the suggested families to a match, in Chromium."""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from adopters.models import Availability, Household
from children.models import Link, Match
from tests import factories
from tests.browser.forms import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(tempfile.gettempdir())


def _family(raa, name: str, *, ages: tuple[int, int], waited: int) -> Household:
    today = timezone.localdate()
    household = factories.HouseholdFactory(
        approving_agency=raa,
        name=name,
        status=Household.Status.APPROVED,
        enquired_on=today - timedelta(days=waited + 300),
        registered_on=today - timedelta(days=waited + 290),
        approved_on=today - timedelta(days=waited),
        area="Rugby",
        approved_children_min=1,
        approved_children_max=2,
        approved_age_min=ages[0],
        approved_age_max=ages[1],
        disability_openness=Household.Openness.MODERATE,
    )
    Availability.objects.create(household=household, status="available", status_from=household.approved_on)
    return household


@pytest.fixture
def waiting_child(la_a):
    """Amelia, two years old and disabled, with a decision and a placement order: waiting for a family."""
    today = timezone.localdate()
    child = factories.ChildFactory(
        responsible_la=la_a,
        first_name="Amelia",
        last_name="Ashdown",
        date_of_birth=today - timedelta(days=2 * 365 + 30),
        has_disability=True,
    )
    factories.PeriodOfCareFactory(child=child, started_on=today - timedelta(days=400))
    factories.AdoptionDecisionFactory(child=child, decided_on=today - timedelta(days=300))
    factories.PlacementOrderFactory(child=child, made_on=today - timedelta(days=200))
    return child


def test_a_family_finder_goes_from_suggestions_to_a_match(page: Page, act, sign_in, family_finder, raa, waiting_child):
    first = _family(raa, "Okafor household", ages=(0, 4), waited=400)
    _family(raa, "Patel household", ages=(0, 4), waited=100)
    _family(raa, "Quinn household", ages=(5, 10), waited=900)
    sign_in(family_finder, act=act)

    page.goto(f"/children/{waiting_child.pk}/")
    act.click(page.get_by_role("link", name=re.compile("Family finding: suggested families")))
    cards = page.locator(".govuk-summary-card")
    expect(cards).to_have_count(3)
    # The two families approved for her age come first, the longer waiting ahead; the third says why not.
    expect(cards.nth(0).locator("h3")).to_contain_text("1. Okafor household")
    expect(cards.nth(1).locator("h3")).to_contain_text("2. Patel household")
    expect(cards.nth(2).locator("h3")).to_contain_text("3. Quinn household")
    age = cards.nth(2).locator(".govuk-summary-list__row", has_text="Age")
    expect(age.locator(".govuk-tag")).to_have_text("Not met")
    expect(age).to_contain_text("Approved for 5 to 10 years")
    expect(cards.nth(0).locator(".govuk-tag", has_text="Not met")).to_have_count(0)
    expect(page.get_by_text("Nothing is linked or matched automatically", exact=False)).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "suggested_families.png", full_page=True)

    act.click(cards.nth(0).get_by_role("link", name=re.compile("Record a link with this family")))
    expect(page.get_by_label("Family")).to_have_value(str(first.pk))
    act.check(page.get_by_label("Link identified by the agency"))
    fill_date(page, "Date of the link", timezone.localdate() - timedelta(days=20), act)
    act.click(page.get_by_role("button", name="Record the link"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The link was recorded")

    act.click(page.get_by_role("link", name=re.compile("Record the match")))
    fill_date(page, "Date of the match decision", timezone.localdate() - timedelta(days=5), act)
    act.click(page.get_by_role("button", name="Record the match"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The match was recorded")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Okafor household")
    page.screenshot(path=SCREENSHOTS / "match_recorded.png", full_page=True)

    match = Match.objects.get()
    assert match.household == first
    assert [p.child for p in match.placements.all()] == [waiting_child]
    assert Link.objects.get(child=waiting_child).outcome == Link.Outcome.MATCHED
    first.refresh_from_db()
    assert first.status == Household.Status.MATCHED  # the family follows the child's match
