"""SSDA903 export: the Header, Episodes, AD1 and PlacedAdoption tables of one LA for one collection year.

Which rows belong to a collection year (1 April to 31 March), as the DfE's 903 guidance and the
validator's rules (PyPI ``csc-validator-be-903``) read them:

* **Episodes**: every episode open at any time in the year (began on or before 31 March and ceased
  on or after 1 April, or not ceased). An episode that ceased after 31 March is shown as still open
  (no DEC, REC or REASON_PLACE_CHANGE): the return describes the year as at its end (rules 354, 385).
* **Header**: every child with an episode in the year (children looked after at any time in it).
* **AD1**: children of the Header adopted in the year (an episode ceased E11 or E12 in it, rule 602),
  with DATE_INT (the open decision that they should be placed for adoption), DATE_MATCH, FOSTER_CARE,
  NB_ADOPTR, SEX_ADOPTR and LS_ADOPTR of the family that adopted them.
* **PlacedAdoption**: each decision that a child of the Header should be placed for adoption made in
  their current period of care on or before 31 March and not reversed before 1 April, with the
  reversal (DATE_PLACED_CEASED, REASON_PLACED_CEASED) when it was in the year (rules 117, 118, 1003).

Dates are dd/mm/YYYY; column names are the validator's own (``lac_validator.config``). The tables are
read with a handful of queries, whatever the number of children.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from lac_validator.config import column_names

from adopters.models import Applicant
from adoption import audit, jobs, tenancy
from adoption.models import AuditEvent, Job, Organisation
from adoption.spreadsheets import csv_cell
from children.codes import ADOPTION_REASONS
from children.models import AdoptionDecision, AdoptivePlacement, Child, Episode, Sex
from children.ssda903.validation import ADOPTION_TABLES, collection_year_label, collection_year_of, validate_tables

COLUMNS: dict[str, list[str]] = {table: list(column_names[table]) for table in ADOPTION_TABLES}
# The collection years the validator has rules for (``lac2022_23`` to ``lac2026_27``).
FIRST_YEAR = 2022
LAST_YEAR = 2026
# SEX was 1 (male) / 2 (female) until the 2023 to 2024 collection; M, F or U from 2024 to 2025.
LETTER_SEX_FROM = 2024
FIRST_FINDINGS = 20  # findings kept in the job's result for the page; the ZIP has them all

Row = dict[str, str]


@dataclass(frozen=True)
class CollectionYear:
    """A 903 collection year: 1 April ``start_year`` to 31 March the year after."""

    start_year: int

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return collection_year_label(self.start_year)


def collection_years(today: date) -> list[CollectionYear]:
    """The years an export can be asked for, latest first: the validator's years up to the current one."""
    current = min(collection_year_of(today), LAST_YEAR)
    return [CollectionYear(year) for year in range(current, FIRST_YEAR - 1, -1)]


def latest_complete_year(today: date) -> int:
    return collection_year_of(today) - 1


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def child_id(child: Child) -> str:
    """903 CHILD: the child's 903 id, else the LA's own id (the 903 allows up to 10 characters)."""
    return child.child_903_id or child.la_child_id or f"ID{child.pk}"


def _sex(child: Child, year: int) -> str:
    if year >= LETTER_SEX_FROM:
        return child.sex or Sex.UNKNOWN
    return {"M": "1", "F": "2"}.get(child.sex, "")


def _upn(child: Child, year: int) -> str:
    """The UPN, or UN1 for a child not yet of school age (rule 209's test); otherwise left blank.

    A school-age child without a UPN is left blank on purpose: the LA must find it (rule 442 says so).
    """
    if child.upn:
        return child.upn
    dob = child.date_of_birth
    if dob is None:
        return ""
    fourth_birthday = (
        dob.replace(year=dob.year + 4, day=28) if (dob.month, dob.day) == (2, 29) else dob.replace(year=dob.year + 4)
    )
    return "UN1" if fourth_birthday > date(year - 1, 8, 31) else ""


def _sex_of_adopters(applicants: list[Applicant]) -> str:
    """903 SEX_ADOPTR: M1 or F1 for one adopter; MM, FF or MF for a couple; blank when not recorded."""
    sexes = sorted(a.sex for a in applicants)
    if not sexes or "" in sexes:
        return ""
    if len(sexes) == 1:
        return f"{sexes[0]}1"
    if len(sexes) == 2:
        return "MF" if sexes == ["F", "M"] else sexes[0] * 2
    return ""


@dataclass(frozen=True)
class Ssda903Tables:
    la: Organisation
    year: CollectionYear
    rows: dict[str, list[Row]]

    def csv(self) -> dict[str, str]:
        """Each table as CSV text with the DfE column names, keyed by table name. Cells are neutralised like every
        export's (a CHILD ID typed as ``=1+1`` must not run as a formula in a spreadsheet); 903 values never start
        with a formula character, so a valid return is unchanged."""
        out: dict[str, str] = {}
        for table in ADOPTION_TABLES:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=COLUMNS[table], lineterminator="\r\n")
            writer.writeheader()
            writer.writerows({column: csv_cell(value) for column, value in row.items()} for row in self.rows[table])
            out[table] = buffer.getvalue()
        return out

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.rows.items()}


def episodes_in_year(*, la: Organisation, year: CollectionYear):
    """The LA's episodes open at any time in the year, with their child, in 903 order (CHILD, DECOM)."""
    return (
        Episode.objects.filter(period__child__responsible_la=la, started_on__lte=year.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=year.start))
        .select_related("period__child")
        .order_by("period__child__child_903_id", "period__child_id", "started_on")
    )


def build_tables(*, la: Organisation, year_start: int) -> Ssda903Tables:
    """The four tables for ``la`` and the collection year starting 1 April ``year_start``.

    For jobs that run without a user: the caller has already checked that whoever asked may see ``la``.
    """
    year = CollectionYear(year_start)
    episodes = list(episodes_in_year(la=la, year=year))
    children: dict[int, Child] = {}
    # Decisions from this day on belong to the child's current period of care. A period begun
    # before the returns held has no known start: the decisions the import recorded for it may be
    # earlier than its first episode known, and it is the child's first period recorded.
    first_period_start: dict[int, date] = {}
    adopted_on: dict[int, date] = {}
    episode_rows: list[Row] = []
    for episode in episodes:
        child = episode.period.child
        children.setdefault(child.pk, child)
        first_period_start.setdefault(
            child.pk, date.min if episode.period.start_before_records else episode.period.started_on
        )
        ceased = episode.ended_on
        ceased_in_year = ceased is not None and ceased <= year.end
        if ceased is not None and ceased_in_year and episode.reason_ended in ADOPTION_REASONS:
            adopted_on[child.pk] = ceased
        episode_rows.append(
            {
                "CHILD": child_id(child),
                "DECOM": _d(episode.started_on),
                "RNE": episode.reason_new_episode,
                "LS": episode.legal_status,
                "CIN": episode.category_of_need,
                "PLACE": episode.placement_type,
                "PLACE_PROVIDER": episode.placement_provider,
                "DEC": _d(episode.ended_on) if ceased_in_year else "",
                "REC": episode.reason_ended if ceased_in_year else "",
                "REASON_PLACE_CHANGE": episode.reason_place_change if ceased_in_year else "",
                "HOME_POST": episode.home_postcode,
                "PL_POST": episode.placement_postcode,
                "URN": episode.urn,
            }
        )

    header_rows = [
        {
            "CHILD": child_id(child),
            "SEX": _sex(child, year_start),
            "DOB": _d(child.date_of_birth),
            "ETHNIC": child.ethnicity,
            "UPN": _upn(child, year_start),
            # The product does not record children who are mothers themselves; an adoption
            # service's children are young, so a girl is recorded as not a mother (rule 393).
            "MOTHER": "0" if child.sex == Sex.FEMALE else "",
            "MC_DOB": "",
        }
        for child in children.values()
    ]

    decisions: dict[int, list[AdoptionDecision]] = defaultdict(list)
    for decision in AdoptionDecision.objects.filter(child_id__in=list(children)).order_by("child_id", "decided_on"):
        decisions[decision.child_id].append(decision)

    placed_rows: list[Row] = []
    for pk, child in children.items():
        for decision in decisions[pk]:
            if decision.decided_on > year.end or decision.decided_on < first_period_start[pk]:
                continue  # made after the year, or in an earlier period of care
            if decision.reversed_on and decision.reversed_on < year.start:
                continue  # no longer in force during the year
            reversed_in_year = decision.reversed_on is not None and decision.reversed_on <= year.end
            placed_rows.append(
                {
                    "CHILD": child_id(child),
                    "DOB": _d(child.date_of_birth),
                    "DATE_PLACED": _d(decision.decided_on),
                    "DATE_PLACED_CEASED": _d(decision.reversed_on) if reversed_in_year else "",
                    "REASON_PLACED_CEASED": decision.reversal_reason if reversed_in_year else "",
                }
            )

    ad1_rows = _ad1_rows(children, adopted_on, decisions)
    return Ssda903Tables(
        la=la,
        year=year,
        rows={"Header": header_rows, "Episodes": episode_rows, "AD1": ad1_rows, "PlacedAdoption": placed_rows},
    )


def _ad1_rows(
    children: dict[int, Child], adopted_on: dict[int, date], decisions: dict[int, list[AdoptionDecision]]
) -> list[Row]:
    """AD1 for the children adopted in the year: the decision, the match and the family that adopted them."""
    placements: dict[int, list[AdoptivePlacement]] = defaultdict(list)
    for placement in (
        AdoptivePlacement.objects.filter(child_id__in=list(adopted_on), ended_on__isnull=True)
        .select_related("household")
        .prefetch_related(Prefetch("household__applicants", queryset=Applicant.objects.order_by("id")))
        .order_by("child_id", "matched_on")
    ):
        placements[placement.child_id].append(placement)
    rows: list[Row] = []
    for pk, adopted in adopted_on.items():
        child = children[pk]
        open_decisions = [d for d in decisions[pk] if d.decided_on <= adopted and not d.reversed_on]
        matches = [p for p in placements[pk] if p.matched_on <= adopted]
        decision = open_decisions[-1] if open_decisions else None
        match = matches[-1] if matches else None
        household = match.household if match else None
        applicants = list(household.applicants.all()) if household else []
        rows.append(
            {
                "CHILD": child_id(child),
                "DOB": _d(child.date_of_birth),
                "DATE_INT": _d(decision.decided_on) if decision else "",
                "DATE_MATCH": _d(match.matched_on) if match else "",
                "FOSTER_CARE": ("1" if match.with_foster_carers else "0") if match else "",
                "NB_ADOPTR": str(len(applicants)) if applicants else "",
                "SEX_ADOPTR": _sex_of_adopters(applicants),
                "LS_ADOPTR": household.legal_status if household else "",
            }
        )
    rows.sort(key=lambda r: r["CHILD"])
    return rows


# --- the tracked job --------------------------------------------------------------------------


def ssda903_export_request(*, actor: Any, la_id: int, year_start: int) -> Job:
    """Queue the 903 export of one LA the actor may see, for one collection year."""
    from children.services import may_write_journeys
    from children.ssda903.tasks import build_ssda903_export

    la = tenancy.visible_las(actor).filter(pk=la_id).first()
    if la is None:
        raise Http404("No such local authority.")
    if not may_write_journeys(actor):
        raise PermissionDenied("Your role cannot export children's records.")
    if year_start not in {y.start_year for y in collection_years(timezone.localdate())}:
        raise ValidationError({"year": "Choose a collection year from the list"})
    job = jobs.job_create(
        actor=actor,
        kind=Job.Kind.SSDA903_EXPORT,
        organisation=la,
        params={"la_id": la.pk, "year": year_start},
        task=build_ssda903_export,
    )
    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=job, organisation_id=la.pk)
    return job


def _zip(files: dict[str, str]) -> bytes:
    """A ZIP with fixed timestamps, so building the same export twice gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def ssda903_export_build(job: Job) -> jobs.JobOutput:
    """The job's work: build the tables, run the DfE validator over them, and zip both."""
    la = Organisation.objects.get(pk=job.params["la_id"])
    tables = build_tables(la=la, year_start=int(job.params["year"]))
    csv_tables = tables.csv()
    jobs.job_progress(job, 20)
    result = validate_tables(csv_tables, year_start=tables.year.start_year, la_ons_code=la.ons_code)
    findings = result.for_tables(*ADOPTION_TABLES)
    jobs.job_progress(job, 90)
    summary = io.StringIO()
    writer = csv.writer(summary, lineterminator="\r\n")
    writer.writerow(["Table", "Row", "CHILD", "Rule", "Message"])
    for finding in findings:
        cells = (finding.table, finding.row + 1, finding.child, finding.rule, finding.message)
        writer.writerow([csv_cell(value) for value in cells])
    files = {f"{table}.csv": text for table, text in csv_tables.items()}
    files["validation.csv"] = summary.getvalue()
    label = tables.year.label.replace("/", "-")
    return jobs.JobOutput(
        result={
            "la_id": la.pk,
            "year": tables.year.start_year,
            "collection_year": tables.year.label,
            "rows": tables.counts(),
            "findings": len(findings),
            "first_findings": [
                {"table": f.table, "row": f.row + 1, "child": f.child, "rule": f.rule, "message": f.message}
                for f in findings[:FIRST_FINDINGS]
            ],
            "rules_not_run": list(result.rules_not_run),
        },
        file_name=f"SSDA903-{la.la_code or la.ons_code or la.pk}-{label}.zip",
        content=_zip(files),
    )
