"""Ofsted Annex A, list 11: adopters, as an XLSX inspectors can open at short notice.

Annex A asks for "all those individuals who in the 12 months before the inspection have had contact
with the adoption agency". One row per adopter (each applicant of a household), with the published
column headings below; a couple is two rows sharing a family identifier (the household reference).

The headings and coded values follow the Annex A template as local authorities' reporting tools
(Social Finance's ``liia-tools``, Data to Insight's Annex A queries) reproduce and validate it. The
gender and ethnicity codes are list 10's (``children.ssda903.annex_a``), so both lists agree.

Who is included, for the approving agency chosen and the 12 months up to the "as at" date (the same
window as list 10): applicants of its households where any step of the journey falls in the window
(enquiry, registration, the stages, panel, approval, leaving, or a match, placement or adoption
order of a child with them), or who were still in the process at the start of the window (begun,
not left, and not finished by adoption orders for every child placed with them).

Dates after the "as at" date are left empty: the list says what was known on that day. Text cells a
spreadsheet would run as a formula are neutralised (``adoption.spreadsheets.neutralise``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from adopters.models import Applicant, Household
from adoption import audit, jobs, tenancy
from adoption.models import AuditEvent, Job, Organisation, User
from adoption.spreadsheets import xlsx_sheet
from children.models import AdoptivePlacement, EarlyPermanencePlacement, PermanenceOutcome
from children.ssda903.annex_a import ETHNICITY, GENDER, WINDOW_DAYS

HEADERS: tuple[str, ...] = (
    "Individual adopter identifier",
    "Family identifier",
    "Gender",
    "Ethnicity",
    "Disability",
    "Is the (prospective) adopter fostering for adoption?",
    "Date enquiry received",
    "Date Stage 1 started",
    "Date Stage 1 ended",
    "Date Stage 2 started",
    "Date Stage 2 ended",
    "Date application submitted",
    "Date application approved",
    "Date adopter matched with child(ren)",
    "Date child/children placed with adopter(s)",
    "No. of children placed",
    "Date of Adoption Order",
    "Date of leaving adoption process",
    "Reason for leaving adoption process",
)
SHEET_TITLE = "List 11 - Adopters"

# Who may ask for the list: managers and assessing social workers of the approving agency itself.
REQUESTERS = tuple(sorted(tenancy.ADOPTER_LIST_ROLES))

# The template's list 11 disability codes are a) Yes and b) No only: "not known" is left empty
# rather than guessed as "b) No".
DISABILITY: dict[str, str] = {Applicant.Disability.YES: "a) Yes", Applicant.Disability.NO: "b) No"}
# The published reasons are codes 1 to 3. "Other" has no code and the template refuses a code it
# does not list, so it is left empty (the leaving date still says they left).
LEAVING_REASON: dict[str, str] = {
    Household.LeavingReason.WITHDREW: "1 - Adopter withdrew from process",
    Household.LeavingReason.ON_HOLD: "2 - Process put on hold",
    Household.LeavingReason.REFUSED: "3 - Application refused",
}
# Steps recorded on the household; any of them in the window is contact with the agency.
HOUSEHOLD_STEPS = (
    "enquired_on",
    "registered_on",
    "stage1_started_on",
    "stage1_ended_on",
    "stage2_started_on",
    "stage2_ended_on",
    "panel_on",
    "approved_on",
    "left_on",
)
ADOPTION_ORDER = PermanenceOutcome.Kind.ADOPTION_ORDER


# --- who may ask ---------------------------------------------------------------------------------------


def requestable_agencies(actor: Any) -> QuerySet[Organisation]:
    """The approving agencies (RAA or VAA) in the actor's scope where they are a manager or assessing social worker."""
    if not isinstance(actor, User):
        return Organisation.objects.none()  # API clients and anonymous users
    return (
        Organisation.objects.filter(
            pk__in=tenancy.scope_for(actor).household_org_ids,
            kind__in=[Organisation.Kind.RAA, Organisation.Kind.VAA],
            memberships__user=actor,
            memberships__is_active=True,
            memberships__role__in=REQUESTERS,
        )
        .distinct()
        .order_by("name")
    )


# --- the rows, computed in the database ----------------------------------------------------------------


def _placements() -> QuerySet[AdoptivePlacement]:
    """The adoptive placements (matches) of children with the applicant's household, as a correlated subquery."""
    return AdoptivePlacement.objects.filter(household=OuterRef("household_id")).order_by()


def _per_household(aggregate: Any) -> Subquery:
    """One aggregate over the household's placements (NULL, or 0 for a count, when there are none)."""
    return Subquery(_placements().values("household").annotate(value=aggregate).values("value"))


def _adopted(**made_on: date | tuple[date, date]) -> Q:
    """A placement that led to the child's adoption order with this household (made in ``made_on``'s range).

    A placement with an end date ended before any adoption order, so its child's order, if any, was
    made for another family.
    """
    lookups = {f"child__permanence_outcomes__made_on__{op}": day for op, day in made_on.items()}
    return Q(ended_on__isnull=True, child__permanence_outcomes__kind=ADOPTION_ORDER, **lookups)


def _applicants(agency: Organisation, as_at: date) -> QuerySet[Applicant]:
    since = as_at - timedelta(days=WINDOW_DAYS)
    window = (since, as_at)
    placements = _placements()
    # Still waiting at the start of the window: matched before it, not ended by then, and the child
    # not adopted before it.
    adopted_before = PermanenceOutcome.objects.filter(
        child=OuterRef("child_id"), kind=ADOPTION_ORDER, made_on__lt=since
    )
    unfinished_at_start = placements.filter(matched_on__lt=since).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=since), ~Exists(adopted_before)
    )
    finished_before = ExpressionWrapper(
        Exists(placements.filter(_adopted(lt=since))) & ~Exists(unfinished_at_start), output_field=BooleanField()
    )
    child_step_in_window = Exists(
        placements.filter(Q(matched_on__range=window) | Q(placed_on__range=window) | _adopted(range=window))
    )
    household_step_in_window = Q()
    for step in HOUSEHOLD_STEPS:
        household_step_in_window |= Q(**{f"household__{step}__range": window})
    in_process_at_start = (
        Q(began_on__lt=since)
        & (Q(household__left_on__isnull=True) | Q(household__left_on__gte=since))
        & ~Q(finished_before=True)
    )
    return (
        Applicant.objects.filter(household__approving_agency=agency)
        .select_related("household")
        .annotate(
            began_on=Coalesce(
                "household__enquired_on",
                "household__registered_on",
                "household__stage1_started_on",
                "household__stage2_started_on",
                "household__approved_on",
            ),
            finished_before=finished_before,
            child_step_in_window=child_step_in_window,
            fostering_for_adoption=Exists(
                EarlyPermanencePlacement.objects.filter(
                    household=OuterRef("household_id"),
                    kind__in=[
                        EarlyPermanencePlacement.Kind.FOSTERING_FOR_ADOPTION,
                        EarlyPermanencePlacement.Kind.CONCURRENT_PLANNING,
                    ],
                    started_on__lte=as_at,
                )
            ),
            first_matched_on=_per_household(Min("matched_on", filter=Q(matched_on__lte=as_at))),
            first_placed_on=_per_household(Min("placed_on", filter=Q(placed_on__lte=as_at))),
            children_placed=_per_household(Count("child", distinct=True, filter=Q(placed_on__lte=as_at))),
            adopted_on=_per_household(Min("child__permanence_outcomes__made_on", filter=_adopted(lte=as_at))),
        )
        .filter(household_step_in_window | Q(child_step_in_window=True) | in_process_at_start)
        .order_by("household__reference", "id")
    )


@dataclass(frozen=True)
class List11Row:
    applicant: Applicant
    cells: tuple[Any, ...]


def _known(day: date | None, as_at: date) -> date | None:
    return day if day is not None and day <= as_at else None


def _cells(applicant: Any, as_at: date) -> tuple[Any, ...]:
    """One applicant's row; ``applicant`` carries the annotations of :func:`_applicants`."""
    household: Household = applicant.household
    left_on = _known(household.left_on, as_at)
    stage2_ended_on = _known(household.stage2_ended_on, as_at)
    return (
        applicant.pk,
        household.reference,
        GENDER.get(applicant.sex, GENDER[""]),
        ETHNICITY.get(applicant.ethnicity, ETHNICITY["NOBT"]),
        DISABILITY.get(applicant.disability),
        "a) Yes" if applicant.fostering_for_adoption else "b) No",
        _known(household.enquired_on, as_at),
        _known(household.stage1_started_on, as_at),
        _known(household.stage1_ended_on, as_at),
        _known(household.stage2_started_on, as_at),
        stage2_ended_on,
        # The application for approval goes to panel with the Prospective Adopter's Report, which
        # is finished when stage 2 ends: the product records no separate application date.
        stage2_ended_on,
        _known(household.approved_on, as_at),
        applicant.first_matched_on,
        applicant.first_placed_on,
        applicant.children_placed or None,  # empty, like the placement date, when no child is placed
        applicant.adopted_on,
        left_on,
        LEAVING_REASON.get(household.leaving_reason) if left_on else None,
    )


def list_11_adopters(*, agency: Organisation, as_at: date) -> list[List11Row]:
    """Rows of list 11 for ``agency`` on ``as_at``, by family identifier then adopter.

    For jobs that run without a user: the caller has already checked that whoever asked may see ``agency``.
    """
    return [List11Row(applicant=a, cells=_cells(a, as_at)) for a in _applicants(agency, as_at)]


def list_11_xlsx(rows: list[List11Row]) -> bytes:
    return xlsx_sheet(title=SHEET_TITLE, headers=HEADERS, rows=(row.cells for row in rows), freeze="C2")


# --- the tracked job -----------------------------------------------------------------------------------


def annex_a_list_11_request(*, actor: Any, agency_id: int, as_at: date) -> Job:
    """Queue Annex A list 11 for one approving agency the actor works for, as on ``as_at``."""
    from reporting.tasks import build_annex_a_list_11

    agency = requestable_agencies(actor).filter(pk=agency_id).first()
    if agency is None:
        if agency_id in tenancy.scope_for(actor).household_org_ids:
            raise PermissionDenied("Only managers and assessing social workers can export adopters' records.")
        raise Http404("No such adoption agency.")
    if as_at > timezone.localdate():
        raise ValidationError({"as_at": "The date must be today or in the past"})
    job = jobs.job_create(
        actor=actor,
        kind=Job.Kind.ANNEX_A_LIST_11,
        organisation=agency,
        params={"agency_id": agency.pk, "as_at": as_at.isoformat()},
        task=build_annex_a_list_11,
    )
    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=job, organisation_id=agency.pk)
    return job


def annex_a_list_11_build(job: Job) -> jobs.JobOutput:
    agency = Organisation.objects.get(pk=job.params["agency_id"])
    as_at = date.fromisoformat(job.params["as_at"])
    rows = list_11_adopters(agency=agency, as_at=as_at)
    jobs.job_progress(job, 60)
    return jobs.JobOutput(
        result={"agency_id": agency.pk, "date_of_request": as_at.isoformat(), "adopters": len(rows)},
        file_name=f"Annex-A-list-11-{agency.pk}-{as_at.isoformat()}.xlsx",
        content=list_11_xlsx(rows),
    )
