"""A social worker records a placement order through the form, in Chromium, and sees it on the timeline: with the
pointer, and with the keyboard alone (``act``)."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from children.models import PlacementOrder
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp/placement_order_*.png, to look at


@pytest.fixture
def waiting_child(la_a):
    """Amelia Ashdown: in care from 10 January 2022, decision on 1 June 2022, no placement order yet."""
    child = factories.ChildFactory(responsible_la=la_a, first_name="Amelia", last_name="Ashdown")
    factories.PeriodOfCareFactory(child=child, started_on=date(2022, 1, 10))
    factories.AdoptionDecisionFactory(child=child, decided_on=date(2022, 6, 1))
    return child


def timeline_entry(page: Page, title: str):
    return page.locator(".app-timeline__item").filter(
        has=page.locator(".app-timeline__title", has_text=re.compile(f"^{re.escape(title)}$"))
    )


def test_a_social_worker_records_a_placement_order(page: Page, act, sign_in, social_worker_a, waiting_child):
    sign_in(social_worker_a, act=act)
    # From the home page to the child, through the menu and the list.
    act.click(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Children", exact=True))
    act.click(page.get_by_role("link", name="Amelia Ashdown"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Ashdown")
    expect(timeline_entry(page, "Placement order (E1)")).to_have_count(0)
    next_step = page.locator(".govuk-summary-list__row", has_text="Next step")
    expect(next_step).to_contain_text("Apply for a placement order, by 30 November 2022")
    expect(next_step.locator(".govuk-tag--red")).to_have_text("Overdue")

    act.click(page.get_by_role("link", name="Record a placement order"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a placement order")
    date_boxes = page.get_by_role("group", name="Date of the order")

    # First a date before the decision: refused with the 903 rule, and what was typed stays.
    act.fill(date_boxes.get_by_label("Day"), "3")
    act.fill(date_boxes.get_by_label("Month"), "5")
    act.fill(date_boxes.get_by_label("Year"), "2022")
    act.fill(page.get_by_label("Court"), "Leeds Family Court")
    act.click(page.get_by_role("button", name="Save"))

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    message = re.compile(r"must be on or after the decision .* \(1 June 2022\) \(903 rule 554\)")
    expect(summary.get_by_role("link", name=message)).to_be_visible()
    expect(date_boxes.get_by_label("Day")).to_have_value("3")
    expect(page.get_by_label("Court")).to_have_value("Leeds Family Court")
    page.screenshot(path=SCREENSHOTS / f"placement_order_error_{act.name}.png", full_page=True)
    act.click(summary.get_by_role("link", name=message))
    expect(date_boxes.get_by_label("Day")).to_be_focused()
    assert not PlacementOrder.objects.filter(child=waiting_child).exists()

    # Then the right date.
    act.fill(date_boxes.get_by_label("Day"), "14")
    act.fill(date_boxes.get_by_label("Month"), "9")
    act.fill(date_boxes.get_by_label("Year"), "2022")
    expect(page.get_by_label("Placement order (E1)")).to_be_checked()
    act.click(page.get_by_role("button", name="Save"))

    expect(page).to_have_url(f"/children/{waiting_child.pk}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The placement order was recorded")
    entry = timeline_entry(page, "Placement order (E1)")
    expect(entry.locator("time")).to_have_text("14 September 2022")
    expect(entry).to_contain_text("Leeds Family Court")
    titles = page.locator(".app-timeline__title")
    expect(titles).to_have_text(
        ["Born", "Entered care", "Decision: should be placed for adoption", "Placement order (E1)"]
    )
    expect(page.locator(".govuk-summary-list__value strong.govuk-tag").first).to_have_text("Placement order made")
    expect(next_step).to_contain_text("Find a family and record the match, by 13 January 2023")
    page.screenshot(path=SCREENSHOTS / f"placement_order_timeline_{act.name}.png", full_page=True)
    order = PlacementOrder.objects.get(child=waiting_child)
    assert (order.made_on, order.order_type, order.court) == (date(2022, 9, 14), "E1", "Leeds Family Court")
