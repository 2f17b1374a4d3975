"""Writing the children that are new to the LA a batch at a time, one multi-row insert per table, instead of a service
call per step.

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
from functools import cache
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

    def records(self) -> list[models.Model]:
        """Every object the batch writes for this child."""
        return [
            self.child,
            *self.periods,
            *(episode for _period, episode in self.episodes),
            *self.decisions,
            *self.orders,
            *self.placements,
            *self.outcomes,
        ]

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


@cache
def _foreign_keys(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey))


def _clean(obj: models.Model) -> None:
    """``full_clean`` without the foreign keys (they point at rows written in the same batch) and without the
    constraints (the database holds them when the batch is written; a refusal sends the batch to the services)."""
    obj.full_clean(exclude=_foreign_keys(type(obj)), validate_unique=False, validate_constraints=False)


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
            # Each row's foreign key takes the id its parent row was just given, so the tables are written parents
            # first.
            _insert(Child, [new.child for new in batch])
            _insert(PeriodOfCare, [period for new in batch for period in new.periods])
            _insert(Episode, [episode for new in batch for _period, episode in new.episodes])
            _insert(AdoptionDecision, [d for new in batch for d in new.decisions])
            _insert(PlacementOrder, [o for new in batch for o in new.orders])
            _insert(AdoptivePlacement, [p for new in batch for p in new.placements])
            _insert(PermanenceOutcome, [o for new in batch for o in new.outcomes])
            _insert_audit_events(batch, actor=actor, la=la)
    except DatabaseError:
        for new in batch:
            for obj in new.records():
                obj.pk = None
                obj._state.adding = True
        return False
    for new in batch:
        new.plan.created_id = new.child.pk
    return True


# --- writing the rows --------------------------------------------------------------------------------------

# Fields whose value, once ``full_clean`` has run on the object (it sets each field to its ``to_python`` value),
# is exactly the value Django would send the database: their ``get_db_prep_save`` returns such a value unchanged.
# Any other field, or a value of another type, goes through ``get_db_prep_save`` as ``bulk_create`` sends it.
_SENT_AS_IS: dict[type[models.Field], Callable[[Any], bool]] = {
    models.CharField: lambda value: isinstance(value, str),  # a TextChoices member is a str
    models.BooleanField: lambda value: type(value) is bool,
    models.DateField: lambda value: type(value) is date,  # not a datetime, which DateField would cut to its day
    models.ForeignKey: lambda value: type(value) is int,
}


@dataclass(frozen=True)
class _Table:
    """How a model's rows are inserted: the statement and, per column, the field and how its value is read."""

    sql: str
    fields: tuple[models.Field, ...]
    auto: tuple[models.Field, ...]  # auto_now and the like: their pre_save stamps the object, as in bulk_create
    relations: tuple[models.ForeignKey, ...]


@cache
def _table(model: type[models.Model]) -> _Table:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    arrays = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in fields)  # type: ignore[union-attr]
    returning = connection.ops.quote_name(meta.pk.column)  # type: ignore[union-attr, arg-type]
    # Table and column names and types come from the model; every value is a parameter.
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) SELECT * FROM UNNEST({arrays}) "  # noqa: S608
    sql += f"RETURNING {returning}"
    auto = tuple(f for f in fields if _stamps(f))
    relations = tuple(f for f in fields if isinstance(f, models.ForeignKey))
    return _Table(sql, fields, auto, relations)


def _stamps(column: models.Field) -> bool:
    """Whether the field's ``pre_save`` sets the value to save (``auto_now``) rather than reading it."""
    if isinstance(column, models.DateField | models.TimeField):
        return bool(column.auto_now or column.auto_now_add)
    return type(column).pre_save is not models.Field.pre_save


def _column(column: models.Field, objs: Sequence[models.Model]) -> list[Any]:
    values = [getattr(obj, column.attname) for obj in objs]
    as_is = _SENT_AS_IS.get(type(column))
    if as_is is not None and all(value is None or as_is(value) for value in values):
        return values
    return [column.get_db_prep_save(value, connection) for value in values]


def _insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """``model.objects.bulk_create(objs)`` for new objects of these plain models, as the one ``INSERT ... SELECT
    FROM UNNEST`` that ``bulk_create`` sends, without the per-value work of Django's SQL compiler (for 2,000
    children that is a large share of the import). The same rows: each column's values are the fields' attribute
    values (converted by ``get_db_prep_save`` where the field needs it), the foreign keys take their parent's new
    id as ``bulk_create`` does, ``auto_now`` fields are stamped, and each object is given its id."""
    if not objs:
        return
    table = _table(model)
    for relation in table.relations:
        for obj in objs:
            if getattr(obj, relation.attname) is None and relation.is_cached(obj):
                parent = relation.get_cached_value(obj)
                if parent is not None:
                    if parent.pk is None:
                        raise ValueError(f"{model.__name__}: its {relation.name} is not saved")
                    setattr(obj, relation.attname, parent.pk)
    for stamped in table.auto:
        for obj in objs:
            stamped.pre_save(obj, True)
    params = [_column(column, objs) for column in table.fields]
    with connection.cursor() as cursor:
        cursor.execute(table.sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    alias = connection.alias
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def _insert_audit_events(batch: Sequence[NewChild], *, actor: Any, la: Organisation) -> None:
    """One audit event per step, as each service writes one, in one statement. Every event of the import has the
    same actor, request and LA and names a child: :func:`adoption.audit.unsaved` gives those fields once, and only
    the action and the child's id vary. ``occurred_at`` is the database's ``now()``: the time the transaction
    began, the same for every event the import writes."""
    events = [(action, str(new.child.pk)) for new in batch for action in new.actions]
    if not events:
        return
    template = audit.unsaved(actor=actor, action=events[0][0], obj=batch[0].child, organisation_id=la.pk)
    varying = ("occurred_at", "action", "object_id")
    by_name = {f.name: f for f in AuditEvent._meta.concrete_fields}
    fixed = [f for f in by_name.values() if not f.primary_key and f.name not in varying]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in (*fixed, *(by_name[name] for name in varying)))
    constants = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}" for f in fixed)  # type: ignore[union-attr]
    # Table and column names and types come from the model; every value is a parameter.
    sql = f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) SELECT {constants}, now(), "
    sql += "event.action, event.object_id FROM UNNEST(%s::varchar[], %s::varchar[]) AS event(action, object_id)"
    params = [f.get_db_prep_save(getattr(template, f.attname), connection) for f in fixed]
    params += [[str(action) for action, _id in events], [object_id for _action, object_id in events]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
