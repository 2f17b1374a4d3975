"""Asking for the data pack, and the job's work."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from adoption import jobs, tenancy
from adoption.models import Job, Organisation
from adoption.periods import FinancialQuarter
from reporting.charts import data_uri
from reporting.data_pack.core import (
    CUTS,
    PDF,
    XLSX,
)
from reporting.data_pack.files import (
    ABOUT_SHEET,
    CHART_TITLE,
    characteristics_chart_svg,
    summary,
    workbook,
)
from reporting.data_pack.tables import (
    data_pack,
)
from reporting.pdf import render_pdf
from reporting.services import REPORT_ROLES, ended_quarter, reporting_las

# --- asking for it, and the job's work ---------------------------------------------------------------------------


def data_pack_request(*, actor: Any, cut: str, year: int, quarter: int, today: date, file_format: str = XLSX) -> Job:
    """Queue the pack of the LAs ``actor`` reports on, cut by ``cut``, for a quarter that has ended: the workbook
    (``XLSX``) or the PDF summary (``PDF``).

    403 unless the actor is a manager, ADM or administrator; 404 when they report on no LA. The LAs and
    approving agencies are fixed now, so the job shows only what the actor may see.
    """
    from reporting.tasks import build_data_pack

    if not tenancy.has_role(actor, *REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can ask for the data pack.")
    las = reporting_las(actor)
    if not las:
        raise Http404("No local authorities to report on.")
    if cut not in CUTS:
        raise ValidationError({"cut": "Choose how to cut the pack"})
    if file_format not in (XLSX, PDF):
        raise ValidationError("Choose the workbook or the PDF summary")
    ended_quarter(year, quarter, today=today)  # a ValidationError unless it has ended
    agency_ids = tenancy.raa_ids_with_roles(actor, REPORT_ROLES)
    # The job belongs to the RAA when all the LAs are of one RAA the actor reports on (its page then shows to
    # its managers), otherwise to the first LA.
    raas = {la.raa_id for la in las}
    organisation: Organisation = las[0]
    if len(raas) == 1 and las[0].raa is not None and las[0].raa_id in agency_ids:
        organisation = las[0].raa
    return jobs.job_create(
        actor=actor,
        kind=Job.Kind.DATA_PACK,
        organisation=organisation,
        params={
            "cut": cut,
            "format": file_format,
            "year": year,
            "quarter": quarter,
            "la_ids": sorted(la.pk for la in las),
            "agency_ids": sorted(agency_ids),
        },
        task=build_data_pack,
    )


def data_pack_build(job: Job) -> jobs.JobOutput:
    """The job's work: the pack of the job's LAs and quarter, as an XLSX workbook or a PDF summary."""
    la_ids = [int(pk) for pk in job.params["la_ids"]]
    las = list(
        Organisation.objects.filter(pk__in=la_ids, kind=Organisation.Kind.LA).select_related("raa").order_by("name")
    )
    quarter = FinancialQuarter(int(job.params["year"]), int(job.params["quarter"]))
    pack = data_pack(
        las=las, cut=job.params["cut"], quarter=quarter, agency_ids=[int(pk) for pk in job.params["agency_ids"]]
    )
    jobs.job_progress(job, 70)
    name = f"data-pack-{quarter.year}-Q{quarter.number}-{pack.cut}"
    result: dict[str, Any] = {"quarter": quarter.title, "cut": pack.cut, "local_authorities": len(las)}
    if job.params.get("format") == PDF:
        chart = characteristics_chart_svg(pack)
        content = render_pdf(
            "reporting/data_pack.pdf.html",
            {
                "pack": pack,
                "summary": summary(pack),
                "las": las,
                "chart_src": data_uri(chart),
                "chart_title": CHART_TITLE,
            },
        )
        return jobs.JobOutput(result=result, file_name=f"{name}.pdf", content=content)
    result["sheets"] = [ABOUT_SHEET, *(table.sheet for table in pack.tables)]
    return jobs.JobOutput(result=result, file_name=f"{name}.xlsx", content=workbook(pack))
