"""Every write to ASF applications. The pages and the API both come through here.

Each service finds the application within the actor's LAs (404 outside them), checks the actor may change
that LA's support records (403: support social workers and managers, and the LA's own API client), checks
the rules with the change applied, saves inside one transaction and writes one audit event. A refusal
raises ``ValidationError`` keyed by field with a plain-English message naming the figures, and saves nothing.

An application moves only along ``NEXT`` (its status table): a draft is changed and submitted; the fund's
decision approves or rejects a submitted one; an approved one is invoiced, then paid.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from adoption import audit, concurrency, tenancy
from adoption.models import ApiClient, AuditEvent, User
from children.models import Child
from support import access, asf_rules
from support.models import AsfApplication, SupportRequest
from support.selectors import asf as selectors

S = AsfApplication.Status

# The status table: from each status, the statuses an application may move to.
NEXT: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.INVOICED}),
    S.INVOICED: frozenset({S.PAID}),
    S.REJECTED: frozenset(),
    S.PAID: frozenset(),
}
_DOING: dict[str, str] = {
    S.SUBMITTED: "submitted",
    S.APPROVED: "approved",
    S.REJECTED: "rejected",
    S.INVOICED: "marked as invoiced",
    S.PAID: "marked as paid",
}

# The fields a draft is made of (what create and update take besides the LA and the child).
DRAFT_FIELDS = (
    "therapy",
    "specialist_assessment",
    "provider",
    "sessions",
    "cost",
    "match_funding",
    "work_starts_on",
    "work_ends_on",
    "ehc_plan",
    "intercountry",
)


def _day(on: date) -> str:
    return asf_rules.day(on)


def move_refusal(status: str, to: str) -> str:
    """Why the status table does not allow moving from ``status`` to ``to``, in words; "" when it does."""
    if to in NEXT[status]:
        return ""
    current = S(status).label.lower()
    sources = [S(source).label.lower() for source, targets in NEXT.items() if to in targets]
    kinds = " or ".join(sources)
    article = "an" if kinds[0] in "aeiou" else "a"
    return f"This application is {current}: only {article} {kinds} application can be {_DOING[to]}"


def _move(application: AsfApplication, to: str) -> None:
    refusal = move_refusal(application.status, to)
    if refusal:
        raise ValidationError({"status": refusal})


def _for_write(actor: Any, application_id: int) -> AsfApplication:
    found: AsfApplication = access.for_write(actor, AsfApplication.objects.select_related("child"), application_id)
    return found


def _save(actor: Any, application: AsfApplication, action: AuditEvent.Action) -> AsfApplication:
    application.full_clean()
    application.save()
    audit.record(actor=actor, action=action, obj=application, organisation_id=application.la_id)
    return application


def _not_future(name: str, on: date, what: str) -> None:
    today = timezone.localdate()
    if on > today:
        raise ValidationError({name: f"The {what} must be today or earlier"})


# --- drafts --------------------------------------------------------------------------------------------------


def _child(actor: Any, child_id: int) -> Child:
    child = tenancy.scope_children(Child.objects.all(), actor).filter(pk=child_id).first()
    if child is None:
        raise ValidationError({"child": "Choose a child whose record you can see"})
    return child


def _request(actor: Any, request_id: int | None, la_id: int) -> SupportRequest | None:
    if request_id is None:
        return None
    found = access.scope_support(SupportRequest.objects.all(), actor).filter(pk=request_id, la_id=la_id).first()
    if found is None:
        raise ValidationError({"request": "Choose a support request of the same LA"})
    return found


def _check_draft(fields: dict[str, Any]) -> None:
    """The checks of a draft's own figures and dates, in words (the database's constraints say them by name)."""
    errors: dict[str, str] = {}
    cost = fields["cost"]
    if cost is None or cost <= 0:
        errors["cost"] = "Enter a cost of more than £0"
    if fields["match_funding"] is None or fields["match_funding"] < 0:
        errors["match_funding"] = "Enter the LA's match funding as £0 or more"
    if fields["sessions"] is None or fields["sessions"] < 1:
        errors["sessions"] = "Enter 1 session or more"
    starts, ends = fields["work_starts_on"], fields["work_ends_on"]
    if starts and ends and ends < starts:
        errors["work_ends_on"] = f"The work must end on or after the day it starts ({_day(starts)})"
    if errors:
        raise ValidationError(errors)


def _apply(application: AsfApplication, fields: dict[str, Any]) -> None:
    for name in DRAFT_FIELDS:
        setattr(application, name, fields[name])
    application.financial_year = asf_rules.financial_year(application.work_starts_on)


@transaction.atomic
def asf_application_create(
    *,
    actor: Any,
    la_id: int,
    child_id: int,
    therapy: str,
    provider: str,
    sessions: int,
    cost: Decimal,
    work_starts_on: date,
    work_ends_on: date,
    specialist_assessment: bool = False,
    match_funding: Decimal = Decimal("0.00"),
    ehc_plan: bool = False,
    intercountry: bool = False,
    request_id: int | None = None,
) -> AsfApplication:
    """A draft application for a child, made by one of the LAs whose support the actor runs."""
    access.check_la(actor, la_id)
    fields = {
        "therapy": therapy,
        "specialist_assessment": specialist_assessment,
        "provider": provider,
        "sessions": sessions,
        "cost": cost,
        "match_funding": match_funding,
        "work_starts_on": work_starts_on,
        "work_ends_on": work_ends_on,
        "ehc_plan": ehc_plan,
        "intercountry": intercountry,
    }
    _check_draft(fields)
    child = _child(actor, child_id)
    application = AsfApplication(
        la_id=la_id,
        child=child,
        request=_request(actor, request_id, la_id),
        created_by=actor if isinstance(actor, User) else None,
        created_by_client=actor if isinstance(actor, ApiClient) else None,
        status=S.DRAFT,
    )
    _apply(application, fields)
    return _save(actor, application, AuditEvent.Action.CREATE)


@transaction.atomic
def asf_application_update(
    *, actor: Any, application_id: int, expected_version: str | None = None, **changes: Any
) -> AsfApplication:
    """Change a draft: its LA, child, request and any of ``DRAFT_FIELDS``. Only a draft can be changed. Refused if
    the application is no longer ``expected_version`` (``adoption.concurrency``)."""
    application = _for_write(actor, application_id)
    concurrency.check_unchanged(expected_version, application)
    if application.status != S.DRAFT:
        raise ValidationError(
            {"status": f"This application is {application.get_status_display().lower()}: only a draft can be changed"}
        )
    unknown = set(changes) - {*DRAFT_FIELDS, "la_id", "child_id", "request_id"}
    if unknown:
        raise TypeError(f"asf_application_update() got unexpected fields: {sorted(unknown)}")
    la_id = changes.get("la_id", application.la_id)
    if la_id != application.la_id:
        access.check_la(actor, la_id)
    fields = {name: changes.get(name, getattr(application, name)) for name in DRAFT_FIELDS}
    _check_draft(fields)
    if "child_id" in changes and changes["child_id"] != application.child_id:
        application.child = _child(actor, changes["child_id"])
    request_id = changes.get("request_id", application.request_id)
    application.la_id = la_id
    application.request = _request(actor, request_id, la_id)
    _apply(application, fields)
    return _save(actor, application, AuditEvent.Action.UPDATE)


# --- submission ----------------------------------------------------------------------------------------------


@transaction.atomic
def asf_application_submit(*, actor: Any, application_id: int) -> AsfApplication:
    """Submit a draft to the fund: every rule checked with the application counted, the basis and date stored.

    The child's row is locked first, so two applications for the same child submitted at once are checked one
    after the other, each counting the other: together they cannot pass a limit that each passes alone.
    """
    application = _for_write(actor, application_id)
    _move(application, S.SUBMITTED)
    Child.objects.select_for_update().filter(pk=application.child_id).first()
    today = timezone.localdate()
    eligible = selectors.eligibility(application, on=today)
    found = asf_rules.refusals(
        selectors.proposal(application),
        child_name=application.child.first_name,
        limits=selectors.limits(),
        used=selectors.child_year_used(
            child_id=application.child_id, year=application.financial_year, exclude_id=application.pk
        ),
        eligible=eligible,
    )
    if found:
        raise ValidationError(found.by_field)
    application.status = S.SUBMITTED
    application.basis = eligible.basis
    application.submitted_on = today
    return _save(actor, application, AuditEvent.Action.UPDATE)


@transaction.atomic
def asf_application_save_and_submit(
    *, actor: Any, application_id: int | None = None, expected_version: str | None = None, **fields: Any
) -> AsfApplication:
    """Create (or change) a draft and submit it, all or nothing: a refusal leaves no draft and no change behind.
    A change is refused if the draft is no longer ``expected_version`` (``adoption.concurrency``)."""
    if application_id is None:
        application = asf_application_create(actor=actor, **fields)
    else:
        application = asf_application_update(
            actor=actor, application_id=application_id, expected_version=expected_version, **fields
        )
    return asf_application_submit(actor=actor, application_id=application.pk)


# --- the fund's decision, the invoice, the payment -----------------------------------------------------------


@transaction.atomic
def asf_application_decide(
    *, actor: Any, application_id: int, approved: bool, decided_on: date, rejection_reason: str = ""
) -> AsfApplication:
    """Record the fund's decision on a submitted application: approved, or rejected with the reason."""
    application = _for_write(actor, application_id)
    _move(application, S.APPROVED if approved else S.REJECTED)
    reason = rejection_reason.strip()
    if not approved and not reason:
        raise ValidationError({"rejection_reason": "Enter the fund's reason for rejecting the application"})
    if approved and reason:
        raise ValidationError({"rejection_reason": "A reason is only for a rejected application: leave it empty"})
    _not_future("decided_on", decided_on, "date of the decision")
    submitted = application.submitted_on
    if submitted is not None and decided_on < submitted:
        raise ValidationError(
            {"decided_on": f"The decision must be on or after the day it was submitted ({_day(submitted)})"}
        )
    application.status = S.APPROVED if approved else S.REJECTED
    application.decided_on = decided_on
    application.rejection_reason = reason
    return _save(actor, application, AuditEvent.Action.UPDATE)


@transaction.atomic
def asf_application_invoice(*, actor: Any, application_id: int, invoiced_on: date) -> AsfApplication:
    """The provider's invoice for an approved application has gone to the fund."""
    application = _for_write(actor, application_id)
    _move(application, S.INVOICED)
    _not_future("invoiced_on", invoiced_on, "date of the invoice")
    decided = application.decided_on
    if decided is not None and invoiced_on < decided:
        raise ValidationError({"invoiced_on": f"The invoice must be on or after the approval ({_day(decided)})"})
    application.status = S.INVOICED
    application.invoiced_on = invoiced_on
    return _save(actor, application, AuditEvent.Action.UPDATE)


@transaction.atomic
def asf_application_paid(*, actor: Any, application_id: int, paid_on: date) -> AsfApplication:
    """The fund has paid an invoiced application."""
    application = _for_write(actor, application_id)
    _move(application, S.PAID)
    _not_future("paid_on", paid_on, "date of the payment")
    invoiced = application.invoiced_on
    if invoiced is not None and paid_on < invoiced:
        raise ValidationError({"paid_on": f"The payment must be on or after the invoice ({_day(invoiced)})"})
    application.status = S.PAID
    application.paid_on = paid_on
    return _save(actor, application, AuditEvent.Action.UPDATE)
