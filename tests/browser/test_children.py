"""The children list and a child's page, as LA A's social worker sees them in Chromium."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOT = Path(tempfile.gettempdir()) / "child_list.png"  # /tmp/child_list.png, to look at


@pytest.fixture
def children(la_a, la_b, child_a, child_b):
    """LA A: Amelia Ashdown (no journey yet) and Oliver Oakley (adopted); LA B: Bertie Brookes."""
    oliver = factories.adopted_child(
        la_a,
        entered_care=date(2022, 1, 10),
        moved_in=date(2023, 2, 26),
        adoption_order=date(2023, 9, 1),
        first_name="Oliver",
        last_name="Oakley",
    )
    return {"amelia": child_a, "oliver": oliver, "bertie": child_b}


def child_names(page: Page):
    return page.locator("table.govuk-table tbody tr td:first-child")


def test_the_children_page_lists_only_their_las_children(page: Page, sign_in, social_worker_a, children):
    sign_in(social_worker_a)
    page.get_by_role("link", name="Children").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Children")
    expect(child_names(page)).to_have_text(["Amelia Ashdown", "Oliver Oakley"])  # ordered by surname
    expect(page.get_by_text("2 children.")).to_be_visible()
    stages = page.locator("table.govuk-table tbody tr td:nth-child(4)")
    expect(stages).to_have_text(["Not in care", "Adopted"])  # Amelia is born but has no period of care
    expect(page.get_by_text("Bertie Brookes")).to_have_count(0)  # LA B's child
    expect(page.get_by_label("Local authority")).to_have_count(0)  # one LA: no LA filter
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_searching_by_name_narrows_the_list(page: Page, sign_in, social_worker_a, children):
    sign_in(social_worker_a)
    page.goto("/children/")
    page.get_by_label("Search by name or ID").fill("Oakley")
    page.get_by_role("button", name="Search", exact=True).click()  # the list's (the header's searches all records)

    expect(page).to_have_url("/children/?q=Oakley")
    expect(child_names(page)).to_have_text(["Oliver Oakley"])
    expect(page.get_by_text("1 child.")).to_be_visible()
    expect(page.get_by_label("Search by name or ID")).to_have_value("Oakley")

    # LA B's child is not found even by their exact name.
    page.get_by_label("Search by name or ID").fill("Bertie Brookes")
    page.get_by_role("button", name="Search", exact=True).click()  # the list's (the header's searches all records)
    expect(child_names(page)).to_have_count(0)
    expect(page.get_by_text("No children match your search.")).to_be_visible()


def test_a_childs_page_shows_their_journey(page: Page, sign_in, social_worker_a, children):
    sign_in(social_worker_a)
    page.goto("/children/")
    page.get_by_role("link", name="Oliver Oakley").click()

    expect(page).to_have_url(f"/children/{children['oliver'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oliver Oakley")
    expect(page.locator(".govuk-caption-l")).to_have_text("Ashby Borough")
    timeline = page.locator(".app-timeline__item")
    titles = timeline.locator(".app-timeline__title")
    # The whole journey factories.adopted_child builds, in date order.
    expect(titles).to_have_text(
        [
            "Born",
            "Entered care",
            "Decision: should be placed for adoption",
            "Placement order (E1)",
            "Matched",
            "Placed for adoption",
            "Left care",
            "Adoption order",
        ]
    )

    def entry(title: str):
        return timeline.filter(has=page.locator(".app-timeline__title", has_text=re.compile(f"^{title}$")))

    expect(entry("Entered care").locator("time")).to_have_text("10 January 2022")
    expect(entry("Placed for adoption").locator("time")).to_have_text("26 February 2023")
    expect(entry("Placed for adoption")).to_contain_text(children["oliver"].adoptive_placements.get().household.name)
    expect(entry("Adoption order").locator("time")).to_have_text("1 September 2023")
