"""Meetings: date, time and place, invitations and attendance, and the quorum verdict on the meeting page."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from adoption.models import AuditEvent
from panels import selectors
from panels.models import PanelAttendance, PanelMeeting, PanelRole, QuorumRule
from tests.panels.conftest import date_fields, invite, meeting, member

pytestmark = pytest.mark.django_db
R = PanelRole


def _invited(panel: PanelMeeting) -> set[str]:
    return set(PanelAttendance.objects.filter(meeting=panel, invited=True).values_list("member__name", flat=True))


def _attended(panel: PanelMeeting) -> set[str]:
    return set(PanelAttendance.objects.filter(meeting=panel, attended=True).values_list("member__name", flat=True))


def test_a_panel_adviser_adds_a_meeting_and_is_taken_to_the_invitations(client, raa, panel_adviser, frozen_today):
    client.force_login(panel_adviser)
    data = {**date_fields("held_on", date(2025, 7, 15)), "starts_at": "09:30", "place": "Leamington Spa"}
    response = client.post("/panels/meetings/new/", data)
    created = PanelMeeting.objects.get()
    assert (created.raa, created.held_on, created.starts_at, created.place) == (
        raa,
        date(2025, 7, 15),
        time(9, 30),
        "Leamington Spa",
    )
    assert response["Location"] == f"/panels/meetings/{created.pk}/invite/"
    assert AuditEvent.objects.filter(action="create", object_type="panels.panelmeeting").count() == 1


def test_the_meeting_form_keeps_what_was_typed_after_an_error(client, raa, panel_adviser, frozen_today):
    client.force_login(panel_adviser)
    data = {**date_fields("held_on", date(2025, 7, 15)), "starts_at": "25:99", "place": "Nuneaton"}
    response = client.post("/panels/meetings/new/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter the start time like 09:30 or 13:00" in body
    assert 'value="Nuneaton"' in body and 'value="25:99"' in body and 'name="held_on_day" value="15"' in body
    assert not PanelMeeting.objects.exists()


def test_one_place_holds_one_panel_at_a_time(client, raa, panel_adviser, frozen_today):
    meeting(raa, date(2025, 7, 15), place="Warwick")
    client.force_login(panel_adviser)
    data = {**date_fields("held_on", date(2025, 7, 15)), "starts_at": "10:00", "place": "Warwick"}
    response = client.post("/panels/meetings/new/", data)
    assert "There is already a panel at this place, date and time" in response.content.decode()


def test_invitations_offer_only_members_on_the_list_that_day(client, raa, la_other, panel_adviser, quorate_five):
    panel = meeting(raa, date(2025, 7, 15))
    gone = member(raa, "Gone Before", R.INDEPENDENT, off_list_on=date(2025, 7, 1))
    elsewhere = member(la_other.raa, "Other Agency", R.CHAIR)
    client.force_login(panel_adviser)
    page = client.get(f"/panels/meetings/{panel.pk}/invite/").content.decode()
    assert "Chloe Chair (chair)" in page and "Gone Before" not in page and "Other Agency" not in page
    for outsider in (gone, elsewhere):
        response = client.post(f"/panels/meetings/{panel.pk}/invite/", {"members": [quorate_five[0].pk, outsider.pk]})
        assert response.status_code == 200
        assert "Choose members who are on the central list on the date of the meeting" in response.content.decode()
    assert _invited(panel) == set()


def test_the_meeting_page_shows_the_verdict_on_who_is_invited(client, raa, panel_adviser, quorate_five, frozen_today):
    panel = meeting(raa, date(2025, 7, 15))
    chair, _social, independent, medical, _elected = quorate_five
    client.force_login(panel_adviser)
    response = client.post(f"/panels/meetings/{panel.pk}/invite/", {"members": [chair.pk, independent.pk, medical.pk]})
    assert response["Location"] == f"/panels/meetings/{panel.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert "Quorum if everyone invited attends" in body
    assert "The meeting will not be quorate" in body
    assert "Only 3 members are attending: at least 5 are needed" in body
    assert "No social work member with at least 3 years&#x27; post-qualifying experience is attending" in body
    assert "not quorate. Only 3 members are attending" in body  # the message after saving
    assert "Record attendance" not in body  # the meeting is in the future

    client.post(f"/panels/meetings/{panel.pk}/invite/", {"members": [m.pk for m in quorate_five]})
    body = client.get(f"/panels/meetings/{panel.pk}/").content.decode()
    assert "The meeting will be quorate: 5 members invited" in body
    assert _invited(panel) == {m.name for m in quorate_five}
    for m in quorate_five:
        assert m.name in body


def test_attendance_cannot_be_recorded_before_the_day(client, raa, panel_adviser, quorate_five, frozen_today):
    panel = meeting(raa, date(2025, 7, 15))
    invite(panel, *quorate_five)
    client.force_login(panel_adviser)
    response = client.post(f"/panels/meetings/{panel.pk}/attendance/", {"members": [m.pk for m in quorate_five]})
    assert "Attendance can be recorded from the day of the meeting, 15 July 2025" in response.content.decode()
    assert _attended(panel) == set()


def test_recording_attendance_rechecks_the_quorum(client, raa, panel_adviser, quorate_five, frozen_today):
    panel = meeting(raa, date(2025, 6, 10))
    invite(panel, *quorate_five)
    chair, _social, independent, medical, elected = quorate_five
    client.force_login(panel_adviser)
    before = client.get(f"/panels/meetings/{panel.pk}/").content.decode()
    assert "Attendance is not recorded yet. On the members invited, the meeting would have been quorate" in before
    form = client.get(f"/panels/meetings/{panel.pk}/attendance/").content.decode()
    assert form.count("checked") == 5  # before attendance is recorded, everyone invited is ticked

    # The social work member sent apologies.
    response = client.post(
        f"/panels/meetings/{panel.pk}/attendance/", {"members": [chair.pk, independent.pk, medical.pk, elected.pk]}
    )
    body = client.get(response["Location"]).content.decode()
    assert "The meeting was not quorate" in body
    assert "Only 4 members are attending: at least 5 are needed" in body
    assert "No social work member with at least 3 years&#x27; post-qualifying experience is attending" in body
    assert _attended(panel) == {chair.name, independent.name, medical.name, elected.name}

    # A vice chair came instead of the chair, and a social work member came without an invitation.
    vice = member(raa, "Vic Vice", R.VICE_CHAIR)
    stand_in = member(raa, "Stan Standin", R.SOCIAL_WORK, years=4)
    ids = [vice.pk, stand_in.pk, independent.pk, medical.pk, elected.pk]
    response = client.post(f"/panels/meetings/{panel.pk}/attendance/", {"members": ids})
    body = client.get(response["Location"]).content.decode()
    assert "The meeting was quorate: 5 members attended" in body
    assert "the meeting is quorate" in body
    assert _attended(panel) == {vice.name, stand_in.name, independent.name, medical.name, elected.name}
    assert _invited(panel) == {m.name for m in quorate_five}  # the invitations are kept
    assert PanelAttendance.objects.get(meeting=panel, member=stand_in).invited is False


def test_the_meeting_page_uses_the_rule_in_force_on_its_date(client, raa, panel_adviser, quorate_five):
    QuorumRule.objects.create(effective_from=date(2026, 1, 1), minimum_members=6)
    panel = meeting(raa, date(2026, 2, 3))
    invite(panel, *quorate_five)
    client.force_login(panel_adviser)
    body = client.get(f"/panels/meetings/{panel.pk}/").content.decode()
    assert "Only 5 members are attending: at least 6 are needed" in body
    assert "(from 1 January 2026): At least 6 members" in body


def test_the_meeting_page_reads_the_rule_in_force_as_the_rules_do(client, raa, panel_adviser, quorate_five):
    """The meeting's page reads the rule with the meeting: on each date, the rule ``quorum_rule_on`` chooses (the
    latest in force, from its first day; before every rule the earliest; with none configured, the defaults)."""
    QuorumRule.objects.create(effective_from=date(2026, 1, 1), minimum_members=6)
    QuorumRule.objects.create(effective_from=date(2027, 1, 1), minimum_members=7)
    days = [date(2005, 6, 1), date(2026, 2, 3), date(2026, 12, 31), date(2027, 1, 1), date(2028, 5, 5)]
    panels = [meeting(raa, day) for day in days]

    def rule_on_page(panel):
        found = selectors.meeting_page_get(actor=panel_adviser, meeting_id=panel.pk)
        return selectors.meeting_quorum(found).rule

    fields = [f.attname for f in QuorumRule._meta.concrete_fields]
    for day, panel in zip(days, panels, strict=True):
        on_page, chosen = rule_on_page(panel), selectors.quorum_rule_on(day)
        assert [getattr(on_page, f) for f in fields] == [getattr(chosen, f) for f in fields], day
    assert rule_on_page(panels[0]).effective_from == min(r.effective_from for r in QuorumRule.objects.all())
    assert rule_on_page(panels[3]).minimum_members == 7
    invite(panels[3], *quorate_five)
    client.force_login(panel_adviser)
    body = client.get(f"/panels/meetings/{panels[3].pk}/").content.decode()
    assert "(from 1 January 2027): At least 7 members" in body

    QuorumRule.objects.all().delete()
    default, chosen = rule_on_page(panels[1]), selectors.quorum_rule_on(days[1])
    assert default.pk is None
    assert [getattr(default, f) for f in fields] == [getattr(chosen, f) for f in fields]


def _member_rows(body: str) -> list[list[str]]:
    """The cells of the members table's rows, as text (tags dropped, entities kept)."""
    table = body[body.index("Members invited and attending") :]
    table = table[table.index("<tbody") : table.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)
    ]


def test_the_members_table_shows_roles_years_invitations_and_attendance(client, raa, panel_adviser):
    panel = meeting(raa, date(2026, 2, 3))
    both = member(raa, "Ann <Chair> & Co", R.SOCIAL_WORK, R.CHAIR, years=1)
    seasoned = member(raa, "Bea Social", R.SOCIAL_WORK, years=12)
    walk_in = member(raa, "Cal Independent", R.INDEPENDENT)
    invite(panel, both, seasoned)
    PanelAttendance.objects.create(meeting=panel, member=walk_in, invited=False, attended=True)
    client.force_login(panel_adviser)

    body = client.get(f"/panels/meetings/{panel.pk}/").content.decode()
    assert f'<a class="govuk-link" href="/panels/members/{both.pk}/">Ann &lt;Chair&gt; &amp; Co</a>' in body
    assert _member_rows(body) == [
        [
            "Ann &lt;Chair&gt; &amp; Co",
            "Chair, Social work member (1 year post-qualifying)",
            "Yes",
            "Not recorded yet",
        ],
        ["Bea Social", "Social work member (12 years post-qualifying)", "Yes", "Not recorded yet"],
        ["Cal Independent", "Independent member", "No", "Not recorded yet"],
    ]

    PanelMeeting.objects.filter(pk=panel.pk).update(attendance_recorded_at="2026-02-03T16:00Z")
    body = client.get(f"/panels/meetings/{panel.pk}/").content.decode()
    assert [row[3] for row in _member_rows(body)] == ["No", "No", "Yes"]


def test_moving_a_meeting_keeps_everyone_invited_on_the_list(client, raa, panel_adviser, frozen_today):
    leaving = member(raa, "Leaving Soon", R.INDEPENDENT, off_list_on=date(2025, 8, 1))
    panel = meeting(raa, date(2025, 7, 15))
    invite(panel, leaving)
    client.force_login(panel_adviser)
    data = {**date_fields("held_on", date(2025, 8, 12)), "starts_at": "10:00", "place": "Warwick"}
    response = client.post(f"/panels/meetings/{panel.pk}/edit/", data)
    assert "Leaving Soon is invited but is not on the central list on that date" in response.content.decode()
    panel.refresh_from_db()
    assert panel.held_on == date(2025, 7, 15)
    response = client.post(f"/panels/meetings/{panel.pk}/edit/", {**data, **date_fields("held_on", date(2025, 7, 22))})
    assert response.status_code == 302
    panel.refresh_from_db()
    assert panel.held_on == date(2025, 7, 22)


def test_the_meetings_list_shows_each_verdict(client, raa, panel_adviser, quorate_five, frozen_today):
    coming = meeting(raa, date(2025, 7, 15), place="Solihull")
    invite(coming, *quorate_five[:4])
    held = meeting(raa, date(2025, 6, 3), place="Coventry", attendance_recorded_at="2025-06-03T16:00Z")
    invite(held, *quorate_five, attended=True)
    client.force_login(panel_adviser)
    body = client.get("/panels/meetings/").content.decode()
    upcoming = body[body.index("Coming up") : body.index("Past meetings")]
    assert "Solihull" in upcoming and "Not quorate" in upcoming and "if all invited attend" in upcoming
    past = body[body.index("Past meetings") :]
    assert "Coventry" in past and "Quorate" in past
