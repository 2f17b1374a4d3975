"""Importing 903 returns: the journeys they describe, all or nothing, and nothing at all the second time.

The journeys are built through the services (as the pages record them), written out as the DfE's
CSV tables by :func:`export_csvs` below, and imported into an LA that has no children yet.
The DfE validator takes a few seconds a run, so only a few tests run it.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from adoption.models import AuditEvent, Job, JobInput, Role
from children import services
from children.models import Child, PermanenceOutcome
from children.ssda903 import importer, reader
from tests import factories

COLUMNS = {table: list(cols) for table, cols in reader.COLUMNS.items()}


# --- helpers shared with the other import tests ----------------------------------------------------


def d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def csv_bytes(table: str, rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS[table], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({column: row.get(column, "") for column in COLUMNS[table]} for row in rows)
    return out.getvalue().encode()


def export_csvs(la) -> list[tuple[str, bytes]]:
    """The LA's children as the four 903 CSV tables, every episode of every period (a small test exporter)."""
    header, episodes, ad1, placed = [], [], [], []
    for child in Child.objects.filter(responsible_la=la).order_by("child_903_id"):
        header.append(
            {"CHILD": child.child_903_id, "SEX": child.sex, "DOB": d(child.date_of_birth), "ETHNIC": child.ethnicity}
            | {"UPN": child.upn or "UN1"}
        )
        for period in child.periods_of_care.order_by("started_on"):
            for episode in period.episodes.order_by("started_on"):
                episodes.append(
                    {
                        "CHILD": child.child_903_id,
                        "DECOM": d(episode.started_on),
                        "RNE": episode.reason_new_episode,
                        "LS": episode.legal_status,
                        "CIN": episode.category_of_need,
                        "PLACE": episode.placement_type,
                        "PLACE_PROVIDER": episode.placement_provider,
                        "DEC": d(episode.ended_on),
                        "REC": episode.reason_ended,
                        "REASON_PLACE_CHANGE": episode.reason_place_change,
                        "HOME_POST": episode.home_postcode,
                        "PL_POST": episode.placement_postcode,
                        "URN": episode.urn,
                    }
                )
        for decision in child.adoption_decisions.order_by("decided_on"):
            placed.append(
                {
                    "CHILD": child.child_903_id,
                    "DOB": d(child.date_of_birth),
                    "DATE_PLACED": d(decision.decided_on),
                    "DATE_PLACED_CEASED": d(decision.reversed_on),
                    "REASON_PLACED_CEASED": decision.reversal_reason,
                }
            )
        # AD1 is for children adopted (903 rule 602), as in the DfE's return.
        if child.permanence_outcomes.filter(kind=PermanenceOutcome.Kind.ADOPTION_ORDER).exists():
            decision = child.adoption_decisions.filter(reversed_on__isnull=True).get()
            match = child.adoptive_placements.get(ended_on__isnull=True)
            ad1.append(
                {
                    "CHILD": child.child_903_id,
                    "DOB": d(child.date_of_birth),
                    "DATE_INT": d(decision.decided_on),
                    "DATE_MATCH": d(match.matched_on),
                    "FOSTER_CARE": "1" if match.with_foster_carers else "0",
                    "NB_ADOPTR": "2",
                    "SEX_ADOPTR": "MF",
                    "LS_ADOPTR": "L3",
                }
            )
    return [
        ("header.csv", csv_bytes("Header", header)),
        ("episodes.csv", csv_bytes("Episodes", episodes)),
        ("ad1.csv", csv_bytes("AD1", ad1)),
        ("placed_adoption.csv", csv_bytes("PlacedAdoption", placed)),
    ]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def run(actor, la, files, *, phase=importer.PHASE_IMPORT, dfe=False) -> importer.Report:
    """One import without a job: read, (optionally) the DfE's rules, plan, then dry-run or apply."""
    tables = reader.read_upload(files)
    check = importer.dfe_findings(tables, la) if dfe else None
    return importer.run_import(actor=actor, la=la, tables=tables, dfe=check, phase=phase)


def table_counts() -> dict[str, int]:
    """Rows in every table of the project, history (pghistory event) tables included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def journey_core(child: Child) -> dict[str, Any]:
    """A child's details, periods of care with their episodes, decisions and placement orders, comparable across LAs."""
    return {
        "details": (child.date_of_birth, child.sex, child.ethnicity, child.upn),
        "periods": [
            (
                p.started_on,
                p.ended_on,
                p.reason_ended,
                [
                    (
                        e.started_on,
                        e.reason_new_episode,
                        e.legal_status,
                        e.category_of_need,
                        e.placement_type,
                        e.placement_provider,
                        e.ended_on,
                        e.reason_ended,
                        e.reason_place_change,
                        e.home_postcode,
                        e.placement_postcode,
                        e.urn,
                    )
                    for e in p.episodes.order_by("started_on")
                ],
            )
            for p in child.periods_of_care.order_by("started_on")
        ],
        "decisions": list(
            child.adoption_decisions.order_by("decided_on").values_list("decided_on", "reversed_on", "reversal_reason")
        ),
        "orders": list(child.placement_orders.order_by("made_on").values_list("made_on", "order_type")),
    }


def journey(child: Child) -> dict[str, Any]:
    """Everything the 903 can say about a child, in a form two LAs' copies can be compared in."""
    return {
        **journey_core(child),
        "placements": list(
            child.adoptive_placements.order_by("matched_on").values_list(
                "matched_on", "placed_on", "with_foster_carers", "moved_in_with_carers_on", "ended_on"
            )
        ),
        "outcomes": list(child.permanence_outcomes.order_by("made_on").values_list("kind", "made_on")),
    }


def journeys(la) -> dict[str, dict[str, Any]]:
    return {c.child_903_id: journey(c) for c in Child.objects.filter(responsible_la=la)}


# --- the journeys, recorded through the services ---------------------------------------------------

CARE = {"category_of_need": "N1", "placement_provider": "PR1"}


def _child(actor, la, child_903_id: str, **fields) -> int:
    fields = {"first_name": "Test", "last_name": child_903_id, "ethnicity": "WBRI", "sex": "F"} | fields
    return services.child_create(actor=actor, responsible_la_id=la.pk, child_903_id=child_903_id, **fields).pk


def build_journeys(actor, la) -> None:
    s = services
    # A1001: entered care, decision, placement order, match, placed with a new family, adopted.
    a = _child(actor, la, "A1001", date_of_birth=date(2021, 5, 1), upn="A123456789012")
    s.period_of_care_start(
        actor=actor,
        child_id=a,
        started_on=date(2022, 1, 10),
        legal_status="C1",
        placement_type="U6",
        home_postcode="CV1 2AA",
        placement_postcode="CV2 4AA",
        urn="SC123456",
        **CARE,
    )
    s.episode_record(
        actor=actor, child_id=a, started_on=date(2022, 3, 1), reason_new_episode="L", legal_status="C2",
        placement_type="U6", **CARE,
    )  # fmt: skip
    s.adoption_decision_record(actor=actor, child_id=a, decided_on=date(2022, 6, 1))
    s.episode_record(
        actor=actor, child_id=a, started_on=date(2022, 9, 1), reason_new_episode="L", legal_status="E1",
        placement_type="U6", **CARE,
    )  # fmt: skip
    s.placement_order_record(actor=actor, child_id=a, made_on=date(2022, 9, 1))
    s.adoptive_placement_record(actor=actor, child_id=a, matched_on=date(2023, 1, 10))
    s.episode_record(
        actor=actor, child_id=a, started_on=date(2023, 2, 1), reason_new_episode="P", legal_status="E1",
        placement_type="A6", reason_place_change="CARPL", **CARE,
    )  # fmt: skip
    s.adoptive_placement_record(actor=actor, child_id=a, matched_on=date(2023, 1, 10), placed_on=date(2023, 2, 1))
    s.permanence_outcome_record(
        actor=actor, child_id=a, kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on=date(2023, 10, 1)
    )
    s.period_of_care_end(actor=actor, child_id=a, ended_on=date(2023, 10, 1), reason_ended="E11")

    # B2002: adopted by the foster carers they moved in with on 1 May 2022 (A5).
    b = _child(actor, la, "B2002", date_of_birth=date(2020, 2, 3), sex="M", ethnicity="MWBC")
    s.period_of_care_start(
        actor=actor, child_id=b, started_on=date(2022, 4, 4), legal_status="V2", placement_type="U6", **CARE
    )
    s.episode_record(
        actor=actor, child_id=b, started_on=date(2022, 5, 1), reason_new_episode="B", legal_status="C1",
        placement_type="U6", reason_place_change="CARPL", **CARE,
    )  # fmt: skip
    s.episode_record(
        actor=actor, child_id=b, started_on=date(2022, 8, 1), reason_new_episode="L", legal_status="C2",
        placement_type="U6", **CARE,
    )  # fmt: skip
    s.adoption_decision_record(actor=actor, child_id=b, decided_on=date(2022, 10, 1))
    s.episode_record(
        actor=actor, child_id=b, started_on=date(2022, 12, 1), reason_new_episode="L", legal_status="E1",
        placement_type="U6", **CARE,
    )  # fmt: skip
    s.placement_order_record(actor=actor, child_id=b, made_on=date(2022, 12, 1))
    s.episode_record(
        actor=actor, child_id=b, started_on=date(2023, 4, 1), reason_new_episode="T", legal_status="E1",
        placement_type="A5", reason_place_change="PLACE", **CARE,
    )  # fmt: skip
    s.adoptive_placement_record(
        actor=actor,
        child_id=b,
        matched_on=date(2023, 3, 1),
        placed_on=date(2023, 4, 1),
        with_foster_carers=True,
        moved_in_with_carers_on=date(2022, 5, 1),
    )
    s.permanence_outcome_record(
        actor=actor, child_id=b, kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on=date(2024, 1, 15)
    )
    s.period_of_care_end(actor=actor, child_id=b, ended_on=date(2024, 1, 15), reason_ended="E12")

    # C3003: the decision was reversed (the child's needs changed); long-term fostering, still in care.
    c = _child(actor, la, "C3003", date_of_birth=date(2019, 7, 7), ethnicity="BAFR")
    s.period_of_care_start(
        actor=actor, child_id=c, started_on=date(2022, 2, 2), legal_status="C1", placement_type="U6", **CARE
    )
    s.adoption_decision_record(actor=actor, child_id=c, decided_on=date(2022, 8, 8))
    s.adoption_decision_reverse(actor=actor, child_id=c, reversed_on=date(2023, 5, 5), reason="RD1")
    s.episode_record(
        actor=actor, child_id=c, started_on=date(2023, 6, 1), reason_new_episode="L", legal_status="C2",
        placement_type="U4", **CARE,
    )  # fmt: skip

    # D4004: matched on 10 January 2024 and placed on 1 February 2024; not adopted yet.
    dd = _child(actor, la, "D4004", date_of_birth=date(2022, 3, 3), sex="M")
    s.period_of_care_start(
        actor=actor, child_id=dd, started_on=date(2022, 11, 1), legal_status="C2", placement_type="U6", **CARE
    )
    s.adoption_decision_record(actor=actor, child_id=dd, decided_on=date(2023, 2, 1))
    s.episode_record(
        actor=actor, child_id=dd, started_on=date(2023, 5, 1), reason_new_episode="L", legal_status="E1",
        placement_type="U6", **CARE,
    )  # fmt: skip
    s.placement_order_record(actor=actor, child_id=dd, made_on=date(2023, 5, 1))
    s.adoptive_placement_record(actor=actor, child_id=dd, matched_on=date(2024, 1, 10))
    s.episode_record(
        actor=actor, child_id=dd, started_on=date(2024, 2, 1), reason_new_episode="P", legal_status="E1",
        placement_type="A6", reason_place_change="CARPL", **CARE,
    )  # fmt: skip
    s.adoptive_placement_record(actor=actor, child_id=dd, matched_on=date(2024, 1, 10), placed_on=date(2024, 2, 1))

    # E5005: placed for adoption, the placement disrupted and the child went back to foster care.
    e = _child(actor, la, "E5005", date_of_birth=date(2020, 9, 9), ethnicity="WOTH")
    s.period_of_care_start(
        actor=actor, child_id=e, started_on=date(2021, 11, 1), legal_status="C2", placement_type="U6", **CARE
    )
    s.adoption_decision_record(actor=actor, child_id=e, decided_on=date(2022, 1, 15))
    s.episode_record(
        actor=actor, child_id=e, started_on=date(2022, 3, 1), reason_new_episode="L", legal_status="E1",
        placement_type="U6", **CARE,
    )  # fmt: skip
    s.placement_order_record(actor=actor, child_id=e, made_on=date(2022, 3, 1))
    s.adoptive_placement_record(actor=actor, child_id=e, matched_on=date(2022, 7, 1))
    s.episode_record(
        actor=actor, child_id=e, started_on=date(2022, 7, 1), reason_new_episode="P", legal_status="E1",
        placement_type="A6", reason_place_change="CARPL", **CARE,
    )  # fmt: skip
    s.adoptive_placement_record(actor=actor, child_id=e, matched_on=date(2022, 7, 1), placed_on=date(2022, 7, 1))
    s.episode_record(
        actor=actor, child_id=e, started_on=date(2022, 12, 1), reason_new_episode="P", legal_status="E1",
        placement_type="U6", reason_place_change="CREQB", **CARE,
    )  # fmt: skip
    s.adoptive_placement_end(actor=actor, child_id=e, ended_on=date(2022, 12, 1))


@pytest.fixture
def writer_other(la_other):
    """A social worker of an LA with no children yet: where the files are imported."""
    return factories.staff(la_other, Role.SOCIAL_WORKER, username="sw.other")


@pytest.fixture
def recorded(la_a, social_worker_a):
    build_journeys(social_worker_a, la_a)
    return journeys(la_a)


# --- the round trip --------------------------------------------------------------------------------


def test_importing_an_export_into_an_empty_la_reproduces_the_journeys_and_again_changes_nothing(
    recorded, la_a, la_other, writer_other, django_capture_on_commit_callbacks
):
    files = export_csvs(la_a)
    uploads = [upload(name, content) for name, content in files]
    with django_capture_on_commit_callbacks(execute=True):
        preview = importer.import_request(actor=writer_other, la_id=la_other.pk, files=uploads)
    preview.refresh_from_db()
    assert preview.status == Job.Status.SUCCEEDED, preview.error
    result = preview.result
    assert result["blocking_count"] == 0, [p for p in result["problems"] if p["blocking"]]
    assert result["summary"] == {"children": 5, "new": 5, "changed": 0, "unchanged": 0, "changes": 42}
    assert result["can_apply"] is True
    assert not Child.objects.filter(responsible_la=la_other).exists()  # the preview saved nothing
    amelia = next(c for c in result["changes"] if c["child"] == "A1001")["changes"]
    assert amelia == [
        "New child, 903 ID A1001: born 1 May 2021, sex F, ethnicity WBRI (named 'Child A1001' until their names "
        "are entered)",
        "Entered care on 10 January 2022 (C1, U6)",
        "New episode from 1 March 2022: RNE L, LS C2, placement U6",
        "Decision that the child should be placed for adoption: 1 June 2022",
        "New episode from 1 September 2022: RNE L, LS E1, placement U6",
        "Placement order (E1): 1 September 2022",
        "New episode from 1 February 2023: RNE P, LS E1, placement A6",
        "Matched 10 January 2023; placed for adoption 1 February 2023",
        "Adoption order: 1 October 2023",
        "Left care on 1 October 2023 (REC E11)",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        apply = importer.import_confirm(actor=writer_other, job_id=preview.pk)
    apply.refresh_from_db()
    assert apply.status == Job.Status.SUCCEEDED, apply.error
    assert apply.result["applied"] is True

    imported = journeys(la_other)
    assert set(imported) == set(recorded)
    # The 903 has the match date only for children adopted (AD1): the others get their placement's date.
    for child, matched_on in (("D4004", date(2024, 2, 1)), ("E5005", date(2022, 7, 1))):
        (placement,) = recorded[child]["placements"]
        recorded[child]["placements"] = [(matched_on, *placement[1:])]
        warning = next(p for p in result["problems"] if p["child"] == child and p["rule"] == importer.MATCH_DATE)
        assert not warning["blocking"]
    assert imported == recorded
    new = Child.objects.get(responsible_la=la_other, child_903_id="A1001")
    assert (new.first_name, new.last_name) == ("Child", "A1001")

    # The same files again: nothing to change, and not one row added anywhere but the job's own.
    before = table_counts()
    with django_capture_on_commit_callbacks(execute=True):
        again = importer.import_request(actor=writer_other, la_id=la_other.pk, files=[upload(n, c) for n, c in files])
    again.refresh_from_db()
    assert again.result["summary"] == {"children": 5, "new": 0, "changed": 0, "unchanged": 5, "changes": 0}
    assert again.result["changes"] == []
    assert again.result["can_apply"] is False
    after = table_counts()
    bookkeeping = {Job._meta.label: 1, JobInput._meta.label: 4, AuditEvent._meta.label: 1}  # the job and its files
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == bookkeeping
    assert AuditEvent.objects.order_by("-id").first().action == AuditEvent.Action.JOB_REQUESTED


def test_an_import_without_the_job_changes_no_table_the_second_time(recorded, la_a, la_other, writer_other):
    files = export_csvs(la_a)
    first = run(writer_other, la_other, files)
    assert first.applied and not first.blocking
    before = table_counts()
    second = run(writer_other, la_other, files)
    assert second.applied and second.result()["summary"]["changes"] == 0
    assert table_counts() == before  # audit and history tables included


def test_the_xml_form_imports_the_same_journey(la_other, writer_other):
    from tests.ssda903.test_import_reader import XML

    report = run(writer_other, la_other, [("return.xml", XML.encode())], phase=importer.PHASE_IMPORT)
    assert report.applied, [p.as_dict() for p in report.problems]
    child = Child.objects.get(responsible_la=la_other, child_903_id="1001")
    assert journey(child)["placements"] == [(date(2023, 1, 10), date(2023, 2, 1), False, None, None)]
    assert journey(child)["decisions"] == [(date(2022, 6, 1), None, "")]


# --- later returns ---------------------------------------------------------------------------------


def test_a_later_return_ends_the_open_episode_and_adds_what_is_new(la_other, writer_other):
    header = csv_bytes("Header", [{"CHILD": "1001", "SEX": "1", "DOB": "01/05/2021", "ETHNIC": "WBRI", "UPN": "UN1"}])
    year_one = [
        {"CHILD": "1001", "DECOM": "10/01/2022", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6"},
    ]
    first = run(writer_other, la_other, [("h.csv", header), ("e.csv", csv_bytes("Episodes", year_one))])
    assert first.applied
    child = Child.objects.get(responsible_la=la_other, child_903_id="1001")
    assert (child.sex, child.upn) == ("M", "")  # SEX 1 before 2024/25; UN1 says why there is no UPN

    year_two = [
        year_one[0] | {"DEC": "01/06/2022", "REC": "X1", "REASON_PLACE_CHANGE": "CARPL"},
        {"CHILD": "1001", "DECOM": "01/06/2022", "RNE": "P", "LS": "C2", "CIN": "N1", "PLACE": "U4"},
    ]
    placed = csv_bytes("PlacedAdoption", [{"CHILD": "1001", "DOB": "01/05/2021", "DATE_PLACED": "01/07/2022"}])
    files = [("h.csv", header), ("e.csv", csv_bytes("Episodes", year_two)), ("p.csv", placed)]
    preview = run(writer_other, la_other, files, phase=importer.PHASE_PREVIEW)
    assert preview.result()["changes"] == [
        {
            "child": "1001",
            "child_id": child.pk,
            "status": "changed",
            "changes": [
                "New episode from 1 June 2022: RNE P, LS C2, placement U4",
                "Decision that the child should be placed for adoption: 1 July 2022",
            ],
        }
    ]
    assert run(writer_other, la_other, files).applied
    (period,) = journey(child)["periods"]
    assert [(e[0], e[6], e[7], e[8]) for e in period[3]] == [
        (date(2022, 1, 10), date(2022, 6, 1), "X1", "CARPL"),
        (date(2022, 6, 1), None, "", ""),
    ]


def test_a_file_that_disagrees_with_a_recorded_episode_is_refused_with_the_difference(la_other, writer_other):
    header = csv_bytes("Header", [{"CHILD": "1001", "SEX": "F", "DOB": "01/05/2021", "ETHNIC": "WBRI"}])
    episode = {"CHILD": "1001", "DECOM": "10/01/2022", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6"}
    assert run(writer_other, la_other, [("h.csv", header), ("e.csv", csv_bytes("Episodes", [episode]))]).applied
    before = table_counts()
    changed = [("h.csv", header), ("e.csv", csv_bytes("Episodes", [episode | {"LS": "C1"}]))]
    report = run(writer_other, la_other, changed)
    (problem,) = report.blocking
    assert (problem.rule, problem.file, problem.row, problem.child) == (importer.CONFLICT, "e.csv", 2, "1001")
    assert "LS C2 in the record, C1 in the file" in problem.message
    assert not report.applied
    assert table_counts() == before


def test_a_new_childs_first_episode_continuing_a_period_starts_it_before_the_returns_held(la_other, writer_other):
    # A return holds only the episodes open in its year: the start of this period is in an earlier one.
    header = csv_bytes("Header", [{"CHILD": "1001", "SEX": "F", "DOB": "01/05/2021", "ETHNIC": "WBRI"}])
    episode = {"CHILD": "1001", "DECOM": "10/01/2023", "RNE": "P", "LS": "C2", "CIN": "N1", "PLACE": "U6"}
    report = run(writer_other, la_other, [("h.csv", header), ("e.csv", csv_bytes("Episodes", [episode]))])
    assert report.applied and not report.blocking
    (change,) = report.result()["changes"]
    assert change["changes"][1] == (
        "In care before 10 January 2023: the first episode in the file continues a period of care (RNE P; C2, U6). "
        "The date the child entered care is in an earlier return, so it is left unknown"
    )
    child = Child.objects.get(responsible_la=la_other, child_903_id="1001")
    (period,) = child.periods_of_care.all()
    assert (period.started_on, period.start_before_records) == (date(2023, 1, 10), True)
    assert list(period.episodes.values_list("started_on", "reason_new_episode")) == [(date(2023, 1, 10), "P")]


def test_an_episode_that_does_not_join_up_with_the_childs_record_is_refused(la_other, writer_other):
    header = csv_bytes("Header", [{"CHILD": "1001", "SEX": "F", "DOB": "01/05/2021", "ETHNIC": "WBRI"}])
    left = {"CHILD": "1001", "DECOM": "10/01/2022", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6"}
    left |= {"DEC": "01/06/2022", "REC": "E13"}
    assert run(writer_other, la_other, [("h.csv", header), ("e.csv", csv_bytes("Episodes", [left]))]).applied
    episode = {"CHILD": "1001", "DECOM": "10/01/2023", "RNE": "P", "LS": "C2", "CIN": "N1", "PLACE": "U6"}
    report = run(writer_other, la_other, [("h.csv", header), ("e.csv", csv_bytes("Episodes", [episode]))])
    (problem,) = report.blocking
    assert problem.rule == importer.PERIOD
    assert "continues a period of care (RNE P)" in problem.message
    child = Child.objects.get(responsible_la=la_other, child_903_id="1001")
    assert list(child.periods_of_care.values_list("started_on", "start_before_records")) == [(date(2022, 1, 10), False)]


# --- malformed uploads -----------------------------------------------------------------------------


def _good_files() -> dict[str, list[dict[str, str]]]:
    """A valid return for two children; the malformed cases below each break one thing."""
    return {
        "Header": [
            {"CHILD": "1001", "SEX": "F", "DOB": "01/05/2021", "ETHNIC": "WBRI", "UPN": "UN1"},
            {"CHILD": "1002", "SEX": "M", "DOB": "03/02/2020", "ETHNIC": "WBRI", "UPN": "UN1"},
        ],
        "Episodes": [
            {"CHILD": "1001", "DECOM": "10/01/2022", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6"}
            | {"PLACE_PROVIDER": "PR1", "DEC": "01/02/2023", "REC": "X1", "REASON_PLACE_CHANGE": "CARPL"},
            {"CHILD": "1001", "DECOM": "01/02/2023", "RNE": "P", "LS": "E1", "CIN": "N1", "PLACE": "A6"}
            | {"PLACE_PROVIDER": "PR1", "DEC": "01/10/2023", "REC": "E11"},
            {"CHILD": "1002", "DECOM": "05/05/2022", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U6"}
            | {"PLACE_PROVIDER": "PR1"},
        ],
        "AD1": [
            {"CHILD": "1001", "DOB": "01/05/2021", "DATE_INT": "01/06/2022", "DATE_MATCH": "10/01/2023"}
            | {"FOSTER_CARE": "0", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L3"},
        ],
        "PlacedAdoption": [{"CHILD": "1001", "DOB": "01/05/2021", "DATE_PLACED": "01/06/2022"}],
    }


def _upload(tables: dict[str, list[dict[str, str]]]) -> list[tuple[str, bytes]]:
    names = {"Header": "header.csv", "Episodes": "episodes.csv", "AD1": "ad1.csv", "PlacedAdoption": "placed.csv"}
    return [(names[t], csv_bytes(t, rows)) for t, rows in tables.items()]


def test_the_good_files_import(la_other, writer_other):
    report = run(writer_other, la_other, _upload(_good_files()), phase=importer.PHASE_PREVIEW)
    assert not report.blocking, [p.as_dict() for p in report.problems]
    assert report.result()["summary"]["new"] == 2


def _malformed(case: str) -> list[tuple[str, bytes]]:
    tables = _good_files()
    if case == "bad date":
        tables["Episodes"][2]["DECOM"] = "31/04/2022"
    elif case == "unknown code":
        tables["Episodes"][2]["PLACE"] = "Q9"
    elif case == "child in AD1 missing from Header":
        tables["AD1"][0]["CHILD"] = "7777"
    elif case == "decision after the placement":
        tables["PlacedAdoption"][0]["DATE_PLACED"] = "01/03/2023"
        tables["AD1"][0]["DATE_INT"] = "01/03/2023"
    files = _upload(tables)
    if case == "missing column":
        name, content = files[1]
        files[1] = (name, _drop_column(content.decode(), "REC").encode())
    return files


def _drop_column(text: str, column: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    index = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([r[:index] + r[index + 1 :] for r in rows])
    return out.getvalue()


# case -> (file, row, child, rule, words in the message) of the problem it must produce
MALFORMED = {
    "missing column": ("episodes.csv", 1, "", "IMP-COLUMN", "has no REC column"),
    "bad date": ("episodes.csv", 4, "1002", "141", "DECOM '31/04/2022' is not a real date"),
    "unknown code": ("episodes.csv", 4, "1002", "146", "PLACE 'Q9' is not a placement type code"),
    "child in AD1 missing from Header": ("ad1.csv", 2, "7777", "IMP-NOT-IN-HEADER", "is in AD1 but not in Header"),
    "decision after the placement": (
        "ad1.csv",
        2,
        "1001",
        "333",
        "The match must be on or after the decision that the child should be placed for adoption",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_upload_is_refused_with_a_clear_message_and_changes_nothing(case, la_other, writer_other):
    before = table_counts()
    report = run(writer_other, la_other, _malformed(case), phase=importer.PHASE_IMPORT)
    file, row, child, rule, words = MALFORMED[case]
    matching = [p for p in report.blocking if (p.file, p.row, p.child, p.rule) == (file, row, child, rule)]
    assert matching, [p.as_dict() for p in report.problems]
    assert words in matching[0].message
    assert not report.applied
    assert report.result()["can_apply"] is False
    assert table_counts() == before


def test_the_dfe_rules_are_reported_with_ours_and_block_the_import(la_other, writer_other):
    """One run of the DfE validator over a decision made after the child was placed for adoption."""
    before = table_counts()
    report = run(writer_other, la_other, _malformed("decision after the placement"), dfe=True)
    dfe = {(p.rule, p.file, p.row, p.child): p for p in report.problems if p.source == "dfe"}
    # The DfE's 552 (the decision must be on or before the placement) and 554 (on or before the placement order).
    assert dfe[("552", "placed.csv", 2, "1001")].blocking
    assert dfe[("552", "episodes.csv", 3, "1001")].blocking
    assert dfe[("554", "placed.csv", 2, "1001")].blocking
    # The service's own rules say the same in a social worker's words, naming the 903 rule they mirror;
    # the DfE's 333 on the same AD1 row is the same finding, so it is listed once.
    ours = {(p.rule, p.file, p.row): p.message for p in report.blocking if p.source == "import"}
    assert ours[("333", "ad1.csv", 2)].startswith("The match must be on or after the decision")
    assert ours[("554", "episodes.csv", 3)].startswith("The placement order must be on or after the decision")
    assert ("333", "ad1.csv", 2, "1001") not in dfe
    # Warnings (postcodes, the mother field) are shown but do not block.
    assert not dfe[("393", "header.csv", 2, "1001")].blocking
    assert report.collection_year == "2024/25"  # SEX codes M/F/U: a return from 2024 to 2025 on
    assert not report.applied
    assert table_counts() == before


def test_a_refusal_by_the_services_rolls_back_every_child(la_other, writer_other):
    """Child 1001 alone would import; 1002 is refused by a service, so 1001 is not imported either."""
    existing = factories.ChildFactory(responsible_la=la_other, child_903_id="1002", date_of_birth=date(2020, 2, 3))
    services.period_of_care_start(
        actor=writer_other,
        child_id=existing.pk,
        started_on=date(2022, 5, 5),
        legal_status="C2",
        category_of_need="N1",
        placement_type="U6",
        placement_provider="PR1",
    )
    services.adoption_decision_record(actor=writer_other, child_id=existing.pk, decided_on=date(2022, 7, 1))
    tables = _good_files()
    # The file has another decision for 1002 while the recorded one is still in force.
    tables["PlacedAdoption"].append({"CHILD": "1002", "DOB": "03/02/2020", "DATE_PLACED": "01/09/2022"})
    before = table_counts()
    report = run(writer_other, la_other, _upload(tables))
    (problem,) = report.blocking
    assert (problem.file, problem.row, problem.child, problem.rule) == ("placed.csv", 3, "1002", importer.REFUSED)
    assert problem.message.startswith("The child already has a decision that they should be placed for adoption")
    assert not report.applied
    assert table_counts() == before
    assert not Child.objects.filter(responsible_la=la_other, child_903_id="1001").exists()


# --- the product's own 903 export -------------------------------------------------------------------


def test_each_years_export_imported_in_turn_reproduces_the_journeys(recorded, la_a, la_other, writer_other):
    """children.ssda903.export's tables for each collection year, oldest first, into an LA with no children.

    A year's return has the episodes open in that year only, so a child's whole journey arrives over
    the years; each later return ends the episodes the earlier one showed open. Importing any of the
    returns again afterwards changes nothing.
    """
    from children.ssda903.export import build_tables

    def year_files(year: int) -> list[tuple[str, bytes]]:
        return [(f"{table}.csv", text.encode()) for table, text in build_tables(la=la_a, year_start=year).csv().items()]

    for year in (2021, 2022, 2023):
        report = run(writer_other, la_other, year_files(year))
        assert report.applied, [p.as_dict() for p in report.blocking]
    # The 903 has DATE_MATCH only in AD1, for the year of the adoption. A child placed in one year
    # and adopted in a later one (A1001) first gets the placement date as the match date, which the
    # later AD1 corrects; a child not adopted yet (D4004) has no AD1, so keeps the placement date.
    (placement,) = recorded["D4004"]["placements"]
    recorded["D4004"]["placements"] = [(placement[1], *placement[1:])]
    assert journeys(la_other) == recorded

    before = table_counts()
    for year in (2021, 2022, 2023):
        report = run(writer_other, la_other, year_files(year))
        assert report.applied and report.result()["summary"]["changes"] == 0, [p.as_dict() for p in report.blocking]
    assert table_counts() == before


def test_an_apply_refuses_when_the_record_changed_after_the_preview(la_other, writer_other):
    files = _upload(_good_files())
    preview = run(writer_other, la_other, files, phase=importer.PHASE_PREVIEW)
    digest = preview.result()["plan_digest"]
    # Someone records child 1002 entering care on another day before the preview is confirmed.
    child = services.child_create(
        actor=writer_other,
        responsible_la_id=la_other.pk,
        child_903_id="1002",
        first_name="Zac",
        last_name="Zed",
        date_of_birth=date(2020, 2, 3),
    )
    before = table_counts()
    tables = reader.read_upload(files)
    report = importer.run_import(
        actor=writer_other, la=la_other, tables=tables, dfe=None, phase=importer.PHASE_APPLY, expected_digest=digest
    )
    assert [p.rule for p in report.blocking] == [importer.STALE]
    assert not report.applied
    assert table_counts() == before
    # Applying a preview whose changes are all already in the record (a job run again) is a success.
    assert run(writer_other, la_other, files).applied
    again = importer.run_import(
        actor=writer_other,
        la=la_other,
        tables=reader.read_upload(files),
        dfe=None,
        phase=importer.PHASE_APPLY,
        expected_digest=digest,
    )
    assert again.applied and not again.problems
    assert Child.objects.get(pk=child.pk).first_name == "Zac"  # the import never renames a child
