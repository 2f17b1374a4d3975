"""Reads for measures computed by jobs that run without a user (the caller has checked access)."""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    DateField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    When,
)

from children.models import (
    AdoptivePlacement,
    Child,
    PeriodOfCare,
    PermanenceOutcome,
)


def adoptions_in_period(*, la_ids: frozenset[int] | set[int], start: date, end: date) -> QuerySet[Child]:
    """Children of ``la_ids`` adopted (adoption order) between ``start`` and ``end`` inclusive.

    For measures computed by jobs that run without a user: the caller has already checked that
    whoever asked may see ``la_ids``. Each child carries the dates the scorecard needs:
    ``adoption_order_on``; ``moved_in_on`` (placed for adoption with the family that adopted
    them); ``moved_in_with_carers_on`` (for children adopted by their foster carers); and
    ``entered_care_on`` (the start of the period of care in which they moved in).

    ``entered_care_on`` is empty when that period began before the returns held
    (``PeriodOfCare.start_before_records``): its recorded start is only the first episode known,
    later than the day the child entered care, so a measure counted from it would be too short. The
    measures that start at entering care (scorecard A1, A10 and A3) leave such children out, as
    they do a child with no date, rather than count from a wrong date.
    """
    adoption = PermanenceOutcome.objects.filter(child=OuterRef("pk"), kind=PermanenceOutcome.Kind.ADOPTION_ORDER)
    placement = AdoptivePlacement.objects.filter(
        child=OuterRef("pk"), placed_on__isnull=False, ended_on__isnull=True
    ).order_by("-placed_on")
    return (
        Child.objects.filter(
            responsible_la_id__in=la_ids,
            permanence_outcomes__kind=PermanenceOutcome.Kind.ADOPTION_ORDER,
            permanence_outcomes__made_on__range=(start, end),
        )
        .annotate(
            adoption_order_on=Subquery(adoption.values("made_on")[:1]),
            moved_in_on=Subquery(placement.values("placed_on")[:1]),
            moved_in_with_carers_on=Subquery(placement.values("moved_in_with_carers_on")[:1]),
        )
        .annotate(
            entered_care_on=Subquery(
                PeriodOfCare.objects.filter(child=OuterRef("pk"), started_on__lte=OuterRef("moved_in_on"))
                .order_by("-started_on")
                .annotate(
                    known_start=Case(
                        When(start_before_records=False, then=F("started_on")), default=None, output_field=DateField()
                    )
                )
                .values("known_start")[:1]
            )
        )
    )
