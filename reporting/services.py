"""Writes for reporting: requesting reports (the work itself runs in tasks)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from adoption import audit, jobs, tenancy
from adoption.models import ApiClient, ApiScope, AuditEvent, Job, Organisation
from adoption.periods import FinancialQuarter
from reporting.measures import a1
from reporting.pdf import render_pdf

REPORT_ROLES = tuple(sorted(tenancy.REPORT_ROLES))


def reporting_las(actor: Any) -> list[Organisation]:
    """The LAs ``actor`` reports on (a reporting role at the LA, or at its RAA), with their RAA, by name."""
    la_ids = tenancy.la_ids_with_roles(actor, REPORT_ROLES)
    return list(tenancy.visible_las(actor).filter(pk__in=la_ids).select_related("raa").order_by("name"))


def reporting_scope(actor: Any, what: str) -> tuple[list[Organisation], frozenset[int]]:
    """The LAs ``actor`` reports on and the approving agencies whose families they see; 403 (``what`` they may not
    see) for a role that does not report."""
    if not tenancy.has_role(actor, *REPORT_ROLES):
        raise PermissionDenied(f"Only managers, ADMs and administrators can see {what}.")
    return reporting_las(actor), tenancy.raa_ids_with_roles(actor, REPORT_ROLES)


def report_organisation(*, actor: Any, organisation_id: int, what: str) -> Organisation:
    """The LA or RAA ``organisation_id`` if the actor reports on it: 404 outside what they see, 403 (``what`` only
    managers, ADMs and administrators can have) unless they hold a reporting role at it (or, for an LA, at its RAA).
    """
    scope = tenancy.scope_for(actor)
    organisation = (
        Organisation.objects.filter(
            Q(pk__in=scope.la_ids, kind=Organisation.Kind.LA)
            | Q(pk__in=scope.household_org_ids, kind=Organisation.Kind.RAA)
        )
        .filter(pk=organisation_id)
        .first()
    )
    if organisation is None:
        raise Http404("No such local authority or regional adoption agency.")
    if organisation.kind == Organisation.Kind.LA:
        allowed = tenancy.la_ids_with_roles(actor, REPORT_ROLES)
    else:
        allowed = tenancy.raa_ids_with_roles(actor, REPORT_ROLES)
    if organisation.pk not in allowed:
        raise PermissionDenied(f"Only managers, ADMs and administrators can {what}.")
    return organisation


def ended_quarter(year: int, quarter: int, *, today: date | None = None) -> FinancialQuarter:
    """The quarter, if it has ended; a ValidationError on the field at fault otherwise."""
    today = today or timezone.localdate()
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "Choose a quarter"})
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": "Choose a financial year"})
    period = FinancialQuarter(year, quarter)
    if period.end >= today:
        raise ValidationError({"quarter": f"{period.title} has not ended yet: choose a quarter that has ended"})
    return period


def a1_report_request(*, actor: Any, la_id: int, period_end: date) -> Job:
    """Queue an A1 scorecard PDF for one LA the actor may see."""
    la = tenancy.visible_las(actor).filter(pk=la_id).first()
    if la is None:
        raise Http404("No such local authority.")
    if not tenancy.has_role(actor, *REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can request scorecard reports.")
    if period_end > date.today():
        raise ValidationError({"period_end": "The period must end today or earlier."})
    from reporting.tasks import build_a1_report

    return jobs.job_create(
        actor=actor,
        kind=Job.Kind.A1_REPORT,
        organisation=la,
        params={"la_id": la.pk, "period_end": period_end.isoformat()},
        task=build_a1_report,
    )


def a1_report_build(job: Job) -> jobs.JobOutput:
    """The job's work: compute A1 in the database and render a one-page PDF."""
    la = Organisation.objects.get(pk=job.params["la_id"])
    period_end = date.fromisoformat(job.params["period_end"])
    result = a1(la_ids={la.pk}, period_end=period_end)
    jobs.job_progress(job, 50)
    content = render_pdf("reporting/a1_report.pdf.html", {"la": la, "result": result, "job": job})
    return jobs.JobOutput(
        result={
            "days": result.days,
            "mean_days": str(result.mean_days) if result.mean_days is not None else None,
            "children": result.children,
            "excluded": result.excluded,
            "threshold_days": result.threshold_days,
            "period_start": result.period_start.isoformat(),
            "period_end": result.period_end.isoformat(),
        },
        file_name=f"A1-{la.ons_code or la.pk}-{period_end.isoformat()}.pdf",
        content=content,
    )


def quarterly_return_request(*, actor: Any, organisation_id: int, year: int, quarter: int) -> Job:
    """Queue the quarterly return of an LA the actor sees, or of the actor's RAA, for a quarter that has ended.

    404 for an organisation outside the actor's scope; 403 unless they are a manager, ADM or
    administrator of it (at the LA, or at its RAA). Each request makes the next version.
    """
    from reporting.tasks import build_quarterly_return

    organisation = report_organisation(actor=actor, organisation_id=organisation_id, what="ask for quarterly returns")
    period = ended_quarter(year, quarter)
    return jobs.job_create(
        actor=actor,
        kind=Job.Kind.QUARTERLY_RETURN,
        organisation=organisation,
        params={
            "organisation_id": organisation.pk,
            "year": year,
            "quarter": quarter,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
        },
        task=build_quarterly_return,
    )


def scorecard_pdf_request(*, actor: Any, area: str, period_end: date) -> Job:
    """Queue the scorecard PDF of an area the scorecard page offers the actor (an LA, an RAA's LAs, or all).

    404 for an area outside the LAs the actor sees; 403 unless they are a manager, ADM or administrator of
    its LAs. The LAs and approving agencies are fixed now, so the job shows only what the actor may see.
    """
    from reporting.scorecard import areas as areas_of
    from reporting.tasks import build_scorecard_pdf

    visible = list(tenancy.visible_las(actor).select_related("raa").order_by("name"))
    if area not in areas_of(visible):
        raise Http404("No such local authorities.")
    if not tenancy.has_role(actor, *REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can ask for the scorecard.")
    reported = tenancy.la_ids_with_roles(actor, REPORT_ROLES)
    areas = areas_of([la for la in visible if la.pk in reported])
    if area not in areas:
        raise PermissionDenied("Only managers, ADMs and administrators can ask for the scorecard.")
    if period_end > date.today():
        raise ValidationError({"period_end": "The end of the period must be today or in the past"})
    label, la_ids = areas[area]
    agency_ids = tenancy.raa_ids_with_roles(actor, REPORT_ROLES)
    # The job belongs to the RAA when it is of several of the LAs of an RAA the actor reports on (its page
    # then shows to them), otherwise to the first LA.
    organisation: Organisation = next(la for la in visible if la.pk in la_ids)
    if len(la_ids) > 1 and organisation.raa is not None and organisation.raa_id in agency_ids:
        organisation = organisation.raa
    return jobs.job_create(
        actor=actor,
        kind=Job.Kind.SCORECARD,
        organisation=organisation,
        params={
            "area": area,
            "label": label,
            "la_ids": sorted(la_ids),
            "agency_ids": sorted(agency_ids),
            "period_end": period_end.isoformat(),
        },
        task=build_scorecard_pdf,
    )


def scorecard_pdf_request_for_client(*, client: ApiClient, period_end: date) -> Job:
    """Queue the scorecard PDF of an API client's own LA (the API's variant of ``scorecard_pdf_request``).

    The same checks, for a client: its LA must be one it sees (404 otherwise), it must hold the reports scope
    (403), and the period must have ended by today. The scorecard is of the LA alone, without the RAA's families
    (an LA's client does not see them), so ``agency_ids`` is empty. ``Job.requested_by`` is a member of staff: the
    client is named in the job's params and in the audit trail instead.
    """
    from reporting.tasks import build_scorecard_pdf

    la = tenancy.visible_las(client).filter(pk=client.organisation_id).first()
    if la is None:
        raise Http404("No such local authority.")
    if ApiScope.READ_REPORTS.value not in (client.scopes or []):
        raise PermissionDenied("This API client does not have the reports:read scope.")
    if period_end > date.today():
        raise ValidationError({"period_end": "The end of the period must be today or in the past"})
    job = Job(
        kind=Job.Kind.SCORECARD,
        organisation=la,
        params={
            "area": f"la-{la.pk}",
            "label": la.name,
            "la_ids": [la.pk],
            "agency_ids": [],
            "period_end": period_end.isoformat(),
            "api_client_id": client.pk,
        },
    )
    with transaction.atomic():
        job.full_clean()
        job.save()
        audit.record(actor=client, action=AuditEvent.Action.JOB_REQUESTED, obj=job, organisation_id=la.pk)
        job_id = str(job.pk)
        transaction.on_commit(lambda: build_scorecard_pdf.delay(job_id))
    return job
