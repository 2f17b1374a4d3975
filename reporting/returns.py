"""The ASGLB-style quarterly return of an LA or an RAA: built by a tracked job, frozen and versioned.

Quarters are financial-year quarters: Q1 April to June, Q2 July to September, Q3 October to
December, Q4 January to March. ``year`` is the year the financial year starts (2025 is 2025-26, so
2025 Q4 is January to March 2026).

Whose records: for an LA's return, the LA's children, and the households approved by (or in
assessment at) the LA's RAA; for an RAA's return, the children of all its LAs and the RAA's
households. Everything is read as it stood at the quarter's end (a step dated later is left out).

The return has three tables, in one XLSX workbook (sheets "Children", "Families", "Summary"),
the first two also as CSV, and the summary as a one-page PDF:

**Children** (``CHILD_COLUMNS``, in this order), one row per child in scope: children of the LA(s)
with an ADM decision that they should be placed for adoption made by the quarter's end and not
reversed before its start (and not already adopted before it), or with any step dated in the
quarter: a decision, a placement order, a match, a move-in, an adoption order, a reversal or a
disruption (``children.selectors.returns``). Columns: LA; LA child ID; 903 ID; sex; date of birth;
ethnicity (the 903 code); disability; date entered care (the start of the latest period of care,
empty when it began before the returns held); ADM decision date (the latest); placement order date
(the latest; empty when made before the returns held); match date and placement date (of the latest
match); adoption order date; reversal date and reason (the latest reversal); early permanence
(fostering for adoption or concurrent planning: the latest such placement); family finding status
(the latest); in a sibling group, and the group's size; disruption date (the latest placement that
ended before an adoption order); placed with foster carers (of the latest match); and whether the
adopters of the latest match are the RAA's own (approved by the child's LA's RAA) or inter-agency.

**Families** (``FAMILY_COLUMNS``), one row per household in scope (``adopters.selectors``): the
agency; the family reference; how many applicants, the legal status and the route; for the first
two applicants their sex, ethnicity, disability, sexual orientation (where recorded) and age at the
quarter's end; the dates of enquiry, registration of interest, stage 1 start, stage 2 start and
approval; approval for early permanence; the first match and the first move-in since approval; the
leaving date and reason.

**Summary** (``SUMMARY_LINES``): the headline counts, each an aggregate query in the database:
new ADM decisions, new placement orders, children waiting (decision, not placed) at the quarter's
end and those waiting over 90 days, adoptions, registrations, approvals, approvals within 6 months
of registration, families matched and those matched within 3 months of approval, approved
adopters waiting at the quarter's end; beside them, special guardianship orders made, and the LAs'
support: requests received (adoption and special guardianship), assessments of need completed, and
Adoption Support Fund applications submitted and approved.

Generation is a tracked job (``Job.Kind.QUARTERLY_RETURN``). The return row, with its rows copied in
(frozen: later edits to the records do not change it) and its files, is written in the same
transaction that marks the job finished, so a worker that dies half-way leaves no return at all and
a message delivered twice finds the job finished and makes no second version. Generating the same
organisation's return for the same quarter again makes the next version.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from celery import Task
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from adopters.models import Applicant, Household
from adopters.selectors import quarterly_return_household_counts, quarterly_return_households
from adoption import jobs, tenancy
from adoption.models import Job, Organisation, User
from adoption.periods import FinancialQuarter
from adoption.spreadsheets import csv_cell, xlsx_workbook
from children.journey import age_in_years
from children.models import AdoptionDecision, EarlyPermanencePlacement, FamilyFindingStatus, Sex
from children.selectors.returns import (
    INTER_AGENCY,
    OWN_ADOPTERS,
    quarterly_return_child_counts,
    quarterly_return_children,
)
from reporting.models import QuarterlyReturn
from reporting.pdf import render_pdf
from support.selectors.returns import quarterly_return_support_counts

logger = logging.getLogger(__name__)

# --- the period -------------------------------------------------------------------------------------------------

Quarter = FinancialQuarter
quarter_of = FinancialQuarter.containing
last_ended_quarter = FinancialQuarter.last_complete


# --- the columns ----------------------------------------------------------------------------------------------

DATE = "date"
NUMBER = "number"
TEXT = "text"


@dataclass(frozen=True)
class Column:
    key: str  # the key of the value in a stored row
    heading: str  # the column heading in the XLSX and CSV
    kind: str = TEXT


CHILD_COLUMNS: tuple[Column, ...] = (
    Column("la", "LA"),
    Column("la_child_id", "LA child ID"),
    Column("child_903_id", "903 ID"),
    Column("sex", "Sex"),
    Column("date_of_birth", "Date of birth", DATE),
    Column("ethnicity", "Ethnicity"),
    Column("disability", "Disability"),
    Column("entered_care_on", "Date entered care", DATE),
    Column("decision_on", "ADM decision date", DATE),
    Column("placement_order_on", "Placement order date", DATE),
    Column("matched_on", "Match date", DATE),
    Column("placed_on", "Placement date", DATE),
    Column("adoption_order_on", "Adoption order date", DATE),
    Column("reversed_on", "Reversal date", DATE),
    Column("reversal_reason", "Reversal reason"),
    Column("early_permanence", "Early permanence (FfA or concurrent planning)"),
    Column("family_finding", "Family finding status"),
    Column("in_sibling_group", "In a sibling group"),
    Column("sibling_group_size", "Sibling group size", NUMBER),
    Column("disrupted_on", "Disruption date", DATE),
    Column("with_foster_carers", "Placed with foster carers"),
    Column("adopters", "RAA's own adopters or inter-agency"),
)

APPLICANT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("sex", "sex", TEXT),
    ("ethnicity", "ethnicity", TEXT),
    ("disability", "disability", TEXT),
    ("sexual_orientation", "sexual orientation", TEXT),
    ("age", "age at the quarter end", NUMBER),
)

FAMILY_COLUMNS: tuple[Column, ...] = (
    Column("agency", "Agency"),
    Column("reference", "Family reference"),
    Column("applicants", "Number of applicants", NUMBER),
    Column("legal_status", "Legal status"),
    Column("route", "Route"),
    *(
        Column(f"applicant{n}_{key}", f"Applicant {n} {heading}", kind)
        for n in (1, 2)
        for key, heading, kind in APPLICANT_COLUMNS
    ),
    Column("enquired_on", "Enquiry date", DATE),
    Column("registered_on", "Registration date", DATE),
    Column("stage1_started_on", "Stage 1 start date", DATE),
    Column("stage2_started_on", "Stage 2 start date", DATE),
    Column("approved_on", "Approval date", DATE),
    Column("early_permanence", "Approved for early permanence"),
    Column("matched_on", "Match date", DATE),
    Column("placed_on", "Placement date", DATE),
    Column("left_on", "Leaving date", DATE),
    Column("leaving_reason", "Leaving reason"),
)

SUMMARY_LINES: tuple[tuple[str, str], ...] = (
    ("new_adm_decisions", "New ADM decisions that the child should be placed for adoption"),
    ("new_placement_orders", "New placement orders"),
    ("children_waiting", "Children waiting at the quarter end (decision, not yet placed)"),
    ("children_waiting_over_90_days", "Children waiting over 90 days since the decision at the quarter end"),
    ("adoptions", "Adoption orders"),
    ("registrations", "Registrations of interest accepted"),
    ("approvals", "Approvals"),
    ("approvals_within_6_months", "Approvals within 6 months of registration"),
    ("families_matched", "Approved families matched (first match since approval)"),
    ("matched_within_3_months", "Families matched within 3 months of approval"),
    ("adopters_waiting", "Approved families waiting at the quarter end (no current match)"),
    ("special_guardianship_orders", "Special guardianship orders made"),
    ("adoption_support_requests", "Requests for adoption support received"),
    ("sgo_support_requests", "Requests for special guardianship support received"),
    ("support_assessments_completed", "Assessments of need for support completed"),
    ("asf_applications_submitted", "Adoption Support Fund applications submitted"),
    ("asf_applications_approved", "Adoption Support Fund applications approved"),
)
SUMMARY_HEADINGS = ("Measure", "Count")
SHEETS = ("Children", "Families", "Summary")


# --- whose records --------------------------------------------------------------------------------------------


def return_scope(organisation: Organisation) -> tuple[frozenset[int], frozenset[int]]:
    """(LAs whose children, approving agencies whose households) an organisation's return covers."""
    if organisation.kind == Organisation.Kind.LA:
        return frozenset({organisation.pk}), frozenset({organisation.raa_id} if organisation.raa_id else ())
    if organisation.kind == Organisation.Kind.RAA:
        # Its active LAs, as tenancy gives its staff (``adoption.tenancy``).
        las = Organisation.objects.filter(raa=organisation, kind=Organisation.Kind.LA, is_active=True).values_list(
            "pk", flat=True
        )
        return frozenset(las), frozenset({organisation.pk})
    raise ValueError("Quarterly returns are made for a local authority or a regional adoption agency.")


# --- the rows ------------------------------------------------------------------------------------------------


def _day(value: date | None, end: date) -> str | None:
    """A date as stored in a frozen row (ISO), or ``None`` when it had not happened by the quarter's end."""
    return value.isoformat() if value is not None and value <= end else None


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def _labels(choices: Any) -> dict[str | None, str]:
    """A code -> label lookup made once per table (``TextChoices.choices`` is rebuilt on every access)."""
    return {value: str(label) for value, label in choices}


def _label(labels: dict[str | None, str], value: str | None) -> str:
    return labels.get(value, value or "")


# What the children table reads of each child (the selector's annotations and the child's own fields): values, not
# model instances, as the rows are copied into a frozen return.
_CHILD_FIELDS = (
    "responsible_la__name",
    "la_child_id",
    "child_903_id",
    "sex",
    "date_of_birth",
    "ethnicity",
    "has_disability",
    "rt_entered_care_on",
    "rt_decision_on",
    "rt_placement_order_on",
    "rt_matched_on",
    "rt_placed_on",
    "rt_adoption_order_on",
    "rt_reversed_on",
    "rt_reversal_reason",
    "rt_early_permanence",
    "rt_family_finding",
    "rt_in_sibling_group",
    "rt_sibling_group_size",
    "rt_disrupted_on",
    "rt_with_foster_carers",
    "rt_adopters",
)


def child_rows(la_ids: frozenset[int], quarter: Quarter) -> list[dict[str, Any]]:
    end = quarter.end
    sexes, reasons = _labels(Sex.choices), _labels(AdoptionDecision.ReversalReason.choices)
    early, finding = _labels(EarlyPermanencePlacement.Kind.choices), _labels(FamilyFindingStatus.Status.choices)
    adopters = {OWN_ADOPTERS: "RAA's own adopters", INTER_AGENCY: "Inter-agency"}
    rows = []
    children = list(quarterly_return_children(la_ids=la_ids, start=quarter.start, end=end).values_list(*_CHILD_FIELDS))
    for (
        la,
        la_child_id,
        child_903_id,
        sex,
        date_of_birth,
        ethnicity,
        has_disability,
        entered_care_on,
        decision_on,
        placement_order_on,
        matched_on,
        placed_on,
        adoption_order_on,
        reversed_on,
        reversal_reason,
        early_permanence,
        family_finding,
        in_sibling_group,
        sibling_group_size,
        disrupted_on,
        with_foster_carers,
        adopters_code,
    ) in children:
        rows.append(
            {
                "la": la,
                "la_child_id": la_child_id,
                "child_903_id": child_903_id,
                "sex": _label(sexes, sex),
                "date_of_birth": _day(date_of_birth, end),
                "ethnicity": ethnicity,
                "disability": _yes_no(has_disability),
                "entered_care_on": _day(entered_care_on, end),
                "decision_on": _day(decision_on, end),
                "placement_order_on": _day(placement_order_on, end),
                "matched_on": _day(matched_on, end),
                "placed_on": _day(placed_on, end),
                "adoption_order_on": _day(adoption_order_on, end),
                "reversed_on": _day(reversed_on, end),
                "reversal_reason": _label(reasons, reversal_reason) if reversed_on is not None else "",
                "early_permanence": _label(early, early_permanence),
                "family_finding": _label(finding, family_finding),
                "in_sibling_group": _yes_no(in_sibling_group),
                "sibling_group_size": sibling_group_size,
                "disrupted_on": _day(disrupted_on, end),
                "with_foster_carers": _yes_no(with_foster_carers) if matched_on is not None else "",
                "adopters": adopters.get(adopters_code, ""),
            }
        )
    return rows


_APPLICANT_FIELDS = ("sex", "ethnicity", "disability", "sexual_orientation", "date_of_birth")
_FAMILY_FIELDS = (
    "approving_agency__name",
    "reference",
    "rt_applicants",
    "legal_status",
    "route",
    "enquired_on",
    "registered_on",
    "stage1_started_on",
    "stage2_started_on",
    "approved_on",
    "early_permanence_approved",
    "rt_matched_on",
    "rt_placed_on",
    "left_on",
    "leaving_reason",
    *(f"rt_applicant{n}_{field}" for n in (1, 2) for field in _APPLICANT_FIELDS),
)


def family_rows(agency_ids: frozenset[int], quarter: Quarter) -> list[dict[str, Any]]:
    end = quarter.end
    legal_statuses, routes = _labels(Household.LegalStatus.choices), _labels(Household.Route.choices)
    leaving_reasons = _labels(Household.LeavingReason.choices)
    sexes, disabilities = _labels(Applicant.Sex.choices), _labels(Applicant.Disability.choices)
    orientations = _labels(Applicant.SexualOrientation.choices)
    rows = []
    households = list(
        quarterly_return_households(agency_ids=agency_ids, start=quarter.start, end=end).values(*_FAMILY_FIELDS)
    )
    for h in households:
        row: dict[str, Any] = {
            "agency": h["approving_agency__name"],
            "reference": h["reference"],
            "applicants": h["rt_applicants"],
            "legal_status": _label(legal_statuses, h["legal_status"]),
            "route": _label(routes, h["route"]),
        }
        for n in (1, 2):
            born = h[f"rt_applicant{n}_date_of_birth"]
            row[f"applicant{n}_sex"] = _label(sexes, h[f"rt_applicant{n}_sex"])
            row[f"applicant{n}_ethnicity"] = h[f"rt_applicant{n}_ethnicity"] or ""
            row[f"applicant{n}_disability"] = _label(disabilities, h[f"rt_applicant{n}_disability"])
            row[f"applicant{n}_sexual_orientation"] = _label(orientations, h[f"rt_applicant{n}_sexual_orientation"])
            row[f"applicant{n}_age"] = age_in_years(born, end) if born and born <= end else None
        left = h["left_on"] is not None and h["left_on"] <= end
        approved = h["approved_on"] is not None and h["approved_on"] <= end
        row.update(
            {
                "enquired_on": _day(h["enquired_on"], end),
                "registered_on": _day(h["registered_on"], end),
                "stage1_started_on": _day(h["stage1_started_on"], end),
                "stage2_started_on": _day(h["stage2_started_on"], end),
                "approved_on": _day(h["approved_on"], end),
                "early_permanence": _yes_no(h["early_permanence_approved"]) if approved else "",
                "matched_on": _day(h["rt_matched_on"], end),
                "placed_on": _day(h["rt_placed_on"], end),
                "left_on": _day(h["left_on"], end),
                "leaving_reason": _label(leaving_reasons, h["leaving_reason"]) if left else "",
            }
        )
        rows.append(row)
    return rows


def summary_counts(la_ids: frozenset[int], agency_ids: frozenset[int], quarter: Quarter) -> dict[str, int]:
    counts = {
        **quarterly_return_child_counts(la_ids=la_ids, start=quarter.start, end=quarter.end),
        **quarterly_return_household_counts(agency_ids=agency_ids, start=quarter.start, end=quarter.end),
        **quarterly_return_support_counts(la_ids=la_ids, start=quarter.start, end=quarter.end),
    }
    return {key: counts[key] for key, _label in SUMMARY_LINES}


# --- the files (rendering only: they are made from the frozen rows) ------------------------------------------


def _cells(columns: Sequence[Column], row: dict[str, Any]) -> list[Any]:
    values = []
    for column in columns:
        value = row.get(column.key)
        if column.kind == DATE and value:
            value = date.fromisoformat(value)
        values.append(value)
    return values


def summary_table(summary: dict[str, int]) -> list[tuple[str, int]]:
    """The summary's lines in order; a return frozen before a line was added does not show it (it was not counted)."""
    return [(label, summary[key]) for key, label in SUMMARY_LINES if key in summary]


def csv_file(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    """A CSV (UTF-8 with a byte order mark, so Excel reads it as UTF-8), cells neutralised; dates as YYYY-MM-DD."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([column.heading for column in columns])
    for row in rows:
        writer.writerow([csv_cell(value) for value in _cells(columns, row)])
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class BuiltReturn:
    quarter: Quarter
    children: list[dict[str, Any]]
    families: list[dict[str, Any]]
    summary: dict[str, int]
    xlsx: bytes
    children_csv: bytes
    families_csv: bytes
    summary_pdf: bytes


def quarterly_return_build(job: Job) -> BuiltReturn:
    """The job's work: read the rows and counts in the database and render the files. Writes nothing."""
    organisation = Organisation.objects.get(pk=job.params["organisation_id"])
    quarter = Quarter(int(job.params["year"]), int(job.params["quarter"]))
    la_ids, agency_ids = return_scope(organisation)
    children = child_rows(la_ids, quarter)
    jobs.job_progress(job, 30)
    families = family_rows(agency_ids, quarter)
    jobs.job_progress(job, 50)
    summary = summary_counts(la_ids, agency_ids, quarter)
    jobs.job_progress(job, 60)
    xlsx = xlsx_workbook(
        [
            (SHEETS[0], [c.heading for c in CHILD_COLUMNS], (_cells(CHILD_COLUMNS, row) for row in children)),
            (SHEETS[1], [c.heading for c in FAMILY_COLUMNS], (_cells(FAMILY_COLUMNS, row) for row in families)),
            (SHEETS[2], SUMMARY_HEADINGS, summary_table(summary)),
        ],
        freeze="A2",
    )
    jobs.job_progress(job, 70)
    pdf = render_pdf(
        "reporting/returns_summary.pdf.html",
        {
            "organisation": organisation,
            "quarter": quarter,
            "summary": summary_table(summary),
            "children": len(children),
            "families": len(families),
            "generated_on": timezone.localdate(),
            "job": job,
        },
    )
    jobs.job_progress(job, 90)
    return BuiltReturn(
        quarter=quarter,
        children=children,
        families=families,
        summary=summary,
        xlsx=xlsx,
        children_csv=csv_file(CHILD_COLUMNS, children),
        families_csv=csv_file(FAMILY_COLUMNS, families),
        summary_pdf=pdf,
    )


FILE_SUFFIXES = {
    "xlsx": ".xlsx",
    "children_csv": "-children.csv",
    "families_csv": "-families.csv",
    "summary_pdf": "-summary.pdf",
}


def file_stem(organisation: Organisation, quarter: Quarter, version: int) -> str:
    return f"quarterly-return-{slugify(organisation.name)}-{quarter.financial_year}-Q{quarter.number}-v{version}"


def download_name(quarterly_return: QuarterlyReturn, field: str) -> str:
    """The name a downloaded file is given (the stored name may carry a suffix the storage added)."""
    quarter = quarter_of(quarterly_return.period_end)
    return file_stem(quarterly_return.organisation, quarter, quarterly_return.version) + FILE_SUFFIXES[field]


# --- the job: the return is written in the transaction that finishes the job --------------------------------


def quarterly_return_run(job_id: str, *, retry: Task | None = None) -> None:
    """Build the return and store it with the job's success in one transaction (``adoption.jobs.job_run``).

    Until that transaction commits there is no return; a worker killed before then lets go of the job, and
    the redelivered message claims it again and builds it from the start. A message delivered after success
    finds the job finished and does nothing, so no second version is made.
    """
    built: list[BuiltReturn] = []

    def work(job: Job) -> jobs.JobOutput:
        built.append(quarterly_return_build(job))
        return jobs.JobOutput(result={})

    def store(job: Job, output: jobs.JobOutput) -> None:
        made = built[-1]
        # Locking the organisation's row makes returns of one organisation take their version numbers in turn.
        organisation = Organisation.objects.select_for_update().get(pk=job.organisation_id)
        quarter = made.quarter
        latest = QuarterlyReturn.objects.filter(organisation=organisation, period_end=quarter.end).aggregate(
            latest=Max("version")
        )["latest"]
        version = (latest or 0) + 1
        stem = file_stem(organisation, quarter, version)
        quarterly_return = QuarterlyReturn(
            organisation=organisation,
            period_start=quarter.start,
            period_end=quarter.end,
            version=version,
            job=job,
            generated_by=job.requested_by,
            children=made.children,
            families=made.families,
            summary=made.summary,
        )
        for field, content in (
            ("xlsx", made.xlsx),
            ("children_csv", made.children_csv),
            ("families_csv", made.families_csv),
            ("summary_pdf", made.summary_pdf),
        ):
            # The stem carries the version taken under the lock above: the name is this return's alone.
            jobs.job_file_save(getattr(quarterly_return, field), stem + FILE_SUFFIXES[field], content)
        quarterly_return.save()
        job.result = {
            "return_id": quarterly_return.pk,
            "version": version,
            "period_start": quarter.start.isoformat(),
            "period_end": quarter.end.isoformat(),
            "children": len(made.children),
            "families": len(made.families),
        }

    jobs.job_run(job_id, work, on_success=store, retry=retry)


# --- reads for the pages --------------------------------------------------------------------------------------


def report_organisations(actor: Any) -> QuerySet[Organisation]:
    """The LAs and RAAs whose returns the actor may see and ask for: where they are a manager, ADM or administrator
    (at the LA, or at its RAA), or the RAA where they are one."""
    from reporting.services import REPORT_ROLES

    if not isinstance(actor, User):
        return Organisation.objects.none()
    ids = tenancy.la_ids_with_roles(actor, REPORT_ROLES) | tenancy.raa_ids_with_roles(actor, REPORT_ROLES)
    return Organisation.objects.filter(pk__in=ids).order_by("kind", "name")


def quarterly_return_list(*, actor: Any) -> QuerySet[QuarterlyReturn]:
    return QuarterlyReturn.objects.filter(organisation__in=report_organisations(actor)).select_related(
        "organisation", "generated_by"
    )


def quarterly_return_get(*, actor: Any, return_id: int) -> QuarterlyReturn:
    """A return of an LA the actor sees or of the actor's RAA (else 404), if they may see returns (else 403)."""
    scope = tenancy.scope_for(actor)
    in_scope = Q(organisation__in=scope.la_ids, organisation__kind=Organisation.Kind.LA) | Q(
        organisation__in=scope.household_org_ids, organisation__kind=Organisation.Kind.RAA
    )
    found = QuarterlyReturn.objects.select_related("organisation").filter(in_scope, pk=return_id).first()
    if found is None:
        raise Http404("No such return.")
    if not report_organisations(actor).filter(pk=found.organisation_id).exists():
        raise PermissionDenied("Only managers, ADMs and administrators can download quarterly returns.")
    return found


def quarterly_return_jobs(*, actor: Any) -> QuerySet[Job]:
    """Return jobs of the actor's organisations still to finish, and those that failed in the last week."""
    failed_since = timezone.now() - timedelta(days=7)
    return (
        Job.objects.filter(kind=Job.Kind.QUARTERLY_RETURN, organisation__in=report_organisations(actor))
        .filter(
            Q(status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
            | Q(status=Job.Status.FAILED, created_at__gte=failed_since)
        )
        .select_related("organisation", "requested_by")
        .order_by("-created_at")
    )
