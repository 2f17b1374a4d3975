"""The shared core: organisations, staff and their roles, audit, tracked jobs and API clients."""

from __future__ import annotations

import uuid

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class Region(models.TextChoices):
    NORTH_EAST = "north_east", "North East"
    NORTH_WEST = "north_west", "North West"
    YORKSHIRE_HUMBER = "yorkshire_humber", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east_midlands", "East Midlands"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    EAST_OF_ENGLAND = "east_of_england", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"


@pghistory.track()
class Organisation(models.Model):
    """A regional adoption agency, a local authority or a voluntary adoption agency."""

    class Kind(models.TextChoices):
        RAA = "raa", "Regional adoption agency"
        LA = "la", "Local authority"
        VAA = "vaa", "Voluntary adoption agency"

    kind = models.CharField(max_length=3, choices=Kind.choices)
    name = models.CharField(max_length=200)
    # DfE three-digit LA number used in the SSDA903 return; the reference package carries only
    # ONS codes, so this is filled where known and editable by an administrator.
    la_code = models.CharField("LA code", max_length=3, blank=True)
    ons_code = models.CharField("ONS code", max_length=9, blank=True)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    raa = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member_las",
        limit_choices_to={"kind": "raa"},
        verbose_name="RAA",
        help_text="The regional adoption agency this local authority belongs to.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ons_code"], condition=~Q(ons_code=""), name="organisation_unique_ons_code"
            ),
            models.UniqueConstraint(fields=["la_code"], condition=~Q(la_code=""), name="organisation_unique_la_code"),
            models.CheckConstraint(
                condition=Q(raa__isnull=True) | Q(kind="la"), name="organisation_only_las_belong_to_an_raa"
            ),
            models.CheckConstraint(condition=Q(kind="la") | Q(la_code=""), name="organisation_la_code_only_for_las"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Child's social worker"
    FAMILY_FINDER = "family_finder", "Family finder"
    ASSESSING_SOCIAL_WORKER = "assessing_social_worker", "Assessing social worker"
    PANEL_ADVISER = "panel_adviser", "Panel adviser"
    PANEL_MEMBER = "panel_member", "Panel member"
    ADM = "adm", "Agency decision maker"
    SUPPORT_SOCIAL_WORKER = "support_social_worker", "Support social worker"
    MANAGER = "manager", "Manager"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):
    """A member of staff. What they may see comes from their memberships, never from this row."""

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


@pghistory.track()
class Membership(models.Model):
    """A user's role at one organisation. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} at {self.organisation}"


class AuditEvent(models.Model):
    """One thing someone did to a record. Append-only: the database refuses UPDATE and DELETE.

    Values are never copied here (special-category data stays in its own tables); the event
    names who, what, which record, which LA, when and from which request.
    """

    class Action(models.TextChoices):
        READ = "read", "Read"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        EXPORT = "export", "Export"
        DOWNLOAD = "download", "Download"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        LOCKED_OUT = "locked_out", "Locked out"
        MFA_ENROLLED = "mfa_enrolled", "Two-factor set up"
        JOB_REQUESTED = "job_requested", "Job requested"
        ACCESS_REFUSED = "access_refused", "Access refused"
        ADMIN_CHANGE = "admin_change", "Changed in the admin"
        ACCOUNT_DISABLED = "account_disabled", "Account disabled: sessions ended"
        LEGAL_HOLD_SET = "legal_hold_set", "Legal hold placed"
        LEGAL_HOLD_RELEASED = "legal_hold_released", "Legal hold released"
        DISPOSAL_REQUESTED = "disposal_requested", "Disposal requested"
        DISPOSAL_APPROVED = "disposal_approved", "Disposal approved and carried out"
        DISPOSAL_REFUSED = "disposal_refused", "Disposal refused"

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_default=Now(), editable=False)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    api_client = models.ForeignKey("ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    request_id = models.CharField(max_length=64, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["occurred_at"], name="audit_time_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type}:{self.object_id}"


class Job(models.Model):
    """A long piece of work (a return, a PDF, an import) run by a Celery task and polled by pages."""

    class Kind(models.TextChoices):
        A1_REPORT = "a1_report", "A1 scorecard report (PDF)"
        SSDA903_IMPORT = "ssda903_import", "SSDA903 import"
        SSDA903_EXPORT = "ssda903_export", "SSDA903 export"
        ANNEX_A_LIST_10 = "annex_a_list_10", "Ofsted Annex A list 10 (XLSX)"
        ANNEX_A_LIST_11 = "annex_a_list_11", "Ofsted Annex A list 11 (XLSX)"
        AGENDA_PACK = "agenda_pack", "Panel agenda pack (PDF)"
        QUARTERLY_RETURN = "quarterly_return", "ASGLB-style quarterly return"
        SCORECARD = "scorecard", "Adoption scorecard (PDF)"
        BOARD_REPORT = "board_report", "RAA executive board quarterly report"
        DATA_PACK = "data_pack", "Regional data pack"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="jobs")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="jobs",
        help_text="The organisation whose data the job reads; decides who may see it.",
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    schedule_key = models.CharField(
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text="For a scheduled job, the report, organisation and period it is; one job per key, however often "
        "the schedule fires.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=False, finished_at__gte=models.F("started_at")),
                name="job_finishes_after_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class JobInput(models.Model):
    """A file uploaded for a job to read (e.g. one table of an LA's 903 return)."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="inputs")
    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    file = models.FileField(upload_to="job-inputs/%Y/%m/")
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "name"]

    def __str__(self) -> str:
        return self.name


class ApiScope(models.TextChoices):
    """What an API client may do; each API operation needs one (``adoption.api_scopes``)."""

    READ_CHILDREN = "children:read", "Read children"
    WRITE_CHILDREN = "children:write", "Write children"
    IMPORT_903 = "ssda903:import", "Import SSDA903"
    READ_REPORTS = "reports:read", "Read reports"


def all_api_scopes() -> list[str]:
    return [scope.value for scope in ApiScope]


@pghistory.track(exclude=["last_used_at"])
class ApiClient(models.Model):
    """A local authority's system that calls the API. Its token is stored only as a hash."""

    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_clients", limit_choices_to={"kind": "la"}
    )
    token_prefix = models.CharField(max_length=12, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    scopes = ArrayField(
        models.CharField(max_length=20, choices=ApiScope.choices),
        default=all_api_scopes,
        help_text="What the client may do.",
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    # DRF treats whatever authentication returns as request.user; an API client is authenticated
    # but is never a staff user.
    is_authenticated = True
    is_anonymous = False
    is_active = True


class IdempotencyRecord(models.Model):
    """The first answer to an API client's POST with an ``Idempotency-Key``: a retry with the same key gets it again
    and creates nothing (``adoption.api_conventions``)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the request body: the same key with another body is refused."
    )
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_one_per_client_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


# --- retention: records kept for their statutory period, legal holds and two-person disposal ----------------------
# Records are named generically by table and primary key, so the core app needs no import of the apps whose records
# it keeps (``adoption.retention`` explains the rules and the database guard).


class RetentionRecord(models.Model):
    """One kept record and the earliest date it may be disposed of: a read-only view the database computes
    (``adoption_retentionrecord``, made by migration 0011), the same computation its delete guard uses."""

    key = models.CharField(max_length=100, primary_key=True)
    table_name = models.CharField(max_length=63)
    object_id = models.BigIntegerField()
    organisation = models.ForeignKey(Organisation, on_delete=models.DO_NOTHING, related_name="+")
    due_on = models.DateField("earliest disposal date", null=True)

    class Meta:
        managed = False
        db_table = "adoption_retentionrecord"
        ordering = ["due_on", "table_name", "object_id"]

    def __str__(self) -> str:
        return self.key


class LegalHold(models.Model):
    """A record kept past its disposal date (litigation, an inquiry, an access request): while a hold is in force the
    database refuses to dispose of the record. Released, the hold stays as its history."""

    table_name = models.CharField(max_length=63)
    object_id = models.BigIntegerField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    placed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["table_name", "object_id"],
                condition=Q(released_at__isnull=True),
                name="legal_hold_one_in_force_per_record",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, released_by__isnull=True)
                | Q(released_at__isnull=False, released_by__isnull=False),
                name="legal_hold_release_has_who_and_when",
            ),
        ]
        triggers = [pgtrigger.Protect(name="legal_hold_kept", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Hold on {self.table_name}:{self.object_id}"


class DisposalRequest(models.Model):
    """One person asks for a record to be disposed of; another approves (and it is done) or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and disposed of"
        REFUSED = "refused", "Refused"

    table_name = models.CharField(max_length=63)
    object_id = models.BigIntegerField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Two people: whoever decides is never whoever asked (the database holds the rule, not just the page).
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="disposal_decided_by_another_person",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | ~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False),
                name="disposal_decision_has_who_and_when",
            ),
            models.UniqueConstraint(
                fields=["table_name", "object_id"],
                condition=Q(status="pending"),
                name="disposal_one_pending_per_record",
            ),
        ]
        triggers = [pgtrigger.Protect(name="disposal_request_kept", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Disposal of {self.table_name}:{self.object_id} ({self.get_status_display()})"


class DisposedRow(models.Model):
    """One row an approved disposal removes, written before the row is deleted. The database fills ``due_on`` and
    refuses the row when the record's date has not come or it is on hold; the delete guard lets a kept row go only
    when it is listed here. Append-only: what was disposed of, by which request, stays known (ids, never values)."""

    request = models.ForeignKey(DisposalRequest, on_delete=models.PROTECT, related_name="rows")
    table_name = models.CharField(max_length=63)
    object_id = models.BigIntegerField()
    due_on = models.DateField("earliest disposal date", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["request", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "table_name", "object_id"], name="disposed_row_once"),
        ]
        indexes = [models.Index(fields=["table_name", "object_id"], name="disposed_row_record_idx")]
        triggers = [pgtrigger.Protect(name="disposed_row_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.table_name}:{self.object_id}"
