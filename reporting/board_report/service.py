"""The board report's chart, asking for its PDF, and the job's work."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify
from matplotlib.ticker import MaxNLocator

from adoption import jobs
from adoption.models import Job, Organisation
from adoption.periods import FinancialQuarter
from reporting.board_report.figures import (
    CHART_TITLE,
    CHART_Y_LABEL,
    BoardReport,
    BoardScope,
    board_report,
    board_scope,
)
from reporting.board_report.tables import (
    adopters_not_shown,
    tables,
)
from reporting.charts import Chart, data_uri
from reporting.pdf import render_pdf
from reporting.services import ended_quarter

# --- the chart and the PDF ----------------------------------------------------------------------------------------


def flows_chart_svg(report: BoardReport) -> str:
    """The children's decisions, orders, moves and adoptions of each quarter as grouped bars, text kept as text."""
    series = (
        ("New decisions", "decisions"),
        ("New placement orders", "placement_orders"),
        ("Moved in", "placed"),
        ("Adoption orders", "adopted"),
    )
    quarters = report.quarters
    width = 0.8 / len(series)
    chart = Chart("board", (7.5, 3.2))
    with chart as figure:
        axes = figure.add_subplot()
        for n, (label, attribute) in enumerate(series):
            xs = [q + (n - (len(series) - 1) / 2) * width for q in range(len(quarters))]
            values = [getattr(report.children[q], attribute) for q in range(len(quarters))]
            axes.bar(xs, values, width=width, label=label)
        axes.set_xticks(range(len(quarters)), [f"Q{q + 1}" for q in range(len(quarters))])
        axes.set_title(CHART_TITLE)
        axes.set_xlabel(f"Quarters of {report.quarter.financial_year}")
        axes.set_ylabel(CHART_Y_LABEL)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of children: whole numbers
        axes.set_ylim(bottom=0)
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)  # beside the bars, never over them
        axes.grid(axis="y", alpha=0.3)
    return chart.svg


def board_report_request(*, actor: Any, organisation_id: int, year: int, quarter: int) -> Job:
    """Queue the board report PDF of an LA or RAA the actor reports on, for a quarter that has ended.

    404 for an organisation outside the actor's scope; 403 unless they are a manager, ADM or administrator of
    it. The LAs and agencies counted are fixed now, so the job shows only what the actor may see.
    """
    from reporting.tasks import build_board_report

    scope = board_scope(actor=actor, organisation_id=organisation_id)
    period = ended_quarter(year, quarter)
    return jobs.job_create(
        actor=actor,
        kind=Job.Kind.BOARD_REPORT,
        organisation=scope.organisation,
        params={
            "organisation_id": scope.organisation.pk,
            "year": period.year,
            "quarter": period.number,
            "la_ids": sorted(scope.la_ids),
            "agency_ids": sorted(scope.agency_ids),
        },
        task=build_board_report,
    )


def board_report_build(job: Job) -> jobs.JobOutput:
    """The job's work: the report of the organisation and quarter asked for, as a PDF/UA document."""
    organisation = Organisation.objects.get(pk=job.params["organisation_id"])
    scope = BoardScope(
        organisation,
        frozenset(int(pk) for pk in job.params["la_ids"]),
        frozenset(int(pk) for pk in job.params["agency_ids"]),
    )
    quarter = FinancialQuarter(int(job.params["year"]), int(job.params["quarter"]))
    report = board_report(scope=scope, quarter=quarter)
    jobs.job_progress(job, 60)
    chart = flows_chart_svg(report)
    content = render_pdf(
        "reporting/board_report.pdf.html",
        {
            "report": report,
            "tables": tables(report),
            "adopters_not_shown": adopters_not_shown(report, organisation),
            "chart_src": data_uri(chart),
            "chart_title": CHART_TITLE,
            "job": job,
        },
    )
    now = report.children[report.current]
    return jobs.JobOutput(
        result={
            "organisation": organisation.name,
            "quarter": quarter.title,
            "decisions": now.decisions,
            "placement_orders": now.placement_orders,
            "placed": now.placed,
            "adopted": now.adopted,
            "own_percent": now.own_percent,
            "disruptions": now.disruptions,
            "waiting": report.stages[report.current].waiting,
        },
        file_name=f"board-report-{slugify(organisation.name)}-{quarter.year}-q{quarter.number}.pdf",
        content=content,
    )
