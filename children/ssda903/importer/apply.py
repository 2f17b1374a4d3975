"""Carrying out the plans through the services, all or nothing."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from adoption.models import Organisation
from children import services
from children.ssda903.importer import bulk
from children.ssda903.importer.constants import _RULE_IN_MESSAGE, REFUSED
from children.ssda903.importer.steps import ChildPlan, Step
from children.ssda903.reader import Problem

logger = logging.getLogger(__name__)

# --- carrying out the plan ----------------------------------------------------------------------------

SERVICES: dict[str, Callable[..., Any]] = {
    "child_update": services.child_update,
    "period_start": services.period_of_care_start,
    "period_start_before_records": services.period_of_care_start_before_records,
    "episode": services.episode_record,
    "period_end": services.period_of_care_end,
    "decision": services.adoption_decision_record,
    "reversal": services.adoption_decision_reverse,
    "placement_order": services.placement_order_record,
    "adoptive_placement": services.adoptive_placement_record,
    "match_correction": services.adoptive_placement_match_correct,
    "placement_end": services.adoptive_placement_end,
    "adoption_order": services.permanence_outcome_record,
    "permanence_outcome": services.permanence_outcome_record,
}


def execute(plans: Sequence[ChildPlan], *, actor: Any, la: Organisation, commit: bool) -> list[Problem]:
    """Carry out every child's plan through the services; keep it only when ``commit`` and nobody was refused.

    Each child runs in its own savepoint so one refusal does not hide the next child's; the whole
    run is one transaction, rolled back unless everything succeeded and ``commit`` is true.
    """
    problems: list[Problem] = []
    with transaction.atomic():
        todo = [plan for plan in plans if plan.steps and not plan.problems]
        # Children new to the LA are written in batches (importer.bulk) when their plans replay cleanly; every
        # other child, and any the replay sends back, goes through the services one savepoint each.
        through_services = set(_write_new_children(todo, actor=actor, la=la)) if todo else set()
        for plan in todo:
            if plan.child_id is None and id(plan) not in through_services:
                continue
            problems.extend(_execute_child(plan, actor=actor, la=la))
        if problems or not commit:
            transaction.set_rollback(True)
            for plan in plans:
                plan.created_id = None
    return problems


def _write_new_children(plans: Sequence[ChildPlan], *, actor: Any, la: Organisation) -> list[int]:
    """Write the new children that replay cleanly, a batch at a time; the ``id()`` of the plans left to the
    services (those the replay does not take, and every child of a batch the database refused)."""
    new = [plan for plan in plans if plan.child_id is None]
    if not new or not bulk.may_replay(actor, la):
        return [id(plan) for plan in new]
    left: list[int] = []
    for start in range(0, len(new), bulk.BATCH):
        chunk = new[start : start + bulk.BATCH]
        taken = bulk.taken_ids(la, chunk)
        batch = []
        for plan in chunk:
            replayed = None if plan.child in taken else bulk.replay(plan, la)
            if replayed is None:
                left.append(id(plan))
            else:
                batch.append(replayed)
        if batch and not bulk.write(batch, actor=actor, la=la):
            left.extend(id(item.plan) for item in batch)
    return left


def _execute_child(plan: ChildPlan, *, actor: Any, la: Organisation) -> list[Problem]:
    step: Step | None = None
    try:
        with transaction.atomic():
            child_id = plan.child_id
            for step in plan.ordered():
                if step.action == "child_create":
                    child_id = services.child_create(actor=actor, responsible_la_id=la.pk, **step.kwargs).pk
                else:
                    SERVICES[step.action](actor=actor, child_id=child_id, **step.kwargs)
        if plan.child_id is None:
            plan.created_id = child_id
    except ValidationError as exc:
        where = (step.row if step and step.row else plan.header).where()
        found = []
        for message in exc.messages:
            code = _RULE_IN_MESSAGE.search(message)
            text = _RULE_IN_MESSAGE.sub("", message)
            what = f" ({step.text})" if step else ""
            found.append(Problem(code[1] if code else REFUSED, f"{text}{what}", **where))
        return found
    except IntegrityError as exc:
        # The child's id and the error's kind only: the error's detail quotes the row's values.
        logger.warning("903 import: integrity error for child id %s: %s", plan.child_id, type(exc).__name__)
        where = (step.row if step and step.row else plan.header).where()
        return [Problem(REFUSED, "The record could not be saved: it conflicts with what is recorded", **where)]
    return []


def plan_digest(plans: Sequence[ChildPlan]) -> str:
    """A fingerprint of the changes, so an apply can tell that the record changed since the preview."""
    payload = [
        [plan.child, [[s.action, {k: str(v) for k, v in sorted(s.kwargs.items())}] for s in plan.ordered()]]
        for plan in plans
        if plan.steps
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
