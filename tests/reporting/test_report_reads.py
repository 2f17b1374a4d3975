"""The reads behind the returns and the scorecard, reshaped for national data, give the figures they gave before; and
the benchmark's SQL floors read the same rows as the items they are the floor of (else a ratio means nothing)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from reporting import measures
from reporting.bench import reports
from reporting.management.commands.load_demo import load
from reporting.returns import child_rows, family_rows, last_ended_quarter, summary_counts
from reporting.scorecard import last_31_march, scorecard
from tests.reporting.test_scorecard_measures import PERIOD_END, adoptions  # noqa: F401 (a fixture)

SEED = 2026


def test_all_four_adoption_measures_in_one_query_are_each_measures_own(adoptions, la_a, la_b):  # noqa: F811
    # The fixture's children include those A1, A10 and A2 each leave out (K, L, D): the exclusions are compared too.
    for la_ids in ({la_a.pk}, {la_a.pk, la_b.pk}):
        together = measures.adoption_measures(la_ids=la_ids, period_end=PERIOD_END)
        assert together.a1 == measures.a1(la_ids=la_ids, period_end=PERIOD_END)
        assert together.a10 == measures.a10(la_ids=la_ids, period_end=PERIOD_END)
        assert together.a2 == measures.a2(la_ids=la_ids, period_end=PERIOD_END)
        assert together.a3 == measures.a3(la_ids=la_ids, period_end=PERIOD_END)
    one_la = measures.adoption_measures(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert (one_la.a1.excluded, one_la.a10.excluded, one_la.a2.excluded) == (1, 2, 1)
    assert (one_la.a1.days, one_la.a10.days, one_la.a2.days) == (394, 351, 140)
    assert (one_la.a3.children, one_la.a3.within, one_la.a3.months) == (10, 6, 14)


def test_the_database_sessions_run_without_jit(db):
    """The reports' queries are planned far over ``jit_above_cost`` at national scale; compiling them cost more than
    running them (adoption.settings), so every session has JIT off."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load(seed=SEED, reference_date=timezone.localdate())
        yield
        transaction.set_rollback(True)


def _floor(statement: str, params: dict) -> tuple:
    return reports._sql(statement, params)()[0]


def test_each_floor_reads_the_rows_of_its_item(demo, django_db_blocker):
    with django_db_blocker.unblock():
        today = timezone.localdate()
        quarter = last_ended_quarter(today)
        la_ids, agency_ids = reports.all_las(), reports.all_agencies()
        params = {
            "la_ids": sorted(la_ids),
            "agency_ids": sorted(agency_ids),
            "start": quarter.start,
            "end": quarter.end,
        }

        children = child_rows(la_ids, quarter)
        assert children and _floor(reports.CHILDREN_FLOOR_SQL, params)[0] == len(children)
        families = family_rows(agency_ids, quarter)
        assert families and _floor(reports.FAMILIES_FLOOR_SQL, params)[0] == len(families)

        summary = summary_counts(la_ids, agency_ids, quarter)
        decisions, orders, orders_made, waiting, households, *_support = _floor(reports.SUMMARY_FLOOR_SQL, params)
        assert (decisions, orders) == (summary["new_adm_decisions"], summary["new_placement_orders"])
        assert orders_made == summary["adoptions"] + summary["special_guardianship_orders"]
        assert waiting == summary["children_waiting"] + summary["children_waiting_over_90_days"] > 0
        assert households[1] == summary["approvals"]
        assert households[3] == summary["adopters_waiting"]

        period_end = last_31_march(today)
        start, end = measures.three_year_period(period_end)
        card = scorecard(la_ids=la_ids, period_end=period_end)
        adoption, decided_or_reversed, new_orders, still_waiting, _families = _floor(
            reports.SCORECARD_FLOOR_SQL,
            {"la_ids": sorted(la_ids), "agency_ids": sorted(measures.raa_ids_for(la_ids)), "start": start, "end": end},
        )
        assert adoption[0] == card.a1.children + card.a1.excluded == card.headline.adoptions > 0
        assert adoption[1] == card.a1.mean_days
        assert decided_or_reversed == card.headline.decisions + card.headline.reversals
        assert (new_orders, still_waiting) == (card.headline.placement_orders, card.headline.waiting)
