"""The reports made after each quarter end without anyone asking: the quarterly return and scorecard PDF of
every RAA, and of every LA in service, for the quarter just ended.

Celery beat runs ``quarter_reports_schedule`` every day; from ``REPORTS_DAYS_AFTER_QUARTER_END`` days after
a quarter ends it makes whichever of that quarter's reports are not made yet. Each scheduled job has a key
(report, organisation, quarter end) that the database keeps unique, so firing again, on a later day or on
two machines at once, makes nothing twice; a report asked for by hand is another version beside it and
replaces nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q

from adoption import jobs
from adoption.models import Job, Organisation
from adoption.periods import FinancialQuarter


def scheduled_quarter(today: date) -> FinancialQuarter | None:
    """The quarter whose reports are due by ``today``: the last complete one, once its reports' day has come."""
    quarter = FinancialQuarter.last_complete(today)
    if today < quarter.end + timedelta(days=settings.REPORTS_DAYS_AFTER_QUARTER_END):
        return None
    return quarter


def _scorecard_params(organisation: Organisation, members: list[Organisation], period_end: date) -> dict:
    """The scorecard of an RAA's LAs with its own families, or of an LA's children alone (so that its own managers
    may read it: an RAA's families are shown to the RAA's)."""
    if organisation.kind == Organisation.Kind.RAA:
        area, label, agencies = (
            f"raa-{organisation.pk}",
            f"{organisation.name}: {len(members)} local authorities",
            [organisation.pk],
        )
    else:
        area, label, agencies = f"la-{organisation.pk}", organisation.name, []
    return {
        "area": area,
        "label": label,
        "la_ids": sorted(member.pk for member in members),
        "agency_ids": agencies,
        "period_end": period_end.isoformat(),
        "scheduled": True,
    }


def quarter_reports_schedule(today: date) -> list[Job]:
    """Make the due quarter's returns and scorecards that are not made yet; the jobs made now."""
    from reporting.tasks import build_quarterly_return, build_scorecard_pdf

    quarter = scheduled_quarter(today)
    if quarter is None:
        return []
    # The LAs in service: in an RAA, or with people of their own. (The reference list holds every LA in England.)
    las = list(
        Organisation.objects.filter(kind=Organisation.Kind.LA, is_active=True)
        .filter(Q(raa__isnull=False, raa__is_active=True) | Q(memberships__is_active=True))
        .distinct()
        .order_by("name")
    )
    raas = list(Organisation.objects.filter(kind=Organisation.Kind.RAA, is_active=True).order_by("name"))
    members: dict[int, list[Organisation]] = {raa.pk: [la for la in las if la.raa_id == raa.pk] for raa in raas}
    made: list[Job] = []
    for organisation in [*las, *raas]:
        covered = members.get(organisation.pk, [organisation])
        if not covered:
            continue  # an RAA with no active LA has no children to report on
        end = quarter.end.isoformat()
        return_job = jobs.job_schedule(
            key=f"quarterly_return:{organisation.pk}:{end}",
            kind=Job.Kind.QUARTERLY_RETURN,
            organisation=organisation,
            params={
                "organisation_id": organisation.pk,
                "year": quarter.year,
                "quarter": quarter.number,
                "period_start": quarter.start.isoformat(),
                "period_end": end,
                "scheduled": True,
            },
            task=build_quarterly_return,
        )
        scorecard_job = jobs.job_schedule(
            key=f"scorecard:{organisation.pk}:{end}",
            kind=Job.Kind.SCORECARD,
            organisation=organisation,
            params=_scorecard_params(organisation, covered, quarter.end),
            task=build_scorecard_pdf,
        )
        made += [job for job in (return_job, scorecard_job) if job is not None]
    return made
