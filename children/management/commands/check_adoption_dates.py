"""``manage.py check_adoption_dates [--repair]``: each adopted child's kept dates against a fresh computation.

For a nightly job: prints how many children's rows differed in each LA (none when the triggers did their work) and,
with ``--repair``, recomputes them. Exits with status 1 when rows differed and were not repaired.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from adoption.models import Organisation
from children.services.adoption_dates import adoption_dates_check


class Command(BaseCommand):
    help = "Check each adopted child's kept dates (the scorecard's) against a fresh computation; --repair redoes them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="Recompute the rows that differ.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = adoption_dates_check(repair=options["repair"])
        if not result.children:
            self.stdout.write("Adoption dates: every row matches a fresh computation.")
            return
        names = dict(Organisation.objects.filter(pk__in=result.by_la).values_list("pk", "name"))
        for la_id, count in result.by_la.items():
            self.stdout.write(f"{names.get(la_id, f'LA {la_id}')}: {count} children's rows differed")
        if result.repaired:
            self.stdout.write(f"Adoption dates: {len(result.children)} children's rows recomputed.")
            return
        raise CommandError(f"Adoption dates: {len(result.children)} children's rows differ; run with --repair.")
