"""Reads for measures computed by jobs that run without a user (the caller has checked access)."""

from __future__ import annotations

from datetime import date

from django.db.models import F, QuerySet

from children.models import Child


def adoptions_in_period(*, la_ids: frozenset[int] | set[int], start: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` adopted (adoption order) between ``start`` and ``end`` inclusive.

    For measures computed by jobs that run without a user: the caller has already checked that
    whoever asked may see ``la_ids``. Each child carries the dates the scorecard needs:
    ``adoption_order_on``; ``moved_in_on`` (placed for adoption with the family that adopted
    them: their current placement, begun and not ended, the latest begun); ``moved_in_with_carers_on``
    (for children adopted by their foster carers); and ``entered_care_on`` (the start of the period
    of care in which they moved in: the latest begun on or before that day).

    ``entered_care_on`` is empty when that period began before the returns held
    (``PeriodOfCare.start_before_records``): its recorded start is only the first episode known,
    later than the day the child entered care, so a measure counted from it would be too short. The
    measures that start at entering care (scorecard A1, A10 and A3) leave such children out, as
    they do a child with no date, rather than count from a wrong date.

    The dates are read from :class:`children.models.ChildAdoptionDates`, which the database keeps
    (``children.0008``: triggers recompute a child's row whenever their adoption order, placements,
    periods of care, placement orders or responsible LA change), so one join, not a lookup per child.
    """
    return Child.objects.filter(
        adoption_dates__responsible_la_id__in=la_ids,
        adoption_dates__adoption_order_on__range=(start, end),
    ).annotate(
        adoption_order_on=F("adoption_dates__adoption_order_on"),
        moved_in_on=F("adoption_dates__moved_in_on"),
        moved_in_with_carers_on=F("adoption_dates__moved_in_with_carers_on"),
        entered_care_on=F("adoption_dates__entered_care_on"),
    )
