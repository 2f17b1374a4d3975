"""The panel dashboard (what is due and overdue) and the regular report to panel (children and adopters waiting,
matches and disruptions last quarter), as a panel adviser sees them."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adopters.models import Availability, Household
from children.models import AdoptionDecision, AdoptivePlacement, Disruption, Link, Match, PlacementOrder
from panels.dashboard import last_quarter
from panels.models import (
    AgendaItem,
    AgendaPaper,
    MeetingMinutes,
    MinutesStatus,
    PanelAppraisal,
    PanelRole,
    PanelSettings,
    PaperKind,
)
from tests import factories
from tests.panels.conftest import invite, meeting, member

pytestmark = pytest.mark.django_db
R = PanelRole
K = AgendaItem.Kind
DASHBOARD = "/panels/dashboard/"
REPORT = "/panels/report/"


# --- building records ----------------------------------------------------------------------------------------


def item(panel, kind: str, position: int = 1, **fields) -> AgendaItem:
    return AgendaItem.objects.create(meeting=panel, position=position, kind=kind, starts_at=time(10, 0), **fields)


def approval(panel, name: str, position: int = 1, **fields) -> AgendaItem:
    household = factories.HouseholdFactory(approving_agency=panel.raa, name=name)
    return item(panel, K.APPROVAL, position, household=household, **fields)


def match_item(panel, la, family: str, child_name: str, position: int = 1) -> AgendaItem:
    """A proposed match (a link of a child with a family) on the agenda."""
    household = factories.HouseholdFactory(approving_agency=panel.raa, name=family)
    first, last = child_name.split()
    child = factories.ChildFactory(responsible_la=la, first_name=first, last_name=last)
    link = Link.objects.create(child=child, household=household, origin=Link.Origin.AGENCY, started_on=date(2025, 5, 1))
    return item(panel, K.MATCH, position, link=link)


def paper(on: AgendaItem, kind: str, by, *, replaced: bool = False) -> AgendaPaper:
    return AgendaPaper.objects.create(
        item=on,
        kind=kind,
        title=PaperKind(kind).label,
        file="panel-papers/test.pdf",
        original_name="paper.pdf",
        pages=1,
        size=100,
        received_at=timezone.now(),
        uploaded_by=by,
        replaced_at=timezone.now() if replaced else None,
    )


def decided(panel, name: str, position: int, *, on: date, tell_by: date, told: date | None = None) -> AgendaItem:
    return approval(panel, name, position, decision="agreed", decided_on=on, told_due_on=tell_by, told_on=told)


def text(fragment: str) -> str:
    """What a reader sees, tags gone and spaces collapsed (including what is hidden visually for screen readers)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def sections(response) -> dict[str, str]:
    """The page's text under each second-level heading, keyed by the heading (with its count)."""
    assert response.status_code == 200
    main = response.content.decode().split("<main")[1].split("</main>")[0]
    parts = main.split("<h2")[1:]
    found = {}
    for part in parts:
        heading, _, rest = part.partition("</h2>")
        found[text("<h2" + heading + "</h2>")] = text(rest)
    return found


def section(response, starts: str) -> tuple[str, str]:
    """The heading that starts with ``starts`` and the text under it."""
    matches = [(h, body) for h, body in sections(response).items() if h.startswith(starts)]
    assert len(matches) == 1, (starts, list(sections(response)))
    return matches[0]


# --- the dashboard --------------------------------------------------------------------------------------------


@pytest.fixture
def business(raa, la_a, panel_adviser):
    """On Monday 30 June 2025 (default settings: papers 10 and minutes 10 working days, 6 items a meeting).

    * Tuesday 8 July, Warwick: three members invited (no social worker), a match whose APR was replaced and no
      current one arrived; papers were due 24 June.
    * Thursday 10 July, Kenilworth: five members who make a quorum, an approval with its PAR.
    * Tuesday 26 August, Coventry: more than 8 weeks ahead.
    * 10 June, Rugby: draft minutes, due 24 June (4 working days ago); 20 June, Leamington: no minutes yet, due
      4 July; 12 June, Solihull: no business; 3 June, Stratford: final minutes, with the ADM's decisions.
    """
    chair = member(raa, "Chloe Chair", R.CHAIR)
    independent = member(raa, "Ian Independent", R.INDEPENDENT)
    medical = member(raa, "Meg Medical", R.MEDICAL_ADVISER)
    social = member(raa, "Sam Social", R.SOCIAL_WORK)
    elected = member(raa, "Ed Elected", R.ELECTED_MEMBER)
    PanelAppraisal.objects.create(member=chair, due_on=date(2025, 6, 1))
    PanelAppraisal.objects.create(member=independent, due_on=date(2025, 8, 1))
    PanelAppraisal.objects.create(member=medical, due_on=date(2025, 12, 1))

    warwick = meeting(raa, date(2025, 7, 8), place="Warwick")
    invite(warwick, chair, independent, medical)
    matching = match_item(warwick, la_a, "The Hollands", "Amelia Ashdown")
    paper(matching, PaperKind.CPR, panel_adviser)
    paper(matching, PaperKind.SUPPORT_PLAN, panel_adviser)
    paper(matching, PaperKind.APR, panel_adviser, replaced=True)

    kenilworth = meeting(raa, date(2025, 7, 10), place="Kenilworth")
    invite(kenilworth, chair, independent, medical, social, elected)
    paper(approval(kenilworth, "The Okafors"), PaperKind.PAR, panel_adviser)

    meeting(raa, date(2025, 8, 26), place="Coventry")

    rugby = meeting(raa, date(2025, 6, 10), place="Rugby")
    approval(rugby, "The Rugby family")
    MeetingMinutes.objects.create(meeting=rugby, status=MinutesStatus.DRAFT, drafted_on=date(2025, 6, 12))
    approval(meeting(raa, date(2025, 6, 20), place="Leamington"), "The Leamington family")
    meeting(raa, date(2025, 6, 12), place="Solihull")

    stratford = meeting(raa, date(2025, 6, 3), place="Stratford")
    MeetingMinutes.objects.create(
        meeting=stratford, status=MinutesStatus.FINAL, finalised_on=date(2025, 6, 16), sent_to_adm_on=date(2025, 6, 16)
    )
    approval(stratford, "The Patels", 1, decision_due_on=date(2025, 6, 25))  # 3 working days overdue
    approval(stratford, "The Quinns", 2, decision_due_on=date(2025, 7, 2))
    decided(stratford, "The Rahmans", 3, on=date(2025, 6, 26), tell_by=date(2025, 6, 30))
    decided(stratford, "The Smiths", 4, on=date(2025, 6, 20), tell_by=date(2025, 6, 24), told=date(2025, 6, 23))
    return {"warwick": warwick, "kenilworth": kenilworth, "rugby": rugby, "stratford": stratford}


def test_upcoming_meetings_show_items_quorum_risk_and_missing_papers(client, panel_adviser, business, frozen_today):
    client.force_login(panel_adviser)
    response = client.get(DASHBOARD)
    heading, body = section(response, "Meetings in the next 8 weeks")
    assert heading == "Meetings in the next 8 weeks (2)"
    warwick, kenilworth = body.split("Thursday 10 July 2025")
    assert "Tuesday 8 July 2025, 10:00 Warwick 1 of 6 At risk" in warwick
    assert "Only 3 members are attending: at least 5 are needed" in warwick
    assert "No social work member with at least 3 years' post-qualifying experience is attending" in warwick
    assert "No independent member" not in warwick
    assert "1 item missing papers Deadline passed" in warwick
    # The replaced APR does not count; the CPR and support plan that arrived are not listed.
    assert "Item 1, match (Amelia Ashdown with The Hollands): no Adoption Placement Report (APR)" in warwick
    assert "Child's Permanence Report" not in warwick and "Papers due by 24 Jun 2025" in warwick
    assert "Kenilworth 1 of 6 Quorate All papers received Papers due by 26 Jun 2025" in kenilworth
    assert "Coventry" not in body
    assert "Quorum at risk at 1 meeting, on the members invited." in text(response.content.decode())
    page = response.content.decode()
    assert f'href="/panels/meetings/{business["warwick"].pk}/"' in page


def test_the_item_limit_and_deadlines_follow_the_raas_settings(client, raa, panel_adviser, business, frozen_today):
    PanelSettings.objects.create(raa=raa, item_limit=1, papers_due_working_days=3, minutes_due_working_days=20)
    approval(business["warwick"], "The Extra family", 2)
    client.force_login(panel_adviser)
    response = client.get(DASHBOARD)
    _, upcoming = section(response, "Meetings in the next 8 weeks")
    # Three working days before 8 July is 3 July: not passed yet. The new item has no PAR either.
    assert "2 of 1 Over the limit" in upcoming and "Papers due by 3 Jul 2025" in upcoming
    assert "2 items missing papers" in upcoming and "Deadline passed" not in upcoming.split("Kenilworth")[0]
    extra = "Item 2, approval of prospective adopters (The Extra family): no Prospective Adopter's Report (PAR)"
    assert extra in upcoming
    # Twenty working days after 10 June is 8 July: Rugby's minutes are no longer overdue.
    assert section(response, "Minutes overdue") == ("Minutes overdue (0)", "No minutes are overdue.")


def test_minutes_overdue_lists_past_meetings_with_business_and_no_final_minutes(
    client, panel_adviser, business, frozen_today
):
    client.force_login(panel_adviser)
    heading, body = section(client.get(DASHBOARD), "Minutes overdue")
    assert heading == "Minutes overdue (1)"
    assert body.endswith("Panel on 10 Jun 2025, Rugby Draft 24 Jun 2025 4 working days")
    for elsewhere in ("Leamington", "Solihull", "Stratford"):
        assert elsewhere not in body


def test_minutes_not_started_are_overdue_too(client, raa, panel_adviser, frozen_today):
    panel = meeting(raa, date(2025, 6, 2), place="Nuneaton")
    approval(panel, "The Nuneaton family")
    client.force_login(panel_adviser)
    heading, body = section(client.get(DASHBOARD), "Minutes overdue")
    # Ten working days after Monday 2 June is Monday 16 June; 10 working days late by 30 June.
    assert heading == "Minutes overdue (1)"
    assert "Panel on 2 Jun 2025, Nuneaton Not started 16 Jun 2025 10 working days" in body


def test_adm_decisions_and_notifications_due_and_overdue(client, panel_adviser, business, frozen_today):
    client.force_login(panel_adviser)
    response = client.get(DASHBOARD)
    stratford = business["stratford"].pk
    heading, body = section(response, "ADM decisions overdue")
    assert heading == "ADM decisions overdue (1)"
    assert "Approval of prospective adopters: The Patels Panel on 3 Jun 2025 25 Jun 2025 3 working days" in body
    assert "Quinns" not in body
    heading, body = section(response, "ADM decisions due")
    assert heading == "ADM decisions due (1)"
    assert "Approval of prospective adopters: The Quinns Panel on 3 Jun 2025 2 Jul 2025" in body
    assert section(response, "Adopters to be told of a decision: overdue") == (
        "Adopters to be told of a decision: overdue (0)",
        "No one is overdue being told of a decision.",
    )
    heading, body = section(response, "Adopters to be told of a decision: due")
    assert heading == "Adopters to be told of a decision: due (1)"
    assert "The Rahmans Panel on 3 Jun 2025 30 Jun 2025" in body and "Smiths" not in body
    assert response.content.decode().count(f'href="/panels/meetings/{stratford}/"') == 3


def test_a_decision_is_overdue_by_working_days_across_a_bank_holiday(client, raa, panel_adviser):
    panel = meeting(raa, date(2025, 5, 6), place="Warwick")
    approval(panel, "The Bank Holiday family", decision_due_on=date(2025, 5, 23))
    decided(panel, "The Late Telling family", 2, on=date(2025, 5, 21), tell_by=date(2025, 5, 23))
    client.force_login(panel_adviser)
    # Thursday 29 May 2025: since Friday 23 May, Monday 26 May was the spring bank holiday, so 27, 28 and 29.
    with time_machine.travel(datetime(2025, 5, 29, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        response = client.get(DASHBOARD)
    _, decisions = section(response, "ADM decisions overdue")
    assert "The Bank Holiday family Panel on 6 May 2025 23 May 2025 3 working days" in decisions
    heading, told = section(response, "Adopters to be told of a decision: overdue")
    assert heading == "Adopters to be told of a decision: overdue (1)"
    assert "The Late Telling family Panel on 6 May 2025 23 May 2025 3 working days" in told


def test_appraisals_overdue_and_due_in_the_next_8_weeks(client, panel_adviser, business, frozen_today):
    client.force_login(panel_adviser)
    response = client.get(DASHBOARD)
    heading, body = section(response, "Appraisals overdue")
    assert heading == "Appraisals overdue (1)"
    assert "Chloe Chair Chair 1 Jun 2025" in body
    heading, body = section(response, "Appraisals due in the next 8 weeks")
    assert heading == "Appraisals due in the next 8 weeks (1)"
    assert "Ian Independent Independent member 1 Aug 2025" in body and "Meg Medical" not in body


def test_an_empty_dashboard_says_so_in_each_section(client, raa, panel_adviser, frozen_today):
    client.force_login(panel_adviser)
    found = sections(client.get(DASHBOARD))
    assert found == {
        "Meetings in the next 8 weeks (0)": "No meetings in the next 8 weeks.",
        "Minutes overdue (0)": "No minutes are overdue.",
        "ADM decisions overdue (0)": "No ADM decisions are overdue.",
        "ADM decisions due (0)": "No ADM decisions are due.",
        "Adopters to be told of a decision: overdue (0)": "No one is overdue being told of a decision.",
        "Adopters to be told of a decision: due (0)": "No one is due to be told of a decision.",
        "Appraisals overdue (0)": "No appraisals are overdue.",
        "Appraisals due in the next 8 weeks (0)": "No appraisals are due in the next 8 weeks.",
    }


@pytest.fixture
def coastal(la_other):
    """Another RAA with something in every section of its dashboard."""
    raa = la_other.raa
    PanelAppraisal.objects.create(member=member(raa, "Olive Outsider", R.CHAIR), due_on=date(2025, 6, 1))
    PanelAppraisal.objects.create(member=member(raa, "Oscar Outsider", R.CHAIR), due_on=date(2025, 7, 1))
    seaton = meeting(raa, date(2025, 7, 9), place="Seaton")
    approval(seaton, "The Seaside household")
    bude = meeting(raa, date(2025, 6, 5), place="Bude")
    approval(bude, "The Bude household", decision_due_on=date(2025, 6, 20))
    approval(bude, "The Newquay household", 2, decision_due_on=date(2025, 7, 20))
    decided(bude, "The Looe household", 3, on=date(2025, 6, 10), tell_by=date(2025, 6, 12))
    decided(bude, "The Fowey household", 4, on=date(2025, 6, 27), tell_by=date(2025, 7, 1))
    return raa


OUTSIDERS = ("Olive Outsider", "Oscar Outsider", "Seaton", "Seaside", "Bude", "Newquay", "Looe", "Fowey")


def test_another_raas_records_never_appear(client, panel_adviser, panel_adviser_other, business, coastal, frozen_today):
    client.force_login(panel_adviser)
    page = text(client.get(DASHBOARD).content.decode())
    for name in OUTSIDERS:
        assert name not in page
    # Their own adviser sees them, and none of ours.
    client.force_login(panel_adviser_other)
    found = sections(client.get(DASHBOARD))
    assert [h for h in found if not h.endswith("(0)")] == [
        "Meetings in the next 8 weeks (1)",
        "Minutes overdue (1)",
        "ADM decisions overdue (1)",
        "ADM decisions due (1)",
        "Adopters to be told of a decision: overdue (1)",
        "Adopters to be told of a decision: due (1)",
        "Appraisals overdue (1)",
        "Appraisals due in the next 8 weeks (1)",
    ]
    page = " ".join(found.values())
    for name in ("Warwick", "Rugby", "Patels", "Quinns", "Rahmans", "Chloe Chair", "Ian Independent"):
        assert name not in page


def test_la_staff_get_403(client, social_worker_a, manager_a):
    for user in (social_worker_a, manager_a):
        client.force_login(user)
        assert client.get(DASHBOARD).status_code == 403
        assert client.get(REPORT).status_code == 403


def test_panel_members_and_adms_read_the_dashboard(client, panel_member_user, adm, business, frozen_today):
    for user in (panel_member_user, adm):
        client.force_login(user)
        assert section(client.get(DASHBOARD), "ADM decisions overdue")[0] == "ADM decisions overdue (1)"


def _meetings_with_business(raa, la, by, count: int) -> None:
    """``count`` upcoming meetings and ``count`` past ones, each with members, items, papers and dates due."""
    chair, social = member(raa, f"Chair {count}", R.CHAIR), member(raa, f"Social {count}", R.SOCIAL_WORK)
    for n in range(count):
        ahead = meeting(raa, date(2025, 7, 1 + n), place=f"Ahead {count}-{n}")
        invite(ahead, chair, social)
        paper(match_item(ahead, la, f"Family {count}-{n}", f"Kid{n} Count{count}"), PaperKind.CPR, by)
        paper(approval(ahead, f"Approval {count}-{n}", 2), PaperKind.PAR, by)
        past = meeting(raa, date(2025, 5, 1 + n), place=f"Past {count}-{n}")
        approval(past, f"Waiting {count}-{n}", decision_due_on=date(2025, 6, 2 + n))
        decided(past, f"Telling {count}-{n}", 2, on=date(2025, 6, 2), tell_by=date(2025, 6, 4 + n))
        if n % 2:
            MeetingMinutes.objects.create(meeting=past, status=MinutesStatus.ACCURACY_CHECK)


def test_the_dashboards_queries_do_not_grow_with_the_meetings(client, raa, la_a, la_other, panel_adviser, frozen_today):
    client.force_login(panel_adviser)
    _meetings_with_business(raa, la_a, panel_adviser, 1)
    with CaptureQueriesContext(connection) as one:
        response = client.get(DASHBOARD)
    assert section(response, "Meetings in the next 8 weeks")[0] == "Meetings in the next 8 weeks (1)"
    _meetings_with_business(raa, la_a, panel_adviser, 5)
    with CaptureQueriesContext(connection) as six:
        response = client.get(DASHBOARD)
    assert section(response, "Meetings in the next 8 weeks")[0] == "Meetings in the next 8 weeks (6)"
    assert section(response, "ADM decisions overdue")[0] == "ADM decisions overdue (6)"
    assert section(response, "Minutes overdue")[0] == "Minutes overdue (6)"
    assert len(six.captured_queries) == len(one.captured_queries)


# --- the report to panel ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "start", "end", "label", "number", "year"),
    [
        (date(2025, 6, 30), date(2025, 1, 1), date(2025, 3, 31), "January to March 2025", 4, "2024-25"),
        (date(2025, 4, 1), date(2025, 1, 1), date(2025, 3, 31), "January to March 2025", 4, "2024-25"),
        (date(2025, 3, 31), date(2024, 10, 1), date(2024, 12, 31), "October to December 2024", 3, "2024-25"),
        (date(2025, 1, 1), date(2024, 10, 1), date(2024, 12, 31), "October to December 2024", 3, "2024-25"),
        (date(2025, 7, 1), date(2025, 4, 1), date(2025, 6, 30), "April to June 2025", 1, "2025-26"),
        (date(2025, 12, 31), date(2025, 7, 1), date(2025, 9, 30), "July to September 2025", 2, "2025-26"),
    ],
)
def test_last_quarter_is_the_last_complete_financial_quarter(today, start, end, label, number, year):
    quarter = last_quarter(today)
    assert (quarter.start, quarter.end, quarter.months, quarter.number, quarter.financial_year) == (
        start,
        end,
        label,
        number,
        year,
    )


def _child(la, name: str, *, decision: date | None = date(2024, 6, 1), **fields):
    first, last = name.split()
    child = factories.ChildFactory(responsible_la=la, first_name=first, last_name=last)
    if decision:
        AdoptionDecision.objects.create(child=child, decided_on=decision, **fields)
    return child


def _match(la, household, decided_on: date, *names: str, inter_agency: bool = False) -> Match:
    match = Match.objects.create(household=household, decided_on=decided_on, inter_agency=inter_agency)
    for name in names:
        child = _child(la, name, decision=None)
        AdoptivePlacement.objects.create(child=child, household=household, matched_on=decided_on, match=match)
    return match


def _disruption(la, household, name: str, ended_on: date) -> Disruption:
    child = _child(la, name, decision=None)
    placement = AdoptivePlacement.objects.create(
        child=child, household=household, matched_on=date(2024, 9, 1), placed_on=date(2024, 10, 1), ended_on=ended_on
    )
    return Disruption.objects.create(placement=placement, reason=Disruption.Reason.ATTACHMENT)


def _family(agency, name: str, status: str = Household.Status.APPROVED, availability: str | None = None):
    household = factories.HouseholdFactory(approving_agency=agency, name=name, status=status)
    if availability:
        Availability.objects.create(household=household, status=availability, status_from=date(2024, 1, 1))
    return household


@pytest.fixture
def journeys(raa, la_a, la_b, la_other):
    """As at 30 June 2025, last quarter January to March 2025."""
    # Children waiting: two (one with a placement order); not the reversed, the matched or the other RAA's.
    _child(la_a, "Wendy Waiting")
    PlacementOrder.objects.create(child=_child(la_b, "Oliver Ordered"), made_on=date(2024, 9, 1))
    _child(la_a, "Rory Reversed", reversed_on=date(2025, 1, 5), reversal_reason="RD1")
    matched = _child(la_a, "Maisie Matched")
    family = _family(raa, "The Matched family", Household.Status.MATCHED)
    AdoptivePlacement.objects.create(child=matched, household=family, matched_on=date(2025, 5, 1))
    _child(la_other, "Ellis Elsewhere")
    # Adopters: one available; two approved but on hold or with no availability recorded; not the matched
    # family or another RAA's.
    _family(raa, "The Available family", availability=Availability.Status.AVAILABLE)
    _family(raa, "The On-hold family", availability=Availability.Status.ON_HOLD)
    _family(raa, "The Unrecorded family")
    _family(la_other.raa, "The Coastal family", availability=Availability.Status.AVAILABLE)
    # Matches: a sibling pair in February and an inter-agency match on 31 March; not those either side of
    # the quarter or another RAA's.
    matched_status = Household.Status.MATCHED
    _match(la_a, _family(raa, "The Sibling family", matched_status), date(2025, 2, 10), "Sid Pair", "Sue Pair")
    vaa_family = _family(factories.VaaFactory(), "The VAA family", matched_status)
    _match(la_b, vaa_family, date(2025, 3, 31), "Ivy Inter", inter_agency=True)
    _match(la_a, _family(raa, "The April family", matched_status), date(2025, 4, 1), "April Later")
    _match(la_a, _family(raa, "The December family", matched_status), date(2024, 12, 31), "Dec Earlier")
    _match(la_other, _family(la_other.raa, "The Coast match", matched_status), date(2025, 2, 1), "Cora Coast")
    # Disruptions: one in the quarter; not one after it or another RAA's.
    _disruption(la_b, _family(raa, "The Disrupted family", Household.Status.LEFT), "Dora Disrupted", date(2025, 3, 14))
    _disruption(la_a, _family(raa, "The Later family", Household.Status.LEFT), "Luke Later", date(2025, 4, 10))
    _disruption(la_other, _family(la_other.raa, "The Coast family", Household.Status.LEFT), "Col C", date(2025, 2, 2))


def test_the_report_to_panel_gives_the_four_figures(client, panel_adviser, journeys, frozen_today):
    client.force_login(panel_adviser)
    response = client.get(REPORT)
    assert response.status_code == 200
    page = text(response.content.decode())
    assert (
        "Children and adopters waiting as at 30 June 2025; matches and disruptions in the last complete quarter, "
        "January to March 2025 (quarter 4 of 2024-25)." in page
    )
    assert "Heartlands Adoption" in page and "Coast Adoption" not in page
    assert (
        "Children waiting 2 with a decision that they should be placed for adoption, not yet matched "
        "1 of them with a placement order" in page
    )
    assert (
        "Adopters waiting 1 approved family available and not yet matched "
        "2 more approved and not matched, but on hold or not available" in page
    )
    assert (
        "Matches, January to March 2025 2 matches of 3 children 1 for a sibling group "
        "1 inter-agency (with a family approved by another agency)" in page
    )
    assert "Disruptions, January to March 2025 1 placement ended before the adoption order" in page
    assert "14 Mar 2025 Brookfield County Difficulties in the relationship and attachment" in page
    for name in ("Wendy", "Oliver", "Available family", "Coastal City"):
        assert name not in page


def test_another_raas_adviser_sees_only_their_figures(client, panel_adviser_other, journeys, frozen_today):
    client.force_login(panel_adviser_other)
    page = text(client.get(REPORT).content.decode())
    assert "Coast Adoption" in page and "Heartlands Adoption" not in page
    assert "Children waiting 1 with a decision" in page
    assert "Adopters waiting 1 approved family available" in page
    assert "Matches, January to March 2025 1 match of 1 child 0 for a sibling group 0 inter-agency" in page
    assert "2 Feb 2025 Coastal City" in page


def test_an_empty_report_shows_noughts(client, raa, panel_adviser, frozen_today):
    client.force_login(panel_adviser)
    page = text(client.get(REPORT).content.decode())
    assert "Children waiting 0 with a decision" in page
    assert "Adopters waiting 0 approved families available" in page
    assert "0 matches of 0 children" in page
    assert "0 placements ended before the adoption order" in page
