"""``manage.py bench``: the project's own benchmark. Prints one JSON report; a table on stderr.

Every item is a ratio against a floor measured in the same run (see ``reporting.bench``). The exit code is 0 even
when a target is missed (this is a measurement); ``--fail-on-miss`` makes it 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.bench.run import ITEM_NAMES, run
from reporting.bench.timing import table


class Command(BaseCommand):
    help = "Measure pages, returns, scorecards, PDFs and the 903 import against floors measured in the same run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30, help="Measured runs of each item (default 30).")
        parser.add_argument(
            "--only", default="", help=f"Only the items whose name starts with this ({', '.join(ITEM_NAMES)})."
        )
        parser.add_argument("--output", default="", help="Also write the JSON report to this file.")
        parser.add_argument("--fail-on-miss", action="store_true", help="Exit with 1 when any target is missed.")

    def handle(self, *args: Any, repeat: int, only: str, output: str, fail_on_miss: bool, **options: Any) -> None:
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        if only and not any(name.startswith(only) for name in ITEM_NAMES):
            raise CommandError(f"No item's name starts with {only!r}: {', '.join(ITEM_NAMES)}.")
        log_dir = Path(output).parent if output else Path(settings.BASE_DIR) / "build"
        report = run(
            repeat=repeat,
            only=only,
            log_dir=log_dir,
            progress=lambda step: self.stderr.write(f"bench: {step}..."),
        )
        text = json.dumps(report, indent=2, default=str)
        if output:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            Path(output).write_text(text + "\n")
        self.stdout.write(text)
        self.stderr.write(table(report["items"]))
        missed = [item["name"] for item in report["items"] if item.get("met") is False]
        if missed:
            self.stderr.write(f"Targets missed: {', '.join(missed)}")
        if fail_on_miss and missed:
            sys.exit(1)
