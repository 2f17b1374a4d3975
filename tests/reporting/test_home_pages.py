"""The home page of each role: its own work and what is overdue, and what needs attention first.

The nine roles each hold their role at LA A and at the RAA (as in tests/test_role_matrix.py), so only the role
decides what the page shows. The clock is frozen on Monday 30 June 2025.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adoption.models import Role
from children import selectors as child_selectors
from children.journey import next_steps
from children.models import ChildPermanenceReport, FamilyFindingStatus, ProceedingsTracking
from panels.models import AgendaItem, PanelAttendance, PanelMeeting, PanelMember, PanelRole
from reporting.home import overdue_children
from support.models import SupportRequest
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2025, 6, 30, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


def text_of(response) -> str:
    """The page's words as a reader sees them: inline elements run on with the text around them."""
    body = re.sub(r"</?(?:a|strong|span|time)\b[^>]*>", "", response.content.decode())
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def waiting_child(la, first: str, last: str, *, decided: date, order: date | None = None):
    child = factories.ChildFactory(responsible_la=la, first_name=first, last_name=last)
    factories.PeriodOfCareFactory(child=child, started_on=decided - timedelta(days=200))
    factories.AdoptionDecisionFactory(child=child, decided_on=decided)
    if order:
        factories.PlacementOrderFactory(child=child, made_on=order)
    return child


@pytest.fixture
def users(la_a, raa):
    found = {}
    for role in Role:
        user = factories.staff(la_a, role, username=f"{role.value}.home")
        factories.MembershipFactory(user=user, organisation=raa, role=role)
        found[role] = user
    return found


def _item(panel, position: int, name: str, **fields) -> AgendaItem:
    household = factories.HouseholdFactory(approving_agency=panel.raa, name=name)
    return AgendaItem.objects.create(
        meeting=panel,
        position=position,
        kind=AgendaItem.Kind.APPROVAL,
        starts_at=time(10),
        household=household,
        **fields,
    )


@pytest.fixture
def world(la_a, la_b, raa, users):
    """Each role's work: an overdue child, panels past and coming, a support request, an API client."""
    overdue = waiting_child(la_a, "Olly", "Overdue", decided=date(2024, 1, 2))  # placement order due 2 July 2024
    waiting_child(la_a, "Tess", "Ontime", decided=date(2025, 6, 2))
    past = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 6, 17), starts_at=time(10), place="Warwick")
    _item(
        past,
        1,
        "The Patels",
        recommendation="recommended",
        recommendation_reasons="Ready",
        decision_due_on=date(2025, 6, 26),
    )
    _item(
        past,
        2,
        "The Quinns",
        recommendation="recommended",
        recommendation_reasons="Ready",
        decision_due_on=date(2025, 7, 2),
    )
    invited = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 7, 8), starts_at=time(10), place="Rugby")
    _item(invited, 1, "The Rahmans")  # no PAR yet
    other = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 7, 10), starts_at=time(10), place="Nuneaton")
    PanelMeeting.objects.create(raa=raa, held_on=date(2025, 8, 20), starts_at=time(10), place="Later")
    member = PanelMember.objects.create(
        raa=raa,
        name="Pat Member",
        roles=[PanelRole.INDEPENDENT],
        on_list_from=date(2024, 1, 1),
        user=users[Role.PANEL_MEMBER],
    )
    PanelAttendance.objects.create(meeting=invited, member=member, invited=True)
    SupportRequest.objects.create(
        la=la_a,
        family_name="The Okafors",
        requested_by="Mrs Okafor",
        requester=SupportRequest.Requester.ADOPTIVE_PARENT,
        received_on=date(2025, 6, 2),
        topic="settling",
        status=SupportRequest.Status.ALLOCATED,
        allocated_to=users[Role.SUPPORT_SOCIAL_WORKER],
        allocated_on=date(2025, 6, 3),
    )
    SupportRequest.objects.create(
        la=la_a,
        family_name="The Newcomers",
        requested_by="Mr Newcomer",
        requester=SupportRequest.Requester.ADOPTIVE_PARENT,
        received_on=date(2025, 6, 20),
        topic="settling",
    )
    client_record, _token = factories.api_client_with_token(la_a, name="Ashby case system")
    client_record.expires_at = timezone.now() + timedelta(days=10)
    client_record.save()
    return {"overdue": overdue, "invited": invited, "other": other}


# Each role's sections (headings a reader sees), and sections that are not theirs.
SECTIONS: dict[Role, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Role.SOCIAL_WORKER: (
        ("Children waiting", "Children with something overdue"),
        ("ADM decisions due", "Adoption support", "Administration", "Panels in the next 14 days"),
    ),
    Role.FAMILY_FINDER: (
        ("Children waiting", "Children with something overdue", "Adopters"),
        ("ADM decisions due", "Adoption support", "Administration"),
    ),
    Role.ASSESSING_SOCIAL_WORKER: (
        ("Adopters", "The pipeline"),
        ("Children with something overdue", "ADM decisions due", "Adoption support", "Administration"),
    ),
    Role.PANEL_ADVISER: (
        ("ADM decisions due", "Panels in the next 14 days", "Your agency's panels"),
        ("Children with something overdue", "Adoption support", "Administration", "Panels you are invited to"),
    ),
    Role.PANEL_MEMBER: (
        ("Panels in the next 14 days", "Panels you are invited to"),
        ("ADM decisions due", "Your agency's panels", "Children with something overdue", "Adoption support"),
    ),
    Role.ADM: (
        ("ADM decisions due", "Reports"),
        ("Your agency's panels", "Children with something overdue", "Adoption support", "Administration"),
    ),
    Role.SUPPORT_SOCIAL_WORKER: (
        ("Adoption support", "Your support requests"),
        ("ADM decisions due", "Children with something overdue", "Administration"),
    ),
    Role.MANAGER: (
        ("Children with something overdue", "ADM decisions due", "Your agency's panels", "Adoption support", "Reports"),
        ("Administration", "Panels you are invited to"),
    ),
    Role.ADMINISTRATOR: (
        ("Administration", "API clients", "Recent jobs", "Reports"),
        ("ADM decisions due", "Children with something overdue", "Adoption support"),
    ),
}


def headings(response) -> list[str]:
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", h)).split())
        for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", response.content.decode(), re.S)
    ]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_roles_home_page_shows_its_own_sections(client, users, world, role):
    client.force_login(users[role])
    response = client.get("/")
    assert response.status_code == 200
    found = headings(response)
    shown, not_shown = SECTIONS[role]
    for heading in shown:
        assert any(h.startswith(heading) for h in found), f"{role}: no {heading!r} in {found}"
    for heading in not_shown:
        assert not any(h.startswith(heading) for h in found), f"{role}: {heading!r} is not theirs"


def test_the_adm_sees_each_decision_due_with_its_date_and_what_is_overdue(client, users, world):
    client.force_login(users[Role.ADM])
    page = text_of(client.get("/"))
    # Due 26 June (Thursday): 27 and 30 June are the working days since.
    assert (
        "The Patels Approval of prospective adopters: recommended 17 June 2025 26 June 2025 2 working days overdue"
        in page
    )
    assert "The Quinns Approval of prospective adopters: recommended 17 June 2025 2 July 2025" in page
    assert page.index("The Patels") < page.index("The Quinns")
    assert "Needs your attention 1 ADM decision overdue 1 ADM decision due" in page


def test_a_panel_member_sees_the_panels_they_are_invited_to_and_their_papers(client, users, world):
    client.force_login(users[Role.PANEL_MEMBER])
    response = client.get("/")
    page = text_of(response)
    assert "Tuesday 8 July 2025, 10:00, Rugby" in page
    assert "1 item on the agenda; 1 still missing papers." in page
    assert f'href="/panels/meetings/{world["invited"].pk}/"' in response.content.decode()
    # Not invited to the Nuneaton panel, and the August one is more than 14 days away.
    assert "Nuneaton" not in page and "Later" not in page


def test_the_panel_adviser_sees_the_agencys_panels_with_the_papers_missing(client, users, world):
    client.force_login(users[Role.PANEL_ADVISER])
    page = text_of(client.get("/"))
    assert "8 July 2025, Rugby 1 of 6 The Rahmans: Prospective Adopter's Report (PAR) missing" in page
    assert "10 July 2025, Nuneaton 0 of 6 No items yet" in page
    assert "Later" not in page
    assert "1 agenda item missing papers" in page
    assert "2 panels in the next 14 days" in page


def test_a_social_worker_sees_their_las_overdue_children_with_the_step_and_its_date(
    client, social_worker_a, world, la_b
):
    waiting_child(la_b, "Bertie", "Brookes", decided=date(2024, 1, 2))
    client.force_login(social_worker_a)
    response = client.get("/")
    page = text_of(response)
    assert "1 child you can see has a step past its due date." in page
    assert "Olly Overdue Ashby Borough Apply for a placement order: due 2 July 2024" in page
    assert "Needs your attention 1 child with something overdue" in page
    assert "Tess Ontime" in page  # waiting, not overdue: in the children waiting only
    assert page.count("Tess Ontime") == 1
    assert "Bertie Brookes" not in page


def test_a_support_worker_sees_duty_and_their_own_requests(client, users, world):
    client.force_login(users[Role.SUPPORT_SOCIAL_WORKER])
    page = text_of(client.get("/"))
    assert "1 new request on duty: the longest has waited 10 days" in page
    assert "Your support requests The Okafors: Settling in (allocated 3 June 2025)" in page


def test_an_administrator_sees_the_api_clients_expiring(client, users, world):
    client.force_login(users[Role.ADMINISTRATOR])
    page = text_of(client.get("/"))
    assert "1 active API client" in page
    assert "Ashby case system (Ashby Borough): its token expires 10 July 2025" in page
    assert "1 API client expiring within 30 days" in page


def test_the_home_pages_queries_do_not_grow_with_the_overdue_children(client, social_worker_a, la_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured.captured_queries)

    client.force_login(social_worker_a)
    for n in range(2):
        waiting_child(la_a, f"Few{n}", "Late", decided=date(2024, 1, 2))
    few = queries()
    for n in range(14):
        waiting_child(la_a, f"Many{n}", "Late", decided=date(2024, 1, 2))
    assert queries() == few


def test_the_overdue_children_are_those_whose_next_steps_say_so(social_worker_a, la_a):
    """The home page's children with something overdue are those whose own page shows an overdue step: the
    database's narrowing (reporting.home._may_be_overdue) leaves none out, and the steps are the page's."""
    made = []

    def child(name: str, **fields):
        made.append(factories.ChildFactory(responsible_la=la_a, first_name=name, last_name="Case", **fields))
        return made[-1]

    def waiting(name: str, decided: date, order: date | None = None):
        made.append(waiting_child(la_a, name, "Case", decided=decided, order=order))
        return made[-1]

    waiting("Overdue order", date(2024, 1, 2))
    waiting("Recent", date(2025, 6, 1))
    waiting("Ninety days no finding", date(2025, 3, 1))
    active = waiting("Ninety days finding", date(2025, 3, 1))
    FamilyFindingStatus.objects.create(
        child=active, status=FamilyFindingStatus.Status.ACTIVE, status_from=date(2025, 3, 2)
    )
    on_hold = waiting("On hold", date(2025, 3, 1))
    FamilyFindingStatus.objects.create(
        child=on_hold, status=FamilyFindingStatus.Status.ON_HOLD, status_from=date(2025, 3, 2)
    )
    late_match = waiting("Late match", date(2024, 6, 1), order=date(2025, 1, 10))
    FamilyFindingStatus.objects.create(child=late_match, status="active", status_from=date(2024, 6, 2))
    in_time = waiting("Order in time", date(2025, 4, 1), order=date(2025, 5, 1))
    FamilyFindingStatus.objects.create(child=in_time, status="active", status_from=date(2025, 4, 2))
    made.append(
        factories.adopted_child(la_a, entered_care=date(2020, 1, 1), moved_in=date(2021, 1, 1), first_name="Adopted")
    )
    child("Unborn late", date_of_birth=None, expected_date_of_birth=date(2025, 6, 1))
    child("Unborn soon", date_of_birth=None, expected_date_of_birth=date(2025, 8, 1))
    long_court = child("Long proceedings")
    ProceedingsTracking.objects.create(child=long_court, stage="care_proceedings", stage_from=date(2024, 11, 1))
    hearing = child("Hearing passed")
    ProceedingsTracking.objects.create(
        child=hearing, stage="pre_proceedings", stage_from=date(2025, 1, 1), final_hearing_on=date(2025, 6, 1)
    )
    moved_on = child("Moved on from court")
    ProceedingsTracking.objects.create(child=moved_on, stage="care_proceedings", stage_from=date(2024, 1, 1))
    ProceedingsTracking.objects.create(child=moved_on, stage="post_placement_order", stage_from=date(2024, 12, 1))
    ChildPermanenceReport.objects.create(child=child("CPR late"), status="in_progress", due_on=date(2025, 6, 1))
    ChildPermanenceReport.objects.create(
        child=child("CPR done"),
        status="completed",
        due_on=date(2025, 6, 1),
        started_on=date(2025, 5, 1),
        completed_on=date(2025, 5, 30),
    )
    ChildPermanenceReport.objects.create(child=child("CPR not due"), status="in_progress", due_on=date(2025, 7, 30))

    expected = {}
    for record in made:
        full = child_selectors.child_record(actor=social_worker_a, child_id=record.pk)
        steps = [step for step in next_steps(child_selectors.child_situation(full), TODAY) if step.overdue]
        if steps:
            expected[record.first_name] = steps
    found = {row.child.first_name: row.steps for row in overdue_children(actor=social_worker_a, today=TODAY)}
    assert found == expected
    assert set(expected) == {
        "Overdue order",
        "Ninety days no finding",
        "On hold",
        "Late match",
        "Unborn late",
        "Long proceedings",
        "Hearing passed",
        "CPR late",
    }
