"""Requests, jobs and their work: who may import, uploads, previews and confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from adoption import audit, jobs, tenancy
from adoption.models import ApiClient, AuditEvent, Job, JobInput, Organisation
from adoption.uploads import size_in_words
from children import services
from children.ssda903 import reader
from children.ssda903.importer.constants import PHASE_APPLY, PHASE_IMPORT, PHASE_PREVIEW
from children.ssda903.importer.dfe import DfeCheck, dfe_findings
from children.ssda903.importer.run import run_import
from children.ssda903.reader import Problem

# --- requests, jobs and their work ----------------------------------------------------------------------


def can_import(actor: Any) -> bool:
    """Whoever may record children's journeys may import them (for the LAs they see)."""
    return services.may_write_journeys(actor)


def import_las(actor: Any) -> QuerySet[Organisation]:
    """The LAs the actor may import for: those they see, if their role may write."""
    return tenancy.visible_las(actor) if can_import(actor) else Organisation.objects.none()


def import_job_list(*, actor: Any) -> QuerySet[Job]:
    return tenancy.scope_jobs(
        Job.objects.filter(kind=Job.Kind.SSDA903_IMPORT).select_related("organisation", "requested_by"), actor
    )


def import_job_get(*, actor: Any, job_id: Any) -> Job:
    """An import job of an LA the actor sees; 404 for anything else (including other kinds of job). Only those who
    may import read an import's preview and result (403 for the other roles)."""
    if not can_import(actor):
        raise PermissionDenied("Your role cannot import children's records.")
    job = import_job_list(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import.")
    return job


def _check_limits(files: Sequence[UploadedFile]) -> None:
    if not files:
        raise ValidationError({"files": "Choose the 903 files to import"})
    if len(files) > reader.MAX_FILES:
        raise ValidationError({"files": f"Choose at most {reader.MAX_FILES} files"})
    limit = reader.max_file_bytes()
    for upload in files:
        if (upload.size or 0) > limit:
            raise ValidationError({"files": f"{upload.name} is larger than {size_in_words(limit)}"})
    if sum(upload.size or 0 for upload in files) > reader.MAX_TOTAL_BYTES:
        raise ValidationError({"files": f"The files together must be at most {size_in_words(reader.MAX_TOTAL_BYTES)}"})


def _create_job(*, actor: Any, la: Organisation, params: dict[str, Any], task: Any) -> Job:
    if isinstance(actor, ApiClient):
        # jobs.job_create takes a staff user (Job.requested_by); an API client's job names the client in params.
        job = Job(kind=Job.Kind.SSDA903_IMPORT, organisation=la, params={**params, "api_client_id": actor.pk})
        job.full_clean()
        job.save()
        audit.record(actor=actor, action=AuditEvent.Action.JOB_REQUESTED, obj=job, organisation_id=la.pk)
        job_id = str(job.pk)
        transaction.on_commit(lambda: task.delay(job_id))
        return job
    return jobs.job_create(actor=actor, kind=Job.Kind.SSDA903_IMPORT, organisation=la, params=params, task=task)


@transaction.atomic
def import_request(*, actor: Any, la_id: int, files: Sequence[UploadedFile], phase: str = PHASE_PREVIEW) -> Job:
    """Store the uploaded files and queue a job to check and preview them (or, ``phase`` import, to apply them)."""
    la = tenancy.visible_las(actor).filter(pk=la_id).first()
    if la is None:
        raise Http404("No such local authority.")
    if not can_import(actor):
        raise PermissionDenied("Your role cannot import children's records.")
    if phase not in (PHASE_PREVIEW, PHASE_IMPORT):
        raise ValueError(phase)
    _check_limits(files)
    from children.ssda903.tasks import ssda903_import_run

    job = _create_job(actor=actor, la=la, params={"phase": phase, "la_id": la.pk}, task=ssda903_import_run)
    for index, upload in enumerate(files, start=1):
        content = upload.read()
        suffix = "xml" if reader.file_kind(upload.name or "", content) == "xml" else "csv"
        item = JobInput(job=job, name=(upload.name or f"file {index}")[:255], size=len(content))
        item.file.save(f"{job.pk}-{index}.{suffix}", ContentFile(content), save=False)
        item.save()
    return job


@transaction.atomic
def import_confirm(*, actor: Any, job_id: Any) -> Job:
    """The user confirmed a preview: queue the job that applies it (the same job if asked twice)."""
    preview = import_job_get(actor=actor, job_id=job_id)
    preview = Job.objects.select_for_update().get(pk=preview.pk)
    if not can_import(actor):
        raise PermissionDenied("Your role cannot import children's records.")
    existing = Job.objects.filter(kind=Job.Kind.SSDA903_IMPORT, params__preview_job_id=str(preview.pk)).first()
    if existing is not None:
        return existing
    if (
        preview.params.get("phase") != PHASE_PREVIEW
        or preview.status != Job.Status.SUCCEEDED
        or not preview.result.get("can_apply")
    ):
        raise ValidationError("This import cannot be applied: check the preview for problems and upload again")
    from children.ssda903.tasks import ssda903_import_run

    return _create_job(
        actor=actor,
        la=preview.organisation,
        params={"phase": PHASE_APPLY, "la_id": preview.organisation_id, "preview_job_id": str(preview.pk)},
        task=ssda903_import_run,
    )


def _job_actor(job: Job) -> Any:
    client_id = job.params.get("api_client_id")
    if client_id:
        client = ApiClient.objects.select_related("organisation").get(pk=client_id)
        if client.revoked_at is not None or client.expires_at <= timezone.now():
            raise PermissionDenied("The API client that asked for this import is no longer valid.")
        return client
    if job.requested_by is None or not job.requested_by.is_active:
        raise PermissionDenied("Whoever asked for this import can no longer import.")
    return job.requested_by


def _job_inputs(job: Job) -> list[tuple[str, bytes]]:
    files = []
    for item in job.inputs.order_by("pk"):
        with item.file.open("rb") as handle:
            files.append((item.name, handle.read()))
    return files


def import_work(job: Job) -> jobs.JobOutput:
    """A job's work: check and preview, apply a confirmed preview, or both (see ``job.params['phase']``).

    The files are read and checked here; the plan is made and carried out in ``JobOutput.store``, in the
    transaction that marks the job finished, so the children's records change exactly when the job succeeds.
    A worker killed before that commit leaves no record of the import, and the message delivered again finds
    the records as they were and applies the same plan (had the records been kept, the run again would find
    nothing to change and the job would show an import that changed nothing).
    """
    phase = job.params.get("phase", PHASE_PREVIEW)
    actor = _job_actor(job)
    la = job.organisation
    # Re-checked when the job runs: the actor may have lost access since asking.
    if not tenancy.scope_for(actor).sees_la(la.pk) or not can_import(actor):
        raise PermissionDenied("Whoever asked for this import can no longer import for this local authority.")
    jobs.job_progress(job, 5)
    dfe: DfeCheck | None
    expected_digest: str | None = None
    if phase == PHASE_APPLY:
        preview = Job.objects.get(pk=job.params["preview_job_id"], organisation=la, kind=Job.Kind.SSDA903_IMPORT)
        tables = reader.read_upload(_job_inputs(preview))
        dfe = DfeCheck(
            [Problem.from_dict(p) for p in preview.result.get("problems", []) if p.get("source") == "dfe"],
            preview.result.get("collection_year", ""),
            preview.result.get("dfe_rules_not_run", []),
        )
        expected_digest = preview.result["plan_digest"]
        jobs.job_progress(job, 30)
    else:
        tables = reader.read_upload(_job_inputs(job))
        jobs.job_progress(job, 15)
        dfe = dfe_findings(tables, la) if tables.rows["Header"] or tables.rows["Episodes"] else None
        jobs.job_progress(job, 60)

    def store(finishing: Job) -> None:
        report = run_import(actor=actor, la=la, tables=tables, dfe=dfe, phase=phase, expected_digest=expected_digest)
        finishing.result = report.result()
        if phase == PHASE_APPLY:
            finishing.result["preview_job_id"] = job.params["preview_job_id"]

    return jobs.JobOutput(result={}, store=store)
