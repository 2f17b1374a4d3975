"""``manage.py check_integrity``: is a database of the service whole, and are the files its records name there?"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from adoption import backups


class Command(BaseCommand):
    help = (
        "Check a database of the service and its media files: every migration applied, row counts (compared with a "
        "backup's manifest if given), every foreign key and check constraint present and validated, the audit, history "
        "and record triggers present and enabled (the audit log refuses changes), id sequences ahead of their tables, "
        "the audit log's extent, and every file a record names present. Exits non-zero when a check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default=None,
            help="A postgres:// URL or a database name on the configured server (default: the configured database).",
        )
        parser.add_argument("--media-root", type=Path, default=None, help="The media folder (default: MEDIA_ROOT).")
        parser.add_argument(
            "--backup", type=Path, default=None, help="A backup archive whose manifest the database should match."
        )

    def handle(self, *args, database: str | None, media_root: Path | None, backup: Path | None, **options):
        configured = dict(connections["default"].settings_dict)
        media = media_root or Path(settings.MEDIA_ROOT)
        try:
            db = backups.database_settings(database, like=configured) if database else configured
            expected = self._manifest(backup) if backup else None
            report = backups.check_integrity(db=db, media_root=media, expected=expected)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"Integrity check failed: {', '.join(c.name for c in report.failed)}.")

    @staticmethod
    def _manifest(path: Path) -> dict:
        with backups.open_archive(path) as tar:
            return backups.read_manifest(tar)
