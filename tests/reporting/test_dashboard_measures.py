"""The dashboard works out the scorecard's child measures of several periods in one query
(``reporting.measures.child_measures``): each period's figures must be exactly those of ``reporting.measures``
for that period alone, whatever the thresholds and cut-offs of the periods."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting import measures
from reporting.measures import child_measures
from reporting.models import ScorecardThreshold
from tests.reporting.test_scorecard_measures import adoptions  # noqa: F401 (the children adopted, by hand)

# Periods that hold every child of the fixture, some of them, or none; ends with no A3 cut-off yet (2012), with
# another cut-off (2014: 18 months) and the fixture's own (31 March 2026: 14 months); a quarter's end.
PERIOD_ENDS = [
    date(2012, 3, 30),
    date(2014, 3, 31),
    date(2024, 3, 31),
    date(2025, 3, 31),
    date(2025, 12, 31),
    date(2026, 3, 31),
    date(2026, 9, 30),
]


def _one_at_a_time(la_ids: frozenset[int], end: date) -> tuple:
    return (
        measures.a1(la_ids=la_ids, period_end=end),
        measures.a10(la_ids=la_ids, period_end=end),
        measures.a2(la_ids=la_ids, period_end=end),
        measures.a3(la_ids=la_ids, period_end=end),
    )


@pytest.mark.usefixtures("adoptions")
@pytest.mark.parametrize("both_las", [False, True])
def test_each_periods_figures_are_the_measures_of_that_period_alone(la_a, la_b, both_las):
    la_ids = frozenset({la_a.pk, la_b.pk} if both_las else {la_a.pk})
    together = child_measures(la_ids=la_ids, period_ends=PERIOD_ENDS)
    assert list(together) == PERIOD_ENDS
    for end in PERIOD_ENDS:
        assert together[end] == _one_at_a_time(la_ids, end), end
    # The fixture's own period, as worked out by hand in test_scorecard_measures: the figures are there.
    a1, a10, a2, a3 = together[date(2026, 3, 31)]
    if not both_las:
        # Worked out by hand in test_scorecard_measures.
        assert (a1.children, a1.excluded, a1.days) == (10, 1, 394)
        assert (a10.children, a10.excluded, a10.days) == (9, 2, 351)
        assert (a2.children, a2.excluded, a2.days) == (10, 1, 140)
    assert a3.months == 14 and a3.within is not None
    assert together[date(2012, 3, 30)][3].months is None


@pytest.mark.usefixtures("adoptions")
def test_a_later_threshold_and_cut_off_apply_to_the_periods_they_cover(la_a):
    ScorecardThreshold.objects.create(measure="A1", applies_from=date(2026, 1, 1), days=365)
    ScorecardThreshold.objects.create(measure="A3", applies_from=date(2026, 1, 1), months=12)
    la_ids = frozenset({la_a.pk})
    together = child_measures(la_ids=la_ids, period_ends=PERIOD_ENDS)
    for end in PERIOD_ENDS:
        assert together[end] == _one_at_a_time(la_ids, end), end
    a1, _a10, _a2, a3 = together[date(2026, 3, 31)]
    assert (a1.threshold_days, a3.months, a3.within) == (365, 12, 3)
    assert together[date(2025, 3, 31)][3].months == 14


@pytest.mark.usefixtures("adoptions")
def test_all_the_periods_take_one_query_of_the_children(la_a):
    with CaptureQueriesContext(connection) as queries:
        child_measures(la_ids=frozenset({la_a.pk}), period_ends=PERIOD_ENDS)
    # The thresholds, then the children's figures.
    assert len(queries) == 2


def test_no_periods_no_figures(db, la_a):
    assert child_measures(la_ids=frozenset({la_a.pk}), period_ends=[]) == {}
