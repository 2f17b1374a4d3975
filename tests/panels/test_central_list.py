"""The central list: members and their roles, the make-up the panel report asks for, appraisals, and the forms."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from adoption.models import AuditEvent
from panels import selectors
from panels.models import Gender, PanelAppraisal, PanelMember, PanelRole
from tests import factories
from tests.panels.conftest import date_fields, invite, meeting, member

pytestmark = pytest.mark.django_db
R = PanelRole


# --- the make-up summary -----------------------------------------------------------------------------------


@pytest.fixture
def mixed_list(raa, la_other):
    """Six members on the list today, one who left, one joining later, and another RAA's member."""
    member(raa, "Ada", R.CHAIR, R.INDEPENDENT, gender=Gender.WOMAN, lived_experience=True)
    member(raa, "Ben", R.VICE_CHAIR, R.INDEPENDENT, gender=Gender.MAN, lived_experience=False)
    member(raa, "Cal", R.SOCIAL_WORK, R.FOSTERING, gender=Gender.WOMAN, lived_experience=True)
    member(raa, "Dee", R.SOCIAL_WORK, gender=Gender.ANOTHER)
    member(raa, "Eve", R.MEDICAL_ADVISER, gender=Gender.WOMAN, lived_experience=False)
    member(raa, "Fay", R.ELECTED_MEMBER)
    member(raa, "Gone", R.INDEPENDENT, gender=Gender.MAN, off_list_on=date(2025, 3, 31))
    member(raa, "Later", R.INDEPENDENT, gender=Gender.MAN, on_list_from=date(2025, 9, 1))
    member(la_other.raa, "Elsewhere", R.CHAIR, gender=Gender.MAN, lived_experience=True)


def test_the_make_up_counts_members_on_the_list_today(panel_adviser, mixed_list, frozen_today):
    summary = selectors.make_up(actor=panel_adviser, today=frozen_today)
    assert summary.total == 6
    assert dict(summary.by_role) == {
        "Chair": 1,
        "Vice chair": 1,
        "Independent member": 2,
        "Social work member": 2,
        "Medical adviser": 1,
        "Elected member": 1,
        "Member with fostering experience (fostering specialist)": 1,
    }
    assert dict(summary.by_gender) == {
        "Woman": 3,
        "Man": 1,
        "Non-binary or another gender": 1,
        "Prefers not to say": 0,
        "Not recorded": 1,
    }
    assert (summary.lived_experience, summary.no_lived_experience, summary.lived_experience_not_asked) == (2, 2, 2)


def test_the_make_up_page_shows_the_counts(client, panel_adviser, mixed_list, frozen_today):
    client.force_login(panel_adviser)
    body = client.get("/panels/make-up/").content.decode()
    assert "The 6 members on the central list on 30 June 2025" in body
    assert "Gender balance" in body
    assert "Lived experience of adoption or care" in body


def test_the_list_filters_current_and_past_members(client, panel_adviser, mixed_list, frozen_today):
    client.force_login(panel_adviser)
    current = client.get("/panels/").content.decode()
    assert "Ada" in current and "Later" in current and "Joining" in current
    assert "Gone" not in current and "Elsewhere" not in current
    past = client.get("/panels/?show=past").content.decode()
    assert "Gone" in past and "Ada" not in past
    everyone = client.get("/panels/?show=all").content.decode()
    assert "Gone" in everyone and "Ada" in everyone and "Elsewhere" not in everyone


# --- appraisals --------------------------------------------------------------------------------------------


def test_appraisals_overdue_due_and_not_scheduled(client, raa, panel_adviser, frozen_today):
    late = member(raa, "Late Appraisal", R.INDEPENDENT)
    PanelAppraisal.objects.create(member=late, due_on=date(2025, 5, 31))
    soon = member(raa, "Soon Appraisal", R.INDEPENDENT)
    PanelAppraisal.objects.create(member=soon, due_on=date(2024, 6, 1), done_on=date(2024, 6, 1))
    PanelAppraisal.objects.create(member=soon, due_on=date(2025, 8, 1))
    done = member(raa, "Done Appraisal", R.INDEPENDENT)
    PanelAppraisal.objects.create(member=done, due_on=date(2025, 1, 1), done_on=date(2025, 1, 10))
    gone = member(raa, "Left Already", R.INDEPENDENT, off_list_on=date(2025, 4, 1))
    PanelAppraisal.objects.create(member=gone, due_on=date(2025, 5, 1))

    due = selectors.appraisals(actor=panel_adviser, today=frozen_today)
    assert [m.name for m in due.overdue] == ["Late Appraisal"]
    assert [m.name for m in due.scheduled] == ["Soon Appraisal"]
    assert [m.name for m in due.not_scheduled] == ["Done Appraisal"]

    client.force_login(panel_adviser)
    body = client.get("/panels/appraisals/").content.decode()
    overdue_table = body[body.index("Overdue (1)") : body.index("Due (1)")]
    assert "Late Appraisal" in overdue_table and "31 May 2025" in overdue_table
    assert "Left Already" not in body


def test_members_appraisals_are_for_the_panels_staff_and_the_member_themselves(client, raa, adm, frozen_today):
    from adoption.models import Role

    chair_user = factories.staff(raa, Role.PANEL_MEMBER, username="chair.member")
    chair = member(raa, "Chair Person", R.CHAIR, user=chair_user)
    PanelAppraisal.objects.create(member=chair, due_on=date(2025, 5, 31))
    other = member(raa, "Other Member", R.INDEPENDENT)
    PanelAppraisal.objects.create(member=other, due_on=date(2025, 4, 30))

    # A panel member reads the list and the members' pages, but not the others' appraisals.
    client.force_login(chair_user)
    assert client.get("/panels/appraisals/").status_code == 403
    listing = client.get("/panels/").content.decode()
    assert "Other Member" in listing and "Next appraisal" not in listing and "30 Apr 2025" not in listing
    assert "/panels/appraisals/" not in client.get("/panels/dashboard/").content.decode()
    others_page = client.get(f"/panels/members/{other.pk}/").content.decode()
    assert "Other Member" in others_page and "Appraisals" not in others_page and "30 Apr 2025" not in others_page
    own_page = client.get(f"/panels/members/{chair.pk}/").content.decode()
    assert "Appraisals" in own_page and "31 May 2025" in own_page

    # The ADM reads the panel's pages, not its members' appraisals either.
    client.force_login(adm)
    assert client.get("/panels/appraisals/").status_code == 403
    board = client.get("/panels/dashboard/").content.decode()
    assert "Appraisals overdue" not in board


def test_recording_an_appraisal_done_schedules_the_next(client, raa, panel_adviser, frozen_today):
    late = member(raa, "Late Appraisal", R.INDEPENDENT)
    PanelAppraisal.objects.create(member=late, due_on=date(2025, 5, 31))
    client.force_login(panel_adviser)
    data = {**date_fields("due_on", date(2025, 5, 31)), **date_fields("done_on", date(2025, 6, 20))}
    data.update(date_fields("next_due_on", date(2026, 6, 20)))
    response = client.post(f"/panels/members/{late.pk}/appraisal/", data)
    assert response.status_code == 302
    assert list(late.appraisals.order_by("due_on").values_list("due_on", "done_on")) == [
        (date(2025, 5, 31), date(2025, 6, 20)),
        (date(2026, 6, 20), None),
    ]
    assert [m.name for m in selectors.appraisals(actor=panel_adviser, today=frozen_today).scheduled] == [
        "Late Appraisal"
    ]


def test_an_appraisal_cannot_be_done_in_the_future(client, raa, panel_adviser, frozen_today):
    someone = member(raa, "Someone", R.INDEPENDENT)
    client.force_login(panel_adviser)
    data = {**date_fields("due_on", date(2025, 7, 31)), **date_fields("done_on", date(2025, 7, 1))}
    data.update(date_fields("next_due_on", None))
    response = client.post(f"/panels/members/{someone.pk}/appraisal/", data)
    assert response.status_code == 200
    assert "The date done must be today or in the past" in response.content.decode()
    assert not someone.appraisals.exists()


def test_the_database_holds_one_open_appraisal_per_member(raa):
    someone = member(raa, "Someone", R.INDEPENDENT)
    PanelAppraisal.objects.create(member=someone, due_on=date(2025, 7, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        PanelAppraisal.objects.create(member=someone, due_on=date(2025, 8, 31))


# --- adding and changing members ---------------------------------------------------------------------------

NEW_MEMBER = {
    "name": "Priya Patel",
    "roles": [R.SOCIAL_WORK, R.VICE_CHAIR],
    "post_qualifying_years": "7",
    **date_fields("on_list_from", date(2025, 4, 1)),
    **date_fields("off_list_on", None),
    "gender": Gender.WOMAN,
    "lived_experience": "yes",
    "user": "",
}


def test_a_panel_adviser_adds_a_member(client, raa, panel_adviser, frozen_today):
    client.force_login(panel_adviser)
    assert "Add a member" in client.get("/panels/").content.decode()
    response = client.post("/panels/members/new/", NEW_MEMBER)
    created = PanelMember.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/panels/members/{created.pk}/"
    assert (created.raa, created.roles, created.post_qualifying_years) == (raa, [R.VICE_CHAIR, R.SOCIAL_WORK], 7)
    assert created.lived_experience is True and created.gender == Gender.WOMAN
    assert AuditEvent.objects.filter(action="create", object_type="panels.panelmember", object_id=str(created.pk))
    page = client.get(response["Location"]).content.decode()
    assert "Vice chair" in page and "Social work member" in page and "7 years" in page


def test_the_member_form_keeps_what_was_typed_after_an_error(client, raa, panel_adviser, frozen_today):
    client.force_login(panel_adviser)
    response = client.post("/panels/members/new/", {**NEW_MEMBER, "post_qualifying_years": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter the social work member&#x27;s years of post-qualifying experience" in body
    assert 'value="Priya Patel"' in body
    assert 'name="roles" type="checkbox" value="social_work" checked' in body
    assert 'name="on_list_from_day" value="1"' in body
    assert 'value="woman" checked' in body
    assert not PanelMember.objects.exists()


def test_years_are_only_for_social_work_members(client, raa, panel_adviser, frozen_today):
    client.force_login(panel_adviser)
    response = client.post("/panels/members/new/", {**NEW_MEMBER, "roles": [R.INDEPENDENT]})
    assert "Years of post-qualifying experience are for social work members" in response.content.decode()
    response = client.post("/panels/members/new/", {**NEW_MEMBER, "roles": []})
    assert "Choose at least one role" in response.content.decode()
    assert not PanelMember.objects.exists()


def test_the_dates_on_the_list_must_be_in_order(client, raa, panel_adviser, frozen_today):
    client.force_login(panel_adviser)
    response = client.post("/panels/members/new/", {**NEW_MEMBER, **date_fields("off_list_on", date(2025, 3, 1))})
    assert "The date taken off the list must be on or after the date they joined it" in response.content.decode()
    assert 'name="off_list_on_month" value="3"' in response.content.decode()


def test_an_account_must_work_for_the_raa(client, raa, la_a, panel_adviser, frozen_today):
    outsider = factories.staff(la_a, "social_worker", username="outsider")
    colleague = factories.staff(raa, "panel_member", username="colleague")
    client.force_login(panel_adviser)
    response = client.post("/panels/members/new/", {**NEW_MEMBER, "user": outsider.pk})
    assert response.status_code == 200 and not PanelMember.objects.exists()
    assert client.post("/panels/members/new/", {**NEW_MEMBER, "user": colleague.pk}).status_code == 302
    assert PanelMember.objects.get().user == colleague


def test_the_database_refuses_unknown_or_no_roles_and_years_without_social_work(raa):
    for roles, years in (([], None), (["treasurer"], None), ([R.INDEPENDENT], 4), ([R.SOCIAL_WORK], None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            PanelMember.objects.create(
                raa=raa, name="X", roles=roles, post_qualifying_years=years, on_list_from=date(2025, 1, 1)
            )


def test_taking_a_member_off_the_list_keeps_their_meetings_inside_it(client, raa, panel_adviser, frozen_today):
    someone = member(raa, "Someone", R.INDEPENDENT)
    invite(meeting(raa, date(2025, 7, 15)), someone)
    client.force_login(panel_adviser)
    data = {
        **NEW_MEMBER,
        "name": "Someone",
        "roles": [R.INDEPENDENT],
        "post_qualifying_years": "",
        **date_fields("on_list_from", date(2024, 1, 1)),
        **date_fields("off_list_on", date(2025, 7, 1)),
    }
    response = client.post(f"/panels/members/{someone.pk}/edit/", data)
    assert "Someone is recorded at the panel on 15 July 2025" in response.content.decode()
    someone.refresh_from_db()
    assert someone.off_list_on is None
    data.update(date_fields("off_list_on", date(2025, 7, 16)))
    response = client.post(f"/panels/members/{someone.pk}/edit/", data)
    assert response.status_code == 302
    someone.refresh_from_db()
    assert someone.off_list_on == date(2025, 7, 16)
    assert someone.events.count() == 2  # pghistory: the insert and the update
