"""``manage.py restore FILE --into DATABASE``: a backup into an empty database, then the integrity checks."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from adoption import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'backup' into an EMPTY database (a postgres:// URL, or a database name on the "
        "configured server) and an empty media folder, then check the result. Anything not empty is refused "
        "before a thing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup archive.")
        parser.add_argument(
            "--into", required=True, help="The empty database to restore into: a postgres:// URL or a database name."
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            default=None,
            help="The empty (or new) folder for the media files (default: MEDIA_ROOT).",
        )

    def handle(self, *args, file: Path, into: str, media_root: Path | None, **options):
        media = media_root or Path(settings.MEDIA_ROOT)
        try:
            db = backups.database_settings(into, like=dict(connections["default"].settings_dict))
            report = backups.restore(file, db=db, media_root=media)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {file} into {backups.describe(db)}; media files in {media}.")
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("The restored database failed its integrity checks (above): do not use it as it is.")
        self.stdout.write(self.style.SUCCESS("Restore complete and checked."))
