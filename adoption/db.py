"""Small database expressions shared by the measures."""

from __future__ import annotations

from django.db.models import Func, IntegerField


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (PostgreSQL: ``date - date`` is an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)
