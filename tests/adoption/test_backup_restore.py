"""Backup and restore as an operator runs them: ``manage.py backup``, ``restore --into`` and ``check_integrity``.

The data is committed (``transaction=True``) because ``pg_dump`` reads the database with a connection of its own. The
restore goes into a new database on the same server, created and dropped by the test; the media files into a folder
of the test's own. The flush after each test also removes what the migrations loaded: ``serialized_rollback`` reloads
it before each test and the module fixture puts it back after the module (tests/conftest.py).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from adopters.models import Applicant, Household
from adoption import backups
from adoption.models import AuditEvent, Job, Organisation
from children.models import Child, PermanenceOutcome
from panels.models import AgendaItem, AgendaPaper, PanelMeeting, PanelMember, PanelRole
from reporting.services import a1_report_request
from tests import factories
from tests.adoption.conftest import sign_in

# Only the tests that back up real data use committed transactions (and pay for the flush after them).
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LONDON = ZoneInfo("Europe/London")
PAPER_BYTES = b"%PDF-1.4\n% the Child's Permanence Report of a child on the agenda\n"


@pytest.fixture(scope="module", autouse=True)
def _reload_migration_data_after_module(migration_data_reloaded_after_module) -> None:
    """Put back the rows the migrations loaded, which the last test's flush removed (tests/conftest.py)."""


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """The service's media folder for this test alone (others' tests write to the shared one meanwhile)."""
    folder = tmp_path / "media"
    folder.mkdir()
    settings.MEDIA_ROOT = folder
    return folder


def _server(name: str = "postgres"):
    db = dict(connection.settings_dict)
    return psycopg2.connect(
        dbname=name,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
    )


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database on the test database's server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = _server()
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _query(database: str, sql: str, params: tuple = ()) -> list[tuple]:
    conn = _server(database)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def _counts(database: str, *models) -> dict[str, int]:
    return {m._meta.db_table: _query(database, f'SELECT count(*) FROM "{m._meta.db_table}"')[0][0] for m in models}


KEY_MODELS = (Organisation, Child, PermanenceOutcome, Household, Applicant, PanelMeeting, AgendaPaper, AuditEvent, Job)


@dataclass
class Service:
    """What a region's service holds: the rows the test compares after a restore."""

    adopted: Child
    order_made_on: date
    paper: AgendaPaper
    report: Job
    read_event: AuditEvent


@pytest.fixture
def service(client, media, raa, la_a, la_b, social_worker_a, manager, panel_adviser) -> Service:
    adopted = factories.adopted_child(
        la_a,
        entered_care=date(2022, 1, 10),
        moved_in=date(2023, 2, 26),
        adoption_order=date(2023, 9, 1),
        first_name="Amelia",
        last_name="Ashdown",
    )
    factories.adopted_child(la_b, entered_care=date(2021, 6, 1), moved_in=date(2022, 11, 13))
    waiting = factories.ChildFactory(responsible_la=la_a, first_name="Noah", last_name="Waite")
    factories.PeriodOfCareFactory(child=waiting, started_on=date(2024, 2, 1))
    factories.AdoptionDecisionFactory(child=waiting, decided_on=date(2024, 8, 1))

    family = factories.HouseholdFactory(approving_agency=raa, name="The Okafors")
    factories.ApplicantFactory(household=family, first_name="Grace", last_name="Okafor")
    factories.ApplicantFactory(household=family, first_name="Daniel", last_name="Okafor")

    panel = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 6, 10), starts_at=time(10, 0), place="Warwick")
    PanelMember.objects.create(raa=raa, name="Chloe Chair", roles=[PanelRole.CHAIR], on_list_from=date(2024, 1, 1))
    item = AgendaItem.objects.create(
        meeting=panel, position=1, kind=AgendaItem.Kind.RELINQUISHED, starts_at=time(10, 0), child=waiting
    )
    paper = AgendaPaper.objects.create(
        item=item,
        kind="cpr",
        title="Child's Permanence Report",
        file=ContentFile(PAPER_BYTES, name="cpr.pdf"),
        original_name="cpr.pdf",
        pages=1,
        size=len(PAPER_BYTES),
        received_at=datetime(2025, 6, 1, 9, 0, tzinfo=LONDON),
        uploaded_by=panel_adviser,
    )

    # The audit trail as people make it: a sign-in and a read of a child's record.
    assert sign_in(client, social_worker_a.username).status_code == 302
    assert client.get(f"/children/{adopted.pk}/").status_code == 200
    read_event = AuditEvent.objects.get(action=AuditEvent.Action.READ, object_id=str(adopted.pk))

    # A generated file: the A1 scorecard PDF, made by its job (tasks run at once without a broker).
    report = a1_report_request(actor=manager, la_id=la_a.pk, period_end=date(2026, 3, 31))
    report.refresh_from_db()
    assert report.status == Job.Status.SUCCEEDED, report.error
    return Service(
        adopted=adopted,
        order_made_on=PermanenceOutcome.objects.get(child=adopted).made_on,
        paper=paper,
        report=report,
        read_event=read_event,
    )


def _backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def _restore(archive: Path, into: str, media_root: Path) -> str:
    out = io.StringIO()
    call_command("restore", str(archive), "--into", into, "--media-root", str(media_root), stdout=out)
    return out.getvalue()


@committed
def test_a_backup_restored_into_an_empty_database_is_whole_and_equal(service, media, empty_database, tmp_path):
    database = connection.settings_dict["NAME"]
    archive = tmp_path / "nightly.tar"

    said = _backup(archive)
    assert f"Backup written to {archive}" in said
    assert "2 media files" in said  # the panel paper and the scorecard PDF

    restored_media = tmp_path / "restored-media"
    report = _restore(archive, empty_database, restored_media)

    assert "All 7 checks passed." in report
    assert "[FAILED]" not in report
    assert "an update of the audit log was tried and refused" in report
    assert _counts(empty_database, *KEY_MODELS) == _counts(database, *KEY_MODELS)
    assert _counts(empty_database, Child)[Child._meta.db_table] == 3
    # The adopted child's order, and the read of her record, came back as they were.
    assert _query(
        empty_database,
        "SELECT o.made_on FROM children_permanenceoutcome o JOIN children_child c ON c.id = o.child_id "
        "WHERE c.first_name = %s AND c.last_name = %s AND o.kind = %s",
        ("Amelia", "Ashdown", PermanenceOutcome.Kind.ADOPTION_ORDER),
    ) == [(date(2023, 9, 1),)]
    event = service.read_event
    assert _query(
        empty_database,
        "SELECT action, object_type, object_id, actor_label, organisation_id, request_id FROM adoption_auditevent "
        "WHERE id = %s",
        (event.pk,),
    ) == [
        (event.action, event.object_type, event.object_id, event.actor_label, event.organisation_id, event.request_id)
    ]
    # The files the records name are in the restored media folder, byte for byte.
    assert (restored_media / service.paper.file.name).read_bytes() == PAPER_BYTES
    assert (restored_media / service.report.file.name).read_bytes() == (media / service.report.file.name).read_bytes()
    assert (restored_media / service.report.file.name).read_bytes().startswith(b"%PDF")


@committed
def test_a_restore_into_a_database_or_media_folder_in_use_is_refused_and_changes_nothing(
    service, empty_database, tmp_path
):
    archive = tmp_path / "nightly.tar"
    _backup(archive)
    # A media folder with files in it is refused before the (empty) database is touched.
    busy = tmp_path / "busy-media"
    busy.mkdir()
    (busy / "someone-elses.pdf").write_bytes(b"%PDF")
    with pytest.raises(CommandError, match=r"media folder .* is not empty"):
        _restore(archive, empty_database, busy)
    assert _query(empty_database, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace") == [(0,)]
    assert [p.name for p in busy.iterdir()] == ["someone-elses.pdf"]

    # A database with tables (one restored already, or the one in use) is refused, and neither is changed.
    _restore(archive, empty_database, tmp_path / "first-media")
    before = _counts(empty_database, *KEY_MODELS)
    AuditEvent.objects.create(action=AuditEvent.Action.SIGN_IN, actor_label="after.the.backup")  # the live database
    live_before = _counts(connection.settings_dict["NAME"], *KEY_MODELS)

    for target in (empty_database, connection.settings_dict["NAME"]):
        untouched_media = tmp_path / f"media-for-{target}"
        with pytest.raises(CommandError, match="is not empty"):
            _restore(archive, target, untouched_media)
        assert not untouched_media.exists()

    assert _counts(empty_database, *KEY_MODELS) == before
    assert _counts(connection.settings_dict["NAME"], *KEY_MODELS) == live_before
    assert AuditEvent.objects.filter(actor_label="after.the.backup").count() == 1


@committed
def test_check_integrity_fails_on_a_broken_restore_and_names_what_is_wrong(service, empty_database, tmp_path):
    archive = tmp_path / "nightly.tar"
    _backup(archive)
    restored_media = tmp_path / "restored-media"
    _restore(archive, empty_database, restored_media)

    # A paper lost from the media folder, the audit log's append-only trigger dropped, a migration not recorded.
    (restored_media / service.paper.file.name).unlink()
    conn = _server(empty_database)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'adoption_auditevent'::regclass AND NOT tgisinternal"
        )
        (trigger,) = cur.fetchone()
        cur.execute(f'DROP TRIGGER "{trigger}" ON adoption_auditevent')
        cur.execute("DELETE FROM django_migrations WHERE app = 'panels' AND name = '0004_joint_panels'")
    conn.close()

    out = io.StringIO()
    with pytest.raises(CommandError, match="Integrity check failed: Migrations, Row counts, Triggers, Media files"):
        call_command(
            "check_integrity",
            "--database",
            empty_database,
            "--media-root",
            str(restored_media),
            "--backup",
            str(archive),
            stdout=out,
        )
    report = out.getvalue()
    assert "not applied: panels.0004_joint_panels" in report
    assert "django_migrations: " in report  # one row fewer than the backup counted
    assert f"missing: adoption.auditevent: append_only ({trigger})" in report
    assert "the audit log accepted a change" in report
    assert f"panels.agendapaper {service.paper.pk} (file): {service.paper.file.name}" in report
    assert "[ok] Constraints" in report
    assert "[ok] Audit log" in report

    # The same checks pass on the database in use, whose files are all there.
    healthy = io.StringIO()
    call_command("check_integrity", stdout=healthy)
    assert "All 7 checks passed." in healthy.getvalue()


def test_a_missing_pg_dump_is_named_with_the_package_that_provides_it():
    with pytest.raises(backups.BackupError, match=r"pg_dump for PostgreSQL 99 is missing .*postgresql-client-99"):
        backups.find_program("pg_dump", 99)


def test_a_backup_never_overwrites_a_file(media, tmp_path):
    archive = tmp_path / "nightly.tar"
    archive.write_bytes(b"yesterday's backup")

    with pytest.raises(CommandError, match="already exists"):
        _backup(archive)

    assert archive.read_bytes() == b"yesterday's backup"
