"""The journeys of the two roles the other browser journeys leave out, with the pointer and the keyboard alone:
a panel member reading the next meeting's agenda and an item, and an administrator registering an API client.

(The other roles' journeys: the social worker's in test_child_journey, the family finder's in test_family_finding,
the assessing social worker's, the panel adviser's and the ADM's in test_household_journey and test_panel_agenda,
the support social worker's in test_support_journey and the manager's in test_scorecard_run.)
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from adoption.models import ApiClient, Role
from panels.models import AgendaItem, PanelMeeting
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _menu(page: Page, name: str):
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True)


def test_a_panel_member_reads_the_next_meetings_agenda_and_an_item(page: Page, act, sign_in, raa, panel_member_user):
    today = timezone.localdate()
    meeting = PanelMeeting.objects.create(
        raa=raa, held_on=today + timedelta(days=7), starts_at=time(10), place="Warwick"
    )
    household = factories.HouseholdFactory(approving_agency=raa, name="Okafor household")
    AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        kind=AgendaItem.Kind.APPROVAL,
        household=household,
        presenting_worker="Priya Shah",
        starts_at=time(10),
    )
    sign_in(panel_member_user, act=act)

    act.click(_menu(page, "Panels"))
    act.click(page.get_by_role("link", name="Meetings", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Panel meetings")
    act.click(page.get_by_role("link", name=re.compile(r"10:00$")))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Panel on "))
    item = page.get_by_role("link", name="Approval of prospective adopters: Okafor household")
    act.click(item)
    expect(page.get_by_role("heading", level=1)).to_have_text("Item 1: Approval of prospective adopters")
    expect(page.get_by_text("Okafor household").first).to_be_visible()
    # A member reads; the pages offer them nothing to change.
    expect(page.get_by_role("link", name=re.compile("Record the panel's recommendation"))).to_have_count(0)


def test_an_administrator_registers_an_api_client_and_is_shown_its_token_once(page: Page, act, sign_in, la_a):
    administrator = factories.staff(la_a, Role.ADMINISTRATOR, username="admin.browser")
    sign_in(administrator, act=act)

    act.click(_menu(page, "API clients"))
    expect(page.get_by_role("heading", level=1)).to_have_text("API clients")
    act.click(page.get_by_role("button", name="Register an API client"))
    # Sent without a name nor a scope: the errors are summarised, linked to their fields, and nothing is made.
    act.click(page.get_by_role("button", name=re.compile("^(Save|Register)")))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    act.click(summary.get_by_role("link", name="Select at least one thing the client may do"))
    assert ApiClient.objects.count() == 0

    act.fill(page.get_by_label("Name", exact=True), "Ashby case management system")
    act.check(page.get_by_role("checkbox").first)
    act.click(page.get_by_role("button", name=re.compile("^(Save|Register)")))
    expect(page.get_by_text("Ashby case management system").first).to_be_visible()
    client = ApiClient.objects.get()
    assert client.name == "Ashby case management system" and client.organisation == la_a
