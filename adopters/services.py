"""Every write to a household's record. Pages and the API both come through here.

Each service: finds the household within the actor's scope (404 outside it) and checks the
actor's role (403), checks the rules with the change applied, saves inside one transaction and
writes one audit event on the household. A refused change raises ``ValidationError`` keyed by
field, with a message an assessing social worker understands, and saves nothing.

The status moves only through the table in ``adopters.workflow``: by hand through
``household_transition``, and from approval on through ``household_follow_placements``, which the
children's services call whenever they change a placement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from adopters import workflow
from adopters.models import Applicant, Availability, Check, CheckTurnaround, Household, Pause, Review
from adopters.timeliness import add_months, standard_on
from adopters.workflow import Action
from adoption import audit, concurrency, tenancy
from adoption.dates import in_words as _fmt
from adoption.models import ApiClient, AuditEvent, Organisation, Role, User

S = Household.Status

# Who may change a household's record outside the transition table (applicants, checks, pauses, reviews).
HOUSEHOLD_WRITERS = (Role.ASSESSING_SOCIAL_WORKER, Role.MANAGER)
# Availability for family finding is kept up to date by family finders too.
AVAILABILITY_WRITERS = (*HOUSEHOLD_WRITERS, Role.FAMILY_FINDER)
# Checks every applicant needs before stage 1 ends (fast track: before stage 2 ends). Employer and
# ex-partner checks are asked for where they apply, so they are not required here.
REQUIRED_CHECKS = (Check.Kind.DBS, Check.Kind.MEDICAL, Check.Kind.LA_CHECK, Check.Kind.REFERENCE)
MAX_APPLICANTS = 2


def may_write_households(actor: Any) -> bool:
    return tenancy.has_role(actor, *HOUSEHOLD_WRITERS)


def _household_locked(actor: Any, household_id: int) -> Household:
    """The household, locked for this transaction; 404 outside the actor's scope."""
    household = (
        tenancy.scope_households(Household.objects.select_for_update(of=("self",)), actor)
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise Http404("No such household.")
    return household


def _household_for_write(actor: Any, household_id: int, roles: Iterable[str] = HOUSEHOLD_WRITERS) -> Household:
    household = _household_locked(actor, household_id)
    if not tenancy.has_role(actor, *roles):
        raise PermissionDenied("Your role cannot change this household's record.")
    return household


def _save(actor: Any, obj, household: Household, action: AuditEvent.Action = AuditEvent.Action.UPDATE):
    obj.full_clean()
    obj.save()
    audit.record(actor=actor, action=action, obj=household, organisation_id=household.approving_agency_id)
    return obj


def _not_in_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: "The date must be today or in the past"})


def _next_reference() -> str:
    last = Household.objects.filter(reference__startswith="HH-").order_by("-reference").first()
    number = int(last.reference[3:]) + 1 if last and last.reference[3:].isdigit() else 1
    return f"HH-{number:06d}"


# --- households and applicants ----------------------------------------------------------------------


def _applicant(household: Household, details: Mapping[str, Any]) -> Applicant:
    applicant = Applicant(household=household, **details)
    applicant.full_clean(exclude=["household"])
    return applicant


@transaction.atomic
def household_create(
    *,
    actor: Any,
    approving_agency_id: int,
    name: str,
    enquired_on: date,
    applicants: list[Mapping[str, Any]],
    route: str = Household.Route.STANDARD,
    area: str = "",
    enquiry_source: str = "",
    enquiry_outcome: str = "",
    assessing_worker_id: int | None = None,
) -> Household:
    """A new enquiry, with its one or two applicants."""
    if not tenancy.has_role(actor, *HOUSEHOLD_WRITERS):
        raise PermissionDenied("Your role cannot record enquiries.")
    agencies = tenancy.scope_for(actor).household_org_ids
    if approving_agency_id not in agencies:
        raise ValidationError({"approving_agency": "Choose an agency you work for"})
    if not 1 <= len(applicants) <= MAX_APPLICANTS:
        raise ValidationError({"applicants": "A household has one or two applicants"})
    _not_in_future(enquired_on, "enquired_on")
    household = Household(
        approving_agency_id=approving_agency_id,
        reference=_next_reference(),
        name=name.strip(),
        area=area.strip(),
        route=route,
        enquired_on=enquired_on,
        enquiry_source=enquiry_source,
        enquiry_outcome=enquiry_outcome,
        assessing_worker_id=_assessor(assessing_worker_id, approving_agency_id),
    )
    household.full_clean()
    household.save()
    for details in applicants:
        _applicant(household, details).save()
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=household, organisation_id=approving_agency_id)
    return household


def _assessor(user_id: int | None, agency_id: int) -> int | None:
    if user_id is None:
        return None
    ok = User.objects.filter(
        pk=user_id,
        is_active=True,
        memberships__organisation_id=agency_id,
        memberships__role=Role.ASSESSING_SOCIAL_WORKER,
        memberships__is_active=True,
    ).exists()
    if not ok:
        raise ValidationError({"assessing_worker": "Choose an assessing social worker of the approving agency"})
    return user_id


# Details that can be corrected at any stage. Dates and status move only through the transitions.
DETAIL_FIELDS = frozenset({"name", "area", "postcode", "legal_status", "enquiry_source", "enquiry_outcome"})


@transaction.atomic
def household_update(
    *,
    actor: Any,
    household_id: int,
    assessing_worker_id: int | None = None,
    expected_version: str | None = None,
    **fields: Any,
) -> Household:
    """Correct the household's details; refused if the household's record is no longer ``expected_version``
    (``adoption.concurrency``)."""
    household = _household_for_write(actor, household_id)
    concurrency.check_unchanged(expected_version, household)
    unknown = sorted(set(fields) - DETAIL_FIELDS - {"route"})
    if unknown:
        raise ValueError(f"These are not household details: {', '.join(unknown)}")
    route_changes = "route" in fields and fields["route"] != household.route
    if route_changes and household.status not in (S.ENQUIRY, S.REGISTERED):
        raise ValidationError({"route": "The route can only change before stage 1 or stage 2 has started"})
    for name, value in fields.items():
        setattr(household, name, value.strip() if isinstance(value, str) else value)
    household.assessing_worker_id = _assessor(assessing_worker_id, household.approving_agency_id)
    return _save(actor, household, household)


@transaction.atomic
def applicant_add(*, actor: Any, household_id: int, **details: Any) -> Applicant:
    household = _household_for_write(actor, household_id)
    if household.applicants.count() >= MAX_APPLICANTS:
        raise ValidationError({"__all__": "A household has at most two applicants"})
    applicant = _applicant(household, details)
    return _save(actor, applicant, household)


@transaction.atomic
def applicant_update(
    *, actor: Any, applicant_id: int, expected_version: str | None = None, **details: Any
) -> Applicant:
    """Correct an applicant's details; refused if the applicant's record is no longer ``expected_version``
    (``adoption.concurrency``)."""
    found = Applicant.objects.filter(pk=applicant_id).values_list("household_id", flat=True).first()
    if found is None:
        raise Http404("No such applicant.")
    household = _household_for_write(actor, found)
    # Read the applicant after the household's lock (every change to an applicant takes it), then hold its row.
    applicant = Applicant.objects.select_for_update(of=("self",)).select_related("household").get(pk=applicant_id)
    concurrency.check_unchanged(expected_version, applicant)
    for name, value in details.items():
        setattr(applicant, name, value)
    return _save(actor, applicant, household)


# --- the transitions ---------------------------------------------------------------------------------


def _missing_checks(household: Household) -> list[str]:
    """What stops the checks being complete, one line per applicant and check, in plain words."""
    missing = []
    for applicant in household.applicants.all():
        received = {c.kind: c for c in applicant.checks.all() if c.received_on}
        for kind in REQUIRED_CHECKS:
            check = received.get(kind)
            if check is None:
                missing.append(f"{Check.Kind(kind).label} for {applicant.full_name} not received")
            elif check.outcome == Check.Outcome.UNSATISFACTORY:
                missing.append(f"{Check.Kind(kind).label} for {applicant.full_name} was not satisfactory")
    return missing


def _latest_date(household: Household) -> tuple[str, date] | None:
    """The household's most recent recorded step, which a new step may not come before."""
    steps = [
        ("the enquiry", household.enquired_on),
        ("the registration of interest", household.registered_on),
        ("the start of stage 1", household.stage1_started_on),
        ("the end of stage 1", household.stage1_ended_on),
        ("the start of stage 2", household.stage2_started_on),
        ("the end of stage 2", household.stage2_ended_on),
        ("the panel", household.panel_on),
        ("the approval", household.approved_on),
    ]
    known = [(what, day) for what, day in steps if day]
    return max(known, key=lambda step: step[1]) if known else None


def _guard(household: Household, action: str, on: date, details: Mapping[str, Any]) -> None:
    """The rules beyond status and route: raise ``ValidationError`` naming what is missing."""
    latest = _latest_date(household)
    if latest and on < latest[1]:
        raise ValidationError({"on": f"The date must be on or after {latest[0]} ({_fmt(latest[1])})"})
    open_pause = household.pauses.filter(ended_on__isnull=True).first()
    if open_pause and action not in (Action.LEAVE,):
        raise ValidationError(
            {"__all__": f"The assessment is paused (since {_fmt(open_pause.started_on)}): record when it resumed first"}
        )
    if open_pause and on < open_pause.started_on:
        # Leaving closes the pause on this date; before the pause began the database would refuse it.
        raise ValidationError({"on": f"The date must be on or after the pause began ({_fmt(open_pause.started_on)})"})
    fast_track = household.route == Household.Route.FAST_TRACK
    if (action == Action.COMPLETE_STAGE_1 or (action == Action.COMPLETE_STAGE_2 and fast_track)) and (
        missing := _missing_checks(household)
    ):
        raise ValidationError({"__all__": ["The checks are not complete:", *missing]})
    if action == Action.START_STAGE_2 and not fast_track and household.stage1_ended_on:
        standard = standard_on(household.stage1_started_on)
        notified = details.get("stage2_notified_on") or on
        limit = add_months(household.stage1_ended_on, standard.between_stages_months)
        if notified > limit:
            raise ValidationError(
                {
                    "stage2_notified_on": (
                        f"The applicants had until {_fmt(limit)} ({standard.between_stages_months} months after "
                        f"stage 1 ended) to say they wish to go on to stage 2; after that, stage 1 must be repeated"
                    )
                }
            )
        if notified < household.stage1_ended_on:
            raise ValidationError({"stage2_notified_on": "The applicants ask to go on once stage 1 has ended"})
        if notified > on:
            raise ValidationError(
                {"stage2_notified_on": "The applicants ask to go on to stage 2 on or before the day it starts"}
            )
    if action == Action.COMPLETE_STAGE_2 and household.par_status != Household.ParStatus.COMPLETED:
        raise ValidationError(
            {"__all__": "The Prospective Adopter's Report must be completed before stage 2 can be completed"}
        )
    if action == Action.RECORD_PANEL and not details.get("panel_recommendation"):
        raise ValidationError({"panel_recommendation": "Choose the panel's recommendation"})
    if action == Action.RECORD_DECISION and details.get("decision") == "approve":
        needed = {
            "approved_children_max": "Enter how many children the family is approved for",
            "approved_age_max": "Enter the oldest age the family is approved for",
        }
        errors = {name: message for name, message in needed.items() if details.get(name) in (None, "")}
        if errors:
            raise ValidationError(errors)
    if action in (Action.LEAVE, Action.DEREGISTER) and not details.get("leaving_reason"):
        raise ValidationError({"leaving_reason": "Choose why they left"})


# Which details each action may set, beside its date.
ACTION_DETAILS: dict[str, frozenset[str]] = {
    Action.ACCEPT_REGISTRATION: frozenset({"assessing_worker_id"}),
    Action.START_STAGE_1: frozenset(),
    Action.COMPLETE_STAGE_1: frozenset({"training_attended_on"}),
    Action.START_STAGE_2: frozenset({"stage2_notified_on", "assessing_worker_id"}),
    Action.COMPLETE_STAGE_2: frozenset({"training_attended_on"}),
    Action.RECORD_PANEL: frozenset({"panel_recommendation"}),
    Action.RECORD_DECISION: frozenset(
        {
            "decision",
            "approved_children_min",
            "approved_children_max",
            "approved_age_min",
            "approved_age_max",
            "approved_for_siblings",
            "disability_openness",
            "early_permanence_approved",
        }
    ),
    Action.LEAVE: frozenset({"leaving_reason"}),
    Action.DEREGISTER: frozenset({"leaving_reason"}),
}


@transaction.atomic
def household_transition(*, actor: Any, household_id: int, action: str, on: date, **details: Any) -> Household:
    """Move the household one step along the table in ``adopters.workflow``, recording ``on`` as its date."""
    household = _household_locked(actor, household_id)
    transition = workflow.transition_for(household.status, household.route, action)
    if transition is None:
        raise ValidationError({"__all__": workflow.refusal(household.status, household.route, action)})
    if not tenancy.has_role(actor, *transition.roles):
        raise PermissionDenied(f"Your role cannot {transition.label.lower()}.")
    unknown = sorted(set(details) - ACTION_DETAILS[transition.action])
    if unknown:
        raise ValueError(f"{transition.label} does not take: {', '.join(unknown)}")
    _not_in_future(on, "on")
    _guard(household, transition.action, on, details)

    was = household.status
    setattr(household, transition.date_field, on)
    household.status = transition.target
    if "assessing_worker_id" in details:
        household.assessing_worker_id = _assessor(details["assessing_worker_id"], household.approving_agency_id)
    for name in ("training_attended_on", "stage2_notified_on", "panel_recommendation", "leaving_reason"):
        if details.get(name) not in (None, ""):
            setattr(household, name, details[name])
    if transition.action == Action.START_STAGE_2 and not household.stage2_notified_on and household.stage1_ended_on:
        household.stage2_notified_on = on
    if transition.action == Action.RECORD_DECISION:
        _decide(household, on, details)
    if transition.action in (Action.LEAVE, Action.DEREGISTER):
        household.left_on = on
        household.left_from_status = was
        household.pauses.filter(ended_on__isnull=True).update(ended_on=on)
    _save(actor, household, household)
    if household.status == S.APPROVED:
        Availability.objects.create(household=household, status=Availability.Status.AVAILABLE, status_from=on)
    return household


# --- the stage that follows the children's placements -----------------------------------------------------------

# children.PermanenceOutcome.Kind.ADOPTION_ORDER: this app may not import children, so the value is named here.
ADOPTION_ORDER = "adoption_order"


def placements_status(household: Household) -> str:
    """The stage the household's children's placements say it is at.

    Read through the reverse relation ``household.placements`` (children.AdoptivePlacement), so the rule
    sits beside the table and every caller gets the same answer. A placement that ended before an
    adoption order (a disruption) counts for nothing; one whose child has an adoption order is done.
    Any child living with the family: placed. Else any child matched and not yet moved in: matched.
    Else, when every child who stayed is adopted: adopted. Otherwise the family is approved and waiting.
    """
    standing = household.placements.filter(ended_on__isnull=True)
    adopted = Q(child__permanence_outcomes__kind=ADOPTION_ORDER)
    current = standing.exclude(adopted)
    if current.filter(placed_on__isnull=False).exists():
        return S.PLACED
    if current.exists():
        return S.MATCHED
    if standing.filter(adopted).exists():
        return S.ADOPTED
    return S.APPROVED


@transaction.atomic
def household_follow_placements(*, actor: Any, household_id: int) -> Household:
    """Bring the household's stage into line with its children's placements, through the transition table.

    Called by the children's services, inside their transaction, after they change a placement (a match,
    the move, the adoption order, a disruption); they have already checked that the actor may write to
    the child. So the household is neither scoped to the actor nor role-checked as a household record: an
    LA's social worker sees no households, and the family may be another agency's (inter-agency). The
    actor must still be one who records children's journeys (the table's roles) or an LA's API client
    (whose 903 import records its own children's placements). No date is written on the household: the
    dates are the children's. Raises ``ValidationError`` on ``household_id`` when the table has no way
    from the household's stage to the one its placements need (a family not yet approved, or one that left).
    """
    household = Household.objects.select_for_update(of=("self",)).filter(pk=household_id).first()
    if household is None:
        raise ValidationError({"household_id": "No such household"})
    target = placements_status(household)
    if household.status == target:
        return household
    path = workflow.follow_path(household.status, target)
    if path is None:
        stage = S(household.status).label.lower()
        why = (
            "a new match needs the family approved again"
            if household.status == S.ADOPTED
            else "a child can be matched only with an approved family"
        )
        raise ValidationError({"household_id": f"{household.name}'s stage is {stage}: {why}"})
    for transition in path:
        if not (isinstance(actor, ApiClient) or tenancy.has_role(actor, *transition.roles)):
            raise PermissionDenied(f"Your role cannot record this: {transition.label.lower()}.")
        household.status = transition.target
    return _save(actor, household, household)


def _decide(household: Household, on: date, details: Mapping[str, Any]) -> None:
    decision = details.get("decision")
    if decision not in ("approve", "not_approve"):
        raise ValidationError({"decision": "Choose the agency decision"})
    if decision == "not_approve":
        household.approved_on = None
        household.status = S.LEFT
        household.left_on = on
        household.left_from_status = S.AWAITING_DECISION
        household.leaving_reason = Household.LeavingReason.REFUSED
        return
    for name in ACTION_DETAILS[Action.RECORD_DECISION] - {"decision"}:
        if name in details and details[name] is not None:
            setattr(household, name, details[name])


@transaction.atomic
def par_status_record(*, actor: Any, household_id: int, status: str, expected_version: str | None = None) -> Household:
    """The state of the Prospective Adopter's Report; refused if the household's record is no longer
    ``expected_version`` (``adoption.concurrency``)."""
    household = _household_for_write(actor, household_id)
    concurrency.check_unchanged(expected_version, household)
    if household.status != S.STAGE_2:
        raise ValidationError({"par_status": "The Prospective Adopter's Report is written during stage 2"})
    household.par_status = status
    return _save(actor, household, household)


@transaction.atomic
def stage2_extension_record(
    *, actor: Any, household_id: int, reason: str, expected_version: str | None = None
) -> Household:
    """The reason stage 2 needs more than four months; refused if the household's record is no longer
    ``expected_version`` (``adoption.concurrency``)."""
    household = _household_for_write(actor, household_id)
    concurrency.check_unchanged(expected_version, household)
    if household.status != S.STAGE_2:
        raise ValidationError({"stage2_extension_reason": "Stage 2 can only be extended while it is under way"})
    if not reason.strip():
        raise ValidationError({"stage2_extension_reason": "Enter the reason stage 2 needs more than four months"})
    household.stage2_extension_reason = reason.strip()
    return _save(actor, household, household)


# --- pauses -----------------------------------------------------------------------------------------------


PAUSABLE: dict[str, int] = {S.STAGE_1: Pause.Stage.STAGE_1, S.STAGE_2: Pause.Stage.STAGE_2}


@transaction.atomic
def pause_start(*, actor: Any, household_id: int, started_on: date, reason: str) -> Pause:
    household = _household_for_write(actor, household_id)
    stage = PAUSABLE.get(household.status)
    if stage is None:
        raise ValidationError({"__all__": "An assessment can be paused only during stage 1 or stage 2"})
    if household.pauses.filter(ended_on__isnull=True).exists():
        raise ValidationError({"__all__": "The assessment is already paused"})
    _not_in_future(started_on, "started_on")
    stage_start = household.stage1_started_on if stage == Pause.Stage.STAGE_1 else household.stage2_started_on
    last_end = household.pauses.order_by("-ended_on").values_list("ended_on", flat=True).first()
    earliest = max(d for d in (stage_start, last_end) if d)
    if started_on < earliest:
        raise ValidationError({"started_on": f"The pause must start on or after {_fmt(earliest)}"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the assessment is paused"})
    pause = Pause(household=household, stage=stage, started_on=started_on, reason=reason.strip())
    return _save(actor, pause, household)


@transaction.atomic
def pause_end(*, actor: Any, household_id: int, ended_on: date) -> Pause:
    household = _household_for_write(actor, household_id)
    pause = household.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        raise ValidationError({"__all__": "The assessment is not paused"})
    _not_in_future(ended_on, "ended_on")
    if ended_on < pause.started_on:
        raise ValidationError({"ended_on": f"The assessment cannot resume before it paused ({_fmt(pause.started_on)})"})
    pause.ended_on = ended_on
    return _save(actor, pause, household)


# --- checks -------------------------------------------------------------------------------------------------


def check_due_on(kind: str, requested_on: date) -> date:
    turnaround = (
        CheckTurnaround.objects.filter(kind=kind, effective_from__lte=requested_on).order_by("-effective_from").first()
    )
    return requested_on + timedelta(days=turnaround.days if turnaround else 28)


def _applicant_for_write(actor: Any, applicant_id: int) -> tuple[Applicant, Household]:
    applicant = (
        tenancy.scope_households(Applicant.objects.all(), actor, org_field="household__approving_agency")
        .filter(pk=applicant_id)
        .first()
    )
    if applicant is None:
        raise Http404("No such applicant.")
    return applicant, _household_for_write(actor, applicant.household_id)


@transaction.atomic
def check_request(*, actor: Any, applicant_id: int, kind: str, requested_on: date) -> Check:
    applicant, household = _applicant_for_write(actor, applicant_id)
    if household.status in (S.LEFT, S.ADOPTED):
        raise ValidationError({"__all__": "Checks cannot be requested for a household that has left the process"})
    _not_in_future(requested_on, "requested_on")
    if household.registered_on and requested_on < household.registered_on:
        raise ValidationError(
            {"requested_on": f"Checks are requested once interest is registered ({_fmt(household.registered_on)})"}
        )
    check = Check(applicant=applicant, kind=kind, requested_on=requested_on, due_on=check_due_on(kind, requested_on))
    return _save(actor, check, household, AuditEvent.Action.CREATE)


@transaction.atomic
def check_receive(*, actor: Any, check_id: int, received_on: date, outcome: str, delay_reason: str = "") -> Check:
    check = Check.objects.filter(pk=check_id).first()
    if check is None:
        raise Http404("No such check.")
    _applicant, household = _applicant_for_write(actor, check.applicant_id)
    if check.received_on:
        raise ValidationError({"__all__": "This check has already been received"})
    _not_in_future(received_on, "received_on")
    if received_on < check.requested_on:
        raise ValidationError(
            {"received_on": f"The check cannot come back before it was requested ({_fmt(check.requested_on)})"}
        )
    if not outcome:
        raise ValidationError({"outcome": "Choose the outcome of the check"})
    late_by = (received_on - check.due_on).days
    if late_by > 0 and not (delay_reason or check.delay_reason):
        days = "1 day" if late_by == 1 else f"{late_by} days"
        raise ValidationError({"delay_reason": f"This check came back {days} late: choose the reason"})
    check.received_on, check.outcome = received_on, outcome
    check.delay_reason = delay_reason or check.delay_reason
    return _save(actor, check, household)


@transaction.atomic
def check_delay_record(*, actor: Any, check_id: int, delay_reason: str, expected_version: str | None = None) -> Check:
    """Say why a check that is still out is late; refused if the check is no longer ``expected_version``
    (``adoption.concurrency``)."""
    applicant_id = Check.objects.filter(pk=check_id).values_list("applicant_id", flat=True).first()
    if applicant_id is None:
        raise Http404("No such check.")
    _applicant, household = _applicant_for_write(actor, applicant_id)
    # Read the check after the household's lock (every change to a check takes it), then hold its row.
    check = Check.objects.select_for_update(of=("self",)).get(pk=check_id)
    concurrency.check_unchanged(expected_version, check)
    if not delay_reason:
        raise ValidationError({"delay_reason": "Choose the reason for the delay"})
    check.delay_reason = delay_reason
    return _save(actor, check, household)


# --- approved families: availability and reviews ----------------------------------------------------------


WAITING = (S.APPROVED, S.MATCHED, S.PLACED)


@transaction.atomic
def availability_record(*, actor: Any, household_id: int, status: str, status_from: date) -> Availability:
    household = _household_for_write(actor, household_id, AVAILABILITY_WRITERS)
    if household.status not in WAITING:
        raise ValidationError({"status": "Availability is recorded for approved families"})
    _not_in_future(status_from, "status_from")
    current = household.availability.order_by("-status_from", "-id").first()
    floor = current.status_from if current else household.approved_on
    if floor and status_from < floor:
        raise ValidationError({"status_from": f"The date must be on or after {_fmt(floor)}"})
    return _save(actor, Availability(household=household, status=status, status_from=status_from), household)


@transaction.atomic
def review_record(*, actor: Any, household_id: int, held_on: date, outcome: str) -> Review:
    household = _household_for_write(actor, household_id)
    if household.status not in WAITING:
        raise ValidationError({"__all__": "Reviews are for approved families"})
    _not_in_future(held_on, "held_on")
    last = household.reviews.order_by("-held_on").values_list("held_on", flat=True).first()
    floor = last or household.approved_on
    if floor and held_on < floor:
        raise ValidationError({"held_on": f"The review must be on or after {_fmt(floor)}"})
    return _save(actor, Review(household=household, held_on=held_on, outcome=outcome), household)


def agencies_for(actor: Any) -> list[Organisation]:
    """The approving agencies an actor may record enquiries for."""
    return list(Organisation.objects.filter(pk__in=tenancy.scope_for(actor).household_org_ids).order_by("name"))
