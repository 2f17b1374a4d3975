"""The ASGLB-style quarterly return: its tables and counts against a hand-built fixture, its files, its versions
and its job's crash safety, and who may see and ask for it.

The quarter is 2025 Q2: 1 July to 30 September 2025. The fixture puts children and households on both sides of
each edge of it (the day before it starts, its first and last days, the day after it ends).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from adopters.models import Applicant, Household
from adoption import jobs
from adoption.models import AuditEvent, Job, Role
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    Disruption,
    EarlyPermanencePlacement,
    FamilyFindingStatus,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    SiblingGroup,
    SiblingGroupMember,
)
from reporting import returns
from reporting.models import QuarterlyReturn
from reporting.services import quarterly_return_request
from reporting.tasks import build_quarterly_return
from support.models import AsfApplication, AssessmentOfNeed, SupportKind, SupportRequest, Topic
from tests import factories
from tests.pdf_checks import tagged_pdf

YEAR, QUARTER = 2025, 2
START, END = date(2025, 7, 1), date(2025, 9, 30)
ADOPTION_ORDER = PermanenceOutcome.Kind.ADOPTION_ORDER

# The documented columns, in order (reporting.returns).
CHILD_HEADINGS = [
    "LA",
    "LA child ID",
    "903 ID",
    "Sex",
    "Date of birth",
    "Ethnicity",
    "Disability",
    "Date entered care",
    "ADM decision date",
    "Placement order date",
    "Match date",
    "Placement date",
    "Adoption order date",
    "Reversal date",
    "Reversal reason",
    "Early permanence (FfA or concurrent planning)",
    "Family finding status",
    "In a sibling group",
    "Sibling group size",
    "Disruption date",
    "Placed with foster carers",
    "RAA's own adopters or inter-agency",
]
APPLICANT_HEADINGS = ["sex", "ethnicity", "disability", "sexual orientation", "age at the quarter end"]
FAMILY_HEADINGS = [
    "Agency",
    "Family reference",
    "Number of applicants",
    "Legal status",
    "Route",
    *[f"Applicant {n} {heading}" for n in (1, 2) for heading in APPLICANT_HEADINGS],
    "Enquiry date",
    "Registration date",
    "Stage 1 start date",
    "Stage 2 start date",
    "Approval date",
    "Approved for early permanence",
    "Match date",
    "Placement date",
    "Leaving date",
    "Leaving reason",
]
SUMMARY_HEADINGS = ["Measure", "Count"]


class WorkerKilled(BaseException):
    """Stands for the worker process dying (SIGKILL): not an ``Exception``, so nothing in the job catches it."""


# --- the fixture ------------------------------------------------------------------------------------------------


def child(
    la,
    ref,
    *,
    entered=date(2024, 1, 1),
    entered_before_records=False,
    decision=None,
    reversed_on=None,
    order=None,
    order_before_records=False,
    matched=None,
    placed=None,
    ended=None,
    household=None,
    foster_carers=False,
    adopted=None,
    **fields,
) -> Child:
    record = factories.ChildFactory(responsible_la=la, la_child_id=ref, **fields)
    PeriodOfCare.objects.create(child=record, started_on=entered, start_before_records=entered_before_records)
    if decision:
        AdoptionDecision.objects.create(
            child=record, decided_on=decision, reversed_on=reversed_on, reversal_reason="RD1" if reversed_on else ""
        )
    if order:
        PlacementOrder.objects.create(child=record, made_on=order, made_before_records=order_before_records)
    if matched:
        placement = AdoptivePlacement.objects.create(
            child=record,
            household=household,
            matched_on=matched,
            placed_on=placed,
            ended_on=ended,
            with_foster_carers=foster_carers,
        )
        if ended:
            Disruption.objects.create(placement=placement, reason=Disruption.Reason.CHILD_NEEDS)
    if adopted:
        PermanenceOutcome.objects.create(child=record, kind=ADOPTION_ORDER, made_on=adopted)
    return record


def household(ref, agency, **fields) -> Household:
    values = {"enquired_on": None, "registered_on": None, "approved_on": None, "status": Household.Status.STAGE_1}
    values.update(fields)
    return factories.HouseholdFactory(reference=ref, approving_agency=agency, **values)


@pytest.fixture
def records(la_a, la_b, la_other, raa, vaa):
    """Households of the RAA (and of a VAA and another RAA), and children of LA A, LA B and another RAA's LA."""
    approved = Household.Status.APPROVED
    h = {
        "H01": household("H01", raa, enquired_on=date(2025, 7, 1), status=Household.Status.ENQUIRY),
        "H02": household("H02", raa, registered_on=date(2025, 6, 30), stage1_started_on=date(2025, 7, 1)),
        "H03": household("H03", raa, registered_on=date(2025, 7, 15)),
        "H04": household("H04", raa, registered_on=date(2025, 9, 30)),
        "H05": household("H05", raa, enquired_on=date(2025, 9, 1), registered_on=date(2025, 10, 1)),
        # Approved exactly 6 months after registering, and a day later.
        "H06": household("H06", raa, registered_on=date(2025, 1, 10), approved_on=date(2025, 7, 10), status=approved),
        "H07": household("H07", raa, registered_on=date(2025, 1, 10), approved_on=date(2025, 7, 11), status=approved),
        # Matched exactly 3 months after approval; and matched later than that.
        "H08": household("H08", raa, approved_on=date(2025, 4, 1), status=Household.Status.MATCHED),
        "H09": household("H09", raa, approved_on=date(2025, 3, 1), status=Household.Status.PLACED),
        "H10": household("H10", raa, approved_on=date(2025, 5, 1), status=Household.Status.PLACED),
        "H11": household("H11", raa, approved_on=date(2024, 12, 1), status=approved),
        "H12": household(
            "H12",
            raa,
            approved_on=date(2025, 2, 1),
            left_on=date(2025, 8, 1),
            leaving_reason=Household.LeavingReason.WITHDREW,
            status=Household.Status.LEFT,
        ),
        "H13": household(
            "H13",
            raa,
            approved_on=date(2025, 1, 1),
            left_on=date(2025, 10, 10),
            leaving_reason=Household.LeavingReason.OTHER,
            status=Household.Status.LEFT,
        ),
        "H14": household("H14", raa, approved_on=date(2024, 5, 1), status=approved),  # a placement disrupted
        "H15": household("H15", raa, approved_on=date(2023, 1, 1), status=Household.Status.ADOPTED),
        "H16": household("H16", raa, approved_on=date(2023, 1, 1), status=Household.Status.PLACED),
        "H19": household("H19", raa, registered_on=date(2025, 3, 1), approved_on=date(2025, 10, 1), status=approved),
        "H20": household(
            "H20",
            raa,
            registered_on=date(2024, 1, 1),
            left_on=date(2025, 5, 1),
            leaving_reason=Household.LeavingReason.REFUSED,
            status=Household.Status.LEFT,
        ),
        "H21": household("H21", raa, enquired_on=date(2024, 3, 1), status=Household.Status.ENQUIRY),
        "H22": household("H22", raa, approved_on=date(2024, 6, 1), status=Household.Status.PLACED),
        "V17": household("V17", vaa, approved_on=date(2024, 1, 1), status=approved),
        "O18": household("O18", la_other.raa, approved_on=date(2025, 7, 5), status=approved),
    }
    Applicant.objects.create(
        household=h["H06"],
        first_name="Sam",
        last_name="Reed",
        sex="M",
        ethnicity="WIRI",
        disability=Applicant.Disability.NO,
        sexual_orientation=Applicant.SexualOrientation.GAY_LESBIAN,
        date_of_birth=date(1985, 9, 30),
    )
    Applicant.objects.create(
        household=h["H06"], first_name="Alex", last_name="Reed", sex="M", date_of_birth=date(1990, 10, 1)
    )
    h["H06"].early_permanence_approved = True
    h["H06"].save()

    c = {
        "A01": child(
            la_a,
            "A01",
            entered_before_records=True,
            decision=date(2025, 3, 1),
            order=date(2025, 5, 1),
            early_permanence_sought=True,
        ),
        "A02": child(la_a, "A02", decision=date(2025, 7, 1), order=date(2025, 7, 1), ethnicity="BAFR"),
        "A03": child(la_a, "A03", decision=date(2025, 7, 2), has_disability=True, sex="F"),
        "A04": child(la_a, "A04", decision=date(2025, 6, 30), order=date(2025, 9, 30)),
        "A05": child(la_a, "A05", decision=date(2025, 10, 1)),
        "A06": child(la_a, "A06", decision=date(2024, 11, 1), reversed_on=date(2025, 6, 30)),
        "A07": child(la_a, "A07", decision=date(2024, 12, 1), reversed_on=date(2025, 8, 15)),
        "A08": child(
            la_a,
            "A08",
            decision=date(2025, 1, 10),
            reversed_on=date(2025, 10, 5),
            order=date(2025, 7, 15),
            order_before_records=True,
        ),
        "A09": child(
            la_a,
            "A09",
            decision=date(2024, 10, 1),
            order=date(2024, 12, 1),
            matched=date(2025, 6, 20),
            placed=date(2025, 7, 10),
            household=h["H09"],
        ),
        "A10": child(
            la_a,
            "A10",
            decision=date(2025, 1, 5),
            order=date(2025, 2, 1),
            matched=date(2025, 9, 30),
            placed=date(2025, 10, 2),
            household=h["V17"],
        ),
        "A11": child(
            la_a,
            "A11",
            decision=date(2023, 5, 1),
            order=date(2023, 8, 1),
            matched=date(2024, 1, 10),
            placed=date(2024, 2, 1),
            household=h["H16"],
            adopted=date(2025, 9, 30),
        ),
        "A12": child(
            la_a,
            "A12",
            decision=date(2023, 5, 1),
            matched=date(2024, 1, 10),
            placed=date(2024, 2, 1),
            household=h["H15"],
            adopted=date(2025, 6, 30),
        ),
        "A13": child(
            la_a,
            "A13",
            decision=date(2024, 9, 1),
            matched=date(2024, 12, 1),
            placed=date(2025, 1, 1),
            foster_carers=True,
            adopted=date(2025, 10, 1),
        ),
        "A14": child(
            la_a,
            "A14",
            decision=date(2024, 6, 1),
            matched=date(2025, 1, 10),
            placed=date(2025, 2, 1),
            ended=date(2025, 8, 20),
            household=h["H14"],
        ),
        "A15": child(
            la_a,
            "A15",
            decision=date(2024, 1, 1),
            matched=date(2025, 2, 10),
            placed=date(2025, 3, 1),
            ended=date(2025, 10, 15),
            household=h["H22"],
        ),
        "B01": child(la_b, "B01", decision=date(2025, 8, 1)),
        "B02": child(la_b, "B02", decision=date(2025, 2, 1), matched=date(2025, 7, 1), household=h["H08"]),
        "B03": child(
            la_b,
            "B03",
            decision=date(2025, 3, 1),
            matched=date(2025, 8, 5),
            placed=date(2025, 8, 20),
            household=h["H10"],
        ),
        "O01": child(la_other, "O01", decision=date(2025, 8, 1), matched=date(2025, 8, 2), household=h["O18"]),
    }
    group = SiblingGroup.objects.create(responsible_la=la_a, name="Ashdown siblings")
    for ref in ("A01", "A02", "A03"):
        SiblingGroupMember.objects.create(group=group, child=c[ref])
    EarlyPermanencePlacement.objects.create(
        child=c["A02"], kind=EarlyPermanencePlacement.Kind.FOSTERING_FOR_ADOPTION, started_on=date(2025, 7, 5)
    )
    FamilyFindingStatus.objects.create(
        child=c["A01"], status=FamilyFindingStatus.Status.ACTIVE, status_from=date(2025, 5, 1)
    )
    FamilyFindingStatus.objects.create(
        child=c["A01"], status=FamilyFindingStatus.Status.ON_HOLD, status_from=date(2025, 10, 10)
    )
    # Special guardianship orders of children with no adoption plan: S01 on the first day, S02 the day before.
    for ref, made_on in (("S01", START), ("S02", START - timedelta(days=1))):
        sgo_child = factories.ChildFactory(responsible_la=la_a, la_child_id=ref)
        PermanenceOutcome.objects.create(
            child=sgo_child, kind=PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP, made_on=made_on
        )
    support_records(la_a, la_b, la_other)
    return {"children": c, "households": h}


def support_records(la_a, la_b, la_other) -> None:
    """The spokes' support: requests and assessments on the quarter's edges, ASF applications in each state."""

    def request(la, family, received_on, kind=SupportKind.ADOPTION):
        return SupportRequest.objects.create(
            la=la,
            family_name=family,
            kind=kind,
            requested_by="A parent",
            requester=SupportRequest.Requester.ADOPTIVE_PARENT,
            received_on=received_on,
            topic=Topic.SETTLING,
        )

    first = request(la_a, "the Okafors", START)
    request(la_a, "the Browns", END)
    request(la_a, "the Greens", END + timedelta(days=1))
    request(la_a, "the Patels", date(2025, 8, 1), kind=SupportKind.SPECIAL_GUARDIANSHIP)
    request(la_b, "the Birches", START)
    request(la_other, "the Coasts", START)
    AssessmentOfNeed.objects.create(
        request=first,
        started_on=START,
        completed_on=date(2025, 8, 15),
        outcome=AssessmentOfNeed.Outcome.SUPPORT_PLAN,
        needs="Help with settling",
    )
    AssessmentOfNeed.objects.create(request=first, started_on=date(2025, 9, 1))

    child = factories.ChildFactory(responsible_la=la_a, la_child_id="ASF-1")
    creator = factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER, username="support.quarterly")

    def application(status, **dates):
        AsfApplication.objects.create(
            la=la_a,
            child=child,
            basis="" if status == "draft" else "adopted",
            therapy="ddp",
            provider="Therapy Ltd",
            sessions=6,
            cost=Decimal("3000"),
            match_funding=Decimal("0"),
            work_starts_on=date(2025, 9, 1),
            work_ends_on=date(2026, 2, 1),
            financial_year=2025,
            status=status,
            created_by=creator,
            **dates,
        )

    application("approved", submitted_on=date(2025, 6, 20), decided_on=date(2025, 7, 5))  # submitted before
    application(
        "paid",
        submitted_on=date(2025, 7, 2),
        decided_on=date(2025, 7, 20),
        invoiced_on=date(2025, 8, 1),
        paid_on=date(2025, 8, 20),
    )
    application("draft")
    application(
        "rejected",
        submitted_on=date(2025, 6, 1),
        decided_on=date(2025, 7, 3),
        rejection_reason="Over the fair access limit",
    )


# --- counts taken independently from the records (Python over the rows, not the return's queries) ------------


def _in(day: date | None) -> bool:
    return day is not None and START <= day <= END


def _by_end(day: date | None) -> bool:
    return day is not None and day <= END


def expected_child_counts(la_ids: set[int]) -> dict[str, int]:
    children = [c for c in Child.objects.all() if c.responsible_la_id in la_ids]
    counts = dict.fromkeys(
        (
            "new_adm_decisions",
            "new_placement_orders",
            "children_waiting",
            "children_waiting_over_90_days",
            "adoptions",
            "special_guardianship_orders",
        ),
        0,
    )
    for c in children:
        decisions = list(c.adoption_decisions.all())
        counts["new_adm_decisions"] += sum(1 for d in decisions if _in(d.decided_on))
        counts["new_placement_orders"] += sum(
            1 for o in c.placement_orders.all() if _in(o.made_on) and not o.made_before_records
        )
        outcomes = [o for o in c.permanence_outcomes.all() if o.kind == ADOPTION_ORDER]
        counts["adoptions"] += sum(1 for o in outcomes if _in(o.made_on))
        counts["special_guardianship_orders"] += sum(
            1
            for o in c.permanence_outcomes.all()
            if o.kind == PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP and _in(o.made_on)
        )
        open_at_end = [d for d in decisions if _by_end(d.decided_on) and (d.reversed_on is None or d.reversed_on > END)]
        at_home = any(
            _by_end(p.placed_on) and (p.ended_on is None or p.ended_on > END) for p in c.adoptive_placements.all()
        )
        adopted = any(_by_end(o.made_on) for o in outcomes)
        if open_at_end and not at_home and not adopted:
            counts["children_waiting"] += 1
            if (END - max(d.decided_on for d in open_at_end)).days > 90:
                counts["children_waiting_over_90_days"] += 1
    return counts


def expected_support_counts(la_ids: set[int]) -> dict[str, int]:
    requests = [r for r in SupportRequest.objects.all() if r.la_id in la_ids and _in(r.received_on)]
    applications = [a for a in AsfApplication.objects.all() if a.la_id in la_ids]
    return {
        "adoption_support_requests": sum(1 for r in requests if r.kind == SupportKind.ADOPTION),
        "sgo_support_requests": sum(1 for r in requests if r.kind == SupportKind.SPECIAL_GUARDIANSHIP),
        "support_assessments_completed": sum(
            1 for a in AssessmentOfNeed.objects.all() if a.request.la_id in la_ids and _in(a.completed_on)
        ),
        "asf_applications_submitted": sum(1 for a in applications if _in(a.submitted_on)),
        "asf_applications_approved": sum(
            1 for a in applications if _in(a.decided_on) and a.status in ("approved", "invoiced", "paid")
        ),
    }


def _months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def expected_household_counts(agency_ids: set[int]) -> dict[str, int]:
    counts = dict.fromkeys(
        (
            "registrations",
            "approvals",
            "approvals_within_6_months",
            "families_matched",
            "matched_within_3_months",
            "adopters_waiting",
        ),
        0,
    )
    for h in Household.objects.all():
        if h.approving_agency_id not in agency_ids:
            continue
        placements = list(h.placements.all())
        counts["registrations"] += _in(h.registered_on)
        if _in(h.approved_on):
            counts["approvals"] += 1
            counts["approvals_within_6_months"] += bool(
                h.registered_on and h.approved_on <= _months_after(h.registered_on, 6)
            )
        since_approval = [p.matched_on for p in placements if h.approved_on and p.matched_on >= h.approved_on]
        first_match = min(since_approval, default=None)
        if _in(first_match):
            counts["families_matched"] += 1
            counts["matched_within_3_months"] += first_match <= _months_after(h.approved_on, 3)
        gone = (h.left_on and h.left_on <= END) or (h.deregistered_on and h.deregistered_on <= END)
        matched_at_end = any(_by_end(p.matched_on) and (p.ended_on is None or p.ended_on > END) for p in placements)
        counts["adopters_waiting"] += bool(_by_end(h.approved_on) and not gone and not matched_at_end)
    return counts


# --- helpers --------------------------------------------------------------------------------------------------


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    """Ask for a return as ``actor`` and run its job (after commit, as in production); the return made."""

    def run(actor, organisation, year=YEAR, quarter=QUARTER) -> QuarterlyReturn:
        with django_capture_on_commit_callbacks(execute=True):
            job = quarterly_return_request(actor=actor, organisation_id=organisation.pk, year=year, quarter=quarter)
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.error
        return QuarterlyReturn.objects.get(job=job)

    return run


def read_xlsx(quarterly_return: QuarterlyReturn):
    with quarterly_return.xlsx.open("rb") as handle:
        return load_workbook(BytesIO(handle.read()))


def read_csv(field) -> list[list[str]]:
    with field.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def by_ref(rows: list[dict], key: str = "la_child_id") -> dict[str, dict]:
    return {row[key]: row for row in rows}


# --- the counts -----------------------------------------------------------------------------------------------


def test_the_quarter_is_a_financial_year_quarter():
    assert (returns.Quarter(2025, 1).start, returns.Quarter(2025, 1).end) == (date(2025, 4, 1), date(2025, 6, 30))
    assert (returns.Quarter(2025, 4).start, returns.Quarter(2025, 4).end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert returns.Quarter(YEAR, QUARTER).title == "Q2 2025-26 (July to September 2025)"
    assert returns.last_ended_quarter(date(2026, 4, 1)) == returns.Quarter(2025, 4)
    assert returns.last_ended_quarter(date(2026, 11, 22)) == returns.Quarter(2026, 2)


def test_an_las_summary_counts_equal_counts_taken_from_the_records(records, la_a, raa, manager, generate):
    made = generate(manager, la_a)

    children = expected_child_counts({la_a.pk})
    households = expected_household_counts({raa.pk})
    # The fixture puts records on each edge; worked out by hand, the independent counts are these.
    assert children == {
        "new_adm_decisions": 2,  # A02 (first day) and A03; not A04 (the day before) nor A05 (the day after)
        "new_placement_orders": 2,  # A02 and A04 (last day); not A08's, whose date is not in the returns
        "children_waiting": 7,  # A01, A02, A03, A04, A08 (reversed after the end), A10 (not placed), A14 (disrupted)
        "children_waiting_over_90_days": 6,  # all but A03, decided exactly 90 days before the end
        "adoptions": 1,  # A11 on the last day; not A12 (the day before) nor A13 (the day after)
        "special_guardianship_orders": 1,  # S01 on the first day; not S02 (the day before)
    }
    assert households == {
        "registrations": 2,  # H03 and H04 (last day); not H02 (the day before) nor H05 (the day after)
        "approvals": 2,  # H06 and H07
        "approvals_within_6_months": 1,  # H06, exactly 6 months; H07 is a day later
        "families_matched": 2,  # H08 and H10
        "matched_within_3_months": 1,  # H08, exactly 3 months after approval
        "adopters_waiting": 5,  # H06, H07, H11, H13 (left after the end), H14 (placement disrupted)
    }
    support = expected_support_counts({la_a.pk})
    assert support == {
        "adoption_support_requests": 2,  # on the first and the last day; not the day after, nor LA B's
        "sgo_support_requests": 1,
        "support_assessments_completed": 1,  # completed in the quarter; the other one is still open
        "asf_applications_submitted": 1,  # not the draft, nor the one submitted the quarter before
        "asf_applications_approved": 2,  # approved and paid in the quarter; not the one refused
    }
    assert made.summary == {**children, **households, **support}
    assert made.period_start == START and made.period_end == END and made.version == 1


def test_an_raas_return_counts_all_its_las_and_only_them(records, la_a, la_b, raa, manager, generate):
    made = generate(manager, raa)

    expected = {
        **expected_child_counts({la_a.pk, la_b.pk}),
        **expected_household_counts({raa.pk}),
        **expected_support_counts({la_a.pk, la_b.pk}),
    }
    assert made.summary == expected
    assert made.summary["adoption_support_requests"] == 3  # LA B's too
    assert made.summary["new_adm_decisions"] == 3  # LA B's B01 too; not the other RAA's O01
    assert {row["la"] for row in made.children} == {la_a.name, la_b.name}


# --- the tables -----------------------------------------------------------------------------------------------


def test_the_children_table_has_the_children_in_scope_as_at_the_quarter_end(records, la_a, manager, generate):
    made = generate(manager, la_a)
    rows = by_ref(made.children)

    # In: an open decision at the start, or a step in the quarter. Out: A05 (decided after the end), A06
    # (reversed before the start), A12 (adopted before the start); and every other LA's children.
    assert sorted(rows) == ["A01", "A02", "A03", "A04", "A07", "A08", "A09", "A10", "A11", "A13", "A14", "A15"]

    a01 = rows["A01"]
    assert a01["entered_care_on"] is None  # began before the returns held: not the day they entered care
    assert a01["family_finding"] == "Actively family finding"  # the on-hold status came after the quarter
    assert (a01["in_sibling_group"], a01["sibling_group_size"]) == ("Yes", 3)
    assert rows["A02"]["early_permanence"] == "Fostering for adoption"
    assert rows["A02"]["ethnicity"] == "BAFR"
    assert (rows["A03"]["sex"], rows["A03"]["disability"]) == ("Female", "Yes")
    assert (rows["A07"]["reversed_on"], rows["A07"]["reversal_reason"]) == ("2025-08-15", "The child's needs changed")
    assert (rows["A08"]["reversed_on"], rows["A08"]["reversal_reason"]) == (None, "")  # reversed after the end
    assert rows["A08"]["placement_order_on"] is None  # made before the returns held: the date is unknown
    assert rows["A09"]["adopters"] == "RAA's own adopters"
    assert (rows["A10"]["matched_on"], rows["A10"]["placed_on"]) == ("2025-09-30", None)  # moved in after the end
    assert rows["A10"]["adopters"] == "Inter-agency"
    assert rows["A11"]["adoption_order_on"] == "2025-09-30"
    assert rows["A13"]["adoption_order_on"] is None  # made the day after the end
    assert (rows["A13"]["with_foster_carers"], rows["A13"]["adopters"]) == ("Yes", "")
    assert rows["A14"]["disrupted_on"] == "2025-08-20"
    assert rows["A15"]["disrupted_on"] is None  # ended after the quarter
    assert rows["A04"]["in_sibling_group"] == "No" and rows["A04"]["sibling_group_size"] is None


def test_the_families_table_has_the_raas_households_in_scope(records, la_a, manager, generate):
    made = generate(manager, la_a)  # an LA's return: the families of its RAA
    rows = by_ref(made.families, key="reference")

    expected = [f"H{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 19, 22)]
    assert sorted(rows) == expected  # not H15 (finished), H20 (left before), H21 (enquiry only), V17, O18

    h06 = rows["H06"]
    assert h06["applicants"] == 2
    assert h06["applicant1_sexual_orientation"] == "Gay or lesbian"
    assert (h06["applicant1_sex"], h06["applicant1_ethnicity"], h06["applicant1_age"]) == ("Male", "WIRI", 40)
    assert h06["applicant2_age"] == 34  # 35 the day after the quarter ends
    assert h06["applicant2_sexual_orientation"] == ""  # not recorded
    assert (h06["approved_on"], h06["early_permanence"]) == ("2025-07-10", "Yes")
    assert rows["H05"]["registered_on"] is None  # registered the day after the end
    assert rows["H08"]["matched_on"] == "2025-07-01"
    assert (rows["H09"]["matched_on"], rows["H09"]["placed_on"]) == ("2025-06-20", "2025-07-10")
    assert (rows["H12"]["left_on"], rows["H12"]["leaving_reason"]) == ("2025-08-01", "Adopter withdrew from process")
    assert (rows["H13"]["left_on"], rows["H13"]["leaving_reason"]) == (None, "")  # left after the end
    assert rows["H19"]["approved_on"] is None


# --- the files ------------------------------------------------------------------------------------------------


def test_the_xlsx_opens_with_the_documented_columns_on_each_sheet(records, la_a, manager, generate):
    made = generate(manager, la_a)
    workbook = read_xlsx(made)

    assert workbook.sheetnames == ["Children", "Families", "Summary"]
    children, families, summary = (workbook[name] for name in workbook.sheetnames)
    assert [cell.value for cell in children[1]] == CHILD_HEADINGS
    assert [cell.value for cell in families[1]] == FAMILY_HEADINGS
    assert [cell.value for cell in summary[1]] == SUMMARY_HEADINGS
    assert children.max_row == 1 + len(made.children) == 13
    assert families.max_row == 1 + len(made.families) == 18

    a10 = next(row for row in children.iter_rows(min_row=2, values_only=True) if row[1] == "A10")
    assert a10[CHILD_HEADINGS.index("Match date")].date() == date(2025, 9, 30)
    assert a10[CHILD_HEADINGS.index("Placement date")] is None
    counts = dict(summary.iter_rows(min_row=2, values_only=True))
    assert counts["Children waiting at the quarter end (decision, not yet placed)"] == 7
    assert counts["Approvals within 6 months of registration"] == 1
    assert len(counts) == len(returns.SUMMARY_LINES)


def test_the_csvs_and_the_pdf_say_the_same(records, la_a, manager, generate):
    made = generate(manager, la_a)

    children = read_csv(made.children_csv)
    assert children[0] == CHILD_HEADINGS
    assert len(children) == 1 + 12
    a11 = next(row for row in children if row[1] == "A11")
    assert a11[CHILD_HEADINGS.index("Adoption order date")] == "2025-09-30"
    families = read_csv(made.families_csv)
    assert families[0] == FAMILY_HEADINGS
    assert len(families) == 1 + 17

    with made.summary_pdf.open("rb") as handle:
        pdf = tagged_pdf(handle.read())
    reader = pdf.reader
    # Tagged and in reading order: the title, the quarter, then the counts as a table with header cells.
    assert [block.text for block in pdf.blocks[:2]] == [
        f"Quarterly return: {la_a.name}",
        "Q2 2025-26 (July to September 2025): 1 July 2025 to 30 September 2025",
    ]
    assert [(b.role, b.text) for b in pdf.blocks[2:5]] == [
        ("/Caption", "Summary counts"),
        ("/TH", "Measure"),
        ("/TH", "Count"),
    ]
    assert len(reader.pages) == 1
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert f"Quarterly return: {la_a.name}" in text
    assert "1 July 2025 to 30 September 2025" in text
    assert "Children waiting at the quarter end (decision, not yet placed) 7" in text
    assert "Approved families waiting at the quarter end (no current match) 5" in text


def test_a_text_cell_that_a_spreadsheet_would_run_is_neutralised(la_a, manager, generate):
    child(la_a, "=HYPERLINK(1)", decision=date(2025, 8, 1))
    made = generate(manager, la_a)

    assert made.children[0]["la_child_id"] == "=HYPERLINK(1)"  # the stored row keeps what was recorded
    cell = read_xlsx(made)["Children"]["B2"]
    assert (cell.value, cell.data_type) == ("'=HYPERLINK(1)", "s")
    assert read_csv(made.children_csv)[1][1] == "'=HYPERLINK(1)"


# --- frozen and versioned -------------------------------------------------------------------------------------


def test_a_return_is_frozen_and_regenerating_makes_the_next_version(records, la_a, manager, generate):
    first = generate(manager, la_a)
    Child.objects.filter(la_child_id="A01").update(ethnicity="WIRI")
    AdoptionDecision.objects.filter(child__la_child_id="A03").update(decided_on=date(2025, 6, 1))

    first.refresh_from_db()
    assert by_ref(first.children)["A01"]["ethnicity"] == "WBRI"
    assert first.summary["new_adm_decisions"] == 2
    a01 = next(row for row in read_csv(first.children_csv) if row[1] == "A01")
    assert a01[CHILD_HEADINGS.index("Ethnicity")] == "WBRI"

    second = generate(manager, la_a)
    assert (first.version, second.version) == (1, 2)
    assert by_ref(second.children)["A01"]["ethnicity"] == "WIRI"
    assert second.summary["new_adm_decisions"] == 1
    assert second.xlsx.name != first.xlsx.name
    # Another quarter, or another organisation, starts again at version 1.
    assert generate(manager, la_a, year=2025, quarter=1).version == 1


def test_a_redelivered_task_makes_no_second_version(records, la_a, manager, generate):
    made = generate(manager, la_a)

    build_quarterly_return.delay(str(made.job_id))  # the same message again (a lost acknowledgement, say)
    build_quarterly_return(str(made.job_id))

    assert QuarterlyReturn.objects.filter(organisation=la_a).count() == 1
    job = Job.objects.get(pk=made.job_id)
    assert (job.status, job.attempts, job.result["return_id"], job.result["version"]) == (
        Job.Status.SUCCEEDED,
        1,
        made.pk,
        1,
    )


def test_a_worker_killed_while_finishing_leaves_no_return_and_the_retry_completes_it(
    records, la_a, manager, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = quarterly_return_request(actor=manager, organisation_id=la_a.pk, year=YEAR, quarter=QUARTER)

    save = Job.save

    def dies_when_finishing(self, *args, **kwargs):
        # The return row and its files are written by now, in the same transaction as this save.
        if self.status == Job.Status.SUCCEEDED:
            raise WorkerKilled
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Job, "save", dies_when_finishing)
    with pytest.raises(WorkerKilled):
        build_quarterly_return(str(job.pk))
    monkeypatch.undo()

    assert not QuarterlyReturn.objects.exists()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)

    # The dead worker held the job's lock no longer, so the redelivered message takes the job over at once and
    # completes it, once: the message delivered again after that finds it finished.
    build_quarterly_return(str(job.pk))
    build_quarterly_return(str(job.pk))

    made = QuarterlyReturn.objects.get()
    job.refresh_from_db()
    assert (job.status, job.attempts, made.job_id, made.version) == (Job.Status.SUCCEEDED, 2, job.pk, 1)
    assert made.summary["children_waiting"] == 7
    assert [cell.value for cell in read_xlsx(made)["Children"][1]] == CHILD_HEADINGS


def test_a_message_for_a_job_another_worker_is_running_does_nothing(
    records, la_a, manager, django_capture_on_commit_callbacks, settings
):
    settings.JOB_LOCK_WAIT_SECONDS = 0.5  # how long a message waits for the worker that has the job to let go
    with django_capture_on_commit_callbacks(execute=False):
        job = quarterly_return_request(actor=manager, organisation_id=la_a.pk, year=YEAR, quarter=QUARTER)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now(), attempts=1)

    # Another worker (another database session) holds the job: it is running it, however long it takes.
    other_worker = connection.Database.connect(**connection.get_connection_params())
    try:
        other_worker.cursor().execute("SELECT pg_advisory_lock(%s)", [jobs._lock_key(str(job.pk))])
        build_quarterly_return(str(job.pk))
        assert jobs.jobs_fail_stalled() == 0
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)
        assert not QuarterlyReturn.objects.exists()
    finally:
        other_worker.close()

    # That worker gone, the message delivered again builds the return.
    build_quarterly_return(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["version"]) == (Job.Status.SUCCEEDED, 2, 1)
    assert QuarterlyReturn.objects.get().job_id == job.pk


def test_a_failure_marks_the_job_failed_and_makes_no_return(records, la_a, manager, monkeypatch, generate):
    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint is not installed")

    monkeypatch.setattr(returns, "render_pdf", broken)
    with pytest.raises(AssertionError, match="WeasyPrint is not installed"):
        generate(manager, la_a)
    assert not QuarterlyReturn.objects.exists()
    job = Job.objects.get(kind=Job.Kind.QUARTERLY_RETURN)
    # Tried again up to the limit (at once here: tasks run eagerly in tests), then failed with the reason.
    assert (job.status, job.attempts) == (Job.Status.FAILED, settings.JOB_MAX_ATTEMPTS)
    assert job.error == "RuntimeError: WeasyPrint is not installed"


# --- who may ask and see --------------------------------------------------------------------------------------


def test_an_la_manager_gets_404_for_another_las_return_and_cannot_ask_for_one(
    client, records, la_a, la_b, raa, manager, manager_a, generate
):
    own = generate(manager_a, la_a)
    other = generate(manager, la_b)
    whole_raa = generate(manager, raa)

    with pytest.raises(Http404):
        quarterly_return_request(actor=manager_a, organisation_id=la_b.pk, year=YEAR, quarter=QUARTER)
    with pytest.raises(Http404):
        quarterly_return_request(actor=manager_a, organisation_id=raa.pk, year=YEAR, quarter=QUARTER)

    client.force_login(manager_a)
    for name in ("reporting:return-xlsx", "reporting:return-children-csv", "reporting:return-families-csv"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
        assert client.get(reverse(name, args=[whole_raa.pk])).status_code == 404
    assert client.get(reverse("reporting:return-pdf", args=[other.pk])).status_code == 404

    page = client.get(reverse("reporting:returns"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("reporting:return-xlsx", args=[own.pk]) in html
    assert reverse("reporting:return-xlsx", args=[other.pk]) not in html
    assert la_b.name not in html
    # LA B cannot be chosen either.
    refused = client.post(reverse("reporting:returns"), {"organisation": la_b.pk, "year": YEAR, "quarter": QUARTER})
    assert refused.status_code == 400
    assert "Choose a local authority or regional adoption agency" in refused.content.decode()
    assert QuarterlyReturn.objects.filter(organisation=la_b).count() == 1


def test_staff_who_see_the_la_but_are_not_managers_get_403_for_its_return(
    client, records, la_a, la_b, manager, social_worker_a, generate
):
    own, other = generate(manager, la_a), generate(manager, la_b)
    client.force_login(social_worker_a)
    assert client.get(reverse("reporting:return-xlsx", args=[own.pk])).status_code == 403
    assert client.get(reverse("reporting:return-xlsx", args=[other.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_only_managers_adms_and_administrators_may_ask(client, la_a, social_worker_a, family_finder, raa):
    for actor, organisation in ((social_worker_a, la_a), (family_finder, raa)):
        with pytest.raises(PermissionDenied):
            quarterly_return_request(actor=actor, organisation_id=organisation.pk, year=YEAR, quarter=QUARTER)
        client.force_login(actor)
        assert client.get(reverse("reporting:returns")).status_code == 403
    administrator = factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")
    adm = factories.staff(la_a, Role.ADM, username="adm.a")
    for actor in (administrator, adm):
        assert quarterly_return_request(actor=actor, organisation_id=la_a.pk, year=YEAR, quarter=QUARTER).pk


def test_a_quarter_that_has_not_ended_is_refused(la_a, manager_a):
    current = returns.quarter_of(timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        quarterly_return_request(actor=manager_a, organisation_id=la_a.pk, year=current.year, quarter=current.number)
    assert "has not ended yet" in refused.value.message_dict["quarter"][0]


# --- the page -------------------------------------------------------------------------------------------------


def test_the_page_makes_a_return_lists_its_versions_and_audits_downloads(
    client, records, la_a, manager_a, django_capture_on_commit_callbacks
):
    client.force_login(manager_a)
    form = client.get(reverse("reporting:returns"))
    assert form.status_code == 200
    assert "No return has been made yet." in form.content.decode()

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("reporting:returns"), {"organisation": la_a.pk, "year": YEAR, "quarter": QUARTER}
            )
        assert response.status_code == 302 and response["Location"] == reverse("reporting:returns")

    first, second = QuarterlyReturn.objects.order_by("version")
    html = client.get(reverse("reporting:returns")).content.decode()
    assert "Q2 2025-26 (July to September 2025)" in html
    assert "Version 1" in html and "Version 2" in html
    assert "12 children, 17 families" in html
    for name in ("reporting:return-xlsx", "reporting:return-children-csv", "reporting:return-families-csv"):
        assert reverse(name, args=[first.pk]) in html and reverse(name, args=[second.pk]) in html

    download = client.get(reverse("reporting:return-xlsx", args=[first.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="quarterly-return-{la_a.name.lower().replace(" ", "-")}-2025-26-Q2-v1.xlsx"'
    )
    workbook = load_workbook(BytesIO(b"".join(download.streaming_content)))
    assert [cell.value for cell in workbook["Children"][1]] == CHILD_HEADINGS
    pdf = client.get(reverse("reporting:return-pdf", args=[second.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    downloads = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, actor=manager_a)
    assert sorted(downloads.values_list("object_id", flat=True)) == sorted([str(first.pk), str(second.pk)])
    assert set(downloads.values_list("object_type", flat=True)) == {"reporting.quarterlyreturn"}
    assert set(downloads.values_list("organisation_id", flat=True)) == {la_a.pk}


def test_the_page_shows_a_refused_request_on_the_form(client, la_a, manager_a):
    client.force_login(manager_a)
    current = returns.quarter_of(timezone.localdate())
    response = client.post(
        reverse("reporting:returns"), {"organisation": la_a.pk, "year": current.year, "quarter": current.number}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "has not ended yet" in html
    assert not Job.objects.filter(kind=Job.Kind.QUARTERLY_RETURN).exists()


def test_a_return_being_made_shows_its_progress_and_the_page_refreshes(
    client, la_a, manager_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # queued: no worker has taken it yet
        job = quarterly_return_request(actor=manager_a, organisation_id=la_a.pk, year=YEAR, quarter=QUARTER)
    client.force_login(manager_a)
    html = client.get(reverse("reporting:returns")).content.decode()
    assert '<meta name="app-refresh" content="5">' in html  # followed by static/js/progress.mjs
    assert "Being made" in html and "Q2 2025-26 (July to September 2025)" in html and "Queued" in html
    assert reverse("job-detail", args=[job.pk]) in html
    assert client.get(reverse("job-detail", args=[job.pk])).status_code == 200

    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error="boom")
    html = client.get(reverse("reporting:returns")).content.decode()
    assert "Could not be made" in html and "http-equiv" not in html
