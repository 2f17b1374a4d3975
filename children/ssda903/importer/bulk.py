"""Writing the children that are new to the LA in a few ``bulk_create`` calls instead of a service call per step.

A new child (the common, heavy case of an import) has no record to lock, diff or race with, so each step of its
plan is replayed here on the child's records held in memory, step by step in the plan's order, with the services'
own rule code: :func:`children.services.base._check` (the journey rules, on the dates as they would be after the
step, read from the records in memory as :func:`children.selectors.dates.with_journey_dates` reads them from the
database), each model's own field validation (``full_clean``) and the database's constraints when the rows are
written. The records, audit events and history rows that come out are those the services would write (a test
imports the same files both ways and compares them).

Only the routine case is replayed. Whatever a service would refuse, or any state a service checks that the replay
does not model, sends the child back to the services (:class:`Unsupported`): the refusal and its message are then
the service's own, so there is one copy of every rule and message. The same goes for a batch whose rows the
database refuses (a constraint): it is rolled back to its savepoint and its children go through the services.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from adoption import audit, tenancy
from adoption.models import AuditEvent, Organisation
from children import rules
from children.codes import ADOPTION_REASONS, ReasonEpisodeCeased, ReasonNewEpisode
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    Episode,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
)
from children.services import CHILD_DETAIL_FIELDS, _check, may_write_journeys
from children.services.base import DECISION_WRITERS
from children.ssda903.importer.steps import ChildPlan

# Children written per batch: the models in memory at once stay the same size however large the file.
BATCH = 250


class Unsupported(Exception):
    """The replay does not model this step in this state: the child goes through the services."""


@dataclass
class NewChild:
    """One new child's records as the services would leave them, in memory."""

    plan: ChildPlan
    child: Child
    periods: list[PeriodOfCare] = field(default_factory=list)
    episodes: list[tuple[PeriodOfCare, Episode]] = field(default_factory=list)
    decisions: list[AdoptionDecision] = field(default_factory=list)
    orders: list[PlacementOrder] = field(default_factory=list)
    placements: list[AdoptivePlacement] = field(default_factory=list)
    outcomes: list[PermanenceOutcome] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # one audit event per step, as each service writes one

    # --- the child's journey dates, as with_journey_dates annotates them ---------------------------------

    def refresh_dates(self) -> None:
        child = self.child
        latest = max(self.periods, key=lambda p: p.started_on, default=None)
        child.entered_care_on = latest.started_on if latest else None  # type: ignore[attr-defined]
        child.entered_care_before_records = latest.start_before_records if latest else None  # type: ignore[attr-defined]
        child.left_care_on = latest.ended_on if latest else None  # type: ignore[attr-defined]
        child.decision_on = _latest(d.decided_on for d in self.decisions if d.reversed_on is None)  # type: ignore[attr-defined]
        child.decision_reversed_on = _latest(d.reversed_on for d in self.decisions)  # type: ignore[attr-defined]
        child.placement_order_on = _latest(o.made_on for o in self.orders)  # type: ignore[attr-defined]
        current = [p for p in self.placements if p.ended_on is None]
        child.matched_on = _latest(p.matched_on for p in current)  # type: ignore[attr-defined]
        child.placed_on = _latest(p.placed_on for p in current)  # type: ignore[attr-defined]
        adoption = PermanenceOutcome.Kind.ADOPTION_ORDER
        child.adoption_order_on = _latest(o.made_on for o in self.outcomes if o.kind == adoption)  # type: ignore[attr-defined]
        child.other_permanence_on = _latest(o.made_on for o in self.outcomes if o.kind != adoption)  # type: ignore[attr-defined]

    def open_period(self) -> PeriodOfCare | None:
        return next((p for p in self.periods if p.ended_on is None), None)

    def open_episode(self, period: PeriodOfCare) -> Episode | None:
        """The period's latest open episode (``order_by("-started_on").first()``)."""
        open_ = [e for p, e in self.episodes if p is period and e.ended_on is None]
        return max(open_, key=lambda e: e.started_on, default=None)

    def saved(self, obj: models.Model, action: str = AuditEvent.Action.CREATE) -> None:
        """``services.base._save``: the object's own validation, then the step's audit event."""
        _clean(obj)
        self.actions.append(action)


def _latest(days: Any) -> date | None:
    return max((day for day in days if day is not None), default=None)


def _clean(obj: models.Model) -> None:
    """``full_clean`` without the foreign keys (they point at rows written in the same batch) and without the
    constraints (the database holds them when the batch is written; a refusal sends the batch to the services)."""
    exclude = [f.name for f in obj._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


# --- the steps, as the services take them -------------------------------------------------------------------


def _child_create(new: NewChild) -> None:
    child = new.child
    _clean(child)
    rules.raise_if_violated(rules.JourneyFacts(today=timezone.localdate(), date_of_birth=child.date_of_birth))
    new.actions.append(AuditEvent.Action.CREATE)


def _first_episode(new: NewChild, period: PeriodOfCare, **fields: Any) -> None:
    episode = Episode(period=period, started_on=period.started_on, **fields)
    _clean(episode)
    new.episodes.append((period, episode))


def _period_start(new: NewChild, *, started_on: date, **details: Any) -> None:
    if new.open_period() is not None:
        raise Unsupported
    latest_end = _latest(p.ended_on for p in new.periods)
    if latest_end and started_on <= latest_end:
        raise Unsupported
    _check(new.child, fields={"entered_care_on": "started_on"}, entered_care_on=started_on, entered_care_known=True)
    period = PeriodOfCare(child=new.child, started_on=started_on)
    new.saved(period)
    new.periods.append(period)
    _first_episode(new, period, reason_new_episode=ReasonNewEpisode.S, **details)


def _period_start_before_records(new: NewChild, *, started_on: date, reason_new_episode: str, **details: Any) -> None:
    if new.periods or reason_new_episode == ReasonNewEpisode.S:
        raise Unsupported
    _check(new.child, fields={"entered_care_on": "started_on"}, entered_care_on=started_on, entered_care_known=False)
    period = PeriodOfCare(child=new.child, started_on=started_on, start_before_records=True)
    new.saved(period)
    new.periods.append(period)
    _first_episode(new, period, reason_new_episode=reason_new_episode, **details)


def _episode(
    new: NewChild, *, started_on: date, reason_new_episode: str, reason_place_change: str = "", **details: Any
) -> None:
    period = new.open_period()
    if period is None or reason_new_episode == ReasonNewEpisode.S:
        raise Unsupported
    current = new.open_episode(period)
    if current and started_on <= current.started_on:
        raise Unsupported
    _check(new.child, started_on=started_on)
    if current:
        current.ended_on = started_on
        current.reason_ended = ReasonEpisodeCeased.X1
        current.reason_place_change = reason_place_change if reason_new_episode != ReasonNewEpisode.L else ""
        _clean(current)
    episode = Episode(period=period, started_on=started_on, reason_new_episode=reason_new_episode, **details)
    new.saved(episode)
    new.episodes.append((period, episode))


def _period_end(new: NewChild, *, ended_on: date, reason_ended: str) -> None:
    period = new.open_period()
    if period is None or reason_ended in ("", ReasonEpisodeCeased.X1):
        raise Unsupported
    current = new.open_episode(period)
    if ended_on < (current.started_on if current else period.started_on):
        raise Unsupported
    if reason_ended in ADOPTION_REASONS:
        _check(new.child, fields={"adoption_order_on": "ended_on"}, adoption_order_on=ended_on)
    else:
        _check(new.child, left_care_on=ended_on)
    if current:
        current.ended_on, current.reason_ended = ended_on, reason_ended
        _clean(current)
    period.ended_on, period.reason_ended = ended_on, reason_ended
    new.saved(period, AuditEvent.Action.UPDATE)


def _decision(new: NewChild, *, decided_on: date) -> None:
    child = new.child
    if child.decision_on or not child.entered_care_on:  # type: ignore[attr-defined]
        raise Unsupported
    _check(child, fields={"decision_on": "decided_on"}, decision_on=decided_on)
    decision = AdoptionDecision(child=child, decided_on=decided_on)
    new.saved(decision)
    new.decisions.append(decision)


def _reversal(new: NewChild, *, reversed_on: date, reason: str) -> None:
    decision = min((d for d in new.decisions if d.reversed_on is None), key=lambda d: d.decided_on, default=None)
    if decision is None or reversed_on < decision.decided_on or not reason:
        raise Unsupported
    _check(new.child, reversed_on=reversed_on)
    decision.reversed_on = reversed_on
    decision.reversal_reason = reason
    new.saved(decision, AuditEvent.Action.UPDATE)


def _placement_order(
    new: NewChild, *, made_on: date, order_type: str = PlacementOrder.OrderType.E1, made_before_records: bool = False
) -> None:
    child = new.child
    if not child.decision_on or any(o.made_on == made_on for o in new.orders):  # type: ignore[attr-defined]
        raise Unsupported
    _check(child, fields={"placement_order_on": "made_on"}, placement_order_on=made_on)
    order = PlacementOrder(child=child, made_on=made_on, order_type=order_type, made_before_records=made_before_records)
    new.saved(order)
    new.orders.append(order)


def _adoptive_placement(
    new: NewChild,
    *,
    matched_on: date,
    placed_on: date | None = None,
    with_foster_carers: bool = False,
    moved_in_with_carers_on: date | None = None,
) -> None:
    child = new.child
    current = max((p for p in new.placements if p.ended_on is None), key=lambda p: p.matched_on, default=None)
    if current and current.matched_on != matched_on:
        raise Unsupported
    if not child.decision_on:  # type: ignore[attr-defined]
        raise Unsupported
    _check(
        child, fields={"matched_on": "matched_on", "placed_on": "placed_on"}, matched_on=matched_on, placed_on=placed_on
    )
    placement = current or AdoptivePlacement(child=child, matched_on=matched_on)
    placement.placed_on = placed_on
    placement.with_foster_carers = with_foster_carers
    placement.moved_in_with_carers_on = moved_in_with_carers_on
    new.saved(placement, AuditEvent.Action.UPDATE if current else AuditEvent.Action.CREATE)
    if current is None:
        new.placements.append(placement)


def _placement_end(new: NewChild, *, ended_on: date) -> None:
    placed = [p for p in new.placements if p.ended_on is None and p.placed_on is not None]
    placement = min(placed, key=lambda p: p.matched_on, default=None)
    if placement is None or new.child.adoption_order_on:  # type: ignore[attr-defined]
        raise Unsupported
    assert placement.placed_on is not None
    if ended_on < placement.placed_on:
        raise Unsupported
    _check(new.child, disrupted_on=ended_on)
    placement.ended_on = ended_on
    new.saved(placement, AuditEvent.Action.UPDATE)


def _outcome(new: NewChild, *, kind: str, made_on: date) -> None:
    child = new.child
    if kind == PermanenceOutcome.Kind.ADOPTION_ORDER:
        if child.adoption_order_on:  # type: ignore[attr-defined]
            raise Unsupported
        _check(child, fields={"adoption_order_on": "made_on"}, adoption_order_on=made_on)
    else:
        _check(child, outcome_on=made_on)
        entered = child.entered_care_on  # type: ignore[attr-defined]
        if entered and made_on < entered:
            raise Unsupported
    outcome = PermanenceOutcome(child=child, kind=kind, made_on=made_on, court="")
    new.saved(outcome)
    new.outcomes.append(outcome)


STEPS: dict[str, Callable[..., None]] = {
    "period_start": _period_start,
    "period_start_before_records": _period_start_before_records,
    "episode": _episode,
    "period_end": _period_end,
    "decision": _decision,
    "reversal": _reversal,
    "placement_order": _placement_order,
    "adoptive_placement": _adoptive_placement,
    "placement_end": _placement_end,
    "adoption_order": _outcome,
    "permanence_outcome": _outcome,
}


def replay(plan: ChildPlan, la: Organisation) -> NewChild | None:
    """The new child's records as the services would write them, or None when the services must take the child
    (a step they would refuse, or one the replay does not model)."""
    ordered = plan.ordered()
    if not ordered or ordered[0].action != "child_create":
        return None
    fields = ordered[0].kwargs
    if set(fields) - CHILD_DETAIL_FIELDS:
        return None
    new = NewChild(plan, Child(responsible_la_id=la.pk, **fields))
    try:
        _child_create(new)
        for step in ordered[1:]:
            action = STEPS.get(step.action)
            if action is None:
                return None
            new.refresh_dates()
            action(new, **step.kwargs)
    except (Unsupported, ValidationError, TypeError):
        return None
    return new


def may_replay(actor: Any, la: Organisation) -> bool:
    """The checks every service makes of the actor, made once: may they write to this LA's children?"""
    return (
        tenancy.scope_for(actor).sees_la(la.pk)
        and may_write_journeys(actor)
        and may_write_journeys(actor, DECISION_WRITERS)
    )


def taken_ids(la: Organisation, plans: Sequence[ChildPlan]) -> set[str]:
    """The 903 IDs among the plans' new children that the LA already has (``_check_unique_ids`` refuses them)."""
    ids = [plan.child for plan in plans]
    return set(Child.objects.filter(responsible_la=la, child_903_id__in=ids).values_list("child_903_id", flat=True))


def write(batch: Sequence[NewChild], *, actor: Any, la: Organisation) -> bool:
    """Write the batch's records in dependency order inside a savepoint; False (nothing written) if the database
    refuses any row, so the caller can send the batch through the services for their messages."""
    try:
        with transaction.atomic():
            Child.objects.bulk_create([new.child for new in batch])
            # Each row's foreign key takes the id its parent row was just given (bulk_create reads it from the
            # related object), so the tables are written parents first.
            PeriodOfCare.objects.bulk_create([period for new in batch for period in new.periods])
            Episode.objects.bulk_create([episode for new in batch for _period, episode in new.episodes])
            AdoptionDecision.objects.bulk_create([d for new in batch for d in new.decisions])
            PlacementOrder.objects.bulk_create([o for new in batch for o in new.orders])
            AdoptivePlacement.objects.bulk_create([p for new in batch for p in new.placements])
            PermanenceOutcome.objects.bulk_create([o for new in batch for o in new.outcomes])
            events = [
                audit.unsaved(actor=actor, action=action, obj=new.child, organisation_id=la.pk)
                for new in batch
                for action in new.actions
            ]
            # ``occurred_at`` is the database's now(): the time the transaction began, the same for every event
            # the import writes. Read once and given to each, the rows are those the default would write, and
            # bulk_create need not compile a DEFAULT per row.
            with connection.cursor() as cursor:
                cursor.execute("SELECT now()")
                (now,) = cursor.fetchone()
            for event in events:
                event.occurred_at = now
            AuditEvent.objects.bulk_create(events)
    except DatabaseError:
        for new in batch:
            new.child.pk = None
        return False
    for new in batch:
        new.plan.created_id = new.child.pk
    return True
