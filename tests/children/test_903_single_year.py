"""One year's 903 return imported into an empty LA: children in care since an earlier year start there.

A 903 Episodes table holds only the episodes open in the collection year (1 April to 31 March), so
a child in care since an earlier year arrives with a first episode that continues the period (RNE
other than S). The import starts that period from the first episode known and marks it as begun
before the returns held (``PeriodOfCare.start_before_records``): the date the child entered care
stays unknown, and what reads it says so (rule 334 is not judged, scorecard A1 leaves the child
out, the child's page says "In care before ...", Annex A leaves the date empty).

The demo region (``manage.py load_demo``) is loaded once for the module; its smallest LA's return
for one collection year (the latest complete one with what these tests look at, see
:func:`year_to_import`) is imported into a new LA with no children (records are never deleted, so a
fresh LA stands in for an empty database) through the import job the page and the API use, the
DfE's rules included. A small hand-made return checks the parts the demo may not have.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from adoption.celery import app as celery_app
from adoption.models import AuditEvent, Job, JobInput, Role
from children import rules, services
from children.codes import ADOPTIVE_PLACEMENTS
from children.models import Child, Episode, PeriodOfCare, PermanenceOutcome
from children.ssda903 import importer
from children.ssda903.annex_a import HEADERS, list_10_children, list_10_xlsx
from children.ssda903.export import FIRST_YEAR, CollectionYear, build_tables, latest_complete_year
from reporting.management.commands.load_demo import load
from reporting.measures import a1
from tests import factories
from tests.children.conftest import enter_care
from tests.ssda903.test_demo_round_trip import REFERENCE_DATE, SEED, smallest_demo_la
from tests.ssda903.test_import_journeys import csv_bytes, journey, run, table_counts, upload

# Annex A columns read below.
ENTERED = HEADERS.index("Date the Child Entered Care")
ORDER = HEADERS.index("Date of Placement Order")
# AD1 columns about the adopters: the import holds no household for a child (the 903 names none).
ADOPTERS = ("NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
OUTCOMES_CARRIED = (
    PermanenceOutcome.Kind.ADOPTION_ORDER,
    PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP,
    PermanenceOutcome.Kind.CHILD_ARRANGEMENTS,
)


def _files(la, year: CollectionYear) -> list[tuple[str, bytes]]:
    return [(f"{t}.csv", text.encode()) for t, text in build_tables(la=la, year_start=year.start_year).csv().items()]


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def year_to_import(la) -> CollectionYear:
    """The latest complete collection year whose return has what the tests below look at.

    That is a child whose first episode in the return continues a period of care begun in an
    earlier year (RNE not S) and who is adopted in the year (AD1), and a child whose first episode
    already has legal status E1 or D1 without changing to it (a placement order made before it).
    """
    for start in range(latest_complete_year(REFERENCE_DATE), FIRST_YEAR - 1, -1):
        rows = build_tables(la=la, year_start=start).rows
        first: dict[str, dict[str, str]] = {}
        for row in rows["Episodes"]:
            first.setdefault(row["CHILD"], row)
        continuing = {child for child, row in first.items() if row["RNE"] != "S"}
        adopted = {row["CHILD"] for row in rows["AD1"]}
        order_before = any(first[c]["LS"] in ("E1", "D1") and first[c]["RNE"] in ("P", "T") for c in continuing)
        if continuing & adopted and order_before:
            return CollectionYear(start)
    raise AssertionError(f"No return of {la} has a child in care since an earlier year who is adopted in it")


@pytest.fixture(scope="module")
def single_year(django_db_setup, django_db_blocker):
    """Load the demo, import one LA's return for one year into a new LA as a job; roll back at the end."""
    media = settings.BASE_DIR / "var" / "test-media"
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(MEDIA_ROOT=media):
        celery_app.conf.task_always_eager = True
        loaded = load(seed=SEED, reference_date=REFERENCE_DATE)
        la = smallest_demo_la(list(loaded.agencies.organisations.las.values()))
        year = year_to_import(la)
        files = _files(la, year)
        empty = factories.LaFactory(name="Empty Borough", raa=factories.RaaFactory(name="Empty Adoption"))
        writer = factories.staff(empty, Role.SOCIAL_WORKER, username="sw.single-year")
        with TestCase.captureOnCommitCallbacks(execute=True):
            job = importer.import_request(
                actor=writer, la_id=empty.pk, files=[upload(n, c) for n, c in files], phase=importer.PHASE_IMPORT
            )
        job.refresh_from_db()
        yield {"la": la, "year": year, "empty": empty, "writer": writer, "files": files, "job": job}
        transaction.set_rollback(True)


# --- what the year's return carries about a child ------------------------------------------------


def _in_year(episode: Episode, year: CollectionYear) -> bool:
    return episode.started_on <= year.end and (episode.ended_on is None or episode.ended_on >= year.start)


def _by_year_end(day: date | None, year: CollectionYear) -> date | None:
    """A date after the year is not in its return (an episode that ceased later is shown open)."""
    return day if day is not None and day <= year.end else None


def _episode(e: Episode, year: CollectionYear) -> tuple:
    """An episode as ``test_import_journeys.journey`` has it, as the year's return shows it."""
    ended = _by_year_end(e.ended_on, year)
    return (
        e.started_on,
        e.reason_new_episode,
        e.legal_status,
        e.category_of_need,
        e.placement_type,
        e.placement_provider,
        ended,
        e.reason_ended if ended else "",
        e.reason_place_change if ended else "",
        e.home_postcode,
        e.placement_postcode,
        e.urn,
    )


def carried(child: Child, year: CollectionYear) -> dict[str, Any]:
    """The original child as the year's return tells it, so as the import should record it.

    In the shape of :func:`recorded`. A period whose first episode in the year continues it (RNE not
    S) starts on that episode, marked as begun before the returns held; a placement order made
    before that episode is recorded on its first day, marked as made on or before it; a move-in
    with foster carers before it is unknown. Decisions follow the export's rules (current period, in
    force in the year); a match date comes only from AD1 (children adopted in the year), otherwise
    the placement's date stands in; outcomes are the orders whose REC ends a period in the year.
    """
    periods, begun_before, orders, made_before, placements = [], [], [], [], []
    first_known: list[date] = []
    for period in child.periods_of_care.order_by("started_on"):
        episodes = [e for e in period.episodes.order_by("started_on") if _in_year(e, year)]
        if not episodes:
            continue
        start = episodes[0].started_on if episodes[0].reason_new_episode != "S" else period.started_on
        if start != period.started_on:
            begun_before.append(start)
        first_known.append(period.started_on)
        ended = _by_year_end(period.ended_on, year)
        periods.append((start, ended, period.reason_ended if ended else "", [_episode(e, year) for e in episodes]))
        for order in child.placement_orders.filter(made_on__gte=period.started_on, made_on__lte=ended or year.end):
            if order.made_on >= start:
                orders.append((order.made_on, order.order_type))
            elif episodes[0].legal_status == order.order_type:  # else the return has no sign of the order
                orders.append((start, order.order_type))
                made_before.append(start)
        adopted = child.permanence_outcomes.filter(
            kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on__range=(year.start, year.end)
        ).exists()
        for p in child.adoptive_placements.filter(placed_on__isnull=False):
            in_file = any(
                e.placement_type in ADOPTIVE_PLACEMENTS
                and e.started_on >= p.placed_on
                and (p.ended_on is None or e.started_on < p.ended_on)
                for e in episodes
            )
            if not in_file:
                continue
            led_to_adoption = adopted and p.ended_on is None
            carers = p.moved_in_with_carers_on
            placements.append(
                (
                    p.matched_on if led_to_adoption else p.placed_on,
                    p.placed_on,
                    p.with_foster_carers,
                    carers if carers and carers >= start else None,
                    _by_year_end(p.ended_on, year),
                )
            )
    decisions = [
        (d.decided_on, reversed_on, d.reversal_reason if reversed_on else "")
        for d in child.adoption_decisions.order_by("decided_on")
        if d.decided_on <= year.end
        and d.decided_on >= first_known[0]
        and not (d.reversed_on and d.reversed_on < year.start)
        for reversed_on in [_by_year_end(d.reversed_on, year)]
    ]
    outcomes = list(
        child.permanence_outcomes.filter(kind__in=OUTCOMES_CARRIED, made_on__range=(year.start, year.end))
        .order_by("made_on")
        .values_list("kind", "made_on")
    )
    return {
        "details": (child.date_of_birth, child.sex, child.ethnicity, child.upn),
        "periods": periods,
        "decisions": decisions,
        "orders": sorted(orders),
        "placements": sorted(placements),
        "outcomes": outcomes,
        "periods_begun_before_records": begun_before,
        "orders_made_before_records": sorted(made_before),
    }


def recorded(child: Child) -> dict[str, Any]:
    """The imported child: what a 903 says about it (as ``test_import_journeys`` compares it) and the marks."""
    return journey(child) | {
        "periods_begun_before_records": list(
            child.periods_of_care.filter(start_before_records=True).values_list("started_on", flat=True)
        ),
        "orders_made_before_records": list(
            child.placement_orders.filter(made_before_records=True)
            .order_by("made_on")
            .values_list("made_on", flat=True)
        ),
    }


def _in_the_return(la, year: CollectionYear) -> dict[str, list[Episode]]:
    """The children of ``la`` in the year's return, with their episodes in it."""
    found = {}
    for child in Child.objects.filter(responsible_la=la, periods_of_care__isnull=False).distinct():
        episodes = [e for p in child.periods_of_care.all() for e in p.episodes.all() if _in_year(e, year)]
        if episodes:
            found[child.child_903_id] = sorted(episodes, key=lambda e: e.started_on)
    return found


def _flagged(single_year) -> list[Child]:
    return list(
        Child.objects.filter(responsible_la=single_year["empty"], periods_of_care__start_before_records=True).order_by(
            "child_903_id"
        )
    )


# --- the year's return, imported -----------------------------------------------------------------


def test_one_years_return_imports_into_an_empty_la_with_the_journeys_it_carries(single_year, db):
    job = single_year["job"]
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["applied"] is True
    assert job.result["blocking_count"] == 0, [p for p in job.result["problems"] if p["blocking"]]
    la, year, empty = single_year["la"], single_year["year"], single_year["empty"]

    # Not vacuous: children in care since an earlier year (their first episode in the return is not
    # RNE S), one of them adopted in the year, and a placement order made before a first episode.
    # (Seed 2026: Herefordshire, 2025 to 2026.)
    in_return = _in_the_return(la, year)
    before = {child for child, episodes in in_return.items() if episodes[0].reason_new_episode != "S"}
    assert before
    original = {
        c.child_903_id: carried(c, year) for c in Child.objects.filter(child_903_id__in=in_return, responsible_la=la)
    }
    imported = {c.child_903_id: recorded(c) for c in Child.objects.filter(responsible_la=empty)}
    assert sorted(imported) == sorted(original)  # every child of the Header, and no other
    assert {k for k, j in original.items() if j["periods_begun_before_records"]} == before
    assert any(j["orders_made_before_records"] for j in original.values())
    for child_id, expected in original.items():
        assert imported[child_id] == expected, child_id

    # The periods' flags are the import's: one for each child in care since before the year.
    flagged = _flagged(single_year)
    assert {c.child_903_id for c in flagged} == before
    for child in flagged:
        (period,) = child.periods_of_care.all()
        first = period.episodes.order_by("started_on").first()
        assert first.started_on == period.started_on and first.reason_new_episode != "S"  # its real RNE

    # The preview text says what happened, in plain words.
    child = flagged[0]
    period = child.periods_of_care.get()
    changes = next(c for c in job.result["changes"] if c["child"] == child.child_903_id)["changes"]
    assert changes[1].startswith(f"In care before {_day(period.started_on)}: the first episode in the file")


def test_the_imported_year_exports_the_same_four_tables(single_year, db):
    year = single_year["year"].start_year
    original = build_tables(la=single_year["la"], year_start=year).rows
    again = build_tables(la=single_year["empty"], year_start=year).rows
    assert original["Episodes"] and original["AD1"] and original["PlacedAdoption"]
    for table in ("Header", "Episodes", "PlacedAdoption"):
        assert again[table] == original[table], table
    # AD1's adopters (number, sex, legal status) belong to a household the 903 does not identify: the
    # import records none, so they come back blank. Every other AD1 column is the same.
    assert [{**row, **dict.fromkeys(ADOPTERS, "")} for row in original["AD1"]] == again["AD1"]
    assert all(row[column] == "" for row in again["AD1"] for column in ADOPTERS)


def test_importing_the_same_return_again_changes_nothing(single_year, db, django_capture_on_commit_callbacks):
    before = table_counts()  # every table, the pghistory event tables and the audit included
    with django_capture_on_commit_callbacks(execute=True):
        again = importer.import_request(
            actor=single_year["writer"],
            la_id=single_year["empty"].pk,
            files=[upload(n, c) for n, c in single_year["files"]],
            phase=importer.PHASE_IMPORT,
        )
    again.refresh_from_db()
    assert again.status == Job.Status.SUCCEEDED, again.error
    summary = again.result["summary"]
    assert (summary["new"], summary["changed"], summary["changes"]) == (0, 0, 0)
    assert summary["unchanged"] == summary["children"] > 0
    after = table_counts()
    bookkeeping = {Job._meta.label: 1, JobInput._meta.label: 4, AuditEvent._meta.label: 1}  # the job and its files
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == bookkeeping


def test_the_childs_page_says_the_start_is_not_in_the_returns(single_year, client):
    child = next(c for c in _flagged(single_year) if c.placement_orders.filter(made_before_records=True).exists())
    period = child.periods_of_care.get()
    order = child.placement_orders.get(made_before_records=True)
    client.force_login(single_year["writer"])
    page = client.get(reverse("children:detail", args=[child.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"In care before {_day(period.started_on)}" in html
    assert "The start of this period of care is not in the returns imported" in html
    assert ">Entered care<" not in html  # the first episode known is not shown as entering care
    assert f"{order.get_order_type_display()} made on or before {_day(order.made_on)}" in html


def test_annex_a_leaves_the_unknown_dates_empty(single_year, db):
    as_at = single_year["year"].end
    flagged = {c.child_903_id for c in _flagged(single_year)}
    rows = list_10_children(la=single_year["empty"], as_at=as_at)
    original = {row.child.child_903_id: row.cells for row in list_10_children(la=single_year["la"], as_at=as_at)}
    assert flagged & {row.child.child_903_id for row in rows}  # not vacuous
    for row in rows:
        child = row.child.child_903_id
        if child in flagged:
            assert row.cells[ENTERED] is None, child  # not the first episode known
        else:
            assert row.cells[ENTERED] == original[child][ENTERED] is not None, child
        made_before = row.child.placement_orders.filter(made_before_records=True).exists()
        assert (row.cells[ORDER] is None) == (made_before or original[child][ORDER] is None), child
    # In the spreadsheet the cell is empty.
    sheet = load_workbook(io.BytesIO(list_10_xlsx(rows))).active
    by_id = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert all(by_id[child][ENTERED].value is None for child in flagged if child in by_id)


def test_scorecard_a1_leaves_out_children_whose_start_is_not_held(single_year, db):
    empty = single_year["empty"]
    result = a1(la_ids={empty.pk}, period_end=single_year["year"].end)
    adopted = Child.objects.filter(
        responsible_la=empty,
        permanence_outcomes__kind=PermanenceOutcome.Kind.ADOPTION_ORDER,
        permanence_outcomes__made_on__range=(result.period_start, result.period_end),
    )
    not_held = adopted.filter(periods_of_care__start_before_records=True).count()
    assert not_held >= 1
    assert result.excluded == not_held
    assert result.children == adopted.count() - not_held


# --- later and earlier years ----------------------------------------------------------------------


def test_the_next_years_return_continues_the_journeys(single_year, db):
    la, empty = single_year["la"], single_year["empty"]
    flagged_before = {c.child_903_id: c.periods_of_care.get().started_on for c in _flagged(single_year)}
    report = run(single_year["writer"], empty, _files(la, CollectionYear(single_year["year"].start_year + 1)))
    assert report.applied, [p.as_dict() for p in report.blocking]
    # A period already begun before the returns keeps its flag and first episode known.
    for child_id, started_on in flagged_before.items():
        period = PeriodOfCare.objects.get(child__responsible_la=empty, child__child_903_id=child_id)
        assert (period.started_on, period.start_before_records) == (started_on, True)


def test_an_earlier_years_return_afterwards_is_refused_with_what_to_do(single_year, db):
    before = table_counts()
    report = run(
        single_year["writer"],
        single_year["empty"],
        _files(single_year["la"], CollectionYear(single_year["year"].start_year - 1)),
    )
    assert not report.applied
    earlier = [p for p in report.blocking if p.rule == importer.EARLIER]
    assert earlier
    assert "import the earlier years first, oldest first, into a local authority with no children" in earlier[0].message
    assert table_counts() == before


# --- a hand-made return: what the demo may not show ------------------------------------------------


def test_what_a_first_episode_cannot_say_is_left_unknown(la_other, client):
    """The first episode known kept the carers (RNE T) and the legal status E1 of an earlier episode."""
    writer = factories.staff(la_other, Role.SOCIAL_WORKER, username="sw.hand-made")
    child = {"CHILD": "2001", "DOB": "01/05/2021"}
    care = {"CHILD": "2001", "CIN": "N1", "LS": "E1", "PLACE_PROVIDER": "PR1"}
    files = [
        ("header.csv", csv_bytes("Header", [child | {"SEX": "F", "ETHNIC": "WBRI", "UPN": "UN1"}])),
        (
            "episodes.csv",
            csv_bytes(
                "Episodes",
                [
                    care | {"DECOM": "01/06/2023", "RNE": "T", "PLACE": "U4", "DEC": "01/09/2023", "REC": "X1"},
                    care | {"DECOM": "01/09/2023", "RNE": "T", "PLACE": "A5", "DEC": "15/03/2024", "REC": "E12"},
                ],
            ),
        ),
        ("placed.csv", csv_bytes("PlacedAdoption", [child | {"DATE_PLACED": "01/03/2023"}])),
        (
            "ad1.csv",
            csv_bytes("AD1", [child | {"DATE_INT": "01/03/2023", "DATE_MATCH": "01/08/2023", "FOSTER_CARE": "1"}]),
        ),
    ]
    report = run(writer, la_other, files)
    assert report.applied, [p.as_dict() for p in report.blocking]
    (imported,) = Child.objects.filter(responsible_la=la_other)
    got = recorded(imported)
    assert got["decisions"] == [(date(2023, 3, 1), None, "")]  # older than the first episode known
    assert got["orders"] == [(date(2023, 6, 1), "E1")]
    assert got["orders_made_before_records"] == [date(2023, 6, 1)]  # made on or before the first episode known
    # The day the child moved in with the carers who adopted them is in an earlier return.
    assert got["placements"] == [(date(2023, 8, 1), date(2023, 9, 1), True, None, None)]
    assert got["outcomes"] == [(PermanenceOutcome.Kind.ADOPTION_ORDER, date(2024, 3, 15))]
    period = imported.periods_of_care.get()
    assert (period.started_on, period.start_before_records, period.ended_on) == (
        date(2023, 6, 1),
        True,
        date(2024, 3, 15),
    )

    client.force_login(writer)
    html = client.get(reverse("children:detail", args=[imported.pk])).content.decode()
    assert "In care before 1 June 2023" in html
    assert "Placement order (E1) made on or before 1 June 2023" in html
    (row,) = list_10_children(la=la_other, as_at=date(2024, 3, 31))
    assert (row.cells[ENTERED], row.cells[ORDER]) == (None, None)
    result = a1(la_ids={la_other.pk}, period_end=date(2026, 3, 31))
    assert (result.children, result.excluded) == (0, 1)
    # Importing it again changes nothing.
    assert run(writer, la_other, files).result()["summary"]["changes"] == 0


# --- the rules and services on their own ----------------------------------------------------------


def test_rule_334_is_not_judged_when_the_start_of_care_is_not_held():
    facts = {"today": date(2026, 1, 1), "entered_care_on": date(2025, 6, 1), "decision_on": date(2025, 1, 10)}
    assert [v.rule for v in rules.journey_violations(rules.JourneyFacts(**facts))] == ["334"]
    assert rules.journey_violations(rules.JourneyFacts(**facts, entered_care_known=False)) == []
    # The child was in care on the first day known, so was born by then.
    born_later = rules.JourneyFacts(**facts, entered_care_known=False, date_of_birth=date(2025, 7, 1))
    assert [v.field for v in rules.journey_violations(born_later)] == ["entered_care_on", "decision_on"]


def _start_before_records(actor, child, on: date = date(2024, 6, 1), rne: str = "P") -> PeriodOfCare:
    return services.period_of_care_start_before_records(
        actor=actor,
        child_id=child.pk,
        started_on=on,
        reason_new_episode=rne,
        legal_status="C2",
        category_of_need="N1",
        placement_type="U4",
    )


def test_a_decision_before_the_first_episode_known_is_accepted(social_worker_a, child_a, la_a):
    period = _start_before_records(social_worker_a, child_a)
    assert period.start_before_records and str(period).startswith("In care before")
    # Rule 334 cannot be judged: the decision may be older than the first episode known.
    services.adoption_decision_record(actor=social_worker_a, child_id=child_a.pk, decided_on=date(2024, 3, 1))
    # A child whose entry to care is recorded is still held to it.
    other = factories.ChildFactory(responsible_la=la_a)
    enter_care(social_worker_a, other, on=date(2024, 6, 1))
    with pytest.raises(ValidationError, match="903 rule 334"):
        services.adoption_decision_record(actor=social_worker_a, child_id=other.pk, decided_on=date(2024, 3, 1))


def test_only_a_child_with_no_period_of_care_starts_one_before_the_returns(social_worker_a, child_a):
    with pytest.raises(ValidationError, match="RNE S is the start of the period"):
        _start_before_records(social_worker_a, child_a, rne="S")
    _start_before_records(social_worker_a, child_a)
    with pytest.raises(ValidationError, match="already has a period of care"):
        _start_before_records(social_worker_a, child_a, on=date(2025, 6, 1))


def test_a1_counts_a_child_whose_start_is_held_and_leaves_out_one_whose_is_not(la_a):
    period_end = date(2026, 3, 31)
    factories.adopted_child(
        la_a, entered_care=date(2022, 1, 10), moved_in=date(2023, 2, 26), adoption_order=date(2023, 9, 1)
    )
    not_held = factories.adopted_child(
        la_a, entered_care=date(2023, 1, 1), moved_in=date(2023, 3, 1), adoption_order=date(2023, 12, 1)
    )
    PeriodOfCare.objects.filter(child=not_held).update(start_before_records=True)
    result = a1(la_ids={la_a.pk}, period_end=period_end)
    # 412 days for the first child; the second's 59 days would count from a day they were already in care.
    assert (result.children, result.excluded, result.mean_days) == (1, 1, Decimal(412))


def test_the_first_episode_known_keeps_the_day_in_care_after_birth(social_worker_a, child_a):
    born = child_a.date_of_birth
    with pytest.raises(ValidationError, match="cannot enter care before they were born"):
        _start_before_records(social_worker_a, child_a, on=born - timedelta(days=1))
