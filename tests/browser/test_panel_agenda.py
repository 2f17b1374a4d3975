"""A panel adviser builds an agenda in Chromium, confirms the meeting, downloads the pack and records the
panel's recommendation, which moves the household on to wait for the agency decision."""

from __future__ import annotations

import re
from datetime import time
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from adopters.models import Household
from panels.models import AgendaItem, PanelAttendance, PanelMeeting, PanelMember, PanelRole
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
R = PanelRole


def _paper(tmp_path) -> str:
    from weasyprint import HTML

    path = tmp_path / "okafor-par.pdf"
    HTML(string="<h1>Prospective Adopter's Report: Okafor household</h1><p>Assessment.</p>").write_pdf(path)
    return str(path)


def test_a_panel_adviser_builds_an_agenda_downloads_the_pack_and_records_a_recommendation(
    page: Page, act, sign_in, raa, panel_adviser, tmp_path
):
    today = timezone.localdate()
    meeting = PanelMeeting.objects.create(raa=raa, held_on=today, starts_at=time(10), place="Warwick")
    for name, roles, years in (
        ("Chloe Chair", [R.CHAIR], None),
        ("Sam Social", [R.SOCIAL_WORK], 6),
        ("Ian Independent", [R.INDEPENDENT], None),
        ("Meg Medical", [R.MEDICAL_ADVISER], None),
        ("Ed Elected", [R.ELECTED_MEMBER], None),
    ):
        member = PanelMember.objects.create(
            raa=raa,
            name=name,
            roles=roles,
            post_qualifying_years=years,
            on_list_from=today.replace(year=today.year - 2),
        )
        PanelAttendance.objects.create(meeting=meeting, member=member)
    household = factories.HouseholdFactory(
        approving_agency=raa, name="Okafor household", status=Household.Status.AWAITING_PANEL, approved_on=None
    )
    sign_in(panel_adviser, act=act)

    # The agenda: one approval.
    page.goto(f"/panels/meetings/{meeting.pk}/")
    expect(page.locator("#agenda")).to_contain_text("0 of at most 6 items")
    act.click(page.get_by_role("link", name="Add an item"))
    act.click(page.get_by_role("link", name="Approval of prospective adopters"))
    act.select(page.get_by_label("Household"), label="Okafor household")
    act.fill(page.get_by_label("Presenting social worker"), "Priya Shah")
    act.click(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Item 1 was added to the agenda, starting at 10:00"
    )
    agenda = page.locator("#agenda-items")
    expect(agenda).to_contain_text("Approval of prospective adopters: Okafor household")
    expect(agenda).to_contain_text("Prospective Adopter's Report (PAR): Missing")

    # Its paper.
    act.click(page.get_by_role("link", name="Approval of prospective adopters: Okafor household"))
    act.click(page.get_by_role("link", name="Upload a paper"))
    act.select(page.get_by_label("Which paper"), label="Prospective Adopter's Report (PAR)")
    act.upload(page.get_by_label("The paper (PDF)"), _paper(tmp_path))
    act.click(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("was received (1 page)")

    # Confirm the meeting: five invited, quorate.
    page.goto(f"/panels/meetings/{meeting.pk}/")
    act.click(page.get_by_role("button", name="Confirm the meeting"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The meeting is confirmed")

    # The pack: built by the background job, downloaded as one PDF.
    act.click(page.get_by_role("link", name="Agenda pack"))
    act.click(page.get_by_role("button", name=re.compile("Build the agenda pack")))
    with page.expect_download() as download_info:
        act.click(page.get_by_role("link", name=re.compile("Download the agenda pack")))
    pack = PdfReader(BytesIO(download_info.value.path().read_bytes()))
    pages = [" ".join(p.extract_text().split()) for p in pack.pages]
    assert len(pages) == 4 and "Contents" in " ".join(pages[:3])
    assert "Prospective Adopter's Report: Okafor household Assessment. Page 4 of 4" in pages[3]  # the paper, last

    # The recommendation.
    page.goto(f"/panels/meetings/{meeting.pk}/")
    act.click(page.get_by_role("link", name="Approval of prospective adopters: Okafor household"))
    act.click(page.get_by_role("link", name="Record the panel's recommendation"))
    act.check(page.get_by_label("Recommended", exact=True))
    act.fill(page.get_by_label("The panel's reasons"), "A warm, reflective couple with a strong support network.")
    act.click(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The panel's recommendation was recorded"
    )
    expect(page.locator("#outcome + dl")).to_contain_text("Recommended")

    household.refresh_from_db()
    assert household.status == Household.Status.AWAITING_DECISION and household.panel_on == today
    assert AgendaItem.objects.get().recommendation == "recommended"
