"""The agenda: items and their slots, papers missing and late, confirming a quorate meeting, recommendations,
minutes and the ADM's decisions on time, reaching the household and the match through their own services."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from adopters.models import Household
from adoption.models import AuditEvent, Role
from children import services as child_services
from children.models import AdoptivePlacement
from panels import services
from panels.models import AgendaItem, AgendaPaper, MeetingMinutes, PanelSettings, PaperKind
from tests import factories
from tests.children.conftest import DECISION, enter_care
from tests.panels.conftest import R, date_fields, invite, meeting, member

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False)


def pdf(pages: int = 1) -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return SimpleUploadedFile("report.pdf", out.getvalue(), content_type="application/pdf")


def awaiting_panel(raa, name: str = "Okafor household") -> Household:
    return factories.HouseholdFactory(
        approving_agency=raa,
        name=name,
        status=Household.Status.AWAITING_PANEL,
        approved_on=None,
        stage2_ended_on=date(2026, 11, 2),
    )


@pytest.fixture
def panel(raa):
    """A panel on Thursday 10 December 2026 at 10:00."""
    return meeting(raa, date(2026, 12, 10))


@pytest.fixture
def quorate(raa, panel, quorate_five):
    invite(panel, *quorate_five)
    return panel


def add(actor, panel, household) -> AgendaItem:
    with at(date(2026, 11, 20)):
        return services.agenda_item_add(
            actor=actor, meeting_id=panel.pk, kind=AgendaItem.Kind.APPROVAL, household_id=household.pk
        )


# --- the agenda ------------------------------------------------------------------------------------------------


def test_items_take_staggered_slots_and_the_agenda_stops_at_the_limit(client, raa, panel, panel_adviser):
    items = [add(panel_adviser, panel, awaiting_panel(raa, f"Family {n}")) for n in range(6)]
    assert [i.starts_at for i in items] == [
        time(10, 0),
        time(10, 45),
        time(11, 30),
        time(12, 15),
        time(13, 0),
        time(13, 45),
    ]
    with pytest.raises(ValidationError) as refused:
        add(panel_adviser, panel, awaiting_panel(raa, "Family 7"))
    assert refused.value.message_dict["kind"] == [
        "This agenda already has 6 items, the most one meeting takes: use another meeting"
    ]

    # The page shows each item's time and the time its attendees are asked to arrive (15 minutes before).
    with at(date(2026, 11, 20)):
        client.force_login(panel_adviser)
        page = text_of(client.get(reverse("panels:meeting", args=[panel.pk])))
    assert "6 of at most 6 items" in page
    assert "2 10:45 10:30 Approval of prospective adopters: Family 1" in page
    assert "Add an item" not in page and "The agenda is full" in page


def test_the_limit_and_slot_length_are_the_raas_settings(raa, panel, panel_adviser):
    PanelSettings.objects.create(raa=raa, item_limit=2, item_minutes=60)
    first, second = (add(panel_adviser, panel, awaiting_panel(raa, f"Family {n}")) for n in range(2))
    assert (first.starts_at, second.starts_at) == (time(10, 0), time(11, 0))
    with pytest.raises(ValidationError, match="already has 2 items"):
        add(panel_adviser, panel, awaiting_panel(raa, "Family 3"))


def test_moving_an_item_renumbers_and_retimes_the_agenda(client, raa, panel, panel_adviser):
    first, second = (add(panel_adviser, panel, awaiting_panel(raa, f"Family {n}")) for n in range(2))
    with at(date(2026, 11, 20)):
        client.force_login(panel_adviser)
        client.post(reverse("panels:item-move", args=[second.pk]), {"to": "up"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.position, second.starts_at) == (1, time(10, 0))
    assert (first.position, first.starts_at) == (2, time(10, 45))


def test_the_agenda_offers_each_item_the_moves_it_can_make_and_a_member_none(
    client, raa, panel, panel_adviser, panel_member_user
):
    items = [add(panel_adviser, panel, awaiting_panel(raa, f"Family {n}")) for n in range(3)]
    with at(date(2026, 11, 20)):
        client.force_login(panel_adviser)
        page = client.get(reverse("panels:meeting", args=[panel.pk])).content.decode()
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page.split('id="agenda-items"')[1], re.S)
    assert len(rows) == 1 + 3  # the header and the three items
    moves = [re.findall(r'value="(up|down)"', row) for row in rows[1:]]
    assert moves == [["down"], ["up", "down"], ["up"]]
    for item, row in zip(items, rows[1:], strict=True):
        assert f'action="{reverse("panels:item-move", args=[item.pk])}"' in row
        assert re.search(r'<input type="hidden" name="csrfmiddlewaretoken" value="\w+">', row)
        assert f'href="{reverse("panels:item", args=[item.pk])}"' in row
        assert 'Adopter&#x27;s Report (PAR): <strong class="govuk-tag govuk-tag--red">Missing</strong>' in row
    # The form moves the item it names (as test_moving_an_item_renumbers_and_retimes_the_agenda shows).
    with at(date(2026, 11, 20)):
        client.force_login(panel_member_user)
        page = client.get(reverse("panels:meeting", args=[panel.pk])).content.decode()
    assert (
        'value="up"' not in page and 'value="down"' not in page and "Approval of prospective adopters: Family 2" in page
    )


def test_only_the_raas_own_records_and_households_waiting_for_panel_go_on_its_agenda(
    raa, la_other, panel, panel_adviser
):
    approved = factories.HouseholdFactory(approving_agency=raa, name="Approved household")
    with pytest.raises(ValidationError, match="Approved household is not waiting for panel"):
        add(panel_adviser, panel, approved)
    elsewhere = factories.HouseholdFactory(
        approving_agency=la_other.raa, status=Household.Status.AWAITING_PANEL, approved_on=None
    )
    with pytest.raises(ValidationError, match="Choose a household this RAA is assessing or has approved"):
        add(panel_adviser, panel, elsewhere)
    assert not AgendaItem.objects.exists()


def test_the_same_household_is_not_put_on_two_coming_agendas(raa, panel, panel_adviser):
    household = awaiting_panel(raa)
    add(panel_adviser, panel, household)
    later = meeting(raa, date(2027, 1, 14))
    with pytest.raises(ValidationError, match="already on the agenda of the Panel 10 Dec 2026"):
        add(panel_adviser, later, household)


def test_a_panel_member_reads_the_agenda_but_cannot_change_it(client, raa, panel, panel_adviser):
    reader = factories.staff(raa, Role.PANEL_MEMBER, username="member.raa")
    with pytest.raises(PermissionDenied):
        add(reader, panel, awaiting_panel(raa))
    add(panel_adviser, panel, awaiting_panel(raa))
    with at(date(2026, 11, 20)):
        client.force_login(reader)
        page = text_of(client.get(reverse("panels:meeting", args=[panel.pk])))
        assert "Okafor household" in page and "Add an item" not in page
        assert client.get(reverse("panels:item-add", args=[panel.pk])).status_code == 403


# --- papers ------------------------------------------------------------------------------------------------------


def test_papers_missing_and_late_are_flagged(client, raa, panel, panel_adviser):
    item = add(panel_adviser, panel, awaiting_panel(raa))
    client.force_login(panel_adviser)
    # Papers are due 10 working days before Thursday 10 December 2026: Thursday 26 November.
    with at(date(2026, 11, 20)):
        page = text_of(client.get(reverse("panels:meeting", args=[panel.pk])))
    assert "Papers are due by Thursday 26 November 2026" in page
    assert "Prospective Adopter's Report (PAR): Missing" in page and "1 paper missing" in page

    with at(date(2026, 11, 27)):
        client.force_login(panel_adviser)  # a new day, a new session
        response = client.post(
            reverse("panels:paper-upload", args=[item.pk]), {"kind": PaperKind.PAR, "title": "", "upload": pdf(3)}
        )
        assert response.status_code == 302
        page = text_of(client.get(reverse("panels:meeting", args=[panel.pk])))
    assert "Prospective Adopter's Report (PAR): Late" in page
    paper = AgendaPaper.objects.get()
    assert (paper.pages, paper.uploaded_by) == (3, panel_adviser)


def test_a_new_version_replaces_the_paper_and_the_old_one_is_kept(raa, panel, panel_adviser):
    item = add(panel_adviser, panel, awaiting_panel(raa))
    with at(date(2026, 11, 23)):
        services.agenda_paper_upload(actor=panel_adviser, item_id=item.pk, kind=PaperKind.PAR, upload=pdf(1))
        services.agenda_paper_upload(actor=panel_adviser, item_id=item.pk, kind=PaperKind.PAR, upload=pdf(2))
    old, new = AgendaPaper.objects.order_by("id")
    assert old.replaced_at is not None and new.replaced_at is None and new.pages == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a zip, not a pdf", "The file must be a PDF"),
        (b"%PDF-1.7\n garbage with no pages", "The PDF cannot be read"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused_and_nothing_is_saved(
    client, raa, panel, panel_adviser, content, message
):
    item = add(panel_adviser, panel, awaiting_panel(raa))
    with at(date(2026, 11, 23)):
        client.force_login(panel_adviser)
        upload = SimpleUploadedFile("par.pdf", content, content_type="application/pdf")
        response = client.post(
            reverse("panels:paper-upload", args=[item.pk]),
            {"kind": PaperKind.PAR, "title": "Okafor PAR", "upload": upload},
        )
    assert response.status_code == 200
    page = text_of(response)
    assert message in page and 'value="Okafor PAR"' in response.content.decode()
    assert not AgendaPaper.objects.exists()


def test_a_paper_is_read_only_by_the_meeting_and_its_staff_and_a_refusal_is_audited(client, raa, panel, panel_adviser):
    item = add(panel_adviser, panel, awaiting_panel(raa))
    with at(date(2026, 11, 23)):
        paper = services.agenda_paper_upload(actor=panel_adviser, item_id=item.pk, kind=PaperKind.PAR, upload=pdf())
    url = reverse("panels:paper", args=[paper.pk])
    client.force_login(panel_adviser)
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, object_id=str(paper.pk)).count() == 1

    sitting = factories.staff(raa, Role.PANEL_MEMBER, username="sitting")
    invite(panel, member(raa, "Sitting Member", R.INDEPENDENT, user=sitting))
    client.force_login(sitting)
    assert client.get(url).status_code == 200

    not_sitting = factories.staff(raa, Role.PANEL_MEMBER, username="not.sitting")
    client.force_login(not_sitting)
    assert client.get(url).status_code == 404
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_REFUSED, actor=not_sitting)
    assert refused.count() == 1


# --- confirming -------------------------------------------------------------------------------------------------


def test_an_inquorate_meeting_cannot_be_confirmed_and_the_message_says_what_is_missing(
    client, raa, panel, panel_adviser, quorate_five
):
    invite(panel, *quorate_five[1:])  # no chair
    add(panel_adviser, panel, awaiting_panel(raa))
    with at(date(2026, 11, 20)):
        client.force_login(panel_adviser)
        response = client.post(reverse("panels:confirm", args=[panel.pk]), follow=True)
    page = text_of(response)
    assert "The meeting is not quorate, so it cannot be confirmed:" in page
    assert "Only 4 members are attending: at least 5 are needed" in page
    assert "No chair or vice chair is attending" in page
    panel.refresh_from_db()
    assert panel.confirmed_at is None


def test_a_quorate_meeting_is_confirmed_and_a_change_of_invitations_needs_confirming_again(
    raa, quorate, panel_adviser, quorate_five
):
    add(panel_adviser, quorate, awaiting_panel(raa))
    with at(date(2026, 11, 20)):
        services.panel_meeting_confirm(actor=panel_adviser, meeting_id=quorate.pk)
        quorate.refresh_from_db()
        assert quorate.confirmed_at is not None
        services.panel_meeting_invite(
            actor=panel_adviser, meeting_id=quorate.pk, member_ids=[m.pk for m in quorate_five[:4]]
        )
    quorate.refresh_from_db()
    assert quorate.confirmed_at is None


def test_a_match_with_the_foster_carers_needs_a_member_with_fostering_experience(
    raa, la_a, quorate, panel_adviser, family_finder, quorate_five
):
    child = factories.ChildFactory(responsible_la=la_a, first_name="Freya", last_name="Foster")
    enter_care(family_finder, child)
    child_services.adoption_decision_record(actor=family_finder, child_id=child.pk, decided_on=DECISION)
    carers = factories.HouseholdFactory(approving_agency=raa, name="Carers household")
    from adopters.models import Availability

    Availability.objects.create(household=carers, status=Availability.Status.AVAILABLE, status_from=date(2023, 9, 1))
    with at(date(2026, 11, 2)):
        [link] = child_services.link_record(
            actor=family_finder,
            child_id=child.pk,
            household_id=carers.pk,
            origin="agency",
            started_on=date(2026, 11, 2),
        )
    with at(date(2026, 11, 20)):
        item = services.agenda_item_add(
            actor=panel_adviser, meeting_id=quorate.pk, kind="match", link_id=link.pk, with_foster_carers=True
        )
        assert item.needs_fostering_experience
        with pytest.raises(ValidationError) as refused:
            services.panel_meeting_confirm(actor=panel_adviser, meeting_id=quorate.pk)
        assert (
            "A member with fostering experience is needed for a match with foster carers or fostering for adoption"
            in refused.value.messages
        )
        fosterer = member(raa, "Fay Fostering", R.FOSTERING)
        services.panel_meeting_invite(
            actor=panel_adviser, meeting_id=quorate.pk, member_ids=[m.pk for m in [*quorate_five, fosterer]]
        )
        services.panel_meeting_confirm(actor=panel_adviser, meeting_id=quorate.pk)


# --- recommendation, minutes, decision ----------------------------------------------------------------------------


def _through_panel(client, panel_adviser, panel, item, minutes_final_on: date):
    with at(panel.held_on):
        client.force_login(panel_adviser)
        response = client.post(
            reverse("panels:recommendation", args=[item.pk]),
            {"recommendation": "recommended", "reasons": "A warm, reflective couple; strong support network."},
        )
        assert response.status_code == 302, text_of(response)
    with at(minutes_final_on):
        client.force_login(panel_adviser)
        response = client.post(reverse("panels:minutes-draft", args=[panel.pk]), date_fields("on", panel.held_on))
        assert response.status_code == 302, text_of(response)
        response = client.post(reverse("panels:minutes-final", args=[panel.pk]), date_fields("on", minutes_final_on))
        assert response.status_code == 302, text_of(response)


def test_an_adm_approval_made_on_the_panel_page_shows_on_the_households_timeline(
    client, raa, quorate, panel_adviser, adm
):
    household = awaiting_panel(raa)
    item = add(panel_adviser, quorate, household)
    _through_panel(client, panel_adviser, quorate, item, minutes_final_on=date(2026, 12, 22))
    household.refresh_from_db()
    assert (household.status, household.panel_on, household.panel_recommendation) == (
        Household.Status.AWAITING_DECISION,
        date(2026, 12, 10),
        "suitable",
    )
    item.refresh_from_db()
    # Final minutes reach the ADM on Tuesday 22 December 2026: 7 working days, skipping Christmas Day, Boxing Day
    # (substitute Monday 28th) and New Year's Day, is Tuesday 5 January 2027.
    assert item.decision_due_on == date(2027, 1, 5)

    with at(date(2027, 1, 4)):
        client.force_login(adm)
        page = text_of(client.get(reverse("panels:item", args=[item.pk])))
        assert "Due by Tuesday 5 January 2027" in page
        response = client.post(
            reverse("panels:decision", args=[item.pk]),
            {
                "decision": "agreed",
                **date_fields("decided_on", date(2027, 1, 4)),
                "reasons": "",
                "approved_children_min": "1",
                "approved_children_max": "2",
                "approved_age_min": "0",
                "approved_age_max": "4",
                "approved_for_siblings": "yes",
                "disability_openness": "",
                "early_permanence_approved": "no",
            },
        )
        assert response.status_code == 302, text_of(response)
        timeline = text_of(client.get(reverse("adopters:detail", args=[household.pk])))
    household.refresh_from_db()
    assert (household.status, household.approved_on, household.approved_children_max) == (
        Household.Status.APPROVED,
        date(2027, 1, 4),
        2,
    )
    assert "Approved by the agency decision maker" in timeline and "4 January 2027" in timeline
    item.refresh_from_db()
    # Told within 2 working days of Monday 4 January: Wednesday 6 January.
    assert (item.decided_by, item.told_due_on) == (adm, date(2027, 1, 6))


def test_a_decision_waits_for_the_final_minutes_and_is_not_before_the_adm_received_them(
    client, raa, quorate, panel_adviser, adm
):
    item = add(panel_adviser, quorate, awaiting_panel(raa))
    with at(quorate.held_on):
        services.recommendation_record(
            actor=panel_adviser, item_id=item.pk, recommendation="recommended", reasons="Good report."
        )
        with pytest.raises(ValidationError, match="once the final minutes have reached them"):
            services.decision_record(actor=adm, item_id=item.pk, decision="agreed", decided_on=quorate.held_on)
    with at(date(2026, 12, 15)):
        services.minutes_step(actor=panel_adviser, meeting_id=quorate.pk, status="draft", on=date(2026, 12, 11))
        services.minutes_step(actor=panel_adviser, meeting_id=quorate.pk, status="final", on=date(2026, 12, 15))
        with pytest.raises(ValidationError) as refused:
            services.decision_record(actor=adm, item_id=item.pk, decision="agreed", decided_on=date(2026, 12, 14))
    assert refused.value.message_dict["decided_on"] == [
        "The ADM received the final minutes on 15 December 2026: the decision is on or after that"
    ]
    assert MeetingMinutes.objects.get().status == "final"


def test_minutes_are_final_only_when_every_item_has_its_recommendation(raa, quorate, panel_adviser):
    add(panel_adviser, quorate, awaiting_panel(raa))
    with at(date(2026, 12, 11)), pytest.raises(ValidationError) as refused:
        services.minutes_step(actor=panel_adviser, meeting_id=quorate.pk, status="draft", on=date(2026, 12, 11))
        services.minutes_step(actor=panel_adviser, meeting_id=quorate.pk, status="final", on=date(2026, 12, 11))
    assert refused.value.message_dict["status"] == [
        "Record the panel's recommendation on item 1 before the minutes are final"
    ]


def test_a_panel_member_cannot_record_a_decision(client, raa, quorate, panel_adviser):
    item = add(panel_adviser, quorate, awaiting_panel(raa))
    _through_panel(client, panel_adviser, quorate, item, minutes_final_on=date(2026, 12, 15))
    reader = factories.staff(raa, Role.PANEL_MEMBER, username="member.raa")
    with at(date(2026, 12, 16)):
        client.force_login(reader)
        assert client.get(reverse("panels:decision", args=[item.pk])).status_code == 403


def test_a_match_recommended_and_agreed_is_the_match_decision(raa, la_a, quorate, panel_adviser, adm, family_finder):
    child = factories.ChildFactory(responsible_la=la_a, first_name="Maya", last_name="Moss")
    enter_care(family_finder, child)
    child_services.adoption_decision_record(actor=family_finder, child_id=child.pk, decided_on=DECISION)
    family = factories.HouseholdFactory(approving_agency=raa, name="Nowak household")
    from adopters.models import Availability

    Availability.objects.create(household=family, status=Availability.Status.AVAILABLE, status_from=date(2023, 9, 1))
    with at(date(2026, 11, 2)):
        [link] = child_services.link_record(
            actor=family_finder,
            child_id=child.pk,
            household_id=family.pk,
            origin="agency",
            started_on=date(2026, 11, 2),
        )
    with at(date(2026, 11, 20)):
        item = services.agenda_item_add(actor=panel_adviser, meeting_id=quorate.pk, kind="match", link_id=link.pk)
    assert not item.needs_fostering_experience
    with at(quorate.held_on):
        services.recommendation_record(
            actor=panel_adviser, item_id=item.pk, recommendation="recommended", reasons="Good"
        )
    with at(date(2026, 12, 14)):
        services.minutes_step(actor=panel_adviser, meeting_id=quorate.pk, status="draft", on=date(2026, 12, 11))
        services.minutes_step(actor=panel_adviser, meeting_id=quorate.pk, status="final", on=date(2026, 12, 14))
    with at(date(2026, 12, 16)):
        with pytest.raises(PermissionDenied):  # the panel adviser may record an approval, not a match, for the ADM
            services.decision_record(
                actor=panel_adviser, item_id=item.pk, decision="agreed", decided_on=date(2026, 12, 16)
            )
        services.decision_record(actor=adm, item_id=item.pk, decision="agreed", decided_on=date(2026, 12, 16))
    item.refresh_from_db()
    match = item.match
    link.refresh_from_db()
    assert link.outcome == "matched"
    assert (match.panel_on, match.panel_recommendation, match.decided_on) == (
        date(2026, 12, 10),
        "recommended",
        date(2026, 12, 16),
    )
    assert AdoptivePlacement.objects.get(child=child).matched_on == date(2026, 12, 16)


def _final_before_easter(raa, actor, held_on: date, name: str, recommendation: str) -> AgendaItem:
    """An approval at a panel on ``held_on`` in March 2027, recommended, and its minutes final on Thursday 25 March."""
    panel = meeting(raa, held_on, place=name)
    household = awaiting_panel(raa, f"{name} household")
    with at(date(2027, 3, 10)):
        item = services.agenda_item_add(
            actor=actor, meeting_id=panel.pk, kind=AgendaItem.Kind.APPROVAL, household_id=household.pk
        )
    with at(held_on):
        services.recommendation_record(actor=actor, item_id=item.pk, recommendation=recommendation, reasons="Read")
    with at(date(2027, 3, 25)):
        services.minutes_step(actor=actor, meeting_id=panel.pk, status="draft", on=held_on)
        services.minutes_step(actor=actor, meeting_id=panel.pk, status="final", on=date(2027, 3, 25))
    item.refresh_from_db()
    return item


def test_over_easter_the_adm_has_until_the_seventh_working_day(raa, panel_adviser):
    """Final minutes reach the ADM on Thursday 25 March 2027: Good Friday (26th) and Easter Monday (29th) are not
    working days, so the decision is due on Wednesday 7 April (30, 31 March, 1, 2, 5, 6, 7 April)."""
    recommended = _final_before_easter(raa, panel_adviser, date(2027, 3, 19), "Coventry", "recommended")
    assert recommended.decision_due_on == date(2027, 4, 7)

    deferred = _final_before_easter(raa, panel_adviser, date(2027, 3, 18), "Solihull", "deferred")
    assert deferred.decision_due_on is None  # deferred: no decision is due; it comes back to a later panel
    assert deferred.household.status == Household.Status.AWAITING_PANEL
