"""The dashboard's figures are kept in the cache while the records behind them are unchanged
(``reporting.figure_versions``): the database logs every change to those records by organisation (triggers of
migration ``reporting/0007``), and the figures are keyed by what the log holds. So a page served from the cache
must show exactly what a fresh computation shows, after any write, by whatever path.

Inside a transaction that has written such records, figures are computed afresh and never kept, and the
database logs an organisation at its first change in a transaction only. Most tests here run in one transaction
(the test's), so each of their steps stands for a transaction of its own: ``figures_committed()`` clears what the
transaction has logged, as a commit does (the trigger's only state between statements). One test commits for
real.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from adopters.models import Household
from adoption import caching
from adoption.models import Organisation
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildAdoptionDates,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
)
from reporting import dashboard, figure_versions
from reporting.models import EnglandFigure, FigureChange, ScorecardThreshold
from reporting.tasks import fold_figure_changes
from tests import factories
from tests.conftest import figures_committed
from tests.reporting.test_dashboard import Q4, URL, _table, quarter  # noqa: F401 (January to March 2026, by hand)

END = date(2026, 3, 31)


def _tables_read(la_ids: frozenset[int], agency_ids: frozenset[int]) -> set[str]:
    with CaptureQueriesContext(connection) as ctx:
        dashboard.dashboard(la_ids=la_ids, period_end=END, agency_ids=agency_ids)
    names: set[str] = set()
    for query in ctx.captured_queries:
        names |= set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"]))
    return names


def _watched() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'reporting_figures_changed'"
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.usefixtures("quarter")
def test_every_table_the_dashboards_figures_read_is_watched(la_a, la_b, raa):
    """A figure computed from a table no trigger watches would be served stale after that table changed."""
    read = _tables_read(frozenset({la_a.pk, la_b.pk}), frozenset({raa.pk}))
    assert {"children_child", "adopters_household", "children_childadoptiondates"} <= read  # the capture works
    assert read - _watched() == set()


def _fresh(la_ids, agency_ids):
    return dashboard.dashboard(la_ids=la_ids, period_end=END, agency_ids=agency_ids)


def _cached(la_ids, agency_ids):
    return dashboard.cached_dashboard(la_ids=la_ids, period_end=END, agency_ids=agency_ids)


@pytest.mark.usefixtures("quarter")
def test_the_figures_are_computed_once_then_read_from_the_cache(la_a, la_b, raa, monkeypatch):
    cache.clear()
    figures_committed()
    la_ids, agencies = frozenset({la_a.pk, la_b.pk}), frozenset({raa.pk})
    computed: list[int] = []
    compute = dashboard.dashboard
    monkeypatch.setattr(dashboard, "dashboard", lambda **kw: computed.append(1) or compute(**kw))
    first = _cached(la_ids, agencies)
    second = _cached(la_ids, agencies)
    assert len(computed) == 1
    assert second == first == compute(la_ids=la_ids, period_end=END, agency_ids=agencies)
    # Another area, another quarter or fewer agencies are other figures.
    _cached(frozenset({la_a.pk}), agencies)
    dashboard.cached_dashboard(la_ids=la_ids, period_end=date(2025, 12, 31), agency_ids=agencies)
    _cached(la_ids, frozenset())
    assert len(computed) == 4


def _touch_one(model, **where) -> None:
    """An update of one row that changes nothing but fires the statement's triggers."""
    row = model.objects.filter(**where).order_by("pk").first()
    assert row is not None, model
    field = next(f.attname for f in model._meta.concrete_fields if not f.primary_key)
    model.objects.filter(pk=row.pk).update(**{field: F(field)})


TOUCH = {
    "child": lambda la, raa: _touch_one(Child, responsible_la=la),
    "decision": lambda la, raa: _touch_one(AdoptionDecision, child__responsible_la=la),
    "placement order": lambda la, raa: _touch_one(PlacementOrder, child__responsible_la=la),
    "adoptive placement": lambda la, raa: _touch_one(AdoptivePlacement, child__responsible_la=la),
    "outcome": lambda la, raa: _touch_one(PermanenceOutcome, child__responsible_la=la),
    "period of care": lambda la, raa: _touch_one(PeriodOfCare, child__responsible_la=la),
    "adoption dates": lambda la, raa: _touch_one(ChildAdoptionDates, responsible_la_id=la.pk),
    "household": lambda la, raa: _touch_one(Household, approving_agency=raa),
}


@pytest.mark.usefixtures("quarter")
@pytest.mark.parametrize("table", sorted(TOUCH))
def test_a_change_to_any_record_behind_the_figures_changes_their_version(la_a, la_b, la_other, raa, table):
    figures_committed()
    la_ids = frozenset({la_a.pk, la_b.pk})
    before = figure_versions.versions(la_ids)
    elsewhere = figure_versions.versions({la_other.pk})
    TOUCH[table](la_a, raa)
    assert figure_versions.versions(la_ids) != before
    # Another RAA's LA is not changed by it (its figures stay in the cache).
    assert figure_versions.versions({la_other.pk}) == elsewhere


@pytest.mark.usefixtures("quarter")
@pytest.mark.parametrize(
    "change",
    [
        lambda: Organisation.objects.filter(pk=Organisation.objects.order_by("pk").values("pk")[:1]).update(
            name=F("name")
        ),
        lambda: ScorecardThreshold.objects.filter(pk__in=ScorecardThreshold.objects.values("pk")[:1]).update(
            days=F("days")
        ),
        lambda: EnglandFigure.objects.create(period_end=date(2031, 3, 31), measure="A1", value=400),
    ],
    ids=["organisation", "threshold", "england figure"],
)
def test_a_change_to_reference_data_changes_every_version(la_a, la_other, change):
    figures_committed()
    before = figure_versions.versions({la_a.pk}), figure_versions.versions({la_other.pk})
    change()
    assert (figure_versions.versions({la_a.pk}), figure_versions.versions({la_other.pk})) != before


@pytest.mark.usefixtures("quarter")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migration_data_reloaded_after_module")
def test_after_a_committed_adoption_the_cache_gives_the_new_figures(la_a, la_b, raa, monkeypatch):
    """For real: the fixture's records and the adoption each committed, as by the requests that made them."""
    cache.clear()
    la_ids, agencies = frozenset({la_a.pk, la_b.pk}), frozenset({raa.pk})
    computed: list[int] = []
    compute = dashboard.dashboard
    monkeypatch.setattr(dashboard, "dashboard", lambda **kw: computed.append(1) or compute(**kw))
    before = _cached(la_ids, agencies)
    assert _cached(la_ids, agencies) == before
    assert len(computed) == 1
    assert before.children.adopted == 1  # Z, by hand in the fixture
    with transaction.atomic():
        factories.adopted_child(
            la_b, entered_care=date(2024, 2, 1), moved_in=date(2025, 3, 1), adoption_order=date(2026, 2, 20)
        )
    after = _cached(la_ids, agencies)
    assert len(computed) == 2
    assert after.children.adopted == 2
    assert after.card.headline.adoptions == before.card.headline.adoptions + 1
    assert after == compute(la_ids=la_ids, period_end=END, agency_ids=agencies)


@pytest.mark.usefixtures("quarter")
def test_the_page_served_from_the_cache_is_the_page_computed(client, manager, raa, la_a):
    cache.clear()
    client.force_login(manager)
    query = {"area": f"raa-{raa.pk}", **Q4}
    figures_committed()
    with CaptureQueriesContext(connection) as computing:
        first = client.get(URL, query)
    with CaptureQueriesContext(connection) as reading:
        second = client.get(URL, query)
    assert _per_request_tokens_out(second) == _per_request_tokens_out(first)
    assert len(reading) < len(computing)
    # A decision recorded in the quarter shows at once.
    late = factories.ChildFactory(responsible_la=la_a, la_child_id="ASH-LATE")
    factories.AdoptionDecisionFactory(child=late, decided_on=date(2026, 3, 2))
    figures_committed()
    third = client.get(URL, query)
    assert _table(third, "app-dashboard-children")["New decisions that the child should be placed for adoption"] == "3"


def _per_request_tokens_out(response) -> str:
    """The page without what differs on every request (the script nonce, the form's CSRF token)."""
    html = response.content.decode()
    return re.sub(r'(nonce|value)="[^"]*"', r'\1=""', html)


@pytest.mark.usefixtures("quarter")
def test_figures_are_computed_when_the_cache_is_unreachable(la_a, la_b, raa, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(caching.cache, "get", unreachable)
    monkeypatch.setattr(caching.cache, "set", unreachable)
    la_ids, agencies = frozenset({la_a.pk, la_b.pk}), frozenset({raa.pk})
    assert _cached(la_ids, agencies) == _fresh(la_ids, agencies)


def test_a_transaction_logs_each_organisation_once(la_a, la_b):
    figures_committed()
    start = FigureChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    with transaction.atomic():
        for n in range(5):
            factories.ChildFactory(responsible_la=la_a, la_child_id=f"ASH-{n}")
        factories.ChildFactory(responsible_la=la_b, la_child_id="BRK-1")
    logged = list(FigureChange.objects.filter(pk__gt=start).values_list("organisation_id", flat=True))
    assert sorted(logged) == sorted([la_a.pk, la_b.pk])


def test_a_change_rolled_back_leaves_no_version(la_a):
    figures_committed()
    before = figure_versions.versions({la_a.pk})
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.ChildFactory(responsible_la=la_a, la_child_id="ASH-GONE")
        raise RuntimeError("the form was refused")
    assert figure_versions.versions({la_a.pk}) == before
    # The same transaction may log again after its savepoint was undone.
    factories.ChildFactory(responsible_la=la_a, la_child_id="ASH-KEPT")
    assert figure_versions.versions({la_a.pk}) != before


def test_moving_a_child_to_another_la_changes_both(la_a, la_b):
    child = factories.ChildFactory(responsible_la=la_a, la_child_id="ASH-MOVE")
    figures_committed()
    before_a, before_b = figure_versions.versions({la_a.pk}), figure_versions.versions({la_b.pk})
    Child.objects.filter(pk=child.pk).update(responsible_la=la_b)
    assert figure_versions.versions({la_a.pk}) != before_a
    assert figure_versions.versions({la_b.pk}) != before_b


@pytest.mark.usefixtures("quarter")
def test_folding_the_log_keeps_one_row_each_and_new_versions(la_a, la_b, raa):
    cache.clear()
    figures_committed()
    la_ids, agencies = frozenset({la_a.pk, la_b.pk}), frozenset({raa.pk})
    figures = _cached(la_ids, agencies)
    before = figure_versions.versions(la_ids)
    removed = fold_figure_changes()  # the nightly job
    assert removed > 0
    counts = FigureChange.objects.values("organisation_id").order_by().distinct().count()
    assert FigureChange.objects.count() == counts  # one row per organisation (and one for reference data)
    assert figure_versions.versions(la_ids) != before  # never a version seen before
    assert _cached(la_ids, agencies) == figures == _fresh(la_ids, agencies)


@pytest.mark.usefixtures("quarter")
def test_inside_a_transaction_that_has_written_the_figures_are_fresh_and_not_kept(la_a, la_b, raa):
    cache.clear()
    figures_committed()
    la_ids, agencies = frozenset({la_a.pk, la_b.pk}), frozenset({raa.pk})
    kept = _cached(la_ids, agencies)
    with transaction.atomic():
        factories.adopted_child(
            la_b, entered_care=date(2024, 2, 1), moved_in=date(2025, 3, 1), adoption_order=date(2026, 2, 20)
        )
        inside = _cached(la_ids, agencies)
        assert inside.children.adopted == kept.children.adopted + 1
        # A second change in the same transaction logs nothing more, and still shows.
        factories.adopted_child(
            la_b, entered_care=date(2024, 2, 1), moved_in=date(2025, 3, 1), adoption_order=date(2026, 2, 21)
        )
        assert _cached(la_ids, agencies).children.adopted == kept.children.adopted + 2
    figures_committed()
    assert _cached(la_ids, agencies).children.adopted == kept.children.adopted + 2


def test_the_log_is_folded_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["fold-figure-changes"]
    assert entry["task"] == "reporting.tasks.fold_figure_changes"
    assert entry["schedule"].hour == {2}
