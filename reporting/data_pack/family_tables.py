"""The data pack's families' tables: families needed and available, the adopters' pipeline, late checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Aggregate, Count, Q, Sum

from adopters.models import Availability, Check
from adopters.selectors import data_pack as adopter_reads
from adoption.periods import FinancialQuarter
from children.selectors import data_pack as child_reads
from reporting.data_pack.core import (
    Area,
    Column,
    Table,
    _count,
    _flags,
    _grouped,
    _rows,
    mean,
    minus,
    plus,
    share,
)

AVAILABILITY_COLUMNS = (
    ("available", Availability.Status.AVAILABLE),
    ("on_hold", Availability.Status.ON_HOLD),
    ("not_available", Availability.Status.NOT_AVAILABLE),
    ("early_permanence", Availability.Status.EARLY_PERMANENCE),
    ("not_recorded", adopter_reads.NO_AVAILABILITY),
)


def families(area_list: Sequence[Area], *, la_ids: frozenset[int], quarter: FinancialQuarter) -> Table:
    """Families needed (children waiting, not matched; a sibling group to be placed together needs one family)
    against the approved families not matched, by their availability code at the quarter's end."""
    status = dict(Availability.Status.choices)
    columns = (
        Column(
            "needed",
            "Families needed",
            "Children waiting at the quarter's end and not matched, a sibling group whose plan is to be placed "
            "together counted once.",
            plus("needed_children", "needed_groups"),
        ),
        Column(
            "approved_waiting",
            "Approved families not matched",
            "Families approved by the RAA by the quarter's end, not de-registered or left, with no match current then.",
        ),
        *(
            Column(
                key,
                f"Of them: {status.get(code, 'no availability recorded').lower()}",
                "Of the approved families not matched, availability at the quarter's end: "
                f"{status.get(code, 'none recorded')}.",
            )
            for key, code in AVAILABILITY_COLUMNS
        ),
        Column(
            "gap",
            "Available less needed",
            "Families available less families needed (below zero: fewer families available than needed).",
            minus("available", plus("needed_children", "needed_groups")),
        ),
    )
    children = child_reads.waiting_children(la_ids=la_ids, end=quarter.end)
    not_matched = Q(matched_at_end=False)
    needed = {
        "needed_children": _count(not_matched & Q(together_group_id__isnull=True)),
        "needed_groups": Count(
            "together_group_id", distinct=True, filter=not_matched & Q(together_group_id__isnull=False)
        ),
    }
    by_la = _grouped(children, "responsible_la_id", needed)
    agency_ids = frozenset().union(*(area.agency_ids for area in area_list)) if area_list else frozenset()
    households = adopter_reads.families_at(agency_ids=agency_ids, end=quarter.end).filter(Q(waiting_at_end=True))
    counted = {"approved_waiting": _count()} | {
        key: _count(availability_at_end=code) for key, code in AVAILABILITY_COLUMNS
    }
    by_agency = _grouped(households, "approving_agency_id", counted)
    # A region's or an RAA's families needed are of its LAs in the pack; its families are its RAAs'.
    return Table(
        "families",
        "Families needed and available",
        "Families needed and families available",
        "Families are approved by the regional adoption agency for all its local authorities, so this table is by "
        "RAA (or region). Only families whose availability code is 'available' count as available: on hold, not "
        "available and early permanence carers with a child placed do not.",
        ("Area",),
        columns,
        _rows(area_list, columns, by_la, by_agency),
        note="" if area_list else _FAMILIES_NOT_SHOWN,
    )


_FAMILIES_NOT_SHOWN = (
    "Families are approved by the regional adoption agency, for all its local authorities: its figures are shown "
    "to the agency's managers, ADMs and administrators."
)


def pipeline(area_list: Sequence[Area], *, quarter: FinancialQuarter, year_start: date) -> Table:
    """The adopters' pipeline by approving agency: each step in the quarter and the 12 months, the conversion from
    one step to the next over the 12 months, and the timeliness of stages 1 and 2 ended in the quarter."""
    columns = (
        Column("enquired_quarter", "Enquiries in the quarter", "Households whose first enquiry was in the quarter."),
        Column(
            "registered_quarter", "Registrations in the quarter", "Registrations of interest accepted in the quarter."
        ),
        Column(
            "stage2_quarter",
            "Stage 2 begun in the quarter",
            "Households who began stage 2 (the assessment) in the quarter.",
        ),
        Column(
            "approved_quarter",
            "Approvals in the quarter",
            "Households approved (the agency's decision) in the quarter.",
        ),
        Column(
            "enquired_year",
            "Enquiries in the 12 months",
            "Households whose first enquiry was in the 12 months to the quarter's end.",
        ),
        Column(
            "registered_year", "Registrations in the 12 months", "Registrations of interest accepted in the 12 months."
        ),
        Column(
            "registered_rate",
            "Registrations per 100 enquiries",
            "Registrations in the 12 months as a percentage of enquiries in the 12 months.",
            share("registered_year", "enquired_year"),
        ),
        Column("stage2_year", "Stage 2 begun in the 12 months", "Households who began stage 2 in the 12 months."),
        Column(
            "stage2_rate",
            "Stage 2 per 100 registrations",
            "Stage 2 begun in the 12 months as a percentage of registrations in the 12 months.",
            share("stage2_year", "registered_year"),
        ),
        Column("approved_year", "Approvals in the 12 months", "Households approved in the 12 months."),
        Column(
            "approved_rate",
            "Approvals per 100 stage 2",
            "Approvals in the 12 months as a percentage of stage 2 begun in the 12 months.",
            share("approved_year", "stage2_year"),
        ),
        Column("stage1_done", "Stage 1 ended in the quarter", "Households whose stage 1 ended in the quarter."),
        Column(
            "stage1_in_time_share",
            "Stage 1 within the timescale (%)",
            "Of them, stage 1 ended within the months of the standard in force (2 months), later by the days it was "
            "paused where the standard says so.",
            share("stage1_in_time", "stage1_done"),
        ),
        Column(
            "stage1_mean",
            "Stage 1 mean days",
            "Mean days from the start to the end of stage 1, of those ended in the quarter.",
            mean("stage1_days", "stage1_done"),
        ),
        Column("stage2_done", "Stage 2 ended in the quarter", "Households whose stage 2 ended in the quarter."),
        Column(
            "stage2_in_time_share",
            "Stage 2 within the timescale (%)",
            "Of them, stage 2 ended within the standard's months (4, or 6 with a recorded reason), later by the days "
            "it was paused where the standard says so.",
            share("stage2_in_time", "stage2_done"),
        ),
        Column(
            "stage2_mean",
            "Stage 2 mean days",
            "Mean days from the start to the end of stage 2, of those ended in the quarter.",
            mean("stage2_days", "stage2_done"),
        ),
        Column(
            "stage2_extended",
            "Stage 2 with a reason for more time",
            "Of the stage 2 assessments ended in the quarter, those with a recorded reason for taking more than "
            "four months.",
        ),
    )
    agency_ids = frozenset().union(*(area.agency_ids for area in area_list)) if area_list else frozenset()
    households = adopter_reads.pipeline_households(
        agency_ids=agency_ids, start=quarter.start, end=quarter.end, year_start=year_start
    )
    steps = ("enquired", "registered", "stage2", "approved")
    aggregates: dict[str, Aggregate] = dict(
        _flags(*(f"{step}_{when}" for step in steps for when in ("quarter", "year")))
    )
    for stage in ("stage1", "stage2"):
        aggregates[f"{stage}_done"] = _count(Q(**{f"{stage}_done": True}))
        aggregates[f"{stage}_in_time"] = _count(Q(**{f"{stage}_done": True, f"{stage}_in_time": True}))
        aggregates[f"{stage}_days"] = Sum(f"{stage}_days", filter=Q(**{f"{stage}_done": True}))
    aggregates["stage2_extended"] = _count(Q(stage2_done=True, stage2_extended=True))
    by_agency = _grouped(households, "approving_agency_id", aggregates)
    return Table(
        "pipeline",
        "Adopter pipeline",
        "Adopter pipeline, conversion and stage timeliness by agency",
        "Each step counted when its date is in the period. Conversion compares the numbers taking each step in the "
        "same 12 months (not the same households).",
        ("Area",),
        columns,
        _rows(area_list, columns, by_agency=by_agency),
        note="" if area_list else _FAMILIES_NOT_SHOWN,
    )


def delays(area_list: Sequence[Area], *, quarter: FinancialQuarter) -> Table:
    """Checks due in the quarter and late, by the reason for the delay recorded."""
    reasons = [*Check.DelayReason.choices, ("", "No reason recorded")]
    columns = (
        Column(
            "late",
            "Late checks",
            "Checks on applicants due in the quarter, received after the due date or not received by the "
            "quarter's end.",
        ),
        *(
            Column(f"reason_{code or 'none'}", label, f"Of the late checks, delay reason: {label}.")
            for code, label in reasons
        ),
    )
    agency_ids = frozenset().union(*(area.agency_ids for area in area_list)) if area_list else frozenset()
    checks = adopter_reads.late_checks(agency_ids=agency_ids, start=quarter.start, end=quarter.end)
    aggregates = {"late": Count("pk")} | {
        f"reason_{code or 'none'}": Count("pk", filter=Q(reason=code)) for code, _l in reasons
    }
    by_agency = _grouped(checks, "agency_id", aggregates)
    return Table(
        "delays",
        "Check delays",
        "Stage 1 checks that were late, by the reason for the delay",
        "DBS, medical, references and the other checks on applicants, by the delay reason the assessing worker "
        "recorded.",
        ("Area",),
        columns,
        _rows(area_list, columns, by_agency=by_agency),
        note="" if area_list else _FAMILIES_NOT_SHOWN,
    )
