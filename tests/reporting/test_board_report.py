"""The RAA executive board's quarterly report: its figures against hand-built records, the page, the PDF read back,
and who may see and ask for it.

The quarter is 2025 Q2 (1 July to 30 September 2025), shown beside 2025 Q1 (1 April to 30 June 2025) and the
year to date (1 April to 30 September 2025). The records sit on both sides of the quarters' edges. Every expected
figure below is worked out by hand from the records, in the comments beside them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from adopters.models import Household
from adoption.models import Job, Role
from adoption.periods import FinancialQuarter
from children.models import AdoptivePlacement, Disruption, EarlyPermanencePlacement
from reporting import board_report
from reporting.board_report import CHART_TITLE, board_report_request, board_scope
from reporting.services import ended_quarter
from support.models import AsfApplication
from tests import factories
from tests.pdf_checks import tagged_pdf

QUARTER = FinancialQuarter(2025, 2)
Q1, Q2, YTD = 0, 1, 2
URL = "/reports/board/"


def journey(
    la,
    ref: str,
    *,
    entered: date | None = None,
    decided: date | None = None,
    reversed_on: date | None = None,
    order: date | None = None,
    matched: date | None = None,
    placed: date | None = None,
    household: Household | None = None,
    ended: date | None = None,
    adopted: date | None = None,
):
    """A child with exactly the dated records given (named so a test can check names never show)."""
    child = factories.ChildFactory(
        responsible_la=la, la_child_id=ref, first_name="Secretname", last_name=f"Private{ref.replace('-', '')}"
    )
    if entered:
        factories.PeriodOfCareFactory(child=child, started_on=entered)
    if decided:
        factories.AdoptionDecisionFactory(
            child=child, decided_on=decided, reversed_on=reversed_on, reversal_reason="RD1" if reversed_on else ""
        )
    if order:
        factories.PlacementOrderFactory(child=child, made_on=order)
    if matched:
        AdoptivePlacement.objects.create(
            child=child, household=household, matched_on=matched, placed_on=placed, ended_on=ended
        )
    if adopted:
        factories.AdoptionOrderFactory(child=child, made_on=adopted)
    return child


@pytest.fixture
def records(raa, la_a, la_b, la_other, vaa):
    """LA A's children (``ASH-*``), one of LA B (``BRK-1``) and one of another RAA's LA (``CST-1``)."""
    own = factories.HouseholdFactory(approving_agency=raa)
    vaa_family = factories.HouseholdFactory(approving_agency=vaa)
    other_raa_family = factories.HouseholdFactory(approving_agency=la_other.raa)
    found = {
        # Decision in Q1, placement order in Q2; fostering for adoption from Q1's last day.
        "ASH-1": journey(la_a, "ASH-1", decided=date(2025, 5, 10), order=date(2025, 7, 15)),
        # Matched in Q1 (20 June), moved in with the RAA's own family in Q2 (5 July).
        "ASH-2": journey(
            la_a,
            "ASH-2",
            decided=date(2024, 12, 1),
            order=date(2025, 2, 1),
            matched=date(2025, 6, 20),
            placed=date(2025, 7, 5),
            household=own,
        ),
        # Matched and moved in with a VAA's family in Q2: inter-agency.
        "ASH-3": journey(
            la_a,
            "ASH-3",
            decided=date(2024, 6, 1),
            order=date(2024, 8, 1),
            matched=date(2025, 8, 1),
            placed=date(2025, 8, 20),
            household=vaa_family,
        ),
        # Adopted on Q2's last day. A1 517 days (1 Jan 2023 to 1 Jun 2024); A2 262 days (1 Sep 2023 to 20 May 2024).
        "ASH-4": journey(
            la_a,
            "ASH-4",
            entered=date(2023, 1, 1),
            decided=date(2023, 6, 1),
            order=date(2023, 9, 1),
            matched=date(2024, 5, 20),
            placed=date(2024, 6, 1),
            household=factories.HouseholdFactory(approving_agency=raa),
            adopted=date(2025, 9, 30),
        ),
        # Adopted on Q1's first day. A1 244 days (1 Jan to 1 Sep 2024); A2 109 days (1 May to 18 Aug 2024).
        "ASH-5": journey(
            la_a,
            "ASH-5",
            entered=date(2024, 1, 1),
            decided=date(2024, 3, 1),
            order=date(2024, 5, 1),
            matched=date(2024, 8, 18),
            placed=date(2024, 9, 1),
            household=factories.HouseholdFactory(approving_agency=raa),
            adopted=date(2025, 4, 1),
        ),
        # Placed in February 2025; the placement ended in Q2 (10 August): a disruption, its meeting recorded.
        "ASH-6": journey(
            la_a,
            "ASH-6",
            decided=date(2024, 1, 1),
            order=date(2024, 3, 1),
            matched=date(2025, 1, 10),
            placed=date(2025, 2, 1),
            household=factories.HouseholdFactory(approving_agency=raa),
            ended=date(2025, 8, 10),
        ),
        # The placement ended in Q1 (5 May) and no disruption is recorded for it.
        "ASH-7": journey(
            la_a,
            "ASH-7",
            decided=date(2024, 1, 1),
            order=date(2024, 2, 1),
            matched=date(2024, 12, 1),
            placed=date(2025, 1, 2),
            household=factories.HouseholdFactory(approving_agency=raa),
            ended=date(2025, 5, 5),
        ),
        # Decision in Q1 (10 April), reversed in Q2 (1 August); concurrent planning from Q2's first day.
        "ASH-8": journey(la_a, "ASH-8", decided=date(2025, 4, 10), reversed_on=date(2025, 8, 1)),
        # Matched in Q2, moved in on Q2's last day, no family recorded on the placement.
        "ASH-11": journey(
            la_a,
            "ASH-11",
            decided=date(2024, 5, 1),
            order=date(2024, 6, 1),
            matched=date(2025, 9, 1),
            placed=date(2025, 9, 30),
        ),
        # LA B: decision and order in Q1, matched and moved in with the RAA's own family in Q2.
        "BRK-1": journey(
            la_b,
            "BRK-1",
            decided=date(2025, 5, 1),
            order=date(2025, 6, 1),
            matched=date(2025, 7, 20),
            placed=date(2025, 8, 1),
            household=own,
        ),
        # Another RAA's LA: a decision in Q1, moved in in Q2, a disruption: never in these reports.
        "CST-1": journey(
            la_other,
            "CST-1",
            decided=date(2025, 5, 2),
            order=date(2025, 5, 20),
            matched=date(2025, 7, 1),
            placed=date(2025, 8, 2),
            household=other_raa_family,
            ended=date(2025, 9, 1),
        ),
    }
    Disruption.objects.create(
        placement=found["ASH-6"].adoptive_placements.get(), reason="child_needs", meeting_on=date(2025, 9, 1)
    )
    Disruption.objects.create(placement=found["CST-1"].adoptive_placements.get(), reason="other")
    ffa, concurrent = (
        EarlyPermanencePlacement.Kind.FOSTERING_FOR_ADOPTION,
        EarlyPermanencePlacement.Kind.CONCURRENT_PLANNING,
    )
    EarlyPermanencePlacement.objects.create(child=found["ASH-1"], kind=ffa, started_on=date(2025, 6, 30))
    EarlyPermanencePlacement.objects.create(child=found["ASH-8"], kind=concurrent, started_on=date(2025, 7, 1))
    EarlyPermanencePlacement.objects.create(child=found["ASH-2"], kind=ffa, started_on=date(2025, 10, 1))  # after
    EarlyPermanencePlacement.objects.create(child=found["CST-1"], kind=ffa, started_on=date(2025, 7, 2))
    return found


def _household(agency, reference: str, **dates) -> Household:
    """A household with only the dates given (the factory's own dates cleared)."""
    fields = {"enquired_on": None, "registered_on": None, "approved_on": None, "status": Household.Status.ENQUIRY}
    return factories.HouseholdFactory(approving_agency=agency, reference=reference, **(fields | dates))


@pytest.fixture
def families(raa, la_other, vaa):
    """The RAA's families ``F*`` through the two quarters, and a VAA's and another RAA's that are never counted."""
    h = _household
    h(raa, "F1", enquired_on=date(2025, 4, 2))
    # Stage 1 15 April to 10 June: due 15 June, on time. Stage 2 from 5 July.
    h(
        raa,
        "F2",
        enquired_on=date(2025, 3, 20),
        registered_on=date(2025, 4, 10),
        stage1_started_on=date(2025, 4, 15),
        stage1_ended_on=date(2025, 6, 10),
        stage2_started_on=date(2025, 7, 5),
    )
    # Stage 1 3 February to 10 May: due 3 April, 20 days paused -> 23 April: late. Stage 2 20 May to 25 September
    # (128 days): due 20 September: late.
    f3 = h(
        raa,
        "F3",
        enquired_on=date(2025, 1, 5),
        registered_on=date(2025, 2, 1),
        stage1_started_on=date(2025, 2, 3),
        stage1_ended_on=date(2025, 5, 10),
        stage2_started_on=date(2025, 5, 20),
        stage2_ended_on=date(2025, 9, 25),
    )
    factories.PauseFactory(household=f3, stage=1, started_on=date(2025, 3, 1), ended_on=date(2025, 3, 21))
    # Stage 2 10 January to 1 July (172 days), a reason recorded: 6 months, due 10 July: on time. Approved 1 August.
    h(
        raa,
        "F4",
        registered_on=date(2024, 10, 1),
        stage1_started_on=date(2024, 10, 1),
        stage1_ended_on=date(2024, 12, 1),
        stage2_started_on=date(2025, 1, 10),
        stage2_ended_on=date(2025, 7, 1),
        stage2_extension_reason="Adopter's illness",
        panel_on=date(2025, 7, 20),
        approved_on=date(2025, 8, 1),
    )
    # Stage 1 1 April to 15 June: due 1 June, 20 days paused -> 21 June: on time. Left 15 August.
    f5 = h(
        raa,
        "F5",
        registered_on=date(2025, 3, 25),
        stage1_started_on=date(2025, 4, 1),
        stage1_ended_on=date(2025, 6, 15),
        left_on=date(2025, 8, 15),
        leaving_reason=Household.LeavingReason.WITHDREW,
    )
    factories.PauseFactory(household=f5, stage=1, started_on=date(2025, 4, 10), ended_on=date(2025, 4, 30))
    # Fast track: enquiry on 25 June, registered 1 July, stage 2 from 2 July.
    h(
        raa,
        "F6",
        route=Household.Route.FAST_TRACK,
        enquired_on=date(2025, 6, 25),
        registered_on=date(2025, 7, 1),
        stage2_started_on=date(2025, 7, 2),
    )
    # Approved in 2024; a child of another RAA's LA (an inter-agency placement for it) matched on 1 May and moved
    # in on 20 May 2025 (the first since approval). The child is not one of this RAA's children.
    f7 = h(raa, "F7", registered_on=date(2024, 1, 10), approved_on=date(2024, 11, 1))
    journey(la_other, "CST-F7", matched=date(2025, 5, 1), placed=date(2025, 5, 20), household=f7)
    # Approved 5 May 2025, de-registered 1 September 2025.
    h(
        raa,
        "F8",
        registered_on=date(2024, 9, 1),
        stage1_started_on=date(2024, 9, 2),
        stage1_ended_on=date(2024, 10, 30),
        stage2_started_on=date(2024, 11, 5),
        stage2_ended_on=date(2025, 3, 1),
        panel_on=date(2025, 4, 20),
        approved_on=date(2025, 5, 5),
        deregistered_on=date(2025, 9, 1),
    )
    h(raa, "F9", enquired_on=date(2025, 9, 30))
    h(raa, "F10", enquired_on=date(2025, 10, 1))  # after the quarter
    h(raa, "F11", registered_on=date(2025, 6, 1))
    h(raa, "F12", registered_on=date(2025, 8, 1), stage1_started_on=date(2025, 8, 5))
    # Approved in 2024; another RAA's LA's child matched on 10 September 2025, not yet moved in.
    f13 = h(raa, "F13", registered_on=date(2024, 1, 1), approved_on=date(2024, 6, 1))
    journey(la_other, "CST-F13", matched=date(2025, 9, 10), household=f13)
    # Never counted: a VAA's and another RAA's families.
    h(vaa, "V1", enquired_on=date(2025, 4, 5), registered_on=date(2025, 4, 6))
    h(la_other.raa, "C1", enquired_on=date(2025, 5, 5), registered_on=date(2025, 5, 6))


@pytest.fixture
def asf(la_a, la_b, la_other, manager):
    """ASF applications of LA A's spoke (and LA B's, and another RAA's LA's, never in LA A's report)."""
    child_a = factories.ChildFactory(responsible_la=la_a)
    child_b = factories.ChildFactory(responsible_la=la_b)
    child_other = factories.ChildFactory(responsible_la=la_other)

    def application(la, child, cost, match, status, **dates):
        return AsfApplication.objects.create(
            la=la,
            child=child,
            basis="" if status == "draft" else "adopted",
            therapy="ddp",
            provider="Therapy Ltd",
            sessions=6,
            cost=Decimal(cost),
            match_funding=Decimal(match),
            work_starts_on=date(2025, 9, 1),
            work_ends_on=date(2026, 2, 1),
            financial_year=2025,
            status=status,
            created_by=manager,
            **dates,
        )

    # Submitted in Q1 (fund's share 3,000 - 500 = 2,500), approved in Q2.
    application(la_a, child_a, "3000", "500", "approved", submitted_on=date(2025, 5, 1), decided_on=date(2025, 7, 10))
    # Submitted and approved in Q2 (1,200), then paid.
    application(
        la_a,
        child_a,
        "1200",
        "0",
        "paid",
        submitted_on=date(2025, 7, 15),
        decided_on=date(2025, 8, 1),
        invoiced_on=date(2025, 8, 10),
        paid_on=date(2025, 8, 20),
    )
    # Submitted and refused in Q2 (800).
    application(
        la_a,
        child_a,
        "800",
        "0",
        "rejected",
        submitted_on=date(2025, 8, 1),
        decided_on=date(2025, 8, 20),
        rejection_reason="Not eligible",
    )
    application(la_a, child_a, "999", "0", "draft")  # a draft is not an application yet
    # LA B: submitted and approved in Q1 (2,000).
    application(la_b, child_b, "2000", "0", "approved", submitted_on=date(2025, 6, 1), decided_on=date(2025, 6, 20))
    application(
        la_other, child_other, "5000", "0", "approved", submitted_on=date(2025, 5, 5), decided_on=date(2025, 5, 6)
    )


def _report(actor, organisation):
    return board_report.board_report(scope=board_scope(actor=actor, organisation_id=organisation.pk), quarter=QUARTER)


# --- the figures ------------------------------------------------------------------------------------------------


def test_the_columns_are_the_quarters_of_the_year_so_far_and_the_year_to_date(records, manager, la_a):
    report = _report(manager, la_a)
    assert [(p.start, p.end) for p in report.periods] == [
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 4, 1), date(2025, 9, 30)),
    ]
    first = _report_for_quarter(manager, la_a, FinancialQuarter(2025, 1))
    assert [p.key for p in first.periods] == ["q1", "ytd"]


def _report_for_quarter(actor, organisation, quarter):
    return board_report.board_report(scope=board_scope(actor=actor, organisation_id=organisation.pk), quarter=quarter)


def test_la_as_childrens_figures_in_each_period(records, manager, la_a):
    c = _report(manager, la_a).children
    # Decisions: ASH-1 (10 May), ASH-8 (10 April), both Q1. Orders: ASH-1 (15 July) in Q2.
    assert [f.decisions for f in c] == [2, 0, 2]
    assert [f.placement_orders for f in c] == [0, 1, 1]
    # Matched: ASH-2 (20 June) in Q1; ASH-3 (1 Aug) and ASH-11 (1 Sep) in Q2.
    assert [f.matched for f in c] == [1, 2, 3]
    # Moved in: ASH-2 (5 July, own), ASH-3 (20 Aug, a VAA's family), ASH-11 (30 Sep, no family recorded).
    assert [f.placed for f in c] == [0, 3, 3]
    assert [(f.own, f.inter_agency, f.agency_not_recorded) for f in c] == [(0, 0, 0), (1, 1, 1), (1, 1, 1)]
    assert [f.own_percent for f in c] == [None, 50, 50]
    # Adopted: ASH-5 on 1 April (Q1), ASH-4 on 30 September (Q2). Reversed: ASH-8 on 1 August.
    assert [f.adopted for f in c] == [1, 1, 2]
    assert [f.reversals for f in c] == [0, 1, 1]
    # Early permanence: fostering for adoption on 30 June, concurrent planning on 1 July; 1 October is later.
    assert [(f.ffa, f.concurrent) for f in c] == [(1, 0), (0, 1), (1, 1)]
    # Ended before the order: ASH-7 in Q1 (no disruption record), ASH-6 in Q2 (recorded, meeting held).
    assert [(f.disruptions, f.disruption_meetings, f.ended_without_record) for f in c] == [
        (0, 0, 1),
        (1, 1, 0),
        (1, 1, 1),
    ]


def test_la_as_children_at_each_stage_at_each_quarter_end(records, manager, la_a):
    report = _report(manager, la_a)
    s = report.stages
    # 30 June: decision, no order: ASH-1, ASH-8 (reversed only later). Order, no match: ASH-3 (matched in August),
    # ASH-7 (its placement ended 5 May), ASH-11. Matched, not moved in: ASH-2. Living with the family, not adopted:
    # ASH-4 (adopted 30 Sep), ASH-6 (ended 10 Aug).
    assert (s[Q1].decision_no_order, s[Q1].order_not_matched, s[Q1].matched_not_placed) == (2, 3, 1)
    assert s[Q1].placed_not_adopted == 2
    assert s[Q1].waiting == 6
    # 30 September: order, no match: ASH-1, ASH-6 (back after the disruption), ASH-7. Placed: ASH-2, ASH-3, ASH-11.
    # ASH-8's decision was reversed, ASH-4 adopted.
    assert (s[Q2].decision_no_order, s[Q2].order_not_matched, s[Q2].matched_not_placed) == (0, 3, 0)
    assert s[Q2].placed_not_adopted == 3
    # The waiting stages together are the scorecard's children waiting.
    assert [stage.waiting for stage in s] == [f.waiting for f in _headline(la_a)]


def _headline(la):
    from reporting import measures

    return [measures.headline_counts(la_ids={la.pk}, period_end=end) for end in (date(2025, 6, 30), date(2025, 9, 30))]


def test_timeliness_is_the_scorecards_over_the_3_years_to_each_quarter_end(records, manager, la_a):
    t = _report(manager, la_a).timeliness
    # To 30 June 2025 only ASH-5 (adopted 1 April 2025) is in the 3 years: A1 244 days, A2 109 days.
    assert (t[Q1].a1.days, t[Q1].a1.children, t[Q1].a2.days) == (244, 1, 109)
    # To 30 September both: A1 (517 + 244) / 2 = 380.5 -> 381; A2 (262 + 109) / 2 = 185.5 -> 186.
    assert (date(2024, 6, 1) - date(2023, 1, 1)).days == 517
    assert (date(2024, 5, 20) - date(2023, 9, 1)).days == 262
    assert (t[Q2].a1.days, t[Q2].a1.children, t[Q2].a2.days) == (381, 2, 186)
    assert t[Q2].a1.threshold_days == 426 and t[Q2].a1.meets_threshold is True
    assert t[Q2].a2.threshold_days == 121 and t[Q2].a2.meets_threshold is False
    assert t[Q2].a10.days == 381  # no foster carer adoptions


def test_a_fourth_quarter_shows_all_four_quarters_and_the_year(records, manager, la_a):
    report = _report_for_quarter(manager, la_a, FinancialQuarter(2024, 4))
    assert [p.key for p in report.periods] == ["q1", "q2", "q3", "q4", "ytd"]
    assert report.year_to_date.start == date(2024, 4, 1) and report.year_to_date.end == date(2025, 3, 31)
    # Decisions: ASH-3 (1 June 2024) and ASH-11 (1 May 2024) in Q1, ASH-2 (1 December 2024) in Q3.
    assert [f.decisions for f in report.children] == [2, 0, 1, 0, 3]
    # Moved in: ASH-4 (1 June 2024), ASH-5 (1 September 2024), ASH-7 (2 January 2025), ASH-6 (1 February 2025),
    # all with the RAA's own families.
    assert [f.placed for f in report.children] == [1, 1, 0, 2, 4]
    assert [f.own_percent for f in report.children] == [100, 100, None, 100, 100]


def test_the_raas_report_counts_all_its_las_and_never_another_raas(records, manager, raa):
    c = _report(manager, raa).children
    # LA B's BRK-1 adds a decision and an order in Q1 and a match and a move to the RAA's own family in Q2.
    assert [f.decisions for f in c] == [3, 0, 3]
    assert [f.placement_orders for f in c] == [1, 1, 2]
    assert [f.matched for f in c] == [1, 3, 4]
    assert [(f.own, f.inter_agency, f.agency_not_recorded) for f in c] == [(0, 0, 0), (2, 1, 1), (2, 1, 1)]
    assert [f.own_percent for f in c] == [None, 67, 67]  # 2 of 3
    # CST-1 (another RAA's LA): its disruption and fostering for adoption are not counted.
    assert [f.disruptions for f in c] == [0, 1, 1]
    assert [f.ffa for f in c] == [1, 0, 1]


def test_the_families_figures_of_each_period(families, manager, raa):
    adopters = _report(manager, raa).adopters
    assert adopters is not None and adopters.agency_names == ("Heartlands Adoption",)
    f = adopters.flows
    assert [x.enquiries for x in f] == [2, 1, 3]  # F1, F6 | F9 (30 Sep); F10 is later, V1 and C1 not the RAA's
    assert [x.registrations for x in f] == [2, 2, 4]  # F2, F11 | F6, F12
    assert [x.stage1_started for x in f] == [2, 1, 3]  # F2, F5 | F12
    assert [x.stage2_started for x in f] == [1, 2, 3]  # F3 | F2, F6 (fast track)
    assert [x.approvals for x in f] == [1, 1, 2]  # F8 | F4
    assert [x.matched for x in f] == [1, 1, 2]  # F7 | F13
    assert [x.placed for x in f] == [1, 0, 1]  # F7
    assert [x.left for x in f] == [0, 1, 1]  # F5
    # Stage 1 ended in Q1: F2 on time, F3 late (even with its pause), F5 on time thanks to its pause.
    assert [(x.stage1_completed, x.stage1_on_time) for x in f] == [(3, 2), (0, 0), (3, 2)]
    assert [x.stage1_percent for x in f] == [67, None, 67]
    # Stage 2 ended in Q2: F3 late (4 months), F4 on time (6 months with its reason).
    assert [(x.stage2_completed, x.stage2_on_time) for x in f] == [(0, 0), (2, 1), (2, 1)]
    f3_days, f4_days = (date(2025, 9, 25) - date(2025, 5, 20)).days, (date(2025, 7, 1) - date(2025, 1, 10)).days
    assert (f3_days, f4_days) == (128, 172)
    assert [x.stage2_days for x in f] == [None, 150, 150]


def test_the_families_at_each_stage_at_each_quarter_end(families, manager, raa):
    adopters = _report(manager, raa).adopters
    assert adopters is not None
    q1, q2 = adopters.stages
    # 30 June: F11 registered; F2, F5 between the stages; F3, F4 in stage 2; F8, F13 approved and waiting; F7 placed.
    assert (q1.registered, q1.stage1, q1.between_stages, q1.stage2, q1.awaiting_approval) == (1, 0, 2, 2, 0)
    assert (q1.approved_waiting, q1.matched, q1.placed) == (2, 0, 1)
    # 30 September: F11 registered; F12 in stage 1; F2, F6 in stage 2; F3 assessed; F4 waiting (F8 de-registered,
    # F5 left); F13 matched; F7 placed.
    assert (q2.registered, q2.stage1, q2.between_stages, q2.stage2, q2.awaiting_approval) == (1, 1, 0, 2, 1)
    assert (q2.approved_waiting, q2.matched, q2.placed) == (1, 1, 1)


def test_asf_applications_and_their_value(asf, manager, la_a, raa):
    a = _report(manager, la_a).asf
    assert [x.submitted for x in a] == [1, 2, 3]
    assert [x.submitted_value for x in a] == [Decimal("2500.00"), Decimal("2000.00"), Decimal("4500.00")]
    assert [x.approved for x in a] == [0, 2, 2]
    assert [x.approved_value for x in a] == [Decimal("0.00"), Decimal("3700.00"), Decimal("3700.00")]
    assert [x.rejected for x in a] == [0, 1, 1]
    # The RAA's adds LA B's (2,000 in Q1); another RAA's LA's 5,000 never.
    r = _report(manager, raa).asf
    assert [x.submitted_value for x in r] == [Decimal("4500.00"), Decimal("2000.00"), Decimal("6500.00")]
    assert [x.approved_value for x in r] == [Decimal("2000.00"), Decimal("3700.00"), Decimal("5700.00")]


# --- who may see what -----------------------------------------------------------------------------------------


def test_an_las_manager_gets_its_children_but_not_the_raas_families(records, families, manager_a, la_a, raa):
    report = _report(manager_a, la_a)
    assert report.adopters is None
    assert [f.decisions for f in report.children] == [2, 0, 2]
    with pytest.raises(Http404):
        board_scope(actor=manager_a, organisation_id=raa.pk)  # an LA's staff do not see the RAA's records
    with pytest.raises(Http404):
        board_scope(actor=manager_a, organisation_id=factories.LaFactory().pk)


def test_other_roles_are_refused(records, social_worker_a, family_finder, la_a, la_other, raa, client):
    with pytest.raises(PermissionDenied):
        board_report_request(actor=social_worker_a, organisation_id=la_a.pk, year=2025, quarter=2)
    with pytest.raises(PermissionDenied):
        board_report_request(actor=family_finder, organisation_id=raa.pk, year=2025, quarter=2)
    with pytest.raises(Http404):
        board_report_request(actor=family_finder, organisation_id=la_other.pk, year=2025, quarter=2)
    client.force_login(social_worker_a)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"organisation": la_a.pk, "year": 2025, "quarter": 2}).status_code == 403
    assert not Job.objects.exists()


def test_an_organisation_outside_the_users_is_not_a_choice(records, manager_a, la_b, la_other, client):
    client.force_login(manager_a)
    for outside in (la_b, la_other):
        response = client.get(URL, {"organisation": outside.pk, "year": 2025, "quarter": 2})
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page
        assert "Choose a local authority or regional adoption agency" in page
        assert "BRK-1" not in page and "CST-1" not in page and 'id="board-children-flows"' not in page
    response = client.post(URL, {"organisation": la_other.pk, "year": 2025, "quarter": 2})
    assert response.status_code == 200
    assert "Choose a local authority or regional adoption agency" in response.content.decode()
    assert not Job.objects.exists()


def test_a_quarter_that_has_not_ended_is_refused(manager, raa, client):
    with pytest.raises(ValidationError) as refused:
        ended_quarter(2025, 2, today=date(2025, 9, 30))  # its last day: not ended yet
    assert "has not ended yet" in str(refused.value)
    assert ended_quarter(2025, 2, today=date(2025, 10, 1)) == QUARTER
    with pytest.raises(ValidationError):
        ended_quarter(2025, 5, today=date(2026, 1, 1))
    current = FinancialQuarter.containing(timezone.localdate())
    with pytest.raises(ValidationError):
        board_report_request(actor=manager, organisation_id=raa.pk, year=current.year, quarter=current.number)
    client.force_login(manager)
    response = client.get(URL, {"organisation": raa.pk, "year": current.year, "quarter": current.number})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "has not ended yet: choose a quarter that has ended" in page
    assert f'value="{current.number}" checked' in page  # what the user chose is kept
    response = client.post(URL, {"organisation": raa.pk, "year": "", "quarter": "9"})
    page = response.content.decode()
    assert response.status_code == 200 and "Choose a financial year" in page and "Choose a quarter" in page
    assert not Job.objects.exists()


# --- the page and the PDF ----------------------------------------------------------------------------------------


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_page_shows_the_figures_as_tables(records, families, asf, manager, raa, client):
    client.force_login(manager)
    response = client.get(URL, {"organisation": raa.pk, "year": 2025, "quarter": 2})
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(html)
    assert "Heartlands Adoption: Q2 2025-26 (July to September 2025)" in text
    assert (
        "Q1 (April to June 2025) Q2 (July to September 2025) Year to date (1 April 2025 to 30 September 2025)" in text
    )
    assert "New decisions that the child should be placed for adoption 3 0 3" in text
    assert "With another agency's adopters (inter-agency placements) 0 1 1" in text
    assert "Share with the RAA's own adopters No children moved in 67% (2 of 3) 67% (2 of 3)" in text
    assert "Disruptions (with a disruption record) 0 1 1" in text
    assert "Enquiries 2 1 3" in text
    assert "Stage 1 within its timescale 67% (2 of 3) None completed 67% (2 of 3)" in text
    assert "Asked of the fund £4,500.00 £2,000.00 £6,500.00" in text
    assert "Create the PDF" in html
    for caption in (
        "Children at each stage at the end of each quarter",
        "Families at each stage at the end of each quarter",
    ):
        assert f'<caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>' in html
    assert "Secretname" not in html and "CST-1" not in html


def test_an_las_page_says_the_families_are_the_raas(records, manager_a, la_a, client):
    client.force_login(manager_a)
    response = client.get(URL, {"organisation": la_a.pk, "year": 2025, "quarter": 2})
    text = _text(response.content.decode())
    assert "Ashby Borough: Q2 2025-26" in text
    assert "Families are approved by the regional adoption agency for all its local authorities" in text
    assert "Enquiries" not in text


def test_the_page_without_a_choice_shows_the_last_complete_quarter(manager, raa, client):
    client.force_login(manager)
    response = client.get(URL)
    assert response.status_code == 200
    last = FinancialQuarter.last_complete(timezone.localdate())
    assert f"Heartlands Adoption: {last.title}" in _text(response.content.decode())


def test_a_manager_with_no_organisation_is_told_so(db, client):
    manager = factories.UserFactory()
    factories.MembershipFactory(user=manager, organisation=factories.VaaFactory(), role=Role.MANAGER)
    client.force_login(manager)
    response = client.get(URL)
    assert response.status_code == 200
    assert "You do not report on any" in response.content.decode()


def test_the_pdf_is_made_by_a_job_and_shows_the_figures_and_a_chart(
    records, families, asf, manager, raa, client, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"organisation": raa.pk, "year": 2025, "quarter": 2})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.kind == Job.Kind.BOARD_REPORT and job.organisation == raa
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert "board-report-heartlands-adoption-2025-q2" in job.file.name and job.file.name.endswith(".pdf")
    assert job.result["decisions"] == 0 and job.result["placed"] == 4 and job.result["own_percent"] == 67
    with job.file.open("rb") as handle:
        pdf = tagged_pdf(handle.read())
    reader = pdf.reader
    # Tagged and in reading order: each section's heading, then its chart (read by its text alternative) and table.
    assert pdf.headings == [
        "Executive board performance report: Heartlands Adoption",
        "Children",
        "Adopters",
        "Adoption support",
    ]
    chart = next(block for block in pdf.blocks if block.role == "/Figure")
    assert chart.text.startswith("Children: decisions, placement orders, moves and adoptions by quarter: a bar chart")
    assert [block.role for block in pdf.blocks[3:7]] == ["/H2", "/Figure", "/Caption", "/TH"]
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert (
        reader.metadata.title
        == "Executive board performance report: Heartlands Adoption, Q2 2025-26 (July to September 2025)"
    )
    assert CHART_TITLE in text  # the chart's text is kept as text
    assert "New decisions that the child should be placed for adoption 3 0 3" in text
    assert "Moved in with their adoptive family 0 4 4" in text
    assert "A1: days from entering care to moving in with the adoptive family 244 days (threshold 426: met)" in text
    assert "Share with the RAA's own adopters No children moved in 67% (2 of 3) 67% (2 of 3)" in text
    assert "Stage 2 within its timescale None completed 50% (1 of 2) 50% (1 of 2)" in text
    assert "Approved by the fund £2,000.00 £3,700.00 £5,700.00" in text
    assert "Secretname" not in text and "CST-1" not in text and "Coast" not in text
    # The job's page shows it to the manager.
    assert client.get(reverse("job-detail", args=[job.pk])).status_code == 200
