"""The national loader writes with COPY and no triggers (``session_replication_role = replica``), so it fills each
adopted child's dates itself at the end (``children.ChildAdoptionDates``): they must be what the scorecard's old
per-child computation gives over the whole load, and a change after the load is caught by the triggers again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from adoption.models import Organisation
from children.models import AdoptivePlacement
from reporting.models import FigureChange
from tests.children.test_adoption_dates import EVER, assert_snapshot_is_the_reference, snapshot_adoptions
from tests.conftest import rolled_back_after
from tests.test_demo_national import load


@pytest.fixture(scope="module")
def national_loaded(django_db_setup, django_db_blocker):
    """The national demo at a hundredth of its size, loaded once for the module and rolled back afterwards."""
    with rolled_back_after(django_db_blocker):
        load()
        yield


@pytest.mark.usefixtures("national_loaded")
class TestNationalAdoptionDates:
    @pytest.mark.django_db
    def test_the_loaders_dates_are_the_computed_ones(self):
        la_ids = set(Organisation.objects.filter(kind=Organisation.Kind.LA).values_list("pk", flat=True))
        expected = assert_snapshot_is_the_reference(la_ids)
        assert len(expected) > 100  # a national load adopts hundreds of children, even at a hundredth
        assert sum(1 for row in expected.values() if row[4] is not None) > 50  # with their dates

    @pytest.mark.django_db
    def test_a_bulk_update_after_the_load_is_caught(self):
        la_ids = set(Organisation.objects.filter(kind=Organisation.Kind.LA).values_list("pk", flat=True))
        before = snapshot_adoptions(la_ids=la_ids, start=EVER[0], end=EVER[1])
        chosen = [pk for pk, row in before.items() if row[2] is not None][:50]
        moved = AdoptivePlacement.objects.filter(child_id__in=chosen, placed_on__isnull=False, ended_on__isnull=True)
        assert moved.update(placed_on=F("placed_on") + timedelta(days=1)) >= len(chosen) > 0
        after = assert_snapshot_is_the_reference(la_ids)
        assert all(after[pk][2] == before[pk][2] + timedelta(days=1) for pk in chosen)

    @pytest.mark.django_db
    def test_the_load_logs_a_change_for_every_figure(self):
        """COPY skipped the triggers that log changes to figures' records, so figures kept in the cache before
        the load would look current after it: the loader logs a change to the reference data, which every
        figure's version includes, once the data is in."""
        reference = FigureChange.objects.filter(organisation_id=None).order_by("pk")
        by_organisation = FigureChange.objects.exclude(organisation_id=None).order_by("pk")
        assert by_organisation.exists()  # the adopted children's dates, refreshed with the triggers on
        assert reference.last().pk > by_organisation.last().pk
