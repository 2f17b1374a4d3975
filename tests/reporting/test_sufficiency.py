"""The sufficiency forecast: the 8 quarters' history from the records, the assumptions it gives, the projection of
the next 4 quarters, the page (who sees it, what it shows, bad input) and its CSV.

The fixture spreads children and families over the 8 quarters Q1 2023-24 (April 2023) to Q4 2024-25 (March
2025); every expected figure below is worked out by hand from it, quarter by quarter.
"""

from __future__ import annotations

import csv
import html as html_module
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adopters.models import Availability, Household
from adoption.models import Role
from adoption.periods import FinancialQuarter
from children.models import AdoptionDecision, SiblingGroup, SiblingGroupMember
from reporting.sufficiency import Assumptions, default_assumptions, history, project
from tests import factories

URL = "/reports/sufficiency/"
LAST = FinancialQuarter(2024, 4)  # January to March 2025
# A day in May 2025: the last complete quarter is Q4 2024-25, so the page's default history is the fixture's.
TODAY = datetime(2025, 5, 15, 12, tzinfo=UTC)
QUARTERS = [
    "Q1 2023-24",
    "Q2 2023-24",
    "Q3 2023-24",
    "Q4 2023-24",
    "Q1 2024-25",
    "Q2 2024-25",
    "Q3 2024-25",
    "Q4 2024-25",
]

# By hand, per quarter, from the fixture (the RAA: LA A and LA B's children, the RAA's families).
DECISIONS = [2, 0, 1, 1, 2, 1, 2, 0]  # A1 A9 | - | A2 | B1 | A3 A4 | A5 | A6 A7 | -
ORDERS = [0, 1, 0, 1, 1, 0, 0, 0]  # A1 | A2 | B1 (A9's was made before the returns held: not counted)
CHILDREN_MATCHED = [1, 0, 0, 1, 0, 1, 0, 1]  # A8 | A1 | B1 | A7
CHILDREN_PLACED = [0, 1, 0, 1, 0, 0, 1, 0]  # A8 | A1 | B1
# Waiting for a family at each end: A1 until matched, A9 throughout, A2 from Q3 2023-24, B1 Q4 2023-24 and Q1
# 2024-25, A3 and A4 from Q1 2024-25, A5 at Q2 2024-25 (reversed after), A6 and A7 at Q3 2024-25.
WAITING = [2, 2, 3, 3, 5, 5, 6, 4]
# The same, with the sibling group A3 and A4 (to be placed together) needing one family.
FAMILIES_NEEDED = [2, 2, 3, 3, 4, 4, 5, 3]
ENQUIRIES = [1, 1, 0, 1, 1, 1, 1, 0]  # H1 | H2 | - | H3 | H4 | H5 | H6 | -
REGISTRATIONS = [1, 0, 1, 0, 1, 0, 0, 0]  # H1 | H2 | H4
STAGE2_STARTS = [0, 1, 0, 1, 1, 0, 0, 0]  # H1 | H2 | H9
APPROVALS = [0, 0, 1, 0, 1, 0, 1, 0]  # H1 | H2 | H9
FAMILIES_MATCHED = [1, 0, 0, 1, 0, 1, 0, 0]  # H8 (A8) | H1 (A1) | H7 (B1); A7's family is the VAA's
FAMILIES_WAITING = [2, 2, 3, 1, 2, 1, 2, 2]
FAMILIES_AVAILABLE = [2, 2, 3, 1, 2, 1, 1, 0]  # H2 on hold from October 2024; H9 early permanence from January


def _text(response) -> str:
    """The page's text without tags, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _d(value) -> Decimal:
    return Decimal(str(value))


def _child(la, ref: str, *, decided: date | None = None, **journey):
    child = factories.ChildFactory(responsible_la=la, la_child_id=ref, first_name=f"Name{ref}", last_name="Hidden")
    factories.PeriodOfCareFactory(child=child, started_on=date(2022, 1, 1))
    if decided:
        factories.AdoptionDecisionFactory(
            child=child,
            decided_on=decided,
            reversed_on=journey.get("reversed"),
            reversal_reason=journey.get("reason", ""),
        )
    if journey.get("order"):
        factories.PlacementOrderFactory(
            child=child, made_on=journey["order"], made_before_records=journey.get("before_records", False)
        )
    if journey.get("matched"):
        factories.AdoptivePlacementFactory(
            child=child, household=journey["household"], matched_on=journey["matched"], placed_on=journey.get("placed")
        )
    return child


def _household(agency, reference: str, **dates) -> Household:
    fields = {
        "enquired_on": None,
        "registered_on": None,
        "stage2_started_on": None,
        "approved_on": None,
        "status": Household.Status.ENQUIRY,
    }
    fields.update(dates)
    if fields["approved_on"]:
        fields["status"] = Household.Status.APPROVED
    return factories.HouseholdFactory(
        approving_agency=agency, reference=reference, name=f"{reference} household", **fields
    )


@pytest.fixture
def spread(raa, la_a, la_b, la_other, vaa):
    """Children of LA A, LA B (the RAA) and another RAA's LA, and households of the RAA, a VAA and the other RAA."""
    h1 = _household(
        raa,
        "H1",
        enquired_on=date(2023, 4, 10),
        registered_on=date(2023, 5, 1),
        stage2_started_on=date(2023, 8, 1),
        approved_on=date(2023, 12, 1),
    )
    h2 = _household(
        raa,
        "H2",
        enquired_on=date(2023, 9, 1),
        registered_on=date(2023, 10, 1),
        stage2_started_on=date(2024, 1, 10),
        approved_on=date(2024, 5, 1),
    )
    Availability.objects.create(household=h2, status=Availability.Status.AVAILABLE, status_from=date(2024, 5, 1))
    Availability.objects.create(household=h2, status=Availability.Status.ON_HOLD, status_from=date(2024, 10, 1))
    _household(
        raa,
        "H3",
        enquired_on=date(2024, 1, 5),
        left_on=date(2024, 2, 1),
        leaving_reason=Household.LeavingReason.WITHDREW,
        status=Household.Status.LEFT,
    )
    _household(raa, "H4", enquired_on=date(2024, 4, 15), registered_on=date(2024, 5, 20))
    _household(raa, "H5", enquired_on=date(2024, 7, 1))
    _household(raa, "H6", enquired_on=date(2024, 11, 11))
    h7 = _household(
        raa, "H7", enquired_on=date(2021, 1, 1), registered_on=date(2021, 2, 1), approved_on=date(2022, 6, 1)
    )
    Availability.objects.create(household=h7, status=Availability.Status.AVAILABLE, status_from=date(2022, 6, 1))
    h8 = _household(
        raa, "H8", enquired_on=date(2022, 1, 1), registered_on=date(2022, 2, 1), approved_on=date(2023, 1, 1)
    )
    # Fast track: stage 2 is the first step.
    h9 = _household(raa, "H9", stage2_started_on=date(2024, 6, 1), approved_on=date(2024, 11, 1))
    Availability.objects.create(
        household=h9, status=Availability.Status.EARLY_PERMANENCE, status_from=date(2025, 1, 15)
    )
    _household(
        raa,
        "H10",
        enquired_on=date(2022, 1, 1),
        registered_on=date(2022, 2, 1),
        approved_on=date(2023, 3, 1),
        deregistered_on=date(2024, 2, 15),
    )
    h11 = _household(vaa, "V11", approved_on=date(2024, 6, 1))
    # Another RAA's family: its enquiry, registration, approval and waiting are never counted here.
    _household(
        la_other.raa,
        "X1",
        enquired_on=date(2024, 4, 2),
        registered_on=date(2024, 4, 20),
        stage2_started_on=date(2024, 6, 1),
        approved_on=date(2024, 8, 1),
    )

    _child(la_a, "A1", decided=date(2023, 5, 10), order=date(2023, 8, 1), household=h1, matched=date(2024, 2, 1),
           placed=date(2024, 3, 15))  # fmt: skip
    _child(la_a, "A2", decided=date(2023, 11, 20), order=date(2024, 1, 15))
    a3 = _child(la_a, "A3", decided=date(2024, 5, 1))
    a4 = _child(la_a, "A4", decided=date(2024, 5, 1))
    group = SiblingGroup.objects.create(responsible_la=la_a, name="A siblings", plan=SiblingGroup.Plan.TOGETHER)
    SiblingGroupMember.objects.create(group=group, child=a3)
    SiblingGroupMember.objects.create(group=group, child=a4)
    _child(la_a, "A5", decided=date(2024, 8, 1), reversed=date(2024, 11, 1), reason=AdoptionDecision.ReversalReason.RD1)
    _child(
        la_a, "A6", decided=date(2024, 10, 10), reversed=date(2025, 2, 1), reason=AdoptionDecision.ReversalReason.RD3
    )
    _child(la_a, "A7", decided=date(2024, 12, 1), household=h11, matched=date(2025, 2, 20))
    _child(la_a, "A8", decided=date(2022, 10, 1), household=h8, matched=date(2023, 6, 1), placed=date(2023, 7, 1))
    _child(la_a, "A9", decided=date(2023, 4, 20), order=date(2023, 5, 1), before_records=True)
    _child(la_b, "B1", decided=date(2024, 1, 10), order=date(2024, 4, 10), household=h7, matched=date(2024, 9, 1),
           placed=date(2024, 10, 1))  # fmt: skip
    # Another RAA's LA: waiting throughout, with a decision and an order in the quarters; never counted here.
    _child(la_other, "X-1", decided=date(2023, 6, 1), order=date(2023, 9, 1))
    _child(la_other, "X-2", decided=date(2024, 6, 1))


# --- the history ------------------------------------------------------------------------------------------------


def test_the_history_equals_the_counts_worked_out_by_hand(spread, raa, la_a, la_b):
    with CaptureQueriesContext(connection) as queries:
        found = history(la_ids={la_a.pk, la_b.pk}, agency_ids={raa.pk}, last=LAST)
    assert len(queries.captured_queries) == 2  # one aggregate query per side, whatever the number of records
    assert [q.title.split(" (")[0] for q in found.quarters] == QUARTERS
    assert [row.decisions for row in found.children] == DECISIONS
    assert [row.placement_orders for row in found.children] == ORDERS
    assert [row.matched for row in found.children] == CHILDREN_MATCHED
    assert [row.placed for row in found.children] == CHILDREN_PLACED
    assert [row.waiting for row in found.children] == WAITING
    assert [row.families_needed for row in found.children] == FAMILIES_NEEDED
    assert found.families is not None
    assert [row.enquiries for row in found.families] == ENQUIRIES
    assert [row.registrations for row in found.families] == REGISTRATIONS
    assert [row.stage2_starts for row in found.families] == STAGE2_STARTS
    assert [row.approvals for row in found.families] == APPROVALS
    assert [row.matched for row in found.families] == FAMILIES_MATCHED
    assert [row.waiting for row in found.families] == FAMILIES_WAITING
    assert [row.available for row in found.families] == FAMILIES_AVAILABLE
    # Decisions in the quarters: A1 A2 A3 A4 A5 A6 A7 A9 B1; all but A5 (reversed, needs changed) needed a family.
    assert (found.decided, found.needing_family) == (9, 8)


def test_one_la_is_its_own_children_only(spread, raa, la_b):
    found = history(la_ids={la_b.pk}, agency_ids=None, last=LAST)
    assert [row.decisions for row in found.children] == [0, 0, 0, 1, 0, 0, 0, 0]
    assert [row.placement_orders for row in found.children] == [0, 0, 0, 0, 1, 0, 0, 0]
    assert [row.waiting for row in found.children] == [0, 0, 0, 1, 1, 0, 0, 0]
    assert found.families is None


def test_another_raas_children_and_families_are_never_counted(spread, la_other):
    found = history(la_ids={la_other.pk}, agency_ids={la_other.raa_id}, last=LAST)
    # Its own: X-1 decided in Q1 2023-24 with an order in Q2, X-2 decided in Q1 2024-25; one family.
    assert [row.decisions for row in found.children] == [1, 0, 0, 0, 1, 0, 0, 0]
    assert [row.waiting for row in found.children] == [1, 1, 1, 1, 2, 2, 2, 2]
    assert found.families is not None
    assert [row.enquiries for row in found.families] == [0, 0, 0, 0, 1, 0, 0, 0]
    assert [row.available for row in found.families] == [0, 0, 0, 0, 0, 1, 1, 1]


def test_a_sibling_group_to_be_placed_apart_needs_a_family_each(la_a):
    children = [_child(la_a, f"S{n}", decided=date(2024, 5, 1)) for n in range(3)]
    apart = SiblingGroup.objects.create(responsible_la=la_a, name="Apart", plan=SiblingGroup.Plan.APART)
    together = SiblingGroup.objects.create(responsible_la=la_a, name="Together")  # not yet decided: one family
    SiblingGroupMember.objects.create(group=apart, child=children[0])
    SiblingGroupMember.objects.create(group=apart, child=children[1])
    lone = _child(la_a, "S9", decided=date(2024, 5, 1))
    SiblingGroupMember.objects.create(group=together, child=children[2])
    SiblingGroupMember.objects.create(group=together, child=lone)
    found = history(la_ids={la_a.pk}, agency_ids=None, last=LAST)
    assert found.children[-1].waiting == 4
    assert found.children[-1].families_needed == 3  # 2 apart + 1 for the other group


def test_the_assumptions_default_from_the_history(spread, raa, la_a, la_b):
    found = history(la_ids={la_a.pk, la_b.pk}, agency_ids={raa.pk}, last=LAST)
    defaults = default_assumptions(found)
    one = Decimal("0.1")
    assert defaults.decisions_per_quarter == (_d(sum(DECISIONS)) / 8).quantize(one, ROUND_HALF_UP) == _d("1.1")
    assert defaults.needing_family_percent == _d("88.9")  # 8 of 9
    assert defaults.children_matched_per_quarter == _d("0.5")  # 4 / 8
    assert defaults.families_per_child == _d("0.87")  # 26 families needed / 30 children waiting, at the 8 ends
    assert defaults.enquiries_per_quarter == _d("0.8")  # 6 / 8 = 0.75
    assert defaults.registration_percent == _d("50.0")  # 3 of 6
    assert defaults.approval_percent == _d("100.0")  # 3 of 3
    assert defaults.families_matched_per_quarter == _d("0.4")  # 3 / 8 = 0.375


# --- the projection ---------------------------------------------------------------------------------------------

GIVEN = Assumptions(
    decisions_per_quarter=_d(10),
    needing_family_percent=_d(80),
    children_matched_per_quarter=_d(5),
    families_per_child=_d("0.75"),
    enquiries_per_quarter=_d(30),
    registration_percent=_d(20),
    approval_percent=_d(50),
    families_matched_per_quarter=_d(2),
)


def test_the_projection_equals_the_hand_calculation():
    projected = project(GIVEN, after=LAST, children_waiting=12, families_available=7)
    # Each quarter: 10 x 80% = 8 more children need a family, 5 are matched (+3); 30 x 20% x 50% = 3 families are
    # approved, 2 matched (+1). Families needed = children waiting x 0.75.
    assert [p.quarter for p in projected] == [
        FinancialQuarter(2025, 1),
        FinancialQuarter(2025, 2),
        FinancialQuarter(2025, 3),
        FinancialQuarter(2025, 4),
    ]
    assert [p.children_waiting for p in projected] == [15, 18, 21, 24]
    assert [p.families_needed for p in projected] == [_d("11.25"), _d("13.5"), _d("15.75"), _d(18)]
    assert [p.new_approvals for p in projected] == [3, 3, 3, 3]
    assert [p.families_available for p in projected] == [8, 9, 10, 11]
    assert [p.gap for p in projected] == [_d("-3.25"), _d("-4.5"), _d("-5.75"), _d(-7)]


def test_adjusting_an_assumption_changes_the_projection():
    more_enquiries = project(
        replace(GIVEN, enquiries_per_quarter=_d(60)),
        after=LAST,
        children_waiting=12,
        families_available=7,
    )
    # 60 x 20% x 50% = 6 approved a quarter, 2 matched: +4 a quarter.
    assert [p.families_available for p in more_enquiries] == [11, 15, 19, 23]
    assert [p.gap for p in more_enquiries] == [_d("-0.25"), _d("1.5"), _d("3.25"), _d(5)]


def test_no_more_can_be_matched_than_there_are():
    projected = project(
        replace(GIVEN, children_matched_per_quarter=_d(30), families_matched_per_quarter=_d(9)),
        after=LAST,
        children_waiting=12,
        families_available=7,
    )
    # Children: 12 + 8 = 20 there, all matched; then 8 each quarter, all matched. Families: 7 + 3 = 10, then 3.
    assert [p.children_matched for p in projected] == [20, 8, 8, 8]
    assert [p.children_waiting for p in projected] == [0, 0, 0, 0]
    assert [p.families_matched for p in projected] == [9, 4, 3, 3]
    assert [p.families_available for p in projected] == [1, 0, 0, 0]


def test_without_the_families_side_only_the_children_are_projected():
    children_only = Assumptions(
        decisions_per_quarter=_d(4),
        needing_family_percent=_d(50),
        children_matched_per_quarter=_d(1),
        families_per_child=_d(1),
    )
    projected = project(children_only, after=LAST, children_waiting=3, families_available=None)
    assert [p.children_waiting for p in projected] == [4, 5, 6, 7]
    assert all(p.families_available is None and p.gap is None for p in projected)


# --- the page ---------------------------------------------------------------------------------------------------


@pytest.fixture
def administrator(la_a):
    return factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")


def test_the_url_name(db):
    assert reverse("reporting:sufficiency") == URL


@pytest.mark.parametrize(
    "persona", ["social_worker_a", "family_finder", "assessing_social_worker", "panel_adviser", "vaa_worker"]
)
def test_other_roles_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_signing_in_is_needed(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def _page(client, user, **params):
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        return client.get(URL, params)


def _row(html: str, quarter: FinancialQuarter) -> list[str]:
    row = re.search(rf'id="quarter-{quarter.year}-{quarter.number}".*?</tr>', html, re.S)
    assert row, quarter
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(0), re.S)
    ]


def _expected_children(decisions, percent, matched, per_child, start):
    """Children waiting and families needed at each projected quarter's end, as the page rounds them."""
    waiting, needed = _d(start), []
    for _ in range(4):
        waiting = waiting + decisions * percent / 100 - matched
        needed.append(int((waiting * per_child).quantize(Decimal(1), ROUND_HALF_UP)))
    return needed


def test_an_raa_manager_sees_the_history_and_the_projection_from_it(client, spread, manager, raa):
    response = _page(client, manager, area=f"raa-{raa.pk}")
    html, text = response.content.decode(), _text(response)
    assert response.status_code == 200
    assert f"{raa.name}: its 2 local authorities' children and its families" in text
    # The history: each quarter's row of both tables.
    children = re.search(r'id="history-children".*?</table>', html, re.S).group(0)
    for n, title in enumerate(QUARTERS):
        cells = re.search(rf"{title}.*?</tr>", children, re.S).group(0)
        figures = [int(x) for x in re.findall(r">(\d+)</td>", cells)]
        expected = [DECISIONS[n], ORDERS[n], CHILDREN_MATCHED[n], CHILDREN_PLACED[n], WAITING[n], FAMILIES_NEEDED[n]]
        assert figures == expected, title
    families = re.search(r'id="history-families".*?</table>', html, re.S).group(0)
    for n, title in enumerate(QUARTERS):
        cells = re.search(rf"{title}.*?</tr>", families, re.S).group(0)
        figures = [int(x) for x in re.findall(r">(\d+)</td>", cells)]
        assert figures == [
            ENQUIRIES[n],
            REGISTRATIONS[n],
            STAGE2_STARTS[n],
            APPROVALS[n],
            FAMILIES_MATCHED[n],
            FAMILIES_WAITING[n],
            FAMILIES_AVAILABLE[n],
        ], title
    # The 8 quarters' totals, and where each assumption comes from.
    totals = re.search(r'id="children-totals".*?</tr>', html, re.S).group(0)
    assert [int(x) for x in re.findall(r">(\d+)</td>", totals)] == [9, 3, 4, 3]
    totals = re.search(r'id="families-totals".*?</tr>', html, re.S).group(0)
    assert [int(x) for x in re.findall(r">(\d+)</td>", totals)] == [6, 3, 3, 3, 3]
    assert "From the records: 9 new decisions in 8 quarters, 1.1 a quarter" in text
    assert "From the records: 8 of 9 children with a decision, 88.9%" in text
    assert "From the records: 26 families needed for 30 children waiting, over the 8 quarter ends, 0.87 a child" in text
    assert "From the records: 3 of 6 enquiries registered, 50%" in text
    assert "From the records: 3 of 3 registrations approved, 100%" in text
    # The assumptions, pre-filled from the history.
    for name, value in {
        "decisions_per_quarter": "1.1",
        "needing_family_percent": "88.9",
        "children_matched_per_quarter": "0.5",
        "families_per_child": "0.87",
        "enquiries_per_quarter": "0.8",
        "registration_percent": "50.0",
        "approval_percent": "100.0",
        "families_matched_per_quarter": "0.4",
    }.items():
        assert re.search(rf'name="{name}" value="{re.escape(value)}"', html), name
    # The projection from 4 children waiting and 0 families available at the end of March 2025: 1.1 x 88.9% =
    # 0.9779 more children a quarter, 0.5 matched; families: 0.8 x 50% x 100% = 0.4 approved, 0.4 matched.
    needed = _expected_children(_d("1.1"), _d("88.9"), _d("0.5"), _d("0.87"), 4)
    assert needed == [4, 4, 5, 5]
    for quarter, families in zip([FinancialQuarter(2025, n) for n in (1, 2, 3, 4)], needed, strict=True):
        cells = _row(html, quarter)
        assert cells[1] == "Projected"
        assert cells[3:] == [str(families), "0", f"Shortfall of {families}"]
    # The recorded quarters are in the same table.
    assert _row(html, LAST)[1:] == ["Recorded", "4", "3", "0", "Shortfall of 3"]
    # The arithmetic in words.
    assert "4 children waiting for a family at the start, plus 1 newly needing one (1.1 decisions" in text
    assert "88.9% who go on to need a family), less 0.5 matched: 4.5 waiting at the end" in text
    # The chart: inline, an image with a text alternative.
    assert re.search(r'<svg[^>]*role="img"', html)
    assert "Line chart of the families needed and families available" in text
    # Children are never named.
    assert "NameA" not in html and "NameX" not in html


def test_changing_an_assumption_projects_again(client, spread, manager, raa):
    response = _page(
        client,
        manager,
        area=f"raa-{raa.pk}",
        to="2024-4",
        enquiries_per_quarter="20",
        registration_percent="50",
        approval_percent="40",
        families_matched_per_quarter="1",
    )
    html, text = response.content.decode(), _text(response)
    assert response.status_code == 200
    # 20 x 50% x 40% = 4 approved a quarter, 1 matched: from 0, 3, 6, 9, 12 available. The children's side keeps
    # the history's assumptions.
    needed = _expected_children(_d("1.1"), _d("88.9"), _d("0.5"), _d("0.87"), 4)
    for n, (available, families) in enumerate(zip([3, 6, 9, 12], needed, strict=True)):
        cells = _row(html, FinancialQuarter(2025, n + 1))
        gap = available - families
        words = f"Surplus of {gap}" if gap > 0 else f"Shortfall of {-gap}" if gap < 0 else "None"
        assert cells[3:] == [str(families), str(available), words]
    assert 'name="enquiries_per_quarter" value="20"' in html
    assert "From the records: 6 enquiries in 8 quarters, 0.8 a quarter" in text  # the history's value stays
    assert "With the assumptions you changed" in text


def test_an_la_manager_sees_their_children_without_the_raas_families(client, spread, manager_a, la_a, raa, la_other):
    response = _page(client, manager_a)
    html, text = response.content.decode(), _text(response)
    assert response.status_code == 200
    assert f"{la_a.name}'s children" in text
    assert "their figures are shown to the agency's managers" in text
    assert 'id="history-families"' not in html
    assert 'name="enquiries_per_quarter"' not in html
    # LA A: waiting at each end is the RAA's less B1 (Q4 2023-24 and Q1 2024-25).
    assert _row(html, LAST)[1:] == ["Recorded", "4", "3"]
    # Another area is not a choice: not their RAA, not another RAA's LA.
    for area in (f"raa-{raa.pk}", f"la-{la_other.pk}"):
        refused = _page(client, manager_a, area=area)
        assert refused.status_code == 200
        assert "Choose an area from the list" in _text(refused)
        assert 'id="history-children"' not in refused.content.decode()


def test_an_raa_manager_may_choose_one_of_its_las(client, spread, manager, la_b, raa):
    response = _page(client, manager, area=f"la-{la_b.pk}")
    html, text = response.content.decode(), _text(response)
    assert f"{la_b.name}'s children, with {raa.name}'s families" in text
    # B1 alone on the children's side; the RAA's families.
    assert _row(html, FinancialQuarter(2023, 4))[1:] == ["Recorded", "1", "1", "1", "None"]  # H7 available
    assert _row(html, LAST)[1:] == ["Recorded", "0", "0", "0", "None"]


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("decisions_per_quarter", "-2", "New decisions per quarter must be 0 or more"),
        ("registration_percent", "150", "The percentage of enquiries that go on to register must be 100% or less"),
        (
            "needing_family_percent",
            "-1",
            "The percentage of children with a decision who go on to need a family must be 0 or more",
        ),
        ("enquiries_per_quarter", "lots", "Enter enquiries per quarter as a number, like 12 or 12.5"),
        ("families_per_child", "2", "Families needed per child must be 1 or less: each child needs at most one family"),
        ("families_per_child", "0", "Families needed per child must be more than 0"),
    ],
)
def test_bad_values_give_a_clear_error_and_keep_what_was_typed(client, spread, manager, raa, field, typed, message):
    response = _page(client, manager, area=f"raa-{raa.pk}", to="2024-4", **{field: typed})
    html, text = response.content.decode(), _text(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert message in text
    assert f'name="{field}" value="{typed}"' in html
    assert "Correct the assumptions to see the projection" in text
    assert 'id="forecast-table"' not in html
    assert 'id="history-children"' in html  # the history still shows


def test_the_table_downloads_as_csv(client, spread, manager, raa):
    response = _page(client, manager, area=f"raa-{raa.pk}", to="2024-4", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Quarter", "Recorded or projected", "New decisions"]
    assert len(body) == 12
    recorded = {row[0].split(" (")[0]: row for row in body if row[1] == "Recorded"}
    assert list(recorded) == QUARTERS
    column = {name: header.index(name) for name in header}
    for n, title in enumerate(QUARTERS):
        row = recorded[title]
        assert row[column["New decisions"]] == str(DECISIONS[n])
        assert row[column["Children waiting for a family at the end"]] == str(WAITING[n])
        assert row[column["Families needed at the end"]] == str(FAMILIES_NEEDED[n])
        assert row[column["Enquiries"]] == str(ENQUIRIES[n])
        assert row[column["Families available at the end"]] == str(FAMILIES_AVAILABLE[n])
    projected = [row for row in body if row[1] == "Projected"]
    assert [row[0].split(" (")[0] for row in projected] == ["Q1 2025-26", "Q2 2025-26", "Q3 2025-26", "Q4 2025-26"]
    assert [row[column["Shortfall of families"]] for row in projected] == ["4", "4", "5", "5"]
    assert [row[column["Surplus of families"]] for row in projected] == ["0", "0", "0", "0"]
    assert projected[0][column["New decisions"]] == "1.1"
    # No cell a spreadsheet would run as a formula.
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_an_organisation_with_nothing_to_report_on(client, db):
    vaa_manager = factories.staff(factories.VaaFactory(), Role.MANAGER)
    response = _page(client, vaa_manager)
    assert response.status_code == 200
    assert "You do not report on any" in _text(response)
