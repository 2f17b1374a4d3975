"""Ofsted Annex A, list 10: children with an adoption decision, as an XLSX inspectors can open at short notice.

Ofsted's inspection of local authority children's services (ILACS) asks, in Annex A, for "all those
children who, in the 12 months before the inspection, have: been adopted, had the decision that they
should be placed for adoption but have not yet been adopted, had an adoption decision reversed
during the 12 months". One row per child, with the published column headings below.

The headings and the coded values ("a) Male", "a) WBRI", "a) Yes", "RD1 - ...") follow the Annex A
template. They were checked, heading by heading and code by code, against the schema Social Finance's
``liia-tools`` uses to validate LAs' real Annex A submissions (its ``Annex_A_schema.yml``, list 10),
which Data to Insight's Annex A queries also produce; Ofsted's own spreadsheet is not published in
a form this project can read, so that schema is the reference (a test pins the headings).

A date the product does not know is left empty, never guessed: "Date the Child Entered Care" for a
child whose period of care began before the 903 returns imported (``PeriodOfCare.start_before_records``),
and "Date of Placement Order" for an order imported as made on or before its first episode known.

Text cells that a spreadsheet would run as a formula (starting = + - @, a tab or a carriage return)
are neutralised with a leading apostrophe: the data is special-category and exports are logged,
so they must not carry formula injection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from adoption import audit, jobs, tenancy
from adoption.models import AuditEvent, Job, Organisation
from adoption.spreadsheets import xlsx_sheet
from children.models import AdoptionDecision, Child, Ethnicity, PeriodOfCare, PermanenceOutcome, Sex

HEADERS: tuple[str, ...] = (
    "Child Unique ID",
    "Family identifier",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Does the Child have a Disability",
    "Date the Child Entered Care",
    "Date of Decision that Child Should be Placed for Adoption",
    "Date of Placement Order",
    "Date of Matching Child and Prospective Adopters",
    "Date Placed for Adoption",
    "Date of Adoption Order",
    "Date of Decision that Child Should No Longer be Placed for Adoption",
    "Reason Why Child No Longer Placed for Adoption",
    "Date the child was placed for fostering in FFA or concurrent planning placement",
)
SHEET_TITLE = "List 10 - Adoption"
WINDOW_DAYS = 365  # "in the 12 months before the inspection"

GENDER = {
    Sex.MALE: "a) Male",
    Sex.FEMALE: "b) Female",
    Sex.UNKNOWN: "c) Not stated/recorded",
    "": "c) Not stated/recorded",
}
# Annex A lists the 903 ethnicity codes in the DfE's order, lettered a) to t).
ETHNICITY = {code: f"{chr(ord('a') + i)}) {code}" for i, code in enumerate(Ethnicity.values)}
REVERSAL_REASON = {
    "RD1": "RD1 - The child\u2019s needs changed subsequent to the decision",
    "RD2": "RD2 - The Court did not make a placement order",
    "RD3": "RD3 - Prospective adopters could not be found",
    "RD4": "RD4 - Any other reason",
}


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class List10Row:
    child: Child
    cells: tuple[Any, ...]


def list_10_children(*, la: Organisation, as_at: date) -> list[List10Row]:
    """Rows of list 10 for ``la`` on ``as_at`` (the day of the inspection request), by child id.

    For jobs that run without a user: the caller has already checked that whoever asked may see ``la``.
    """
    since = as_at - timedelta(days=WINDOW_DAYS)
    children = (
        Child.objects.filter(responsible_la=la, adoption_decisions__decided_on__lte=as_at)
        .distinct()
        .select_related("sibling_membership")
        .prefetch_related(
            "periods_of_care",
            "adoption_decisions",
            "placement_orders",
            "adoptive_placements",
            "permanence_outcomes",
            "early_permanence_placements",
        )
        .order_by("la_child_id", "id")
    )
    rows: list[List10Row] = []
    for child in children:
        decisions = [d for d in child.adoption_decisions.all() if d.decided_on <= as_at]
        decision: AdoptionDecision = max(decisions, key=lambda d: d.decided_on)
        reversed_on = decision.reversed_on if decision.reversed_on and decision.reversed_on <= as_at else None
        adopted_on = next(
            (
                o.made_on
                for o in child.permanence_outcomes.all()
                if o.kind == PermanenceOutcome.Kind.ADOPTION_ORDER and o.made_on <= as_at
            ),
            None,
        )
        adopted_in_window = adopted_on is not None and adopted_on >= since
        waiting = reversed_on is None and adopted_on is None
        reversed_in_window = reversed_on is not None and reversed_on >= since
        if not (adopted_in_window or waiting or reversed_in_window):
            continue
        entered = _entered_care(list(child.periods_of_care.all()), decision.decided_on)
        orders = [o for o in child.placement_orders.all() if o.made_on <= as_at]
        order = max(orders, key=lambda o: o.made_on, default=None)
        placements = [p for p in child.adoptive_placements.all() if p.matched_on <= as_at]
        current = [p for p in placements if p.ended_on is None or p.ended_on > as_at]
        placement = max(current or placements, key=lambda p: p.matched_on, default=None)
        placed_on = placement.placed_on if placement and placement.placed_on and placement.placed_on <= as_at else None
        early = [e.started_on for e in child.early_permanence_placements.all() if e.started_on <= as_at]
        membership = getattr(child, "sibling_membership", None)
        cells = (
            child.la_child_id or child.child_903_id,
            f"SG{membership.group_id}" if membership else "",
            GENDER.get(child.sex, GENDER[""]),
            ETHNICITY.get(child.ethnicity, ETHNICITY[Ethnicity.NOBT]),
            child.date_of_birth,
            _age(child.date_of_birth, as_at),
            "a) Yes" if child.has_disability else "b) No",
            entered,
            decision.decided_on,
            # An order imported as made on or before its date (the date is not in the returns held).
            order.made_on if order and not order.made_before_records else None,
            placement.matched_on if placement else None,
            placed_on,
            adopted_on,
            reversed_on,
            REVERSAL_REASON.get(decision.reversal_reason, "") if reversed_on else "",
            min(early, default=None),
        )
        rows.append(List10Row(child=child, cells=cells))
    return rows


def _entered_care(periods: list[PeriodOfCare], decided_on: date) -> date | None:
    """The day the child entered the period of care of the decision; ``None`` when it is not known.

    That period is the latest one begun on or before the decision; a period begun before the returns
    held counts from the end of the one before it, as its true start is unknown. Its recorded start
    is only the first episode known, so the cell is left empty rather than written with a wrong date.
    """
    found: PeriodOfCare | None = None
    previous_end: date | None = None
    for period in sorted(periods, key=lambda p: p.started_on):
        if period.started_on <= decided_on or (
            period.start_before_records and (previous_end is None or previous_end < decided_on)
        ):
            found = period
        previous_end = period.ended_on
    if found is None or found.start_before_records:
        return None
    return found.started_on


def list_10_xlsx(rows: list[List10Row]) -> bytes:
    return xlsx_sheet(title=SHEET_TITLE, headers=HEADERS, rows=(row.cells for row in rows), freeze="B2")


# --- the tracked job --------------------------------------------------------------------------


def annex_a_list_10_request(*, actor: Any, la_id: int, as_at: date) -> Job:
    """Queue Annex A list 10 for one LA the actor may see, as on ``as_at``."""
    from children.services import may_write_journeys
    from children.ssda903.tasks import build_annex_a_list_10

    la = tenancy.visible_las(actor).filter(pk=la_id).first()
    if la is None:
        raise Http404("No such local authority.")
    if not may_write_journeys(actor):
        raise PermissionDenied("Your role cannot export children's records.")
    if as_at > timezone.localdate():
        raise ValidationError({"as_at": "The date must be today or in the past"})
    job = jobs.job_create(
        actor=actor,
        kind=Job.Kind.ANNEX_A_LIST_10,
        organisation=la,
        params={"la_id": la.pk, "as_at": as_at.isoformat()},
        task=build_annex_a_list_10,
    )
    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=job, organisation_id=la.pk)
    return job


def annex_a_list_10_build(job: Job) -> jobs.JobOutput:
    la = Organisation.objects.get(pk=job.params["la_id"])
    as_at = date.fromisoformat(job.params["as_at"])
    rows = list_10_children(la=la, as_at=as_at)
    jobs.job_progress(job, 60)
    return jobs.JobOutput(
        result={"la_id": la.pk, "as_at": as_at.isoformat(), "children": len(rows)},
        file_name=f"Annex-A-list-10-{la.la_code or la.ons_code or la.pk}-{as_at.isoformat()}.xlsx",
        content=list_10_xlsx(rows),
    )
