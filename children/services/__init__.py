"""Every write to a child's record. Pages, the API and the 903 import all come through here.

Each service: checks the actor may write to this child (tenancy, then role), checks the journey
rules on the dates as they would be after the change, saves inside one transaction, and writes
one audit event. A refused change raises ``ValidationError`` (keyed by field) and saves nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from adopters.models import Household
from adopters.services import household_follow_placements
from adoption import audit, concurrency, tenancy
from adoption.models import AuditEvent
from children import rules
from children.codes import ADOPTION_REASONS, ReasonEpisodeCeased, ReasonNewEpisode
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildPermanenceReport,
    EarlyPermanencePlacement,
    Episode,
    FamilyFindingStatus,
    Featuring,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    ProceedingsTracking,
)
from children.selectors import journey_dates
from children.services.base import (  # noqa: F401  (the services' shared pieces, used by the 903 import too)
    DECISION_WRITERS,
    JOURNEY_WRITERS,
    _check,
    _child_for_write,
    _not_before_current,
    _require_writer,
    _save,
    may_write_journeys,
)
from children.services.matching import (  # noqa: F401  (links, matches and the panel seam)
    link_outcome_record,
    link_record,
    match_decision_record,
    match_panel_record,
    match_record,
    match_update,
)
from children.services.siblings import (  # noqa: F401
    sibling_group_add_member,
    sibling_group_create,
    sibling_group_remove_member,
    sibling_group_update,
)

# The child's own details that pages, the API and the import may set. The responsible LA is not
# among them: moving a child between LAs is a transfer, not an edit.
CHILD_DETAIL_FIELDS = frozenset(
    {
        "la_child_id",
        "child_903_id",
        "upn",
        "first_name",
        "last_name",
        "date_of_birth",
        "expected_date_of_birth",
        "sex",
        "ethnicity",
        "has_disability",
        "is_uasc",
    }
)


def _only_detail_fields(fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - CHILD_DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"These are not a child's details: {', '.join(unknown)}")


def _check_unique_ids(child: Child) -> None:
    """Say which ID is taken, on its own field (the database constraint would only name itself)."""
    others = Child.objects.filter(responsible_la_id=child.responsible_la_id).exclude(pk=child.pk)
    errors = {}
    if child.la_child_id and others.filter(la_child_id=child.la_child_id).exists():
        errors["la_child_id"] = "A child with this LA child ID is already recorded for this local authority"
    if child.child_903_id and others.filter(child_903_id=child.child_903_id).exists():
        errors["child_903_id"] = "A child with this 903 child ID is already recorded for this local authority"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def child_create(*, actor: Any, responsible_la_id: int, **fields: Any) -> Child:
    """Record a new child (or unborn baby) for an LA the actor may see."""
    _only_detail_fields(fields)
    if not tenancy.scope_for(actor).sees_la(responsible_la_id):
        raise Http404("No such local authority.")
    _require_writer(actor)
    child = Child(responsible_la_id=responsible_la_id, **fields)
    _check_unique_ids(child)
    child.full_clean()
    rules.raise_if_violated(
        rules.JourneyFacts(today=timezone.localdate(), date_of_birth=child.date_of_birth),
    )
    child.save()
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=child, organisation_id=responsible_la_id)
    return child


@transaction.atomic
def child_update(*, actor: Any, child_id: int, expected_version: str | None = None, **fields: Any) -> Child:
    """Change a child's own details (see ``CHILD_DETAIL_FIELDS``); refused if the child's record is no longer
    ``expected_version`` (``adoption.concurrency``)."""
    _only_detail_fields(fields)
    child = _child_for_write(actor, child_id)
    concurrency.check_unchanged(expected_version, child)
    for name, value in fields.items():
        setattr(child, name, value)
    _check_unique_ids(child)
    _check(child, date_of_birth=child.date_of_birth)
    return _save(actor, child, child, AuditEvent.Action.UPDATE)


@transaction.atomic
def period_of_care_start(
    *,
    actor: Any,
    child_id: int,
    started_on: date,
    legal_status: str,
    category_of_need: str,
    placement_type: str,
    placement_provider: str = "",
    home_postcode: str = "",
    placement_postcode: str = "",
    urn: str = "",
) -> PeriodOfCare:
    """The child enters care: a new period of care and its first 903 episode (RNE S)."""
    child = _child_for_write(actor, child_id)
    if child.periods_of_care.filter(ended_on__isnull=True).exists():
        raise ValidationError({"started_on": "The child is already in care: end the current period of care first"})
    latest_end = child.periods_of_care.order_by("-ended_on").values_list("ended_on", flat=True).first()
    if latest_end and started_on <= latest_end:
        raise ValidationError(
            {"started_on": f"The child left care on {latest_end:%d/%m/%Y}: a new period must start after that"}
        )
    _check(child, fields={"entered_care_on": "started_on"}, entered_care_on=started_on, entered_care_known=True)
    period = _save(actor, PeriodOfCare(child=child, started_on=started_on), child)
    _first_episode(
        period,
        reason_new_episode=ReasonNewEpisode.S,
        legal_status=legal_status,
        category_of_need=category_of_need,
        placement_type=placement_type,
        placement_provider=placement_provider,
        home_postcode=home_postcode,
        placement_postcode=placement_postcode,
        urn=urn,
    )
    return period


@transaction.atomic
def period_of_care_start_before_records(
    *,
    actor: Any,
    child_id: int,
    started_on: date,
    reason_new_episode: str,
    legal_status: str,
    category_of_need: str,
    placement_type: str,
    placement_provider: str = "",
    home_postcode: str = "",
    placement_postcode: str = "",
    urn: str = "",
) -> PeriodOfCare:
    """A period of care that began before the returns held, from its earliest known episode.

    A 903 return holds only the episodes open in its year, so a child in care since an earlier year
    arrives with a first episode that continues the period (RNE other than S). For a child with no
    period of care recorded, the period starts on that episode's start and is marked
    ``start_before_records``: the day the child entered care is unknown and is not invented. The
    episode keeps its own RNE, so the return can be written out again as it came in.
    """
    child = _child_for_write(actor, child_id)
    if child.periods_of_care.exists():
        raise ValidationError(
            {
                "started_on": "The child already has a period of care recorded: an episode that continues a period "
                "must join up with it"
            }
        )
    if reason_new_episode == ReasonNewEpisode.S:
        raise ValidationError(
            {
                "reason_new_episode": "An episode with RNE S is the start of the period: "
                "record that the child entered care"
            }
        )
    _check(child, fields={"entered_care_on": "started_on"}, entered_care_on=started_on, entered_care_known=False)
    period = _save(actor, PeriodOfCare(child=child, started_on=started_on, start_before_records=True), child)
    _first_episode(
        period,
        reason_new_episode=reason_new_episode,
        legal_status=legal_status,
        category_of_need=category_of_need,
        placement_type=placement_type,
        placement_provider=placement_provider,
        home_postcode=home_postcode,
        placement_postcode=placement_postcode,
        urn=urn,
    )
    return period


def _first_episode(period: PeriodOfCare, **fields: str) -> Episode:
    episode = Episode(period=period, started_on=period.started_on, **fields)
    episode.full_clean()
    episode.save()
    return episode


@transaction.atomic
def adoption_decision_record(*, actor: Any, child_id: int, decided_on: date) -> AdoptionDecision:
    """The ADM's decision that the child should be placed for adoption."""
    child = _child_for_write(actor, child_id, DECISION_WRITERS)
    if journey_dates(child).decision_on:
        raise ValidationError(
            {"decided_on": "The child already has a decision that they should be placed for adoption"}
        )
    if not journey_dates(child).entered_care_on:
        raise ValidationError({"decided_on": "Record when the child entered care before the decision"})
    _check(child, fields={"decision_on": "decided_on"}, decision_on=decided_on)
    return _save(actor, AdoptionDecision(child=child, decided_on=decided_on), child)


@transaction.atomic
def adoption_decision_reverse(*, actor: Any, child_id: int, reversed_on: date, reason: str) -> AdoptionDecision:
    """The decision that the child should no longer be placed for adoption (RD1 to RD4)."""
    child = _child_for_write(actor, child_id)
    decision = child.adoption_decisions.filter(reversed_on__isnull=True).first()
    if decision is None:
        raise ValidationError({"reversed_on": "There is no decision to reverse"})
    if reversed_on < decision.decided_on:
        raise ValidationError(
            {"reversed_on": f"The reversal must be on or after the decision ({decision.decided_on:%d/%m/%Y})"}
        )
    if not reason:
        raise ValidationError({"reason": "Choose the reason the decision was reversed"})
    _check(child, reversed_on=reversed_on)
    decision.reversed_on = reversed_on
    decision.reversal_reason = reason
    return _save(actor, decision, child, AuditEvent.Action.UPDATE)


@transaction.atomic
def placement_order_record(
    *,
    actor: Any,
    child_id: int,
    made_on: date,
    order_type: str = PlacementOrder.OrderType.E1,
    court: str = "",
    made_before_records: bool = False,
) -> PlacementOrder:
    """A placement or freeing order; ``made_before_records``: made on or before ``made_on``, date not held."""
    child = _child_for_write(actor, child_id)
    if not journey_dates(child).decision_on:
        raise ValidationError(
            {"made_on": "Record the decision that the child should be placed for adoption before the placement order"}
        )
    if child.placement_orders.filter(made_on=made_on).exists():
        raise ValidationError({"made_on": "A placement order on this date is already recorded"})
    _check(child, fields={"placement_order_on": "made_on"}, placement_order_on=made_on)
    order = PlacementOrder(
        child=child, made_on=made_on, order_type=order_type, court=court, made_before_records=made_before_records
    )
    return _save(actor, order, child)


@transaction.atomic
def permanence_outcome_record(
    *, actor: Any, child_id: int, kind: str, made_on: date, court: str | None = None
) -> PermanenceOutcome:
    """An adoption order or another permanence route (the period of care is ended by ``period_of_care_end``).

    An adoption order names the court that made it. ``court=None`` only where the source does not hold
    the court (a 903 return, which has none): the order is then recorded with the court blank, not guessed.
    The adoption order completes the child's placement, and the family's stage follows.
    """
    child = _child_for_write(actor, child_id)
    if kind == PermanenceOutcome.Kind.ADOPTION_ORDER:
        if journey_dates(child).adoption_order_on:
            raise ValidationError({"made_on": "An adoption order is already recorded"})
        if court is not None and not court.strip():
            raise ValidationError({"court": "Enter the court that made the adoption order"})
        _check(child, fields={"adoption_order_on": "made_on"}, adoption_order_on=made_on)
    else:
        _check(child, outcome_on=made_on)
        entered = journey_dates(child).entered_care_on
        if entered and made_on < entered:
            raise ValidationError(
                {"made_on": f"The order must be on or after the child entered care ({entered:%d/%m/%Y})"}
            )
    outcome = PermanenceOutcome(child=child, kind=kind, made_on=made_on, court=(court or "").strip())
    _save(actor, outcome, child)
    if kind == PermanenceOutcome.Kind.ADOPTION_ORDER:
        placed = child.adoptive_placements.filter(ended_on__isnull=True, placed_on__isnull=False)
        _follow_households(actor, *placed.values_list("household_id", flat=True))
    return outcome


def _follow_households(actor: Any, *household_ids: int | None) -> None:
    """The families' stages follow the change just made to their children's placements (same transaction)."""
    for household_id in sorted({pk for pk in household_ids if pk is not None}):
        household_follow_placements(actor=actor, household_id=household_id)


@transaction.atomic
def family_finding_status_record(
    *, actor: Any, child_id: int, status: str, status_from: date, note: str = ""
) -> FamilyFindingStatus:
    child = _child_for_write(actor, child_id)
    _not_before_current(child.family_finding_statuses, field="status_from", day=status_from, what="status")
    _check(child, status_from=status_from)
    return _save(actor, FamilyFindingStatus(child=child, status=status, status_from=status_from, note=note), child)


@transaction.atomic
def featuring_record(*, actor: Any, child_id: int, channel: str, featured_on: date) -> Featuring:
    child = _child_for_write(actor, child_id)
    _check(child, featured_on=featured_on)
    return _save(actor, Featuring(child=child, channel=channel, featured_on=featured_on), child)


@transaction.atomic
def early_permanence_record(
    *, actor: Any, child_id: int, kind: str, started_on: date, household_id: int | None = None
) -> EarlyPermanencePlacement:
    child = _child_for_write(actor, child_id)
    entered = journey_dates(child).entered_care_on
    # When the period of care began before the returns held, ``entered`` is only the earliest day known in
    # care: a placement before it cannot be judged, so only a child with no period of care at all is refused.
    start_unknown = bool(getattr(child, "entered_care_before_records", False))
    if entered is None or (started_on < entered and not start_unknown):
        raise ValidationError({"started_on": "An early permanence placement starts on or after the child entered care"})
    _check(child, started_on=started_on)
    return _save(
        actor, EarlyPermanencePlacement(child=child, kind=kind, started_on=started_on, household_id=household_id), child
    )


@transaction.atomic
def early_permanence_end(*, actor: Any, child_id: int, placement_id: int, ended_on: date) -> EarlyPermanencePlacement:
    """The child leaves the fostering for adoption or concurrent planning placement (moving on, or home)."""
    child = _child_for_write(actor, child_id)
    placement = child.early_permanence_placements.select_for_update().filter(pk=placement_id).first()
    if placement is None:
        raise ValidationError({"placement_id": "This early permanence placement is not recorded for this child"})
    if placement.ended_on:
        raise ValidationError({"ended_on": f"This placement already ended on {placement.ended_on:%d/%m/%Y}"})
    if ended_on < placement.started_on:
        raise ValidationError(
            {"ended_on": f"The placement cannot end before it began ({placement.started_on:%d/%m/%Y})"}
        )
    _check(child, ended_on=ended_on)
    placement.ended_on = ended_on
    return _save(actor, placement, child, AuditEvent.Action.UPDATE)


@transaction.atomic
def proceedings_stage_record(
    *, actor: Any, child_id: int, stage: str, stage_from: date, final_hearing_on: date | None = None
) -> ProceedingsTracking:
    child = _child_for_write(actor, child_id)
    _not_before_current(child.proceedings_tracking, field="stage_from", day=stage_from, what="stage")
    _check(child, stage_from=stage_from)
    return _save(
        actor,
        ProceedingsTracking(child=child, stage=stage, stage_from=stage_from, final_hearing_on=final_hearing_on),
        child,
    )


@transaction.atomic
def permanence_report_record(
    *,
    actor: Any,
    child_id: int,
    status: str,
    started_on: date | None = None,
    due_on: date | None = None,
    completed_on: date | None = None,
    expected_version: str | None = None,
) -> ChildPermanenceReport:
    """Create or update the child's CPR (one per child); refused if the CPR is no longer ``expected_version``
    (its version is that of no report before the first is saved). Its writes all lock the child first."""
    child = _child_for_write(actor, child_id)
    concurrency.check_unchanged(expected_version, child.permanence_reports.first())
    if status == ChildPermanenceReport.Status.COMPLETED and not completed_on:
        raise ValidationError({"completed_on": "Enter the date the CPR was completed"})
    if completed_on and started_on and completed_on < started_on:
        raise ValidationError({"completed_on": "The CPR cannot be completed before it was started"})
    _check(child, started_on=started_on, completed_on=completed_on)
    report = child.permanence_reports.first() or ChildPermanenceReport(child=child)
    action = AuditEvent.Action.UPDATE if report.pk else AuditEvent.Action.CREATE
    report.status, report.started_on, report.due_on, report.completed_on = status, started_on, due_on, completed_on
    return _save(actor, report, child, action)


@transaction.atomic
def episode_record(
    *,
    actor: Any,
    child_id: int,
    started_on: date,
    reason_new_episode: str,
    legal_status: str,
    category_of_need: str,
    placement_type: str,
    placement_provider: str = "",
    reason_place_change: str = "",
    home_postcode: str = "",
    placement_postcode: str = "",
    urn: str = "",
) -> Episode:
    """A change of legal status or placement inside the current period of care (903 RNE other than S).

    The previous episode ends the day the new one starts, with REC X1 (the period continues).
    """
    child = _child_for_write(actor, child_id)
    period = child.periods_of_care.filter(ended_on__isnull=True).first()
    if period is None:
        raise ValidationError({"started_on": "The child is not in care: record when they entered care first"})
    if reason_new_episode == ReasonNewEpisode.S:
        raise ValidationError(
            {"reason_new_episode": "A new period of care is recorded as entering care, not as an episode"}
        )
    current = period.episodes.filter(ended_on__isnull=True).order_by("-started_on").first()
    if current and started_on <= current.started_on:
        raise ValidationError(
            {"started_on": f"The new episode must start after the current one ({current.started_on:%d/%m/%Y})"}
        )
    _check(child, started_on=started_on)
    if current:
        current.ended_on = started_on
        current.reason_ended = ReasonEpisodeCeased.X1
        current.reason_place_change = reason_place_change if reason_new_episode != ReasonNewEpisode.L else ""
        current.full_clean()
        current.save()
    episode = Episode(
        period=period,
        started_on=started_on,
        reason_new_episode=reason_new_episode,
        legal_status=legal_status,
        category_of_need=category_of_need,
        placement_type=placement_type,
        placement_provider=placement_provider,
        home_postcode=home_postcode,
        placement_postcode=placement_postcode,
        urn=urn,
    )
    return _save(actor, episode, child)


@transaction.atomic
def period_of_care_end(*, actor: Any, child_id: int, ended_on: date, reason_ended: str) -> PeriodOfCare:
    """The child leaves care (903 REC other than X1): the current episode and period end together."""
    child = _child_for_write(actor, child_id)
    period = child.periods_of_care.filter(ended_on__isnull=True).first()
    if period is None:
        raise ValidationError({"ended_on": "The child is not in care"})
    if reason_ended in ("", ReasonEpisodeCeased.X1):
        raise ValidationError({"reason_ended": "Choose why the child left care"})
    current = period.episodes.filter(ended_on__isnull=True).order_by("-started_on").first()
    starts = current.started_on if current else period.started_on
    if ended_on < starts:
        raise ValidationError({"ended_on": f"The child cannot leave care before {starts:%d/%m/%Y}"})
    if reason_ended in ADOPTION_REASONS:
        _check(child, fields={"adoption_order_on": "ended_on"}, adoption_order_on=ended_on)
    else:
        _check(child, left_care_on=ended_on)
    if current:
        current.ended_on, current.reason_ended = ended_on, reason_ended
        current.full_clean()
        current.save()
    period.ended_on, period.reason_ended = ended_on, reason_ended
    return _save(actor, period, child, AuditEvent.Action.UPDATE)


@transaction.atomic
def adoptive_placement_record(
    *,
    actor: Any,
    child_id: int,
    matched_on: date,
    household_id: int | None = None,
    placed_on: date | None = None,
    with_foster_carers: bool = False,
    moved_in_with_carers_on: date | None = None,
    expected_version: str | None = None,
) -> AdoptivePlacement:
    """The match with an adoptive family and, when it has happened, the child moving in.

    Recording ``placed_on`` on an existing match (same date of match) completes it rather than
    adding another. Refused if the child's current match is no longer ``expected_version``
    (``adoption.concurrency``; the version of no match before the first): a move someone else recorded since
    the page was opened is not overwritten. Its writes all lock the child first.
    """
    child = _child_for_write(actor, child_id)
    if expected_version is not None:
        current_match = child.adoptive_placements.filter(ended_on__isnull=True).order_by("-matched_on").first()
        concurrency.check_unchanged(expected_version, current_match)
    # Which households a family finder may match with belongs to matching;
    # here the household only has to exist.
    if household_id is not None and not Household.objects.filter(pk=household_id).exists():
        raise ValidationError({"household_id": "No such household"})
    current = child.adoptive_placements.filter(ended_on__isnull=True).order_by("-matched_on").first()
    if current and current.matched_on != matched_on:
        raise ValidationError({"matched_on": "The child already has a current match: end it before recording another"})
    if not journey_dates(child).decision_on:
        raise ValidationError(
            {"matched_on": "Record the decision that the child should be placed for adoption before the match"}
        )
    _check(
        child, fields={"matched_on": "matched_on", "placed_on": "placed_on"}, matched_on=matched_on, placed_on=placed_on
    )
    placement = current or AdoptivePlacement(child=child, matched_on=matched_on)
    action = AuditEvent.Action.UPDATE if placement.pk else AuditEvent.Action.CREATE
    was_with = placement.household_id
    placement.household_id = household_id if household_id is not None else placement.household_id
    placement.placed_on = placed_on
    placement.with_foster_carers = with_foster_carers
    placement.moved_in_with_carers_on = moved_in_with_carers_on
    _save(actor, placement, child, action)
    _follow_households(actor, was_with, placement.household_id)
    return placement


@transaction.atomic
def adoptive_placement_end(*, actor: Any, child_id: int, ended_on: date) -> AdoptivePlacement:
    """A placement that ended before an adoption order (a disruption)."""
    child = _child_for_write(actor, child_id)
    placement = child.adoptive_placements.filter(ended_on__isnull=True, placed_on__isnull=False).first()
    if placement is None:
        raise ValidationError({"ended_on": "The child has no current adoptive placement"})
    if journey_dates(child).adoption_order_on:
        raise ValidationError({"ended_on": "An adoption order has been made: the placement cannot disrupt"})
    if placement.placed_on and ended_on < placement.placed_on:
        raise ValidationError(
            {"ended_on": f"The placement cannot end before it began ({placement.placed_on:%d/%m/%Y})"}
        )
    _check(child, disrupted_on=ended_on)
    placement.ended_on = ended_on
    _save(actor, placement, child, AuditEvent.Action.UPDATE)
    _follow_households(actor, placement.household_id)
    return placement


@transaction.atomic
def adoptive_placement_match_correct(
    *, actor: Any, child_id: int, placed_on: date, matched_on: date
) -> AdoptivePlacement:
    """Correct the date of the match behind the placement that began on ``placed_on``.

    For when the real date arrives later: the 903 gives DATE_MATCH only in AD1, in the year of the
    adoption order, after an earlier year's return recorded the placement.
    """
    child = _child_for_write(actor, child_id)
    placement = child.adoptive_placements.filter(placed_on=placed_on).first()
    if placement is None:
        raise ValidationError({"placed_on": f"No adoptive placement began on {placed_on:%d/%m/%Y}"})
    if matched_on > placed_on:
        raise ValidationError(
            {
                "matched_on": f"The child must be matched on or before being placed for adoption ({placed_on:%d/%m/%Y})"
                " (903 rule 331)"
            }
        )
    decided = child.adoption_decisions.filter(decided_on__lte=matched_on).exists()
    if not decided:
        raise ValidationError(
            {
                "matched_on": "The match must be on or after the decision that the child should be placed for adoption"
                " (903 rule 333)"
            }
        )
    _check(child, corrected_match_on=matched_on)
    placement.matched_on = matched_on
    return _save(actor, placement, child, AuditEvent.Action.UPDATE)


# Placements from a match, the adoption application and disruptions build on the journey services above.
from children.services.placements import (  # noqa: E402, F401
    adoption_application_record,
    disruption_meeting_record,
    disruption_record,
    learning_action_add,
    learning_action_done,
    placement_record,
)
