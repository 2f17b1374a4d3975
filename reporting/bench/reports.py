"""Returns and scorecards for all LAs against a hand-written SQL floor; scorecard PDFs against a WeasyPrint floor,
for one LA in this process and for every LA through a real Celery worker."""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from adoption import jobs
from adoption.models import Job, Organisation, Role, User
from reporting.bench.subjects import Region, staff
from reporting.bench.timing import Item, Timings, count_queries, time_rounds
from reporting.measures import raa_ids_for, three_year_period
from reporting.pdf import html_to_pdf
from reporting.returns import child_rows, family_rows, last_ended_quarter, summary_counts
from reporting.scorecard import last_31_march, scorecard
from reporting.scorecard_pdf import scorecard_pdf_build

RETURN_TARGET = 2.0
PDF_TARGET = 5.0
WORKER_CONCURRENCY = 2
WORKER_START_SECONDS = 60
WORKER_JOBS_TIMEOUT_SECONDS = 3600

# --- the SQL floors: one hand-written aggregate each, over the rows the measured code reads ----------------------

# Each floor reads the rows its item reads, every table once (grouped by child or household, not a lookup per row
# and column as the ORM's correlated subqueries do), and aggregates them to one row.

# The children table: the LAs' children in the return (a decision open at the quarter's start and not adopted
# before it, or a step in the quarter) with each one's latest dates as at its end, from every table the table reads.
CHILDREN_FLOOR_SQL = """
WITH d AS (
    SELECT child_id, max(decided_on) AS decided_on,
           max(reversed_on) FILTER (WHERE reversed_on <= %(end)s) AS reversed_on,
           (array_agg(reversal_reason ORDER BY reversed_on DESC NULLS LAST)
                FILTER (WHERE reversed_on <= %(end)s))[1] AS reason,
           bool_or(reversed_on IS NULL OR reversed_on >= %(start)s) AS open_at_start,
           bool_or(decided_on >= %(start)s OR reversed_on BETWEEN %(start)s AND %(end)s) AS step
    FROM children_adoptiondecision WHERE decided_on <= %(end)s GROUP BY child_id
), po AS (
    SELECT child_id,
           (array_agg(CASE WHEN NOT made_before_records THEN made_on END ORDER BY made_on DESC))[1] AS made_on,
           bool_or(made_on >= %(start)s AND NOT made_before_records) AS step
    FROM children_placementorder WHERE made_on <= %(end)s GROUP BY child_id
), pc AS (
    SELECT child_id, (array_agg(CASE WHEN NOT start_before_records THEN started_on END ORDER BY started_on DESC))[1]
           AS started_on
    FROM children_periodofcare WHERE started_on <= %(end)s GROUP BY child_id
), ap AS (
    SELECT p.child_id, (array_agg(p.matched_on ORDER BY p.matched_on DESC, p.id DESC))[1] AS matched_on,
           (array_agg(p.placed_on ORDER BY p.matched_on DESC, p.id DESC))[1] AS placed_on,
           (array_agg(p.with_foster_carers ORDER BY p.matched_on DESC, p.id DESC))[1] AS with_carers,
           (array_agg(h.approving_agency_id ORDER BY p.matched_on DESC, p.id DESC))[1] AS agency_id,
           max(p.ended_on) FILTER (WHERE p.ended_on <= %(end)s) AS disrupted_on,
           bool_or(p.matched_on >= %(start)s OR p.placed_on BETWEEN %(start)s AND %(end)s
                   OR p.ended_on BETWEEN %(start)s AND %(end)s) AS step
    FROM children_adoptiveplacement p LEFT JOIN adopters_household h ON h.id = p.household_id
    WHERE p.matched_on <= %(end)s GROUP BY p.child_id
), ao AS (
    SELECT child_id, made_on FROM children_permanenceoutcome WHERE kind = 'adoption_order' AND made_on <= %(end)s
), ep AS (
    SELECT child_id, (array_agg(kind ORDER BY started_on DESC, id DESC))[1] AS kind
    FROM children_earlypermanenceplacement WHERE started_on <= %(end)s GROUP BY child_id
), ff AS (
    SELECT child_id, (array_agg(status ORDER BY status_from DESC, id DESC))[1] AS status
    FROM children_familyfindingstatus WHERE status_from <= %(end)s GROUP BY child_id
), sg AS (
    SELECT m.child_id, count(*) AS size FROM children_siblinggroupmember m
    JOIN children_siblinggroupmember o ON o.group_id = m.group_id GROUP BY m.child_id
)
SELECT count(*), count(DISTINCT la.name), count(po.made_on), count(ap.placed_on), max(pc.started_on),
       max(d.decided_on), count(d.reason), count(*) FILTER (WHERE ap.agency_id = la.raa_id), count(ap.with_carers),
       max(ap.disrupted_on), count(ao.made_on), count(ep.kind), count(ff.status), sum(sg.size)
FROM children_child c
JOIN adoption_organisation la ON la.id = c.responsible_la_id
LEFT JOIN d ON d.child_id = c.id
LEFT JOIN po ON po.child_id = c.id
LEFT JOIN pc ON pc.child_id = c.id
LEFT JOIN ap ON ap.child_id = c.id
LEFT JOIN ao ON ao.child_id = c.id
LEFT JOIN ep ON ep.child_id = c.id
LEFT JOIN ff ON ff.child_id = c.id
LEFT JOIN sg ON sg.child_id = c.id
WHERE c.responsible_la_id = ANY(%(la_ids)s)
  AND ((d.open_at_start AND (ao.made_on IS NULL OR ao.made_on >= %(start)s)) OR d.step OR po.step OR ap.step
       OR ao.made_on >= %(start)s)
"""

# The families table: the agencies' households in the return (a step in the quarter, or in the process during it
# and not finished before it), with their first two applicants and their first match and move-in since approval.
FAMILIES_FLOOR_SQL = """
WITH a AS (
    SELECT household_id, count(*) AS applicants, (array_agg(sex ORDER BY id))[1:2] AS sexes,
           (array_agg(ethnicity ORDER BY id))[1:2] AS ethnicities, (array_agg(disability ORDER BY id))[1:2] AS disabled,
           (array_agg(sexual_orientation ORDER BY id))[1:2] AS orientations,
           (array_agg(date_of_birth ORDER BY id))[1:2] AS born
    FROM adopters_applicant GROUP BY household_id
), m AS (
    SELECT p.household_id, min(p.matched_on) FILTER (WHERE p.matched_on >= h.approved_on) AS matched_on,
           min(p.placed_on) FILTER (WHERE p.placed_on >= h.approved_on) AS placed_on,
           bool_or(p.matched_on BETWEEN %(start)s AND %(end)s OR p.placed_on BETWEEN %(start)s AND %(end)s) AS step,
           bool_or(p.ended_on IS NULL AND o.made_on < %(start)s) AS finished
    FROM children_adoptiveplacement p JOIN adopters_household h ON h.id = p.household_id
    LEFT JOIN children_permanenceoutcome o ON o.child_id = p.child_id AND o.kind = 'adoption_order'
    GROUP BY p.household_id
)
SELECT count(*), count(DISTINCT ag.name), sum(a.applicants), min(a.born[1]), count(a.sexes[2]),
       count(a.ethnicities[1]), count(a.disabled[1]), count(a.orientations[1]), count(m.matched_on),
       count(m.placed_on), max(h.approved_on), count(h.left_on)
FROM adopters_household h
JOIN adoption_organisation ag ON ag.id = h.approving_agency_id
LEFT JOIN a ON a.household_id = h.id
LEFT JOIN m ON m.household_id = h.id
WHERE h.approving_agency_id = ANY(%(agency_ids)s)
  AND (h.enquired_on BETWEEN %(start)s AND %(end)s OR h.registered_on BETWEEN %(start)s AND %(end)s
       OR h.stage1_started_on BETWEEN %(start)s AND %(end)s OR h.stage2_started_on BETWEEN %(start)s AND %(end)s
       OR h.approved_on BETWEEN %(start)s AND %(end)s OR h.left_on BETWEEN %(start)s AND %(end)s OR m.step
       OR (least(h.registered_on, h.stage1_started_on, h.stage2_started_on, h.approved_on) <= %(end)s
           AND (h.left_on IS NULL OR h.left_on >= %(start)s)
           AND (h.deregistered_on IS NULL OR h.deregistered_on >= %(start)s) AND m.finished IS NOT TRUE))
"""

# The summary's counts over the quarter, each table once: decisions, orders, adoption and special guardianship
# orders, the children waiting at its end; registrations, approvals, first matches since approval and the families
# waiting at its end; support requests, assessments of need and ASF applications.
SUMMARY_FLOOR_SQL = """
WITH m AS (
    SELECT p.household_id, min(p.matched_on) FILTER (WHERE p.matched_on >= h.approved_on) AS matched_on,
           bool_or(p.matched_on <= %(end)s AND (p.ended_on IS NULL OR p.ended_on > %(end)s)) AS current
    FROM children_adoptiveplacement p JOIN adopters_household h ON h.id = p.household_id GROUP BY p.household_id
)
SELECT
  (SELECT count(*) FROM children_adoptiondecision d JOIN children_child c ON c.id = d.child_id
   WHERE c.responsible_la_id = ANY(%(la_ids)s) AND d.decided_on BETWEEN %(start)s AND %(end)s),
  (SELECT count(*) FROM children_placementorder p JOIN children_child c ON c.id = p.child_id
   WHERE c.responsible_la_id = ANY(%(la_ids)s) AND p.made_on BETWEEN %(start)s AND %(end)s
     AND NOT p.made_before_records),
  (SELECT count(*) FILTER (WHERE o.kind = 'adoption_order') + count(*) FILTER (WHERE o.kind = 'sgo')
   FROM children_permanenceoutcome o JOIN children_child c ON c.id = o.child_id
   WHERE c.responsible_la_id = ANY(%(la_ids)s) AND o.made_on BETWEEN %(start)s AND %(end)s),
  (SELECT count(*) + count(*) FILTER (WHERE w.decided_on < %(end)s::date - 90) FROM (
      SELECT (SELECT max(d.decided_on) FROM children_adoptiondecision d WHERE d.child_id = c.id
              AND d.decided_on <= %(end)s AND (d.reversed_on IS NULL OR d.reversed_on > %(end)s)) AS decided_on
      FROM children_child c WHERE c.responsible_la_id = ANY(%(la_ids)s)
        AND NOT EXISTS (SELECT 1 FROM children_adoptiveplacement p WHERE p.child_id = c.id
          AND p.placed_on <= %(end)s AND (p.ended_on IS NULL OR p.ended_on > %(end)s))
        AND NOT EXISTS (SELECT 1 FROM children_permanenceoutcome o WHERE o.child_id = c.id
          AND o.kind = 'adoption_order' AND o.made_on <= %(end)s)) w WHERE w.decided_on IS NOT NULL),
  (SELECT array[count(*) FILTER (WHERE h.registered_on BETWEEN %(start)s AND %(end)s),
                count(*) FILTER (WHERE h.approved_on BETWEEN %(start)s AND %(end)s),
                count(*) FILTER (WHERE m.matched_on BETWEEN %(start)s AND %(end)s),
                count(*) FILTER (WHERE h.approved_on <= %(end)s AND m.current IS NOT TRUE
                                 AND (h.left_on IS NULL OR h.left_on > %(end)s)
                                 AND (h.deregistered_on IS NULL OR h.deregistered_on > %(end)s))]
   FROM adopters_household h LEFT JOIN m ON m.household_id = h.id WHERE h.approving_agency_id = ANY(%(agency_ids)s)),
  (SELECT count(*) FROM support_supportrequest
   WHERE la_id = ANY(%(la_ids)s) AND received_on BETWEEN %(start)s AND %(end)s),
  (SELECT count(*) FROM support_assessmentofneed a JOIN support_supportrequest r ON r.id = a.request_id
   WHERE r.la_id = ANY(%(la_ids)s) AND a.completed_on BETWEEN %(start)s AND %(end)s),
  (SELECT count(*) FILTER (WHERE submitted_on BETWEEN %(start)s AND %(end)s)
        + count(*) FILTER (WHERE decided_on BETWEEN %(start)s AND %(end)s)
   FROM support_asfapplication WHERE la_id = ANY(%(la_ids)s))
"""

# The scorecard over the rows it reads, each table once and only for the children it concerns: the adoption
# orders of the 3 years with each adopted child's current placement, the period of care it began in and the placement
# order before the match (A1, A10, A2, A3); the LAs' decisions, orders and reversals of the period and the children
# waiting at its end (the headline counts); and the households of the LAs' RAAs (the adopter measures).
SCORECARD_FLOOR_SQL = """
WITH m AS (
    SELECT household_id, min(matched_on) AS matched_on, count(*) FILTER (WHERE ended_on IS NULL) AS current
    FROM children_adoptiveplacement WHERE household_id IS NOT NULL GROUP BY household_id
)
SELECT
  (SELECT array[count(*), avg(ap.placed_on - pc.started_on), avg(greatest(ap.matched_on - po.made_on, 0)),
                count(*) FILTER (WHERE ap.placed_on - pc.started_on <= 365),
                count(*) FILTER (WHERE ap.with_foster_carers AND ap.moved_in_with_carers_on IS NULL)]
   FROM children_permanenceoutcome o JOIN children_child c ON c.id = o.child_id
   LEFT JOIN LATERAL (
       SELECT p.placed_on, p.matched_on, p.with_foster_carers, p.moved_in_with_carers_on
       FROM children_adoptiveplacement p WHERE p.child_id = o.child_id AND p.placed_on IS NOT NULL
         AND p.ended_on IS NULL ORDER BY p.placed_on DESC LIMIT 1) ap ON true
   LEFT JOIN LATERAL (
       SELECT CASE WHEN NOT pc.start_before_records THEN pc.started_on END AS started_on
       FROM children_periodofcare pc WHERE pc.child_id = o.child_id AND pc.started_on <= ap.placed_on
       ORDER BY pc.started_on DESC LIMIT 1) pc ON true
   LEFT JOIN LATERAL (
       SELECT po.made_on FROM children_placementorder po WHERE po.child_id = o.child_id
         AND po.made_on <= ap.matched_on ORDER BY po.made_on DESC LIMIT 1) po ON true
   WHERE o.kind = 'adoption_order' AND o.made_on BETWEEN %(start)s AND %(end)s
     AND c.responsible_la_id = ANY(%(la_ids)s)),
  (SELECT count(DISTINCT d.child_id) FILTER (WHERE d.decided_on BETWEEN %(start)s AND %(end)s)
        + count(DISTINCT d.child_id) FILTER (WHERE d.reversed_on BETWEEN %(start)s AND %(end)s)
   FROM children_adoptiondecision d JOIN children_child c ON c.id = d.child_id
   WHERE c.responsible_la_id = ANY(%(la_ids)s)),
  (SELECT count(DISTINCT p.child_id) FROM children_placementorder p JOIN children_child c ON c.id = p.child_id
   WHERE c.responsible_la_id = ANY(%(la_ids)s) AND p.made_on BETWEEN %(start)s AND %(end)s
     AND NOT p.made_before_records),
  (SELECT count(*) FROM children_child c WHERE c.responsible_la_id = ANY(%(la_ids)s) AND EXISTS (
      SELECT 1 FROM children_adoptiondecision d WHERE d.child_id = c.id AND d.decided_on <= %(end)s
      AND (d.reversed_on IS NULL OR d.reversed_on > %(end)s))
    AND NOT EXISTS (SELECT 1 FROM children_adoptiveplacement p WHERE p.child_id = c.id AND p.placed_on <= %(end)s
      AND (p.ended_on IS NULL OR p.ended_on > %(end)s))
    AND NOT EXISTS (SELECT 1 FROM children_permanenceoutcome o WHERE o.child_id = c.id
      AND o.kind = 'adoption_order' AND o.made_on <= %(end)s)),
  (SELECT array[count(*) FILTER (WHERE h.approved_on <= %(end)s AND m.current IS NULL),
                count(*) FILTER (WHERE m.matched_on BETWEEN %(start)s AND %(end)s),
                count(*) FILTER (WHERE h.approved_on IS NULL AND h.registered_on <= %(end)s)]
   FROM adopters_household h LEFT JOIN m ON m.household_id = h.id WHERE h.approving_agency_id = ANY(%(agency_ids)s))
"""


def _sql(statement: str, params: dict[str, Any]) -> Callable[[], Any]:
    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    return run


def all_las() -> frozenset[int]:
    return frozenset(
        Organisation.objects.filter(kind=Organisation.Kind.LA, is_active=True).values_list("pk", flat=True)
    )


def all_agencies() -> frozenset[int]:
    """Every agency that approves households (RAAs and VAAs): the families of every LA's return."""
    return frozenset(
        Organisation.objects.filter(
            kind__in=[Organisation.Kind.RAA, Organisation.Kind.VAA], is_active=True
        ).values_list("pk", flat=True)
    )


def _against_sql(
    name: str, description: str, work: Callable[[], Any], floor_sql: str, params: dict[str, Any], *, repeat: int
) -> Item:
    result: list[Any] = []
    queries = count_queries(lambda: result.append(work()))
    # The work and its floor in turn, round after round: both see the same machine.
    timings, floor = time_rounds(work, _sql(floor_sql, params), repeat=repeat, warmup=1)
    rows = result[0]
    extra: dict[str, Any] = {"queries": queries}
    extra["rows"] = len(rows) if isinstance(rows, list | dict) else None
    return Item(name=name, description=description, target=RETURN_TARGET, timings=timings, floor=floor, extra=extra)


def return_items(*, repeat: int, wanted: Callable[[str], bool], today: date | None = None) -> list[Item]:
    today = today or timezone.localdate()
    quarter = last_ended_quarter(today)
    la_ids, agency_ids = all_las(), all_agencies()
    params = {
        "la_ids": sorted(la_ids),
        "agency_ids": sorted(agency_ids),
        "start": quarter.start,
        "end": quarter.end,
    }
    where = f"all {len(la_ids)} LAs, {quarter.start:%d %b %Y} to {quarter.end:%d %b %Y}"
    period_end = last_31_march(today)
    start, end = three_year_period(period_end)
    items = []
    if wanted("return.children"):
        items.append(
            _against_sql(
                "return.children",
                f"ASGLB return, children table ({where})",
                lambda: child_rows(la_ids, quarter),
                CHILDREN_FLOOR_SQL,
                params,
                repeat=repeat,
            )
        )
    if wanted("return.families"):
        items.append(
            _against_sql(
                "return.families",
                f"ASGLB return, families table (all {len(agency_ids)} agencies)",
                lambda: family_rows(agency_ids, quarter),
                FAMILIES_FLOOR_SQL,
                params,
                repeat=repeat,
            )
        )
    if wanted("return.summary"):
        items.append(
            _against_sql(
                "return.summary",
                f"ASGLB return, summary counts ({where})",
                lambda: summary_counts(la_ids, agency_ids, quarter),
                SUMMARY_FLOOR_SQL,
                params,
                repeat=repeat,
            )
        )
    if wanted("scorecard.all_las"):
        item = _against_sql(
            "scorecard.all_las",
            f"Adoption scorecard of all {len(la_ids)} LAs together, 3 years to {period_end:%d %b %Y}",
            lambda: scorecard(la_ids=la_ids, period_end=period_end),
            SCORECARD_FLOOR_SQL,
            {"la_ids": sorted(la_ids), "agency_ids": sorted(raa_ids_for(la_ids)), "start": start, "end": end},
            repeat=repeat,
        )
        item.extra.pop("rows", None)
        items.append(item)
    return items


# --- PDFs -----------------------------------------------------------------------------------------------------

# The WeasyPrint floor, "a one-page plain-text PDF with the same fonts": a page filled with plain text, with the
# scorecard's own page and font rules. Its template's paragraphs fill the page; the test says one more would not fit.
FLOOR_PDF_TEMPLATE = "reporting/bench/floor.pdf.html"

# Also timed, for the record: a page with one heading and one line on it, which is little more than WeasyPrint's
# start (fonts, the page's box, the PDF's file). The bench's earlier floor; its ratio is in the item's extras.
ONE_LINE_PDF_HTML = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Benchmark floor</title>
<style>
@page { size: A4; margin: 18mm;
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; } }
body { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #0b0c0c; }
h1 { font-size: 20pt; margin: 0 0 3mm; }
</style></head>
<body><h1>Adoption scorecard</h1><p>One line of plain text, in the fonts the scorecard uses.</p></body></html>
"""


@functools.cache
def floor_pdf_html() -> str:
    return render_to_string(FLOOR_PDF_TEMPLATE)


def floor_pdf() -> bytes:
    """The page of plain text through the product's own renderer: the same fonts, kept the same way, and the same
    settings (its template is rendered once: the floor is the PDF's making, not Django's templates)."""
    return html_to_pdf(floor_pdf_html())


def one_line_pdf() -> bytes:
    return html_to_pdf(ONE_LINE_PDF_HTML)


def _scorecard_params(la: Organisation, period_end: date, label: str = "") -> dict[str, Any]:
    return {
        "area": f"la-{la.pk}",
        "label": label or la.name,
        "la_ids": [la.pk],
        "agency_ids": [la.raa_id] if la.raa_id else [],
        "period_end": period_end.isoformat(),
    }


def pdf_item(region: Region, *, repeat: int, today: date | None = None) -> tuple[Item, Timings]:
    """The largest LA's scorecard PDF, built as its job builds it (the job row is not saved: nothing is kept)."""
    period_end = last_31_march(today or timezone.localdate())
    la = region.largest_la
    job = Job(kind=Job.Kind.SCORECARD, organisation=la, params=_scorecard_params(la, period_end))
    output: list[jobs.JobOutput] = []
    queries = count_queries(lambda: output.append(scorecard_pdf_build(job)))
    # The PDF and both floors in turn, round after round: all three see the same machine.
    timings, floor, one_line = time_rounds(
        lambda: scorecard_pdf_build(job), floor_pdf, one_line_pdf, repeat=repeat, warmup=2
    )
    content = output[0].content or b""
    return (
        Item(
            name="pdf.scorecard_one_la",
            description=f"Scorecard PDF of one LA (LA {la.pk}, the largest), against a page of plain text",
            target=PDF_TARGET,
            timings=timings,
            floor=floor,
            extra={
                "queries": queries,
                "pdf_bytes": len(content),
                "floor_pdf_bytes": len(floor_pdf()),
                "one_line_page_median_ms": round(one_line.median, 2),
                "ratio_to_one_line_page": round(timings.median / one_line.median, 2),
            },
        ),
        floor,
    )


def _worker_command(queue: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "adoption",
        "worker",
        f"--concurrency={WORKER_CONCURRENCY}",
        "-Q",
        queue,
        "--loglevel=INFO",
        "--hostname",
        f"{queue}@%h",
        # Keep to itself: no syncing with, or broadcasting to, other workers on the same Redis.
        "--without-mingle",
        "--without-gossip",
    ]


def _database_url() -> str:
    db = connection.settings_dict
    from urllib.parse import quote

    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or ""
    if host.startswith("/"):
        host = quote(host, safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


def _max_overlap(spans: list[tuple[datetime, datetime]]) -> int:
    """The most jobs running at one moment."""
    events = sorted([(start, 1) for start, _end in spans] + [(end, -1) for _start, end in spans])
    running = best = 0
    for _when, step in events:
        running += step
        best = max(best, running)
    return best


def worker_item(region: Region, *, floor: Timings, log_dir: Path, today: date | None = None) -> Item:
    """Every LA's scorecard PDF through a real ``celery worker --concurrency 2`` on a queue of its own.

    Which of the worker's processes did the work is read from the processes themselves (CPU time each used while
    the jobs ran), and confirmed by the jobs' own times (how many ran at once).
    """
    name = "pdf.scorecard_all_las_worker"
    description = f"Scorecard PDFs of every LA as jobs on a Celery worker (--concurrency {WORKER_CONCURRENCY})"
    if not settings.REDIS_URL:
        return Item(name=name, description=description, target=PDF_TARGET, skipped="skipped: no REDIS_URL")
    import psutil  # a development dependency, like the worker tests that also start workers

    from adoption.celery import app as celery_app
    from reporting.tasks import build_scorecard_pdf

    period_end = last_31_march(today or timezone.localdate())
    requester: User = staff(region.raa, Role.MANAGER, Role.ADM, Role.ADMINISTRATOR)
    las = list(Organisation.objects.filter(kind=Organisation.Kind.LA, is_active=True).order_by("pk"))
    queue = f"bench-{uuid.uuid4().hex[:12]}"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{queue}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "adoption.settings"),
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    made: list[Job] = []
    with log_path.open("wb") as log:
        worker = subprocess.Popen(  # noqa: S603 (our own command line: the venv's celery, no input)
            _worker_command(queue), cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + WORKER_START_SECONDS
        while " ready." not in log_path.read_text(errors="replace"):
            if worker.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                return Item(
                    name=name, description=description, target=PDF_TARGET, skipped=f"worker did not start: {tail}"
                )
            time.sleep(0.2)
        pool = psutil.Process(worker.pid).children()
        cpu_before = {p.pid: sum(p.cpu_times()[:2]) for p in pool}
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_default_queue = queue
        started = time.perf_counter()
        for la in las:
            made.append(
                jobs.job_create(
                    actor=requester,
                    kind=Job.Kind.SCORECARD,
                    organisation=la,
                    params=_scorecard_params(la, period_end, f"{la.name} (benchmark)"),
                    task=build_scorecard_pdf,
                )
            )
        ids = [job.pk for job in made]
        deadline = time.monotonic() + WORKER_JOBS_TIMEOUT_SECONDS
        while Job.objects.filter(pk__in=ids).exclude(status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]).exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        wall_ms = (time.perf_counter() - started) * 1000
        cpu = {p.pid: round(sum(p.cpu_times()[:2]) - cpu_before[p.pid], 2) for p in pool if p.is_running()}
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    finished = list(Job.objects.filter(pk__in=[job.pk for job in made]).order_by("created_at"))
    succeeded = [job for job in finished if job.status == Job.Status.SUCCEEDED]
    spans = [(job.started_at, job.finished_at) for job in succeeded if job.started_at and job.finished_at]
    durations = Timings(tuple((end - start).total_seconds() * 1000 for start, end in spans) or (0.0,))
    total_cpu = sum(cpu.values())
    # A process did work when it used a fair part of the CPU time (an idle pool process uses next to none).
    working = [pid for pid, seconds in cpu.items() if total_cpu and seconds >= 0.2 * total_cpu / max(len(cpu), 1)]
    spread = len(working) >= min(WORKER_CONCURRENCY, len(succeeded)) and len(succeeded) == len(las)
    _remove_jobs(finished)
    return Item(
        name=name,
        description=description,
        target=PDF_TARGET,
        timings=durations,
        floor=floor,
        conditions={"all_succeeded": len(succeeded) == len(las), "spread_over_processes": spread},
        # The target for all LAs is that the worker's processes share the jobs; each job's ratio to the one-LA
        # target is reported beside it (a job also draws its LA's chart, which a repeated PDF finds in the cache).
        target_is="spread: every LA's PDF made, the jobs spread over the worker's processes",
        extra={
            "jobs": len(las),
            "succeeded": len(succeeded),
            "failed": sum(1 for job in finished if job.status == Job.Status.FAILED),
            "wall_ms": round(wall_ms, 1),
            "concurrency": WORKER_CONCURRENCY,
            "worker_processes": len(cpu),
            "processes_that_worked": len(working),
            "cpu_seconds_by_process": sorted(cpu.values(), reverse=True),
            "most_jobs_at_once": _max_overlap(spans),
            "spread_over_processes": spread,
            "worker_log": str(log_path),
        },
    )


def _remove_jobs(made: list[Job]) -> None:
    """The benchmark's jobs and their files are not kept (they would fill every run list)."""
    for job in made:
        if job.file:
            folder = Path(job.file.path).parent  # the job's own folder (adoption.jobs names files so)
            job.file.delete(save=False)
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty
    Job.objects.filter(pk__in=[job.pk for job in made]).delete()
