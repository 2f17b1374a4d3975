"""The dashboard's children figures come from one query (``reporting.dashboard.children_figures``): the children's
pipeline of the quarter must be ``pipeline_children``'s flags counted, and the headline counts exactly
``measures.headline_counts`` of the 3 years to the quarter's end, whichever way the flags are worked out (each
child's records looked up, or each table read once: ``HASH_FLAGS_FROM_LAS``)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Count, Q

from adoption.periods import FinancialQuarter
from children.selectors import dashboard as dashboard_selectors
from children.selectors import scorecard as scorecard_selectors
from children.selectors.dashboard import pipeline_children
from reporting import measures
from reporting.dashboard import ChildrenPipeline, children_figures
from tests.reporting.test_dashboard import quarter  # noqa: F401 (January to March 2026, by hand)
from tests.reporting.test_scorecard_measures import headline  # noqa: F401 (the headline counts' children)

QUARTER_ENDS = [date(2024, 3, 31), date(2025, 6, 30), date(2026, 3, 31), date(2026, 6, 30)]


def _pipeline_one_flag_at_a_time(la_ids: frozenset[int], q: FinancialQuarter) -> ChildrenPipeline:
    children = pipeline_children(la_ids=la_ids, start=q.start, end=q.end)
    flags = ("new_decision", "new_order", "matched_in_period", "placed_in_period", "adopted", "waiting")
    counts = [children.filter(**{flag: True}).count() for flag in flags]
    return ChildrenPipeline(*counts)


@pytest.mark.usefixtures("quarter", "headline")
@pytest.mark.parametrize("hash_from", [0, 1000])
def test_the_dashboards_children_figures_are_the_pipelines_and_the_scorecards(la_a, la_b, monkeypatch, hash_from):
    monkeypatch.setattr(scorecard_selectors, "HASH_FLAGS_FROM_LAS", hash_from)
    monkeypatch.setattr(dashboard_selectors, "HASH_FLAGS_FROM_LAS", hash_from)
    seen = set()
    for la_ids in (frozenset({la_a.pk}), frozenset({la_b.pk}), frozenset({la_a.pk, la_b.pk})):
        for end in QUARTER_ENDS:
            q = FinancialQuarter.containing(end)
            pipeline, headline_counts = children_figures(la_ids=la_ids, quarter=q)
            assert pipeline == _pipeline_one_flag_at_a_time(la_ids, q)
            assert headline_counts == measures.headline_counts(la_ids=la_ids, period_end=q.end)
            seen.add((pipeline, headline_counts))
    # The fixtures give each figure something to count somewhere.
    pipelines = [p for p, _h in seen]
    headlines = [h for _p, h in seen]
    for field in ("decisions", "placement_orders", "matched", "placed", "adopted", "waiting"):
        assert any(getattr(p, field) for p in pipelines), field
    for field in ("decisions", "placement_orders", "adoptions", "waiting", "waiting_with_order", "reversals"):
        assert any(getattr(h, field) for h in headlines), field


@pytest.mark.usefixtures("headline")
def test_the_headline_flags_pick_the_same_children_either_way(la_a, monkeypatch):
    """The drill-downs list ``scorecard_children``'s flagged children: the same ones by either plan."""
    start, end = date(2023, 4, 1), date(2026, 3, 31)
    flags = ("new_decision", "new_order", "adopted", "waiting", "waiting_with_order", "decision_reversed")

    def picked() -> dict[str, set[int]]:
        children = scorecard_selectors.scorecard_children(la_ids={la_a.pk}, start=start, end=end)
        return {flag: set(children.filter(**{flag: True}).values_list("pk", flat=True)) for flag in flags}

    monkeypatch.setattr(scorecard_selectors, "HASH_FLAGS_FROM_LAS", 0)
    by_hash = picked()
    monkeypatch.setattr(scorecard_selectors, "HASH_FLAGS_FROM_LAS", 1000)
    assert picked() == by_hash
    assert all(by_hash.values())
    totals = scorecard_selectors.scorecard_children(la_ids={la_a.pk}, start=start, end=end).aggregate(
        **{f"n_{flag}": Count("pk", filter=Q(**{flag: True})) for flag in flags}
    )
    assert totals == {f"n_{flag}": len(ids) for flag, ids in by_hash.items()}
