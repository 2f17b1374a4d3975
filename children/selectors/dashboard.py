"""Reads for the managers' dashboard (``reporting.dashboard``): the children's pipeline of a quarter.

Like :mod:`children.selectors.scorecard`, this takes ``la_ids`` that the caller has already narrowed to what
whoever asked may see (``adoption.tenancy``). It adds two flows to the scorecard's children, so the counts
the dashboard shows beside the scorecard use the scorecard's own definitions of a new decision, a new
placement order, an adoption and a child waiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import Any

from django.contrib.postgres.aggregates import BitOr
from django.db.models import Case, F, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan

from children.models import AdoptivePlacement, Child
from children.selectors.scorecard import (
    HASH_FLAGS_FROM_LAS,
    Has,
    flag,
    has_record,
    headline_flags,
    scorecard_children,
)


def _pipeline_flags(*, start: date, end: date, has: Has) -> dict[str, Q]:
    return {
        "matched_in_period": has(AdoptivePlacement, Q(matched_on__range=(start, end))),
        "placed_in_period": has(AdoptivePlacement, Q(placed_on__range=(start, end))),
    }


def pipeline_children(*, la_ids: Iterable[int], start: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` with a flag for each step of the pipeline between ``start`` and ``end``.

    :func:`children.selectors.scorecard.scorecard_children`'s flags (``new_decision``, ``new_order``,
    ``adopted``, ``waiting`` at ``end``...), and:

    * ``matched_in_period``: a match decision with an adoptive family made in the period (903 AD1
      DATE_MATCH), whether or not the child has moved in since;
    * ``placed_in_period``: moved in with an adoptive family in the period.

    Each child counts once per flag, however many placements they have (a placement that disrupted and a
    new one in the same quarter is one child matched).
    """
    la_ids = frozenset(la_ids)
    flags = _pipeline_flags(start=start, end=end, has=partial(has_record, by_hash=len(la_ids) > HASH_FLAGS_FROM_LAS))
    return scorecard_children(la_ids=la_ids, start=start, end=end).annotate(
        **{name: flag(condition) for name, condition in flags.items()}
    )


# The dashboard's figures of the children: the pipeline's of the quarter, and the scorecard's headline counts of
# the 3 years to the same end (named ``period_<flag>``; the stock ``waiting`` is the same at the one end).
PIPELINE_FLAGS = ("new_decision", "new_order", "matched_in_period", "placed_in_period", "adopted", "waiting")
HEADLINE_FLAGS = ("new_decision", "new_order", "adopted", "waiting", "waiting_with_order", "decision_reversed")


class RecordBits:
    """Flags read from one lookup per child and table: each condition a flag asks of a table is a bit of a number
    that one subquery per table works out for the child (the OR of its rows' bits), and the flag tests its bits.

    Used as ``has`` for :func:`children.selectors.scorecard.headline_flags`, so the flags are the very same
    conditions; ``annotations`` are the numbers to annotate the children with. For a few thousand children this
    reads each child's records of a table once (4 lookups a child) instead of once per flag (16 for the dashboard).
    """

    def __init__(self) -> None:
        self.conditions: dict[type[Model], list[Q]] = {}

    @staticmethod
    def _name(model: type[Model]) -> str:
        return f"{model._meta.model_name}_bits"

    def has(self, model: type[Model], condition: Q) -> Q:
        conditions = self.conditions.setdefault(model, [])
        if condition not in conditions:
            conditions.append(condition)
        bit = 1 << conditions.index(condition)
        # No rows: no bits (0), so that "has not" holds.
        return Q(GreaterThan(Coalesce(F(self._name(model)), 0).bitand(bit), 0))

    def annotations(self) -> dict[str, Any]:
        numbers: dict[str, Any] = {}
        for model, conditions in self.conditions.items():
            bits = sum(
                (
                    Case(When(condition, then=Value(1 << index)), default=Value(0))
                    for index, condition in enumerate(conditions)
                ),
                start=Value(0),
            )
            rows = model._default_manager.filter(child=OuterRef("pk")).order_by().values("child")
            numbers[self._name(model)] = Subquery(
                rows.annotate(bits=BitOr(bits)).values("bits"), output_field=IntegerField()
            )
        return numbers


def dashboard_children(
    *, la_ids: Iterable[int], quarter_start: date, period_start: date, end: date
) -> tuple[QuerySet[Child], dict[str, Q]]:
    """Children of ``la_ids``, and the conditions on them of :func:`pipeline_children`'s flags of the quarter
    ``quarter_start`` to ``end`` and of :func:`children.selectors.scorecard.scorecard_children`'s of the period
    ``period_start`` to ``end`` (``period_new_decision``...): the same conditions, for one aggregate query over the
    children (``Count("pk", filter=conditions[name])``) instead of two.

    For many LAs the conditions read each table once (``HASH_FLAGS_FROM_LAS``); for fewer, the children carry one
    number per table (:class:`RecordBits`) that the conditions test, worked out once per child (``distinct()``
    keeps PostgreSQL from copying each number's subquery into every condition that reads it)."""
    la_ids = frozenset(la_ids)
    children = Child.objects.filter(responsible_la_id__in=la_ids)
    bits = None if len(la_ids) > HASH_FLAGS_FROM_LAS else RecordBits()
    has: Has = partial(has_record, by_hash=True) if bits is None else bits.has
    quarter = headline_flags(la_ids=la_ids, start=quarter_start, end=end, has=has)
    quarter |= _pipeline_flags(start=quarter_start, end=end, has=has)
    period = headline_flags(la_ids=la_ids, start=period_start, end=end, has=has)
    conditions = {name: quarter[name] for name in PIPELINE_FLAGS} | {
        f"period_{name}": period[name] for name in HEADLINE_FLAGS if name != "waiting"
    }
    if bits is not None:
        numbers = bits.annotations()
        children = children.annotate(**numbers).values("pk", *numbers).order_by().distinct()
    return children, conditions
