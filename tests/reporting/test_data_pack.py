"""The regional data pack: its figures worked out by hand from one fixture, its cuts, the workbook, and that
another RAA's LAs are never counted or shown.

The quarter is Q2 2025-26: 1 July to 30 September 2025; the quarter before ended on 30 June 2025; the 12 months
run from 1 October 2024. LA A and LA B are Heartlands Adoption's (region West Midlands); Coastal City is Coast
Adoption's (South East), and everything of it must stay out.
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from adopters.models import Availability
from adoption.models import Job, Region, Role
from adoption.periods import FinancialQuarter
from children.models import (
    EarlyPermanencePlacement,
    FamilyFindingStatus,
    PermanenceOutcome,
    SiblingGroup,
    SiblingGroupMember,
)
from reporting import data_pack
from tests import factories
from tests.pdf_checks import tagged_pdf

URL = "/reports/data-pack/"
QUARTER = FinancialQuarter(2025, 2)
Q2 = {"year": "2025", "quarter": "2"}
HEARTLANDS = "Heartlands Adoption (2 local authorities)"
WEST_MIDLANDS = "West Midlands (2 local authorities)"
NOW = datetime(2025, 11, 22, 12, tzinfo=UTC)  # the last quarter that has ended is Q2 2025-26


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def _child(la, ref, **fields):
    fields.setdefault("first_name", f"Name{ref}")
    return factories.ChildFactory(responsible_la=la, la_child_id=ref, **fields)


def _waiting(la, ref, *, decided, order=None, **fields):
    child = _child(la, ref, **fields)
    factories.AdoptionDecisionFactory(child=child, decided_on=decided)
    if order:
        factories.PlacementOrderFactory(child=child, made_on=order)
    return child


def _household(raa, ref, *, approved, availability=(), **fields):
    household = factories.HouseholdFactory(approving_agency=raa, reference=ref, approved_on=approved, **fields)
    for status, status_from in availability:
        Availability.objects.create(household=household, status=status, status_from=status_from)
    return household


@pytest.fixture
def pack_records(la_a, la_b, la_other, raa):
    """The records every figure below is worked out from (see each test for the sums)."""
    for la, region in ((la_a, Region.WEST_MIDLANDS), (la_b, Region.WEST_MIDLANDS), (la_other, Region.SOUTH_EAST)):
        la.region = region
        la.save()
    # Families: five approved and not matched (available, on hold, not available, early permanence, none recorded).
    _household(raa, "H1", approved=date(2024, 1, 1), availability=[("available", date(2024, 1, 1))])
    _household(
        raa,
        "H2",
        approved=date(2024, 2, 1),
        availability=[("available", date(2024, 2, 1)), ("on_hold", date(2025, 5, 1))],
    )
    _household(raa, "H3", approved=date(2024, 3, 1), availability=[("early_permanence", date(2025, 6, 1))])
    _household(raa, "H4", approved=date(2024, 4, 1))
    # Available only from after the quarter: at its end it was "not available".
    _household(
        raa,
        "H9",
        approved=date(2024, 6, 1),
        availability=[("not_available", date(2024, 6, 1)), ("available", date(2025, 10, 5))],
    )
    matched_family = _household(raa, "H5", approved=date(2024, 5, 1), availability=[("available", date(2024, 5, 1))])

    # LA A.
    a1 = _waiting(
        la_a,
        "ASH-W1",
        decided=date(2023, 6, 1),
        order=date(2024, 1, 15),  # 18 months on: 15 July 2025, before the end
        date_of_birth=date(2020, 3, 1),
        sex="F",
        ethnicity="BCRB",
        has_disability=True,
    )
    FamilyFindingStatus.objects.create(child=a1, status="active", status_from=date(2024, 2, 1))
    _waiting(la_a, "ASH-W2", decided=date(2024, 9, 1), order=date(2024, 12, 1), date_of_birth=date(2023, 5, 1))
    a3 = _waiting(
        la_a,
        "ASH-W3",
        decided=date(2024, 3, 1),
        order=date(2024, 6, 15),  # 12 months on: 15 June 2025; 18 months on: 15 December 2025
        date_of_birth=date(2024, 1, 1),
        sex="F",
    )
    FamilyFindingStatus.objects.create(child=a3, status="on_hold", status_from=date(2025, 1, 1))
    factories.AdoptivePlacementFactory(child=a3, household=matched_family, matched_on=date(2025, 9, 10), placed_on=None)
    a4 = _waiting(
        la_a,
        "ASH-P1",
        decided=date(2024, 10, 1),
        order=date(2025, 1, 10),
        date_of_birth=date(2024, 6, 1),
        ethnicity="MWBC",
    )
    factories.AdoptivePlacementFactory(
        child=a4, household__approving_agency=raa, matched_on=date(2025, 7, 1), placed_on=date(2025, 7, 20)
    )
    EarlyPermanencePlacement.objects.create(
        child=a4, kind="ffa", started_on=date(2025, 5, 1), ended_on=date(2025, 7, 20)
    )
    group = SiblingGroup.objects.create(responsible_la=la_a, name="D siblings", plan=SiblingGroup.Plan.TOGETHER)
    for ref in ("ASH-D1", "ASH-D2"):
        sibling = _waiting(la_a, ref, decided=date(2025, 8, 1), date_of_birth=date(2022, 4, 1))
        factories.PeriodOfCareFactory(child=sibling, started_on=date(2025, 2, 1))
        SiblingGroupMember.objects.create(group=group, child=sibling)
    a7 = _child(la_a, "ASH-AD", date_of_birth=date(2019, 1, 1), sex="F", ethnicity="AIND")
    factories.AdoptionDecisionFactory(child=a7, decided_on=date(2024, 2, 1))
    factories.PlacementOrderFactory(child=a7, made_on=date(2024, 5, 1))
    factories.AdoptivePlacementFactory(
        child=a7, household__approving_agency=raa, matched_on=date(2024, 10, 15), placed_on=date(2024, 11, 1)
    )
    factories.AdoptionOrderFactory(child=a7, made_on=date(2025, 8, 15))
    a8 = _child(la_a, "ASH-EN")
    factories.PeriodOfCareFactory(child=a8, started_on=date(2025, 3, 1))
    a9 = _child(la_a, "ASH-SG")
    PermanenceOutcome.objects.create(child=a9, kind="sgo", made_on=date(2025, 9, 1))
    a12 = _child(la_a, "ASH-SG2")
    PermanenceOutcome.objects.create(child=a12, kind="sgo", made_on=date(2025, 1, 1))
    a10 = _child(la_a, "ASH-EP")
    EarlyPermanencePlacement.objects.create(child=a10, kind="concurrent", started_on=date(2025, 8, 1))
    a11 = _child(la_a, "ASH-RV")
    factories.AdoptionDecisionFactory(
        child=a11, decided_on=date(2024, 5, 1), reversed_on=date(2025, 4, 10), reversal_reason="RD1"
    )

    # LA B.
    _waiting(la_b, "BRK-W1", decided=date(2025, 5, 1), order=date(2025, 7, 1), date_of_birth=date(2025, 1, 1))
    b2 = _waiting(la_b, "BRK-P1", decided=date(2025, 6, 10), date_of_birth=date(2022, 1, 1), sex="F")
    factories.AdoptivePlacementFactory(
        child=b2, household__approving_agency=raa, matched_on=date(2025, 8, 20), placed_on=date(2025, 9, 1)
    )
    b3 = _child(la_b, "BRK-AD")
    factories.AdoptivePlacementFactory(
        child=b3, household__approving_agency=raa, matched_on=date(2024, 7, 1), placed_on=date(2024, 8, 1)
    )
    factories.AdoptionOrderFactory(child=b3, made_on=date(2025, 2, 1))

    # The adopters' pipeline of Heartlands.
    _household(
        raa, "P1", approved=None, enquired_on=date(2025, 7, 5), registered_on=date(2025, 7, 20), status="registered"
    )
    _household(
        raa,
        "P2",
        approved=None,
        status="stage_2",
        enquired_on=date(2025, 1, 10),
        registered_on=date(2025, 2, 1),
        stage1_started_on=date(2025, 2, 1),
        stage1_ended_on=date(2025, 4, 5),
        stage2_started_on=date(2025, 7, 1),
    )
    _household(
        raa,
        "P3",
        approved=date(2025, 9, 20),
        enquired_on=date(2024, 11, 1),
        registered_on=date(2024, 11, 20),
        stage1_started_on=date(2024, 12, 1),
        stage1_ended_on=date(2025, 1, 31),
        stage2_started_on=date(2025, 3, 1),
        stage2_ended_on=date(2025, 8, 15),  # 167 days; with a reason for more time, due by 1 Sep 2025 (6 months)
        stage2_extension_reason="The second applicant's medical was delayed",
        panel_on=date(2025, 9, 1),
    )
    _household(
        raa,
        "P5",
        approved=None,
        status="awaiting_panel",
        enquired_on=date(2024, 9, 1),
        registered_on=date(2024, 9, 15),
        stage1_started_on=date(2024, 9, 20),
        stage1_ended_on=date(2024, 11, 20),
        stage2_started_on=date(2025, 2, 1),
        stage2_ended_on=date(2025, 7, 31),  # 180 days; no reason recorded, so due by 1 June 2025 (4 months)
    )
    p4 = _household(
        raa,
        "P4",
        approved=None,
        status="between_stages",
        enquired_on=date(2025, 4, 1),
        registered_on=date(2025, 5, 1),
        stage1_started_on=date(2025, 5, 10),
        stage1_ended_on=date(2025, 7, 9),  # 60 days; due by 10 July 2025 (2 months)
    )
    applicant = factories.ApplicantFactory(household=p4)
    factories.CheckFactory(
        applicant=applicant,
        kind="dbs",
        requested_on=date(2025, 6, 1),
        due_on=date(2025, 7, 15),
        received_on=date(2025, 8, 1),
        outcome="satisfactory",
        delay_reason="dbs_backlog",
    )
    factories.CheckFactory(applicant=applicant, kind="medical", requested_on=date(2025, 6, 1), due_on=date(2025, 8, 1))
    factories.CheckFactory(
        applicant=applicant,
        kind="reference",
        requested_on=date(2025, 6, 1),
        due_on=date(2025, 7, 20),
        received_on=date(2025, 7, 18),
        outcome="satisfactory",
    )
    factories.CheckFactory(
        applicant=applicant,
        kind="employer",
        requested_on=date(2025, 5, 1),
        due_on=date(2025, 6, 1),
        received_on=date(2025, 7, 1),
        outcome="satisfactory",
        delay_reason="referee",
    )

    # Coastal City (another RAA): a bit of everything, none of which may be counted.
    coast = la_other.raa
    other_w = _waiting(la_other, "CST-W1", decided=date(2023, 1, 1), order=date(2023, 3, 1), first_name="Coastina")
    other_p = _waiting(la_other, "CST-P1", decided=date(2025, 1, 1))
    factories.AdoptivePlacementFactory(
        child=other_p, household__approving_agency=coast, matched_on=date(2025, 7, 1), placed_on=date(2025, 7, 2)
    )
    PermanenceOutcome.objects.create(child=_child(la_other, "CST-SG"), kind="sgo", made_on=date(2025, 8, 1))
    EarlyPermanencePlacement.objects.create(child=other_w, kind="ffa", started_on=date(2025, 8, 1))
    _household(coast, "C1", approved=date(2024, 1, 1), availability=[("available", date(2024, 1, 1))])
    _household(coast, "C2", approved=None, enquired_on=date(2025, 7, 1), registered_on=date(2025, 7, 2))


def _pack(las, cut="la", agencies=None):
    las = sorted(las, key=lambda la: la.name)
    for la in las:
        la.refresh_from_db()
    agency_ids = agencies if agencies is not None else {la.raa_id for la in las}
    return data_pack.data_pack(las=las, cut=cut, quarter=QUARTER, agency_ids=agency_ids)


def _row(table, *labels):
    row = next(row for row in table.rows if row.labels[: len(labels)] == labels)
    return {column.key: value for column, value in zip(table.columns, row.values, strict=True)}


def _labels(table):
    return [row.labels[0] for row in table.rows]


# --- figures -----------------------------------------------------------------------------------------------------


def test_stock_and_flow(pack_records, la_a, la_b):
    table = _pack([la_a, la_b]).table("stock-flow")
    # LA A. Flows: decisions D1, D2; no order in the quarter; matched W3 (10 Sep), P1 (1 Jul); placed P1; adopted AD.
    # Stock: decision only D1, D2; order W1, W2; matched W3; placed P1 (AD adopted; RV reversed; EN no decision).
    assert _row(table, "Ashby Borough") == {
        "flow_decision": 2,
        "flow_order": 0,
        "flow_matched": 2,
        "flow_placed": 1,
        "flow_adopted": 1,
        "stock_decision": 2,
        "stock_order": 2,
        "stock_matched": 1,
        "stock_placed": 1,
        "stock_total": 6,
    }
    # LA B: W1's order 1 July; P1 matched and placed; AD adopted in February (before the quarter).
    assert _row(table, "Brookfield County") == {
        "flow_decision": 0,
        "flow_order": 1,
        "flow_matched": 1,
        "flow_placed": 1,
        "flow_adopted": 0,
        "stock_decision": 0,
        "stock_order": 1,
        "stock_matched": 0,
        "stock_placed": 1,
        "stock_total": 2,
    }
    total = _row(table, data_pack.ALL_LABEL)
    assert (total["flow_decision"], total["flow_matched"], total["stock_total"], total["stock_placed"]) == (2, 3, 8, 2)


def test_waiting_12_and_18_months_from_the_placement_order(pack_records, la_a, la_b):
    table = _pack([la_a, la_b]).table("waiting")
    # LA A waiting: W1, W2, W3 (matched, not placed), D1, D2. With an order: W1, W2, W3. 12 months or more from
    # the order: W1 (15 Jan 2024), W3 (15 Jun 2024); 18 months: W1 only. Actively family finding: W1 (W3 on hold).
    assert _row(table, "Ashby Borough") == {
        "waiting": 5,
        "with_order": 3,
        "waited_12": 2,
        "waited_12_active": 1,
        "waited_18": 1,
        "waited_18_active": 1,
    }
    assert _row(table, "Brookfield County") == {
        "waiting": 1,
        "with_order": 1,
        "waited_12": 0,
        "waited_12_active": 0,
        "waited_18": 0,
        "waited_18_active": 0,
    }
    assert _row(table, data_pack.ALL_LABEL)["waiting"] == 6


def test_families_needed_against_families_available(pack_records, la_a, la_b):
    table = _pack([la_a, la_b]).table("families")
    # By RAA even when cut by LA: Heartlands, then all.
    assert _labels(table) == [HEARTLANDS, data_pack.ALL_LABEL]
    row = _row(table, HEARTLANDS)
    # Needed: LA A W1, W2 and the D siblings (one family); W3 is matched. LA B: W1. So 2 + 1 + 1 = 4.
    # Approved and not matched: H1 (available), H2 (on hold since May), H3 (early permanence), H4 and P3 (approved
    # in September; none recorded), H9 (not available until October); H5 is matched with W3, and the placed
    # children's families are matched.
    assert row == {
        "needed": 4,
        "approved_waiting": 6,
        "available": 1,
        "on_hold": 1,
        "not_available": 1,
        "early_permanence": 1,
        "not_recorded": 2,
        "gap": 1 - 4,
    }


def test_an_la_manager_is_not_shown_the_raas_families(pack_records, la_a):
    pack = _pack([la_a], agencies=set())
    assert pack.table("families").rows == ()
    assert "shown to the agency's managers" in pack.table("families").note
    assert pack.table("pipeline").rows == ()


def test_share_placed_by_the_next_quarter_end(pack_records, la_a, la_b):
    table = _pack([la_a, la_b]).table("placed-by-next")
    # Waiting on 30 June 2025 in LA A: W1, W2, W3, P1 (D1, D2 decided in August; AD placed in 2024); placed: P1.
    assert _row(table, "Ashby Borough") == {"waiting": 4, "placed": 1, "share": 25}
    # LA B: W1 and P1 (decided 10 June); P1 placed on 1 September.
    assert _row(table, "Brookfield County") == {"waiting": 2, "placed": 1, "share": 50}
    assert _row(table, data_pack.ALL_LABEL) == {"waiting": 6, "placed": 2, "share": 33}  # 2 of 6


def test_characteristics_of_the_longest_waiters_against_children_placed(pack_records, la_a, la_b):
    table = _pack([la_a, la_b]).table("longest-waiters")
    # LA A: 5 waiting, the longest quarter (at least 2 of 5: PERCENTILE over a descending order) is W1 (since
    # 1 June 2023) and W3 (1 March 2024). W1: 5 on 30 Sep 2025, female, Black, disabled; W3: 1, female, White.
    # Placed in the 12 months: P1 (1 on 20 Jul 2025, male, Mixed) and AD (5 on 1 Nov 2024, female, Asian).
    assert _row(table, "Ashby Borough", "Age group", "5 to 9") == {
        "longest": 1,
        "longest_share": 50,
        "placed": 1,
        "placed_share": 50,
    }
    assert _row(table, "Ashby Borough", "Gender", "Female") == {
        "longest": 2,
        "longest_share": 100,
        "placed": 1,
        "placed_share": 50,
    }
    assert _row(table, "Ashby Borough", "Disability", "Disabled")["longest_share"] == 50
    assert _row(table, "Ashby Borough", "Ethnicity group", "Black or Black British")["longest"] == 1
    assert _row(table, "Ashby Borough", "Ethnicity group", "Asian or Asian British")["placed"] == 1
    assert _row(table, "Ashby Borough", "Sibling group", "Not in a sibling group")["longest_share"] == 100
    # All: 6 waiting, the longest 2 are still W1 and W3; placed: P1, AD and LA B's P1 (3 on 1 Sep 2025).
    assert _row(table, data_pack.ALL_LABEL, "Age group", "1 to 4") == {
        "longest": 1,
        "longest_share": 50,
        "placed": 2,
        "placed_share": 67,
    }
    # LA B: one child waiting (W1, under 1 on 30 September), so they are the longest waiter.
    assert _row(table, "Brookfield County", "Age group", "Under 1")["longest_share"] == 100


def test_the_adopters_pipeline_and_stage_timeliness(pack_records, la_a, la_b):
    row = _row(_pack([la_a, la_b]).table("pipeline"), HEARTLANDS)
    # Quarter: enquiry P1; registration P1; stage 2 P2 (1 July); approval P3 (20 September).
    # 12 months from 1 Oct 2024: enquiries P1, P2, P3, P4 (P5 enquired in September 2024); registrations the same
    # 4; stage 2 P2, P3, P5 (75% of 4); approvals P3 (33% of 3).
    # Stage 1 ended in the quarter: P4, 60 days, by its due day (10 July). Stage 2 ended in the quarter: P3 (167
    # days, in 6 months with its reason) and P5 (180 days, over 4 months): 1 of 2 in time, mean 173.5 -> 174.
    assert row == {
        "enquired_quarter": 1,
        "registered_quarter": 1,
        "stage2_quarter": 1,
        "approved_quarter": 1,
        "enquired_year": 4,
        "registered_year": 4,
        "registered_rate": 100,
        "stage2_year": 3,
        "stage2_rate": 75,
        "approved_year": 1,
        "approved_rate": 33,
        "stage1_done": 1,
        "stage1_in_time_share": 100,
        "stage1_mean": 60,
        "stage2_done": 2,
        "stage2_in_time_share": 50,
        "stage2_mean": 174,
        "stage2_extended": 1,
    }


def test_late_checks_by_delay_reason(pack_records, la_a, la_b):
    row = _row(_pack([la_a, la_b]).table("delays"), HEARTLANDS)
    # Due in the quarter and late: the DBS check (received 1 Aug, due 15 Jul: DBS backlog) and the medical (not
    # received). The reference came in time; the employer's was due in June (another quarter).
    assert row["late"] == 2
    assert row["reason_dbs_backlog"] == 1
    assert row["reason_none"] == 1
    assert row["reason_referee"] == 0


def test_early_permanence_best_interest_decisions_and_orders(pack_records, la_a, la_b):
    pack = _pack([la_a, la_b])
    # Early permanence in LA A: EP (concurrent, from 1 August, still going); P1's FfA began in May, ended in July.
    assert _row(pack.table("early-permanence"), "Ashby Borough") == {
        "ep_ffa": 0,
        "ep_concurrent": 1,
        "ep_in_year": 2,
        "ep_at_end": 1,
    }
    # Decisions in LA A: D1, D2 in the quarter; P1 (1 Oct 2024), D1, D2 in the 12 months; RV reversed in April.
    # Entered care in the 12 months: D1, D2 (1 Feb 2025), EN (1 Mar 2025); decided since: D1, D2 -> 67%.
    assert _row(pack.table("best-interest"), "Ashby Borough") == {
        "decided_in_quarter": 2,
        "decided_in_year": 3,
        "reversed_in_year": 1,
        "entered_in_year": 3,
        "entered_then_decided": 2,
        "decision_rate": 67,
    }
    # Orders in LA A: AD's adoption order (15 Aug 2025); SGOs on 1 Sep 2025 and 1 Jan 2025. SGO share 2 of 3.
    assert _row(pack.table("orders"), "Ashby Borough") == {
        "adoption_quarter": 1,
        "sgo_quarter": 1,
        "cao_quarter": 0,
        "adoption_year": 1,
        "sgo_year": 2,
        "cao_year": 0,
        "sgo_share": 67,
    }
    assert _row(pack.table("orders"), "Brookfield County")["adoption_year"] == 1


def test_the_cuts_add_up_their_las(pack_records, la_a, la_b):
    by_la = _pack([la_a, la_b], cut="la")
    by_raa = _pack([la_a, la_b], cut="raa")
    by_region = _pack([la_a, la_b], cut="region")
    assert _labels(by_raa.table("waiting")) == [HEARTLANDS, data_pack.ALL_LABEL]
    assert _labels(by_region.table("waiting")) == [WEST_MIDLANDS, data_pack.ALL_LABEL]
    assert _row(by_raa.table("waiting"), HEARTLANDS) == _row(by_la.table("waiting"), data_pack.ALL_LABEL)
    assert _row(by_region.table("stock-flow"), WEST_MIDLANDS) == _row(by_la.table("stock-flow"), data_pack.ALL_LABEL)
    assert _labels(by_region.table("families")) == [WEST_MIDLANDS, data_pack.ALL_LABEL]
    assert _row(by_region.table("longest-waiters"), WEST_MIDLANDS, "Age group", "1 to 4")["placed"] == 2


def test_a_manager_of_two_raas_sees_each_region_and_each_raas_families(pack_records, la_a, la_b, la_other):
    pack = _pack([la_a, la_b, la_other], cut="region")
    waiting = pack.table("waiting")
    assert _labels(waiting) == ["South East (1 local authority)", WEST_MIDLANDS, data_pack.ALL_LABEL]
    # Coastal City: CST-W1 waiting since its order of 1 March 2023 (18 months and more); CST-P1 placed in July.
    assert _row(waiting, "South East (1 local authority)")["waited_18"] == 1
    assert _row(waiting, data_pack.ALL_LABEL)["waiting"] == 6 + 1
    families = pack.table("families")
    # Coast Adoption: C1 available; CST-W1 needs a family.
    assert _row(families, "South East (1 local authority)")["available"] == 1
    assert _row(families, "South East (1 local authority)")["needed"] == 1
    assert _row(families, data_pack.ALL_LABEL)["needed"] == 4 + 1


# --- the page --------------------------------------------------------------------------------------------------


@pytest.fixture
def administrator(la_a):
    return factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")


@pytest.mark.parametrize("persona", ["social_worker_a", "family_finder", "panel_adviser", "assessing_social_worker"])
def test_only_managers_adms_and_administrators_see_the_pack(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"cut": "la", **Q2}).status_code == 403


def test_signing_in_is_needed(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_the_raa_manager_sees_the_tables_of_their_las_only(client, pack_records, manager):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL)  # no choice made: by LA, the last quarter that has ended
    text = _text(response)
    assert response.status_code == 200
    assert "Q2 2025-26 (July to September 2025)" in text
    assert "Ashby Borough" in text and "Brookfield County" in text
    assert "Families needed and families available" in text
    assert "Coastal City" not in text and "Coast Adoption" not in text
    assert "Coastina" not in text and "CST-" not in text
    assert "NameASH" not in text  # children are never named
    html = response.content.decode()
    section = re.search(r'id="table-waiting".*?</section>', html, re.S).group(0)
    row = re.search(r"Ashby Borough</th>(.*?)</tr>", section, re.S).group(1)
    assert re.findall(r">(\d+)<", row) == ["5", "3", "2", "1", "1", "1"]


def test_an_la_manager_sees_their_la_and_not_the_raas_families(client, pack_records, manager_a):
    client.force_login(manager_a)
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL, {"cut": "raa", **Q2})
    text = _text(response)
    assert response.status_code == 200
    assert "Heartlands Adoption (1 local authority)" in text
    assert "Brookfield County" not in text
    assert "shown to the agency's managers" in text


def test_bad_choices_are_explained(client, pack_records, manager):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        future = client.get(URL, {"cut": "la", "year": "2025", "quarter": "3"})
        bad_cut = client.get(URL, {"cut": "everyone", **Q2})
        no_year = client.get(URL, {"cut": "la", "quarter": "2"})
    assert future.status_code == 400
    assert "There is a problem" in _text(future)
    assert "has not ended yet" in _text(future)
    assert bad_cut.status_code == 400
    assert "Choose how to cut the tables" in _text(bad_cut)
    assert no_year.status_code == 400
    assert "Choose a financial year" in _text(no_year)


def test_creating_the_workbook(client, pack_records, manager, raa, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"cut": "la", **Q2})
    job = Job.objects.get(kind=Job.Kind.DATA_PACK)
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.organisation == raa
    workbook = load_workbook(io.BytesIO(job.file.read()))
    assert workbook.sheetnames == [
        "About",
        "Stock and flow",
        "Waiting 12 and 18 months",
        "Families needed and available",
        "Placed by the next quarter",
        "Longest waiters",
        "Adopter pipeline",
        "Check delays",
        "Early permanence",
        "Best-interest decisions",
        "SGOs and adoptions",
    ]
    waiting = workbook["Waiting 12 and 18 months"]
    rows = [[cell.value for cell in row] for row in waiting.iter_rows()]
    assert rows[0] == [
        "Area",
        "Children waiting",
        "Waiting with a placement order",
        "Waiting 12 months or more from the placement order",
        "Of those, actively family finding",
        "Waiting 18 months or more from the placement order",
        "Of those, actively family finding",
    ]
    assert rows[1] == ["Ashby Borough", 5, 3, 2, 1, 1, 1]
    assert rows[3] == [data_pack.ALL_LABEL, 6, 4, 2, 1, 1, 1]
    families = [[cell.value for cell in row] for row in workbook["Families needed and available"].iter_rows()]
    assert families[1][:3] == [HEARTLANDS, 4, 6]
    # The About sheet documents every column of every sheet.
    about = [[cell.value for cell in row] for row in workbook["About"].iter_rows()]
    assert about[0] == ["Sheet", "Column", "What it counts"]
    documented = {(sheet, column) for sheet, column, _what in about[1:] if column}
    for name in workbook.sheetnames[1:]:
        headers = [cell.value for cell in workbook[name][1]]
        assert all((name, header) in documented for header in headers), name
    # Nothing of the other RAA, and no child's name.
    every_cell = " ".join(
        str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value
    )
    assert "Coastal" not in every_cell and "Coast Adoption" not in every_cell
    assert "NameASH" not in every_cell


def test_a_quarter_not_yet_ended_is_refused_when_asked_for(client, pack_records, manager):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        response = client.post(URL, {"cut": "la", "year": "2025", "quarter": "3"})
    assert response.status_code == 400
    assert "has not ended yet" in _text(response)
    assert not Job.objects.filter(kind=Job.Kind.DATA_PACK).exists()


def test_the_pdf_summary_shows_the_figures_of_all_the_las(
    client, pack_records, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"cut": "raa", "format": "pdf", **Q2})
    job = Job.objects.get(kind=Job.Kind.DATA_PACK)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.file.name.endswith(".pdf")
    pdf = tagged_pdf(job.file.read())
    reader = pdf.reader
    # Tagged and in reading order: the title, the quarter, the LAs, then each section's heading before its table.
    assert pdf.headings[:4] == [
        "Regional data pack",
        "Stock and flow of children through the stages",
        "Children waiting 12 and 18 months or more from the placement order",
        "Families needed and families available",
    ]
    assert [block.role for block in pdf.blocks[:8]] == ["/H1", "/P", "/P", "/H2", "/P", "/Caption", "/TH", "/TH"]
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Regional data pack" in text
    assert "Q2 2025-26 (July to September 2025)" in text
    assert "Ashby Borough, Brookfield County" in text
    # All the LAs: 6 children waiting; 2 of the 6 waiting on 30 June placed by 30 September (33%); 4 families
    # needed against 1 available.
    assert re.search(r"Children waiting At the quarter's end[^.]*\. 6 ", text)
    assert re.search(r"Share placed \(%\) Placed as a percentage of those waiting\. 33 ", text)
    assert re.search(r"Families needed Children waiting[^.]*\. 4 ", text)
    assert re.search(r"Of them: available [^.]*\. 1 ", text)
    # The chart of the longest waiters against the children placed, its text kept as text.
    assert data_pack.CHART_TITLE in text
    assert "Coastal" not in text and "NameASH" not in text


def test_a_bad_format_is_refused(client, pack_records, manager):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        response = client.post(URL, {"cut": "la", "format": "docx", **Q2})
    assert response.status_code == 400
    assert "Choose the workbook or the PDF summary" in _text(response)


def test_the_queries_do_not_grow_with_the_children(pack_records, la_a, la_b):
    with CaptureQueriesContext(connection) as before:
        _pack([la_a, la_b])
    for n in range(6):
        _waiting(la_a, f"ASH-X{n}", decided=date(2024, 1, 1), order=date(2024, 2, 1))
        factories.adopted_child(la_b, entered_care=date(2023, 1, 1), moved_in=date(2025, 8, 1))
    with CaptureQueriesContext(connection) as after:
        _pack([la_a, la_b])
    assert len(after.captured_queries) == len(before.captured_queries)
    assert len(before.captured_queries) <= 25  # about two a table (and the timescales in force)


def test_a_pack_with_nothing_recorded_says_so(client, manager, la_a, la_b):
    client.force_login(manager)
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL, Q2)
    assert response.status_code == 200
    assert "No records for these local authorities and this quarter yet" in _text(response)
