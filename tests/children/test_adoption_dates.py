"""Each adopted child's dates kept by the database (``ChildAdoptionDates``, children.0008) are what the scorecard's
correlated subqueries computed from the source rows, after bulk inserts, bulk updates, deletes and a child moving LA.

``reference_adoptions`` is the computation ``adoptions_in_period`` and ``scorecard_adoptions`` did before the
snapshot (one lookup per child and date), kept here only as the reference the snapshot must equal.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import BooleanField, Case, DateField, F, OuterRef, Subquery, When
from django.db.models.functions import Coalesce

from children.models import (
    AdoptivePlacement,
    Child,
    ChildAdoptionDates,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
)
from children.selectors.scorecard import scorecard_adoptions
from tests import factories

COLUMNS = (
    "responsible_la_id",
    "adoption_order_on",
    "moved_in_on",
    "moved_in_with_carers_on",
    "entered_care_on",
    "matched_on",
    "with_foster_carers",
    "order_for_match_on",
    "order_for_match_before_records",
)
EVER = (date(1990, 1, 1), date(2100, 1, 1))
GUARDED = (
    "children_child",
    "children_adoptiondecision",
    *(model._meta.db_table for model in (AdoptivePlacement, PeriodOfCare, PermanenceOutcome, PlacementOrder)),
)


def reference_adoptions(*, la_ids: set[int], start: date, end: date) -> dict[int, tuple[Any, ...]]:
    """The old computation: every date by a correlated subquery on the source tables."""
    adoption = PermanenceOutcome.objects.filter(child=OuterRef("pk"), kind=PermanenceOutcome.Kind.ADOPTION_ORDER)
    placement = AdoptivePlacement.objects.filter(
        child=OuterRef("pk"), placed_on__isnull=False, ended_on__isnull=True
    ).order_by("-placed_on")
    children = (
        Child.objects.filter(
            responsible_la_id__in=la_ids,
            permanence_outcomes__kind=PermanenceOutcome.Kind.ADOPTION_ORDER,
            permanence_outcomes__made_on__range=(start, end),
        )
        .annotate(
            adoption_order_on=Subquery(adoption.values("made_on")[:1]),
            moved_in_on=Subquery(placement.values("placed_on")[:1]),
            moved_in_with_carers_on=Subquery(placement.values("moved_in_with_carers_on")[:1]),
            matched_on=Subquery(placement.values("matched_on")[:1]),
            with_foster_carers=Subquery(placement.values("with_foster_carers")[:1], output_field=BooleanField()),
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
    on_or_before = PlacementOrder.objects.filter(child=OuterRef("pk"), made_on__lte=OuterRef("matched_on")).order_by(
        "-made_on"
    )
    after = PlacementOrder.objects.filter(child=OuterRef("pk"), made_on__gt=OuterRef("matched_on")).order_by("made_on")
    children = children.annotate(
        order_for_match_on=Coalesce(
            Subquery(on_or_before.values("made_on")[:1]), Subquery(after.values("made_on")[:1])
        ),
        order_for_match_before_records=Coalesce(
            Subquery(on_or_before.values("made_before_records")[:1]),
            Subquery(after.values("made_before_records")[:1]),
            output_field=BooleanField(),
        ),
    )
    return {row[0]: row[1:] for row in children.values_list("pk", *COLUMNS)}


def snapshot_adoptions(*, la_ids: set[int], start: date, end: date) -> dict[int, tuple[Any, ...]]:
    children = scorecard_adoptions(la_ids=la_ids, start=start, end=end)
    return {row[0]: row[1:] for row in children.values_list("pk", *COLUMNS)}


def assert_snapshot_is_the_reference(la_ids: set[int]) -> dict[int, tuple[Any, ...]]:
    expected = reference_adoptions(la_ids=la_ids, start=EVER[0], end=EVER[1])
    assert snapshot_adoptions(la_ids=la_ids, start=EVER[0], end=EVER[1]) == expected
    for each in la_ids:
        for start, end in ((date(2019, 4, 1), date(2022, 3, 31)), (date(2022, 4, 1), date(2025, 3, 31))):
            assert snapshot_adoptions(la_ids={each}, start=start, end=end) == reference_adoptions(
                la_ids={each}, start=start, end=end
            )
    # No row is left over for a child who is no longer adopted (or no longer there).
    adopted = PermanenceOutcome.objects.filter(kind=PermanenceOutcome.Kind.ADOPTION_ORDER).values_list(
        "child_id", flat=True
    )
    assert set(ChildAdoptionDates.objects.values_list("child_id", flat=True)) == set(adopted)
    return expected


def _day(rng: random.Random, start: date, days: int) -> date:
    return start + timedelta(days=rng.randrange(days))


def build_children(rng: random.Random, las: list, household, count: int) -> list[Child]:
    """``count`` children with varied histories, each model written in one bulk statement (as an import does)."""
    children = [factories.ChildFactory(responsible_la=rng.choice(las)) for _ in range(count)]
    periods, orders, placements, outcomes = [], [], [], []
    for child in children:
        entered = _day(rng, date(2016, 1, 1), 2000)
        starts = sorted({entered + timedelta(days=rng.randrange(0, 1500)) for _ in range(rng.randrange(0, 4))})
        for index, started_on in enumerate(starts):
            periods.append(
                PeriodOfCare(child=child, started_on=started_on, start_before_records=index == 0 and rng.random() < 0.3)
            )
        for made_on in sorted({entered + timedelta(days=rng.randrange(0, 1500)) for _ in range(rng.randrange(0, 4))}):
            orders.append(PlacementOrder(child=child, made_on=made_on, made_before_records=rng.random() < 0.25))
        # Placements: ended ones, at most a few current ones on distinct days, some not yet begun.
        placed_days = sorted({entered + timedelta(days=rng.randrange(200, 1800)) for _ in range(rng.randrange(0, 4))})
        for placed_on in placed_days:
            matched_on = placed_on - timedelta(days=rng.randrange(0, 60))
            carers = rng.random() < 0.3
            placements.append(
                AdoptivePlacement(
                    child=child,
                    household=household,
                    matched_on=matched_on,
                    placed_on=placed_on,
                    with_foster_carers=carers,
                    moved_in_with_carers_on=placed_on - timedelta(days=rng.randrange(0, 300))
                    if carers and rng.random() < 0.7
                    else None,
                    ended_on=placed_on + timedelta(days=rng.randrange(10, 200)) if rng.random() < 0.35 else None,
                )
            )
        if rng.random() < 0.15:
            placements.append(
                AdoptivePlacement(child=child, household=household, matched_on=entered + timedelta(days=900))
            )
        if rng.random() < 0.8:
            outcomes.append(
                PermanenceOutcome(
                    child=child, kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on=_day(rng, date(2019, 1, 1), 2500)
                )
            )
        if rng.random() < 0.2:
            outcomes.append(
                PermanenceOutcome(child=child, kind=PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP, made_on=entered)
            )
    PeriodOfCare.objects.bulk_create(periods)
    PlacementOrder.objects.bulk_create(orders)
    AdoptivePlacement.objects.bulk_create(placements)
    PermanenceOutcome.objects.bulk_create(outcomes)
    return children


@pytest.fixture
def without_delete_guard(db):
    """The retention guard refuses deletes without an approved disposal; these tests are about what the snapshot
    does when rows go, so it is off for them (inside the test's transaction, rolled back with it)."""
    with connection.cursor() as cursor:
        for table in GUARDED:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER adoption_retention_guard")


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_snapshot_equals_the_correlated_computation_through_bulk_writes(
    seed, raa, la_a, la_b, without_delete_guard
):
    rng = random.Random(seed)
    household = factories.HouseholdFactory(approving_agency=raa)
    children = build_children(rng, [la_a, la_b], household, 60)
    las = {la_a.pk, la_b.pk}
    first = assert_snapshot_is_the_reference(las)
    # The generated set covers what the dates depend on.
    assert any(row[2] is None for row in first.values())  # adopted with no current placement
    assert any(row[4] is None and row[2] is not None for row in first.values())  # entered care unknown
    assert any(row[4] is not None for row in first.values())
    assert any(row[8] is True for row in first.values()) and any(row[8] is False for row in first.values())

    # Bulk updates: placements end, periods and orders change, a placement moves to another child.
    current = list(AdoptivePlacement.objects.filter(placed_on__isnull=False, ended_on__isnull=True))
    ending = rng.sample(current, k=len(current) // 3)
    AdoptivePlacement.objects.filter(pk__in=[p.pk for p in ending]).update(ended_on=F("placed_on") + timedelta(days=5))
    PeriodOfCare.objects.filter(start_before_records=True).update(start_before_records=False)
    PlacementOrder.objects.filter(pk__in=PlacementOrder.objects.order_by("?").values("pk")[:20]).update(
        made_before_records=True, made_on=F("made_on") - timedelta(days=400)
    )
    moved = current[-1]
    others = [c for c in children if c.pk != moved.child_id and not c.adoptive_placements.exists()]
    AdoptivePlacement.objects.filter(pk=moved.pk).update(child=others[0])
    assert_snapshot_is_the_reference(las)

    # Deletes: orders, periods, placements and adoption orders go; new adoption orders come.
    PlacementOrder.objects.filter(pk__in=PlacementOrder.objects.order_by("?").values("pk")[:15]).delete()
    PeriodOfCare.objects.filter(pk__in=PeriodOfCare.objects.order_by("?").values("pk")[:15]).delete()
    AdoptivePlacement.objects.filter(pk__in=AdoptivePlacement.objects.order_by("?").values("pk")[:10]).delete()
    adopted = PermanenceOutcome.objects.filter(kind=PermanenceOutcome.Kind.ADOPTION_ORDER)
    adopted.filter(pk__in=adopted.order_by("?").values("pk")[:8]).delete()
    not_adopted = Child.objects.filter(responsible_la__in=las).exclude(
        permanence_outcomes__kind=PermanenceOutcome.Kind.ADOPTION_ORDER
    )
    PermanenceOutcome.objects.bulk_create(
        PermanenceOutcome(child=child, kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on=date(2023, 6, 1))
        for child in not_adopted[:5]
    )
    assert_snapshot_is_the_reference(las)

    # Children moving LA (their row follows: LA A's scorecard no longer counts them, LA B's does).
    movers = list(ChildAdoptionDates.objects.filter(responsible_la=la_a).values_list("child_id", flat=True)[:4])
    Child.objects.filter(pk__in=movers).update(responsible_la=la_b)
    after = assert_snapshot_is_the_reference(las)
    assert movers and all(after[pk][0] == la_b.pk for pk in movers)
    assert not set(movers) & set(snapshot_adoptions(la_ids={la_a.pk}, start=EVER[0], end=EVER[1]))

    # A child removed with all their rows (a disposal's order: the rows, then the child) leaves nothing behind.
    gone = Child.objects.get(pk=movers[0])
    for model in (AdoptivePlacement, PeriodOfCare, PlacementOrder, PermanenceOutcome):
        model.objects.filter(child=gone).delete()
    gone.delete()
    assert_snapshot_is_the_reference(las)
    assert not ChildAdoptionDates.objects.filter(child_id=movers[0]).exists()


@pytest.mark.django_db
def test_a_child_deleted_before_its_rows_takes_its_dates_with_it(la_a, without_delete_guard):
    """Foreign keys are checked at commit, so a child can go before its rows in one transaction: the child's row
    goes with it, and its rows going afterwards do not bring it back."""
    child = factories.adopted_child(la_a, entered_care=date(2020, 1, 1), moved_in=date(2021, 1, 1))
    assert ChildAdoptionDates.objects.get(child_id=child.pk).entered_care_on == date(2020, 1, 1)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM children_child WHERE id = %s", [child.pk])
        assert not ChildAdoptionDates.objects.filter(child_id=child.pk).exists()
        cursor.execute("DELETE FROM children_adoptiveplacement WHERE child_id = %s", [child.pk])
        cursor.execute("DELETE FROM children_permanenceoutcome WHERE child_id = %s", [child.pk])
        assert not ChildAdoptionDates.objects.filter(child_id=child.pk).exists()
        for table in ("children_adoptiondecision", "children_placementorder", "children_periodofcare"):
            cursor.execute(f"DELETE FROM {table} WHERE child_id = %s", [child.pk])


@pytest.mark.django_db
def test_the_services_keep_the_dates_a_user_records(child_placed, social_worker_a):
    """Through the services, as the pages write: the adoption order makes the row, a later move updates it."""
    from children import services

    from .conftest import ENTERED_CARE, MATCHED, PLACED, PLACEMENT_ORDER

    assert not ChildAdoptionDates.objects.filter(child_id=child_placed.pk).exists()
    services.permanence_outcome_record(
        actor=social_worker_a,
        child_id=child_placed.pk,
        kind=PermanenceOutcome.Kind.ADOPTION_ORDER,
        made_on=date(2023, 9, 1),
        court="Family Court at Ashby",
    )
    row = ChildAdoptionDates.objects.get(child_id=child_placed.pk)
    assert (row.adoption_order_on, row.moved_in_on, row.entered_care_on, row.matched_on, row.order_for_match_on) == (
        date(2023, 9, 1),
        PLACED,
        ENTERED_CARE,
        MATCHED,
        PLACEMENT_ORDER,
    )
    assert row.order_for_match_before_records is False


@pytest.mark.django_db
def test_the_nightly_check_finds_rows_out_of_date_and_repairs_them(la_a, la_b):
    """A row changed, removed or left behind without the triggers (as a write that skipped them would) is reported
    under its LA, and ``--repair`` makes the rows the computed ones again."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    children = [
        factories.adopted_child(la, entered_care=date(2020, 1, 1), moved_in=date(2021, 1, 1))
        for la in (la_a, la_a, la_b)
    ]
    not_adopted = factories.ChildFactory(responsible_la=la_b)
    out = StringIO()
    call_command("check_adoption_dates", stdout=out)
    assert "every row matches" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE children_childadoptiondates SET moved_in_on = '2021-02-02' WHERE child_id = %s", [children[0].pk]
        )
        cursor.execute("DELETE FROM children_childadoptiondates WHERE child_id = %s", [children[2].pk])
        cursor.execute(
            "INSERT INTO children_childadoptiondates (child_id, responsible_la_id, adoption_order_on) "
            "VALUES (%s, %s, '2022-01-01')",
            [not_adopted.pk, la_b.pk],
        )
    with pytest.raises(CommandError, match="3 children's rows differ"):
        call_command("check_adoption_dates", stdout=(out := StringIO()))
    assert f"{la_a.name}: 1 children's rows differed" in out.getvalue()
    assert f"{la_b.name}: 2 children's rows differed" in out.getvalue()
    call_command("check_adoption_dates", "--repair", stdout=(out := StringIO()))
    assert "3 children's rows recomputed" in out.getvalue()
    assert_snapshot_is_the_reference({la_a.pk, la_b.pk})
    call_command("check_adoption_dates", stdout=(out := StringIO()))
    assert "every row matches" in out.getvalue()


@pytest.mark.django_db
def test_the_nightly_job_is_scheduled_and_recomputes_rows_out_of_date(la_a, settings):
    from children.tasks import check_adoption_dates

    assert settings.CELERY_BEAT_SCHEDULE["check-adoption-dates"]["task"] == "children.tasks.check_adoption_dates"
    child = factories.adopted_child(la_a, entered_care=date(2020, 1, 1), moved_in=date(2021, 1, 1))
    assert check_adoption_dates.delay().get() == {"children": 0, "repaired": 0}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE children_childadoptiondates SET moved_in_on = '2021-02-02' WHERE child_id = %s", [child.pk]
        )
    assert check_adoption_dates.delay().get() == {"children": 1, "repaired": 1}
    assert_snapshot_is_the_reference({la_a.pk})
