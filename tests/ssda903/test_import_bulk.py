"""The import's two ways of writing: children new to the LA in batches (``importer.bulk``), others through the services.

The same returns are imported twice, into two LAs with no children: once with the batches turned off (every child
through the services, one savepoint each, as before there were batches) and once as the import runs now. The stored
records (every field but ids and timestamps), the audit events (action, object type, how many, for which child) and
the change history must be the same, and so must the refusals and their messages. The returns are the demo region's
903 (``manage.py load_demo``): every year of the demo LA chosen for its reversed decisions and disruption, oldest
first (so later years bring children already on record, which go through the services, and new ones, which go in
batches), then the latest year of the demo's largest LA in one go (every child new, the heavy case).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.db import DatabaseError, transaction
from django.db.models import Count, Model

from adoption.models import AuditEvent, Organisation, Role
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    Episode,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
)
from children.ssda903 import importer
from children.ssda903.export import build_tables
from children.ssda903.importer import bulk
from children.ssda903.validation import collection_year_of
from reporting.management.commands.load_demo import load
from tests import factories
from tests.conftest import rolled_back_after
from tests.ssda903.test_demo_round_trip import REFERENCE_DATE, SEED, smallest_demo_la
from tests.ssda903.test_import_journeys import _good_files, _upload, run, table_counts

NOT_COMPARED = {"id", "created_at", "updated_at", "responsible_la_id", "child_id", "period_id"}
JOURNEY_MODELS: tuple[type[Model], ...] = (
    PeriodOfCare,
    AdoptionDecision,
    PlacementOrder,
    AdoptivePlacement,
    PermanenceOutcome,
)


def _fields(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in NOT_COMPARED]


def _rows(queryset) -> list[tuple]:
    fields = _fields(queryset.model)
    return sorted(tuple(str(v) for v in row) for row in queryset.values_list(*fields))


def records(la: Organisation) -> dict[str, dict[str, Any]]:
    """Every stored field of the LA's children and their journeys (ids and timestamps aside), by 903 ID."""
    out: dict[str, dict[str, Any]] = {}
    for child in Child.objects.filter(responsible_la=la):
        out[child.child_903_id] = {
            "child": tuple(getattr(child, name) for name in _fields(Child)),
            "episodes": _rows(Episode.objects.filter(period__child=child)),
            **{model.__name__: _rows(model.objects.filter(child=child)) for model in JOURNEY_MODELS},
        }
    return out


def audit_trail(la: Organisation) -> dict[str, list[tuple[str, str]]]:
    """The audit events of the LA's children, in the order they were written, by 903 ID."""
    ids = dict(Child.objects.filter(responsible_la=la).values_list("pk", "child_903_id"))
    trail: dict[str, list[tuple[str, str]]] = {}
    events = AuditEvent.objects.filter(organisation=la, object_type="children.child").order_by("pk")
    for object_id, action, object_type in events.values_list("object_id", "action", "object_type"):
        trail.setdefault(ids[int(object_id)], []).append((action, object_type))
    return trail


def history_inserts(la: Organisation) -> Counter[str]:
    """How many of the LA's journey rows have an insert in their change history (django-pghistory's triggers)."""
    counts: Counter[str] = Counter()
    for model, owner in ((Child, "responsible_la"), (Episode, "period__child__responsible_la")):
        rows = model.objects.filter(**{owner: la}).values_list("pk", flat=True)
        counts[model.__name__] = _inserted(model, rows)
    for model in JOURNEY_MODELS:
        counts[model.__name__] = _inserted(model, model.objects.filter(child__responsible_la=la).values_list("pk"))
    return counts


def _inserted(model: type[Model], rows) -> int:
    event = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    return event.objects.filter(pgh_obj_id__in=rows, pgh_label="insert").values("pgh_obj_id").distinct().count()


class Written:
    """How many children each run wrote in batches."""

    def __init__(self) -> None:
        self.children = 0

    def __call__(self, batch, **kwargs):
        written = bulk_write(batch, **kwargs)
        if written:
            self.children += len(batch)
        return written


bulk_write = bulk.write


def import_both_ways(files: list[list[tuple[str, bytes]]], name: str) -> dict[str, Any]:
    """The returns imported in turn into two new LAs: through the services only, and as the import runs now."""
    raa = factories.RaaFactory(name=f"{name} Adoption")
    out: dict[str, Any] = {}
    for way in ("services", "batches"):
        la = factories.LaFactory(name=f"{name} ({way})", raa=raa)
        writer = factories.staff(la, Role.SOCIAL_WORKER, username=f"sw.{name.lower()}.{way}")
        written = Written()
        with mock.patch.object(bulk, "write", written):
            if way == "services":
                with mock.patch.object(bulk, "may_replay", return_value=False):
                    reports = [run(writer, la, year) for year in files]
            else:
                reports = [run(writer, la, year) for year in files]
        out[way] = {"la": la, "reports": reports, "written": written.children}
    return out


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    with rolled_back_after(django_db_blocker):
        loaded = load(seed=SEED, reference_date=REFERENCE_DATE)
        las = list(loaded.agencies.organisations.las.values())
        varied = smallest_demo_la(las)
        first = Episode.objects.filter(period__child__responsible_la=varied).order_by("started_on").first()
        years = range(collection_year_of(first.started_on), collection_year_of(REFERENCE_DATE) + 1)
        largest = (
            Organisation.objects.filter(pk__in=[la.pk for la in las])
            .annotate(n=Count("children"))
            .order_by("-n", "pk")
            .first()
        )
        latest = collection_year_of(REFERENCE_DATE) - 1

        def files(la: Organisation, year: int) -> list[tuple[str, bytes]]:
            return [(f"{t}.csv", text.encode()) for t, text in build_tables(la=la, year_start=year).csv().items()]

        yield {
            "years": import_both_ways([files(varied, year) for year in years], "Yearly"),
            "latest": import_both_ways([files(largest, latest)], "Latest"),
        }


@pytest.mark.parametrize("case", ["years", "latest"])
def test_batches_store_what_the_services_store(imported, case, db):
    runs = imported[case]
    for way in ("services", "batches"):
        for report in runs[way]["reports"]:
            assert report.applied, (way, [p.as_dict() for p in report.blocking])
    assert runs["services"]["written"] == 0
    new = sum(report.result()["summary"]["new"] for report in runs["batches"]["reports"])
    assert new > 20 and runs["batches"]["written"] == new  # every child new to the LA went in a batch
    by_services, by_batches = records(runs["services"]["la"]), records(runs["batches"]["la"])
    assert sorted(by_batches) == sorted(by_services)
    different = {k: (by_services[k], by_batches[k]) for k in by_services if by_services[k] != by_batches[k]}
    assert not different, f"{len(different)} of {len(by_services)} children differ: {different}"
    # What the pages and the API show of the run is the same too.
    for services_report, batches_report in zip(runs["services"]["reports"], runs["batches"]["reports"], strict=True):
        left, right = services_report.result(), batches_report.result()
        assert [(c["child"], c["status"], c["changes"]) for c in left["changes"]] == [
            (c["child"], c["status"], c["changes"]) for c in right["changes"]
        ]
        assert left["summary"] == right["summary"] and left["problems"] == right["problems"]
        assert all(c["child_id"] for c in right["changes"])


@pytest.mark.parametrize("case", ["years", "latest"])
def test_batches_write_the_audit_events_the_services_write(imported, case, db):
    runs = imported[case]
    by_services, by_batches = audit_trail(runs["services"]["la"]), audit_trail(runs["batches"]["la"])
    assert by_batches == by_services
    assert sum(len(events) for events in by_batches.values()) > len(by_batches)
    writer_events = AuditEvent.objects.filter(organisation=runs["batches"]["la"], object_type="children.child")
    assert set(writer_events.values_list("actor__username", flat=True)) == {
        "sw.%s.batches" % ("yearly" if case == "years" else "latest")
    }


@pytest.mark.parametrize("case", ["years", "latest"])
def test_the_change_history_and_the_delete_guard_see_the_rows_written_in_batches(imported, case, db):
    runs = imported[case]
    inserted = history_inserts(runs["batches"]["la"])
    assert inserted == history_inserts(runs["services"]["la"])
    la = runs["batches"]["la"]
    assert inserted["Child"] == Child.objects.filter(responsible_la=la).count()
    assert inserted["Episode"] == Episode.objects.filter(period__child__responsible_la=la).count() > 0
    episode = Episode.objects.filter(period__child__responsible_la=la).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).delete()


@pytest.fixture
def writer(la_other):
    return factories.staff(la_other, Role.SOCIAL_WORKER, username="sw.other")


def test_a_new_child_the_services_refuse_is_refused_with_their_message_and_nothing_is_kept(la_other):
    """1002 is new, and a second decision comes while the first is still in force (it is reversed later): the
    plan's dates are right at the end, so only the service refuses it, step by step. Its refusal and message are
    the services' own either way, and 1001, written in a batch, is rolled back with it."""
    tables = _good_files()
    tables["PlacedAdoption"] += [
        {"CHILD": "1002", "DOB": "03/02/2020", "DATE_PLACED": "01/06/2022"}
        | {"DATE_PLACED_CEASED": "01/09/2022", "REASON_PLACED_CEASED": "RD1"},
        {"CHILD": "1002", "DOB": "03/02/2020", "DATE_PLACED": "01/08/2022"},
    ]
    outcomes = []
    for forced in (True, False):
        la = factories.LaFactory(name=f"Forced {forced}", raa=la_other.raa)
        writer = factories.staff(la, Role.SOCIAL_WORKER, username=f"sw.forced.{forced}")
        before = table_counts()
        with mock.patch.object(bulk, "may_replay", return_value=False) if forced else nullcontext():
            report = run(writer, la, _upload(tables))
        assert not report.applied
        assert table_counts() == before
        outcomes.append([(p.rule, p.message, p.file, p.row, p.child) for p in report.blocking])
    (problem,) = outcomes[1]
    assert problem[0] == importer.REFUSED and problem[4] == "1002"
    assert problem[1].startswith("The child already has a decision that they should be placed for adoption")
    assert outcomes[0] == outcomes[1]


def test_a_batch_the_database_refuses_goes_through_the_services(la_other, writer, monkeypatch):
    """Someone records child 1002 after the plan was made (and the batch's own check of the IDs misses it): the
    database refuses the batch's rows, the batch is rolled back and its children go through the services, whose
    refusal is the one reported. Nothing is kept."""
    taken = bulk.taken_ids

    def recorded_meanwhile(la, plans):
        found = taken(la, plans)
        factories.ChildFactory(responsible_la=la_other, child_903_id="1002", date_of_birth=date(2020, 2, 3))
        return found

    monkeypatch.setattr(bulk, "taken_ids", recorded_meanwhile)
    before = Child.objects.count()
    report = run(writer, la_other, _upload(_good_files()))
    assert not report.applied
    (problem,) = report.blocking
    assert (problem.child, problem.rule) == ("1002", importer.REFUSED)
    assert problem.message.startswith("A child with this 903 child ID is already recorded for this local authority")
    assert Child.objects.count() == before  # the whole import rolled back (the one recorded meanwhile was in it)
    assert not Child.objects.filter(responsible_la=la_other, child_903_id="1001").exists()


def test_the_replay_checks_the_journey_rules_of_the_services(la_other):
    """A plan whose dates break a journey rule is not replayed (the services refuse it)."""
    from children.ssda903.importer.steps import ChildPlan
    from children.ssda903.reader import Row

    header = Row("Header", "header.csv", 2, {"CHILD": "9"})
    plan = ChildPlan("9", None, header)
    plan.add(
        date.min,
        "child_create",
        "new",
        header,
        child_903_id="9",
        first_name="Child",
        last_name="9",
        date_of_birth=date(2020, 1, 1),
    )
    plan.add(
        date(2021, 1, 1),
        "period_start",
        "in care",
        header,
        started_on=date(2021, 1, 1),
        legal_status="C2",
        category_of_need="N1",
        placement_type="U6",
    )
    assert bulk.replay(plan, la_other) is not None
    plan.add(date(2020, 6, 1), "decision", "decided", header, decided_on=date(2020, 6, 1))  # before care (334)
    assert bulk.replay(plan, la_other) is None
