"""Reads of life story work and later life letters: every placed child of the actor's LAs, and where each stands.

A child is *placed* when they have an adoptive placement that has begun (``placed_on``) and has not
disrupted (``ended_on`` is only set when a placement ends before an adoption order): a child living with
their adoptive family now, or adopted from that placement. A disrupted placement does not count once it
has ended; a later placement that has begun does.

Each child has at most one record of each kind (``LifeStoryWork.Kind``). Its state is worked out in the
database, so the list filters and counts on it without a loop over children:

* **not scheduled**: no record yet;
* **due**: scheduled, not started;
* **in progress**: started, not done;
* **done**: the date it was done is recorded.

A record that is not done and whose due date has passed is **overdue** (due or in progress). The children
"without them" are those lacking either record or with one overdue.

A child's own page (and the pages that change a record) also answer for a child of the actor's LAs who is not
placed, or no longer is: it says so, and its records made while placed stay readable.

Records belong to the child's LA for tenancy: support social workers, managers and administrators see the
placed children of the LAs where they hold their role (``support.access``), and the child must also be one
the actor may see (``adoption.tenancy.scope_children``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, Trim
from django.http import Http404

from adoption import audit, tenancy
from adoption.models import AuditEvent, Membership, Organisation, User
from children.models import AdoptivePlacement, Child, PermanenceOutcome
from support import access
from support.models import LifeStoryWork

Kind = LifeStoryWork.Kind

# The two kinds, with the short name each one's annotations carry (``book_state``, ``letter_due_on``, ...).
KINDS: tuple[tuple[str, str], ...] = (("book", Kind.LIFE_STORY_BOOK), ("letter", Kind.LATER_LIFE_LETTER))
PREFIX = {kind: prefix for prefix, kind in KINDS}


class State:
    NOT_SCHEDULED = "not_scheduled"
    DUE = "due"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LABELS = {NOT_SCHEDULED: "Not scheduled", DUE: "Due", IN_PROGRESS: "In progress", DONE: "Done"}


# The list's state filter: the four states, and overdue (due or in progress, past the due date).
OVERDUE = "overdue"
STATE_FILTERS: tuple[tuple[str, str], ...] = (
    (State.NOT_SCHEDULED, "Not scheduled"),
    (State.DUE, "Due"),
    (OVERDUE, "Overdue"),
    (State.IN_PROGRESS, "In progress"),
    (State.DONE, "Done"),
)


# --- placed children ----------------------------------------------------------------------------------------------


def _placements() -> QuerySet[AdoptivePlacement]:
    """Placements that count: begun, and not disrupted."""
    return AdoptivePlacement.objects.filter(placed_on__isnull=False, ended_on__isnull=True)


def placed() -> Exists:
    """Children (``OuterRef("pk")``) with a placement that counts."""
    return Exists(_placements().filter(child=OuterRef("pk")))


def _placed_on() -> Subquery:
    latest = _placements().filter(child=OuterRef("pk")).order_by("-placed_on").values("placed_on")[:1]
    return Subquery(latest, output_field=DateField())


def _adoption_order_on() -> Subquery:
    order = PermanenceOutcome.objects.filter(child=OuterRef("pk"), kind=PermanenceOutcome.Kind.ADOPTION_ORDER)
    return Subquery(order.values("made_on")[:1], output_field=DateField())


def placement_dates(child_id: int) -> tuple[date | None, date | None]:
    """When the child moved in with their adoptive family (the placement that counts), and their adoption order.

    ``(None, None)`` for a child who is not placed.
    """
    row = (
        Child.objects.filter(pk=child_id)
        .filter(placed())
        .annotate(placed_on=_placed_on(), adoption_order_on=_adoption_order_on())
        .values_list("placed_on", "adoption_order_on")
        .first()
    )
    return (row[0], row[1]) if row else (None, None)


def _worker_name(worker: str) -> Case:
    """The worker's name as ``User.display_name`` gives it (full name, else username); "" when none."""
    return Case(
        When(**{f"{worker}__isnull": True}, then=Value("")),
        When(**{f"{worker}__first_name": "", f"{worker}__last_name": ""}, then=F(f"{worker}__username")),
        default=Trim(Concat(F(f"{worker}__first_name"), Value(" "), F(f"{worker}__last_name"))),
        output_field=CharField(),
    )


def _with_work(children: QuerySet[Child], today: date) -> QuerySet[Child]:
    """Each child's placement and order dates, and for each kind its record's dates, worker, state and overdue.

    One LEFT JOIN per kind (``FilteredRelation``; a child has at most one record of each kind), so the state
    is a column the database filters and counts on.
    """
    children = children.annotate(placed_on=_placed_on(), adoption_order_on=_adoption_order_on())
    for prefix, kind in KINDS:
        work = f"_{prefix}"
        children = children.annotate(
            **{work: FilteredRelation("life_story_work", condition=Q(life_story_work__kind=kind))}
        ).annotate(
            **{
                f"{prefix}_id": F(f"{work}__id"),
                f"{prefix}_due_on": F(f"{work}__due_on"),
                f"{prefix}_started_on": F(f"{work}__started_on"),
                f"{prefix}_completed_on": F(f"{work}__completed_on"),
                f"{prefix}_worker": _worker_name(f"{work}__worker"),
                f"{prefix}_state": Case(
                    When(in_state(prefix, State.NOT_SCHEDULED, today), then=Value(State.NOT_SCHEDULED)),
                    When(in_state(prefix, State.DONE, today), then=Value(State.DONE)),
                    When(in_state(prefix, State.IN_PROGRESS, today), then=Value(State.IN_PROGRESS)),
                    default=Value(State.DUE),
                    output_field=CharField(),
                ),
                f"{prefix}_overdue": Case(
                    When(in_state(prefix, OVERDUE, today), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                ),
            }
        )
    return children


def _children_in_scope(actor: Any) -> QuerySet[Child]:
    """The children of the LAs whose support the actor works on, placed or not, that they may see."""
    return access.scope_support(tenancy.scope_children(Child.objects.all(), actor), actor, la_field="responsible_la")


def _scoped_children(actor: Any) -> QuerySet[Child]:
    """The actor's placed children: of the LAs whose support they work on, and children they may see."""
    return _children_in_scope(actor).filter(placed())


def in_state(prefix: str, state: str, today: date) -> Q:
    """The children whose record of a kind (by its prefix, ``book`` or ``letter``) is in ``state``.

    On the joined record's columns, so it serves ``filter()`` and ``Count(filter=...)`` alike (an aggregate's
    filter cannot refer to another annotation by name).
    """
    work = f"_{prefix}"
    conditions = {
        State.NOT_SCHEDULED: Q(**{f"{work}__id__isnull": True}),
        State.DUE: Q(**{f"{work}__id__isnull": False, f"{work}__started_on__isnull": True})
        & Q(**{f"{work}__completed_on__isnull": True}),
        State.IN_PROGRESS: Q(**{f"{work}__started_on__isnull": False, f"{work}__completed_on__isnull": True}),
        State.DONE: Q(**{f"{work}__completed_on__isnull": False}),
        OVERDUE: Q(**{f"{work}__id__isnull": False, f"{work}__completed_on__isnull": True})
        & Q(**{f"{work}__due_on__lt": today}),
    }
    return conditions[state]


def missing(today: date) -> Q:
    """Children without their life story work: either record missing, or one overdue."""
    condition = Q()
    for prefix, _kind in KINDS:
        condition |= in_state(prefix, State.NOT_SCHEDULED, today) | in_state(prefix, OVERDUE, today)
    return condition


def placed_children(
    *,
    actor: Any,
    today: date,
    state: str = "",
    kind: str = "",
    la_id: int | None = None,
    only_missing: bool = False,
) -> QuerySet[Child]:
    """The actor's placed children with their life story work (see :func:`_with_work`), by name.

    ``state`` (one of :data:`STATE_FILTERS`) keeps the children with a record of ``kind`` in that state, or
    either record when ``kind`` is empty; ``only_missing`` keeps the children without them (:func:`missing`).
    """
    children = _with_work(_scoped_children(actor).select_related("responsible_la"), today)
    if la_id is not None:
        children = children.filter(responsible_la_id=la_id)
    if state:
        prefixes = [PREFIX[kind]] if kind in PREFIX else [prefix for prefix, _ in KINDS]
        condition = Q()
        for prefix in prefixes:
            condition |= in_state(prefix, state, today)
        children = children.filter(condition)
    if only_missing:
        children = children.filter(missing(today))
    return children.order_by("last_name", "first_name", "id")


@dataclass(frozen=True)
class KindCounts:
    kind: str
    label: str
    not_scheduled: int
    due: int
    in_progress: int
    done: int
    overdue: int


@dataclass(frozen=True)
class Counts:
    children: int
    missing: int
    kinds: list[KindCounts]


def counts(*, actor: Any, today: date, la_id: int | None = None) -> Counts:
    """How many placed children, how many without their life story work, and each kind by state: one query."""
    children = _with_work(_scoped_children(actor), today)
    if la_id is not None:
        children = children.filter(responsible_la_id=la_id)
    measures: dict[str, Any] = {"children": Count("id"), "missing": Count("id", filter=missing(today))}
    for prefix, _kind in KINDS:
        for state in (*State.LABELS, OVERDUE):
            measures[f"{prefix}_{state}"] = Count("id", filter=in_state(prefix, state, today))
    row = children.aggregate(**measures)
    return Counts(
        children=row["children"],
        missing=row["missing"],
        kinds=[
            KindCounts(
                kind=kind,
                label=Kind(kind).label,
                not_scheduled=row[f"{prefix}_{State.NOT_SCHEDULED}"],
                due=row[f"{prefix}_{State.DUE}"],
                in_progress=row[f"{prefix}_{State.IN_PROGRESS}"],
                done=row[f"{prefix}_{State.DONE}"],
                overdue=row[f"{prefix}_{OVERDUE}"],
            )
            for prefix, kind in KINDS
        ],
    )


def support_las(actor: Any) -> list[Organisation]:
    """The LAs whose support the actor sees (the list's LA filter)."""
    return list(Organisation.objects.filter(id__in=access.reader_la_ids(actor)).order_by("name"))


# --- one child ----------------------------------------------------------------------------------------------------


def child_get(*, actor: Any, child_id: int, today: date, record_read: bool = True) -> Child:
    """A child of the actor's LAs with their life story work (as :func:`placed_children`), or 404.

    ``child.is_placed`` says whether the child is placed (a child whose placement disrupted keeps the records
    made while placed); ``child.work`` maps each kind to its record (with its worker) or None. Records one read.
    """
    children = _children_in_scope(actor).select_related("responsible_la").annotate(is_placed=placed())
    child = _with_work(children, today).filter(pk=child_id).first()
    if child is None:
        raise Http404("No such child.")
    records = {w.kind: w for w in LifeStoryWork.objects.filter(child=child).select_related("worker")}
    child.work = {kind: records.get(kind) for _prefix, kind in KINDS}  # type: ignore[attr-defined]
    if record_read:
        audit.record(actor=actor, action=AuditEvent.Action.READ, obj=child, organisation_id=child.responsible_la_id)
    return child


def work_get(*, actor: Any, work_id: int) -> LifeStoryWork:
    """One record of a child of the actor's LAs (for the pages that change it), or 404."""
    records = LifeStoryWork.objects.select_related("child", "worker")
    work = (
        access.scope_support(records, actor, la_field="child__responsible_la")
        .filter(pk=work_id, child__in=tenancy.scope_children(Child.objects.all(), actor))
        .first()
    )
    if work is None:
        raise Http404("No such life story work.")
    return work


def workers(la_id: int) -> QuerySet[User]:
    """Who life story work of an LA may be allocated to: support social workers and managers of the LA or its RAA."""
    raa_id = Organisation.objects.filter(pk=la_id).values("raa_id")
    held = Membership.objects.filter(
        is_active=True, organisation__is_active=True, role__in=tenancy.SUPPORT_WRITERS
    ).filter(Q(organisation_id=la_id) | Q(organisation_id__in=raa_id))
    return User.objects.filter(is_active=True, id__in=held.values("user_id")).order_by(
        "last_name", "first_name", "username"
    )
