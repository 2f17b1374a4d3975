"""Every write to life story work and later life letters: schedule, start, record done, allocate a worker.

Every placed child (``support.selectors.life_story``) should have a **life story book** and a **later
life letter**. When the worker does not give a due date, scheduling sets one by a simple house rule (not
a statutory one; the worker may set any other date):

* the life story book is due by the date of the adoption order if it is known, else 6 months after the
  child moved in with the family;
* the later life letter is due 10 working days after the adoption order if it is known, else 3 months
  after the child moved in.

The due date is set when the work is scheduled and does not move by itself when an order is made later:
the worker reschedules it.

Each service finds the record within the actor's LAs (404 outside them; the records belong to the child's
LA), checks that the actor may change that LA's support records (403), checks the rules, saves in one
transaction and writes one audit event. A refusal raises ``ValidationError`` keyed by field and saves nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from adoption import audit, concurrency, tenancy
from adoption.dates import in_words as _fmt
from adoption.models import AuditEvent
from adoption.working_days import add_working_days
from children.models import Child
from support import access
from support.models import LifeStoryWork
from support.selectors import life_story as selectors

Kind = LifeStoryWork.Kind

# The house rule for a due date the worker does not give (see the module docstring).
BOOK_MONTHS_AFTER_PLACEMENT = 6
LETTER_MONTHS_AFTER_PLACEMENT = 3
LETTER_WORKING_DAYS_AFTER_ORDER = 10


def default_due_on(*, kind: str, placed_on: date, adoption_order_on: date | None) -> date:
    """When a kind of life story work is due for a child placed on ``placed_on`` (see the module docstring)."""
    if kind == Kind.LIFE_STORY_BOOK:
        return adoption_order_on or placed_on + relativedelta(months=BOOK_MONTHS_AFTER_PLACEMENT)
    if adoption_order_on is not None:
        return add_working_days(adoption_order_on, LETTER_WORKING_DAYS_AFTER_ORDER)
    return placed_on + relativedelta(months=LETTER_MONTHS_AFTER_PLACEMENT)


def _save(actor: Any, work: LifeStoryWork, *, la_id: int, action: AuditEvent.Action) -> LifeStoryWork:
    work.full_clean()
    work.save()
    audit.record(actor=actor, action=action, obj=work, organisation_id=la_id)
    return work


def _not_future(field: str, day: date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: f"The {what} must be today or in the past"})


def _check_worker(worker_id: int | None, la_id: int) -> None:
    if worker_id is not None and not selectors.workers(la_id).filter(pk=worker_id).exists():
        raise ValidationError({"worker": "Choose a support social worker or manager of the child's LA or its RAA"})


def _what(work: LifeStoryWork) -> str:
    return "The life story book" if work.kind == Kind.LIFE_STORY_BOOK else "The later life letter"


def _child_for_write(actor: Any, child_id: int) -> Child:
    """The child, locked for this transaction: 404 outside the actor's LAs, 403 if they only read them."""
    children = tenancy.scope_children(Child.objects.select_for_update(of=("self",)), actor)
    child = access.scope_support(children, actor, la_field="responsible_la").filter(pk=child_id).first()
    if child is None:
        raise Http404("No such child.")
    if not access.may_write_support(actor, la_id=child.responsible_la_id):
        raise PermissionDenied("Your role cannot change adoption support records.")
    return child


def _work_for_write(actor: Any, work_id: int) -> LifeStoryWork:
    queryset = LifeStoryWork.objects.select_related("child")
    work: LifeStoryWork = access.for_write(actor, queryset, work_id, la_field="child__responsible_la")
    if not tenancy.scope_children(Child.objects.filter(pk=work.child_id), actor).exists():
        raise Http404("No such life story work.")
    return work


@transaction.atomic
def life_story_work_schedule(
    *,
    actor: Any,
    child_id: int,
    kind: str,
    due_on: date | None = None,
    worker_id: int | None = None,
    expected_version: str | None = None,
) -> LifeStoryWork:
    """Schedule a placed child's life story book or later life letter (or move its due date, change its worker).

    Without ``due_on`` the house rule sets it (:func:`default_due_on`). Refused if the record is no longer
    ``expected_version`` (``adoption.concurrency``; the version of no record before it is first scheduled).
    """
    child = _child_for_write(actor, child_id)
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose a life story book or a later life letter"})
    placed_on, adoption_order_on = selectors.placement_dates(child.pk)
    if placed_on is None:
        raise ValidationError(
            {"child": f"{child.full_name} is not placed for adoption: life story work is for placed children"}
        )
    work = LifeStoryWork.objects.select_for_update().filter(child=child, kind=kind).first()
    concurrency.check_unchanged(expected_version, work)
    action = AuditEvent.Action.UPDATE if work else AuditEvent.Action.CREATE
    work = work or LifeStoryWork(child=child, kind=kind)
    if work.completed_on is not None:
        raise ValidationError(
            {"due_on": f"{_what(work)} was done on {_fmt(work.completed_on)}: there is nothing to schedule"}
        )
    if due_on is None:
        due_on = default_due_on(kind=kind, placed_on=placed_on, adoption_order_on=adoption_order_on)
    elif due_on < placed_on:
        raise ValidationError(
            {"due_on": f"The due date must be on or after the day {child.first_name} moved in, {_fmt(placed_on)}"}
        )
    _check_worker(worker_id, child.responsible_la_id)
    work.due_on = due_on
    work.worker_id = worker_id
    return _save(actor, work, la_id=child.responsible_la_id, action=action)


@transaction.atomic
def life_story_work_start(
    *, actor: Any, work_id: int, started_on: date, expected_version: str | None = None
) -> LifeStoryWork:
    """Record the day the work started (or correct it, until it is done).

    Refused if the record is no longer ``expected_version`` (``adoption.concurrency``)."""
    work = _work_for_write(actor, work_id)
    concurrency.check_unchanged(expected_version, work)
    if work.completed_on is not None:
        raise ValidationError({"started_on": f"{_what(work)} was done on {_fmt(work.completed_on)}"})
    _not_future("started_on", started_on, "date it started")
    work.started_on = started_on
    return _save(actor, work, la_id=work.child.responsible_la_id, action=AuditEvent.Action.UPDATE)


@transaction.atomic
def life_story_work_complete(
    *, actor: Any, work_id: int, completed_on: date, expected_version: str | None = None
) -> LifeStoryWork:
    """Record the day the work was done (given to the family, or placed on the child's file).

    Refused if the record is no longer ``expected_version`` (``adoption.concurrency``)."""
    work = _work_for_write(actor, work_id)
    concurrency.check_unchanged(expected_version, work)
    if work.started_on is None:
        raise ValidationError({"completed_on": "Record the date the work started before recording it done"})
    _not_future("completed_on", completed_on, "date it was done")
    if completed_on < work.started_on:
        raise ValidationError(
            {"completed_on": f"The date it was done must be on or after it started, {_fmt(work.started_on)}"}
        )
    work.completed_on = completed_on
    return _save(actor, work, la_id=work.child.responsible_la_id, action=AuditEvent.Action.UPDATE)


@transaction.atomic
def life_story_work_allocate(
    *, actor: Any, work_id: int, worker_id: int | None, expected_version: str | None = None
) -> LifeStoryWork:
    """Give the work to a support social worker or manager of the child's LA, or to no one (``None``).

    Refused if the record is no longer ``expected_version`` (``adoption.concurrency``)."""
    work = _work_for_write(actor, work_id)
    concurrency.check_unchanged(expected_version, work)
    _check_worker(worker_id, work.child.responsible_la_id)
    work.worker_id = worker_id
    return _save(actor, work, la_id=work.child.responsible_la_id, action=AuditEvent.Action.UPDATE)
