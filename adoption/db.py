"""Small database expressions shared by the measures."""

from __future__ import annotations

from typing import Any

from django.db.models import DateField, DurationField, ExpressionWrapper, F, Func, IntegerField
from django.db.models.functions import Cast


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (PostgreSQL: ``date - date`` is an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)


def plus_months(day_field: str, months: Any) -> Cast:
    """``day + n months`` as PostgreSQL counts it (the last day of a shorter month), as a date."""
    interval = Func(months, template="make_interval(months => %(expressions)s)", output_field=DurationField())
    return Cast(ExpressionWrapper(F(day_field) + interval, output_field=DateField()), DateField())
