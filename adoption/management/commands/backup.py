"""``manage.py backup FILE``: the database and the media files in one archive (see adoption.backups)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from adoption import backups


class Command(BaseCommand):
    help = (
        "Back up the service to FILE: a tar archive of the database (pg_dump, custom format), every media file and a "
        "manifest of row counts. Name it .tar, or .tar.gz to compress the media files."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive to write (a new file; an existing one is refused).")
        parser.add_argument(
            "--media-root", type=Path, default=None, help="The media folder to back up (default: MEDIA_ROOT)."
        )

    def handle(self, *args, file: Path, media_root: Path | None, **options):
        db = dict(connections["default"].settings_dict)
        media = media_root or Path(settings.MEDIA_ROOT)
        try:
            summary = backups.backup(file, db=db, media_root=media)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = summary.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {backups.describe(db)} (PostgreSQL {manifest['server_version']}): "
            f"{len(manifest['tables'])} tables, {rows} rows, {len(manifest['migrations'])} migrations; "
            f"{manifest['media_files']} media files ({manifest['media_bytes']} bytes) from {media}."
        )
        self.stdout.write(self.style.SUCCESS(f"Backup written to {summary.path}"))
