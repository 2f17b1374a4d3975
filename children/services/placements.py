"""Placements from a match, the adoption application, and disruptions with the learning from them.

Every change to a placement goes through the journey services (``adoptive_placement_record``,
``adoptive_placement_end``, ``permanence_outcome_record``), which bring the family's stage into line
in the same transaction (``adopters.services.household_follow_placements``): the household and its
children cannot drift apart. Nothing is deleted: a disrupted placement keeps its row, with the day it ended.

Imported at the end of ``children.services``, whose journey services these build on.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from adoption import concurrency, tenancy
from adoption.dates import in_words as _fmt
from adoption.models import AuditEvent
from children.models import AdoptivePlacement, Child, Disruption, FamilyFindingStatus, LearningAction, Match
from children.selectors import journey_dates
from children.selectors.placements import learning_action_owners
from children.services import (
    adoptive_placement_end,
    adoptive_placement_record,
    episode_record,
    family_finding_status_record,
)
from children.services.base import _check, _child_for_write, _require_writer, _save

# --- the children move in -----------------------------------------------------------------------------------------


def _match_for_write(actor: Any, match_id: int) -> Match:
    match = (
        tenancy.scope_children(Match.objects.all(), actor, la_field="placements__child__responsible_la")
        .filter(pk=match_id)
        .distinct()
        .first()
    )
    if match is None:
        raise Http404("No such match.")
    _require_writer(actor)
    return match


@transaction.atomic
def placement_record(
    *,
    actor: Any,
    match_id: int,
    placed_on: date,
    with_foster_carers: bool = False,
    moved_in_with_carers_on: date | None = None,
    child_ids: Collection[int] | None = None,
    expected_version: str | None = None,
) -> list[AdoptivePlacement]:
    """The children of a match move in with the family: all who have not yet, or those in ``child_ids``.

    Siblings who move in on different days are recorded one call a day, each naming its children. Refused if
    the match's placements are no longer ``expected_version`` (``adoption.concurrency``): someone else recorded
    a move (or ended a placement) after the page was opened.
    """
    match = _match_for_write(actor, match_id)
    # Every child first, in one order, then the family (locked by each child's service): the order any one
    # child's service takes them in, so two writes about siblings wait for each other rather than deadlock.
    # All the match's children, not only those still to move in: the version covers every placement of it.
    for child_id in sorted(set(match.placements.values_list("child_id", flat=True))):
        _child_for_write(actor, child_id)
    placements = concurrency.in_pk_order(match.placements.select_for_update(of=("self",)))
    concurrency.check_unchanged(expected_version, *placements)
    waiting = sorted((p for p in placements if p.ended_on is None and p.placed_on is None), key=lambda p: p.child_id)
    if child_ids is not None:
        unknown = set(child_ids) - {p.child_id for p in waiting}
        if unknown:
            raise ValidationError({"child_ids": "Choose only children of this match who have not moved in yet"})
        waiting = [p for p in waiting if p.child_id in set(child_ids)]
    if not waiting:
        raise ValidationError(
            {
                "child_ids": "Choose the children who moved in"
                if child_ids is not None
                else "Every child of this match has moved in"
            }
        )
    placed = [
        adoptive_placement_record(
            actor=actor,
            child_id=placement.child_id,
            matched_on=placement.matched_on,
            household_id=match.household_id,
            placed_on=placed_on,
            with_foster_carers=with_foster_carers,
            moved_in_with_carers_on=moved_in_with_carers_on,
        )
        for placement in waiting
    ]
    for placement in placed:
        _placed_for_adoption_episode(actor, placement, match)
    return placed


# 903 placement types for a child placed for adoption: with a placement order (legal status E1, or a
# freeing order D1) A5/A6, with parental consent A3/A4; the first of each pair with the current foster carer.
ADOPTION_PLACEMENTS = {True: {True: "A5", False: "A6"}, False: {True: "A3", False: "A4"}}


def _placed_for_adoption_episode(actor: Any, placement: AdoptivePlacement, match: Match) -> None:
    """The 903 episode of the move: the child's current episode ends and an adoption placement begins.

    With the same carers (fostered by them first) only the placement's status changes: RNE T and
    REASON_PLACE_CHANGE PLACE; with a new family it is a change of placement, RNE P for a change in the
    care plan (CARPL). The legal status and category of need carry on; the placement postcode is the
    family's. No episode is added when the child is not in care, or the current episode is already an
    adoption placement or began on or after the move (the LA recorded it).
    """
    period = placement.child.periods_of_care.filter(ended_on__isnull=True).first()
    current = period.episodes.filter(ended_on__isnull=True).order_by("-started_on").first() if period else None
    placed_on = placement.placed_on
    if current is None or placed_on is None or current.placement_type in ADOPTION_PLACEMENTS_ALL:
        return
    if current.started_on >= placed_on:
        return
    with_order = current.legal_status in ("E1", "D1")
    agency = match.household.approving_agency
    placing_la = placement.child.responsible_la
    provider = "PR5" if agency.kind == "vaa" else ("PR1" if agency.pk in (placing_la.pk, placing_la.raa_id) else "PR2")
    episode_record(
        actor=actor,
        child_id=placement.child_id,
        started_on=placed_on,
        reason_new_episode="T" if placement.with_foster_carers else "P",
        legal_status=current.legal_status,
        category_of_need=current.category_of_need,
        placement_type=ADOPTION_PLACEMENTS[with_order][placement.with_foster_carers],
        placement_provider=provider,
        reason_place_change="PLACE" if placement.with_foster_carers else "CARPL",
        home_postcode=current.home_postcode,
        placement_postcode=current.placement_postcode if placement.with_foster_carers else match.household.postcode,
        urn="XXXXXXX",
    )


ADOPTION_PLACEMENTS_ALL = frozenset(code for pair in ADOPTION_PLACEMENTS.values() for code in pair.values())


def _current_placement(child: Child, field: str) -> AdoptivePlacement:
    placement = (
        child.adoptive_placements.filter(ended_on__isnull=True, placed_on__isnull=False).order_by("-placed_on").first()
    )
    if placement is None:
        raise ValidationError({field: "The child has not moved in with an adoptive family"})
    return placement


@transaction.atomic
def adoption_application_record(
    *, actor: Any, child_id: int, applied_on: date, expected_version: str | None = None
) -> AdoptivePlacement:
    """The adopters applied to the court for the adoption order (or the date is corrected).

    An application before the child has lived with them for 10 weeks is recorded as it happened; the
    page warns (``children.selectors.placements.early_application_warning``), it does not refuse.
    Refused if the child's current placement is no longer ``expected_version`` (``adoption.concurrency``).
    """
    child = _child_for_write(actor, child_id)  # every write to the child's placements locks the child first
    if expected_version is not None:
        current = child.adoptive_placements.filter(ended_on__isnull=True, placed_on__isnull=False)
        concurrency.check_unchanged(expected_version, current.order_by("-placed_on").first())
    placement = _current_placement(child, "applied_on")
    if placement.placed_on and applied_on < placement.placed_on:
        raise ValidationError(
            {"applied_on": f"The adopters apply once the child is placed with them ({_fmt(placement.placed_on)})"}
        )
    order_on = journey_dates(child).adoption_order_on
    if order_on and applied_on > order_on:
        raise ValidationError({"applied_on": f"The application comes before the adoption order ({_fmt(order_on)})"})
    _check(child, applied_on=applied_on)
    placement.adoption_applied_on = applied_on
    return _save(actor, placement, child, AuditEvent.Action.UPDATE)


# --- disruptions --------------------------------------------------------------------------------------------------


@transaction.atomic
def disruption_record(
    *, actor: Any, child_id: int, ended_on: date, reason: str, meeting_on: date | None = None
) -> Disruption:
    """The placement ended before an adoption order.

    The placement keeps its row with the day it ended; the child is actively family-found again from that
    day; the family is back to waiting (and due a review of their approval, see ``adopters.selectors``).
    """
    if reason not in Disruption.Reason.values:
        raise ValidationError({"reason": "Choose why the placement ended"})
    placement = adoptive_placement_end(actor=actor, child_id=child_id, ended_on=ended_on)
    if meeting_on and meeting_on < ended_on:
        raise ValidationError(
            {"meeting_on": f"The disruption meeting is held after the placement ended ({_fmt(ended_on)})"}
        )
    child = _child_for_write(actor, child_id)
    _check(child, meeting_on=meeting_on)
    disruption = _save(actor, Disruption(placement=placement, reason=reason, meeting_on=meeting_on), child)
    family = f" with {placement.household.name}" if placement.household else ""
    family_finding_status_record(
        actor=actor,
        child_id=child_id,
        status=FamilyFindingStatus.Status.ACTIVE,
        status_from=ended_on,
        note=f"The placement{family} ended on {_fmt(ended_on)}: family finding again",
    )
    return disruption


def _disruption_for_write(actor: Any, disruption_id: int) -> tuple[Disruption, Child]:
    """The disruption and its child, both locked: the child first (as every write to the child's record takes
    it), then the disruption read again under it, so what the service checks and saves is the stored row."""
    found = (
        tenancy.scope_children(
            Disruption.objects.select_related("placement"), actor, la_field="placement__child__responsible_la"
        )
        .filter(pk=disruption_id)
        .first()
    )
    if found is None:
        raise Http404("No such disruption.")
    child = _child_for_write(actor, found.placement.child_id)
    disruption = Disruption.objects.select_for_update(of=("self",)).select_related("placement").get(pk=found.pk)
    return disruption, child


def _ended_on(disruption: Disruption) -> date:
    ended_on = disruption.placement.ended_on
    assert ended_on is not None  # a disruption's placement has ended (disruption_record ends it)
    return ended_on


@transaction.atomic
def disruption_meeting_record(
    *, actor: Any, disruption_id: int, meeting_on: date, expected_version: str | None = None
) -> Disruption:
    """The date of the disruption meeting; refused if the disruption is no longer ``expected_version``
    (``adoption.concurrency``)."""
    disruption, child = _disruption_for_write(actor, disruption_id)
    concurrency.check_unchanged(expected_version, disruption)
    ended_on = _ended_on(disruption)
    if meeting_on < ended_on:
        raise ValidationError(
            {"meeting_on": f"The disruption meeting is held after the placement ended ({_fmt(ended_on)})"}
        )
    _check(child, meeting_on=meeting_on)
    disruption.meeting_on = meeting_on
    return _save(actor, disruption, child, AuditEvent.Action.UPDATE)


@transaction.atomic
def learning_action_add(*, actor: Any, disruption_id: int, action: str, owner_id: int, due_on: date) -> LearningAction:
    """What the agency will do differently after the disruption, who owns it and by when."""
    disruption, child = _disruption_for_write(actor, disruption_id)
    if not action.strip():
        raise ValidationError({"action": "Enter what will be done"})
    if not learning_action_owners(la=child.responsible_la).filter(pk=owner_id).exists():
        raise ValidationError({"owner_id": f"Choose someone who works for {child.responsible_la.name} or its agency"})
    ended_on = _ended_on(disruption)
    if due_on < ended_on:
        raise ValidationError({"due_on": f"The action is due after the placement ended ({_fmt(ended_on)})"})
    learning = LearningAction(disruption=disruption, action=action.strip(), owner_id=owner_id, due_on=due_on)
    return _save(actor, learning, child)


@transaction.atomic
def learning_action_done(*, actor: Any, action_id: int, done_on: date) -> LearningAction:
    learning = (
        tenancy.scope_children(
            LearningAction.objects.select_related("disruption__placement"),
            actor,
            la_field="disruption__placement__child__responsible_la",
        )
        .filter(pk=action_id)
        .first()
    )
    if learning is None:
        raise Http404("No such learning action.")
    child = _child_for_write(actor, learning.disruption.placement.child_id)
    if learning.done_on:
        raise ValidationError({"done_on": f"This action was done on {_fmt(learning.done_on)}"})
    ended_on = _ended_on(learning.disruption)
    if done_on < ended_on:
        raise ValidationError({"done_on": f"The action is done after the placement ended ({_fmt(ended_on)})"})
    _check(child, done_on=done_on)
    learning.done_on = done_on
    return _save(actor, learning, child, AuditEvent.Action.UPDATE)
