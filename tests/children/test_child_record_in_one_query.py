"""The child's page reads a child and all their records in one query (``adoption.prefetch``): what it reads must be
exactly what Django's ``prefetch_related`` reads, for every child of the demo region (children at every stage, with
periods of care and episodes, decisions and reversals, orders, matches, placements with their families, disruptions,
outcomes, family-finding statuses, featurings, early permanence placements, court stages and CPRs)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from adoption.models import Role
from children.models import AdoptivePlacement, Child, EarlyPermanencePlacement, PeriodOfCare
from children.selectors.records import CHILD_RECORD_RELATIONS, child_record
from tests import factories
from tests.conftest import rolled_back_after


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        call_command("load_demo", stdout=StringIO())
        yield


def _by_prefetch(child_id: int) -> Child:
    """The same child the way Django's prefetching reads them: a query per kind of record."""
    return Child.objects.prefetch_related(
        Prefetch("periods_of_care", queryset=PeriodOfCare.objects.prefetch_related("episodes")),
        "adoption_decisions",
        "placement_orders",
        Prefetch("adoptive_placements", queryset=AdoptivePlacement.objects.select_related("household")),
        "permanence_outcomes",
        "family_finding_statuses",
        "featurings",
        Prefetch("early_permanence_placements", queryset=EarlyPermanencePlacement.objects.select_related("household")),
        "proceedings_tracking",
        "permanence_reports",
    ).get(pk=child_id)


def _values(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


def _record(child: Child) -> dict:
    """Everything the page can read of a child's records, as plain values (rows compared as sets: the page orders
    them itself where order matters, and ties in a date have no order to compare)."""
    out: dict = {}
    for relation in CHILD_RECORD_RELATIONS:
        rows = list(getattr(child, relation.name).all())
        out[relation.name] = sorted(repr(_values(row)) for row in rows)
        for name in relation.joined:
            out[f"{relation.name}.{name}"] = sorted(
                repr(_values(getattr(row, name)) if getattr(row, name) else None) for row in rows
            )
    out["episodes"] = sorted(
        repr(_values(episode)) for period in child.periods_of_care.all() for episode in period.episodes.all()
    )
    return out


@pytest.mark.usefixtures("demo")
def test_every_demo_childs_records_are_what_prefetching_reads(db, django_assert_max_num_queries):
    manager = factories.staff(Child.objects.first().responsible_la.raa, Role.MANAGER, username="record.reader")
    children = list(
        Child.objects.filter(responsible_la__raa=manager.memberships.get().organisation).values_list("pk", flat=True)
    )
    assert len(children) > 100
    kinds_seen: set[str] = set()
    for child_id in children:
        with CaptureQueriesContext(connection) as queries:
            child = child_record(actor=manager, child_id=child_id)
        record = _record(child)
        assert record == _record(_by_prefetch(child_id)), f"child {child_id}"
        kinds_seen |= {name for name, rows in record.items() if rows and rows != ["None"]}
        # The child and every kind of their records in one query (beside the actor's scope and the read's audit).
        assert sum('"children_child"' in q["sql"] for q in queries.captured_queries) == 1
    # The demo exercises every kind of record the page reads (a test over empty lists would prove nothing).
    assert kinds_seen == {
        *(r.name for r in CHILD_RECORD_RELATIONS),
        "adoptive_placements.household",
        "early_permanence_placements.household",
        "episodes",
    }
