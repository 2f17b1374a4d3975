"""Figures kept in the cache for as long as the records behind them are unchanged.

The database logs every change to the records figures are computed from (``reporting.FigureChange``, by triggers:
migration ``reporting/0007``), by organisation. An organisation's version is what its log holds: how many rows,
and the newest's id and time. A transaction that commits a change has added a row (its first change to the
organisation's records adds one), so the version read after the commit differs from every version read before
it, whatever order transactions took their ids in (a newest id alone would not do: a transaction can take a
smaller id than one committed before it, and commit later). The time tells apart databases whose ids restart
(made afresh, or restored from a backup).

``cached`` computes figures once per version of every organisation they read, and of the reference data every
figure reads: the key is read before the figures are computed, so figures stored under a key are never older
than it. A cache that cannot be reached costs the computation, never the page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import connection, transaction

from adoption.caching import kept_or_made
from reporting.models import FigureChange

T = TypeVar("T")

# Part of every key: raise it when what the figures kept hold changes (a field added, a measure's meaning), so no
# page is given figures computed by the code before.
FIGURES_VERSION = 1
# Figures kept this long at most: a key changes with the records, so this only bounds the cache's size.
CACHE_SECONDS = 24 * 60 * 60

VERSIONS_SQL = """
SELECT coalesce(current_setting('reporting.figures_logged', true), '') <> '',
       (SELECT coalesce(array_agg(ARRAY[organisation_id, n, last_id, last_at] ORDER BY organisation_id NULLS FIRST),
                        '{}')
          FROM (SELECT organisation_id, count(*) AS n, max(id) AS last_id,
                       (extract(epoch FROM max(changed_at)) * 1000000)::bigint AS last_at
                  FROM reporting_figurechange
                 WHERE organisation_id IS NULL
                    OR organisation_id = ANY(%(ids)s)
                    OR organisation_id IN (SELECT raa_id FROM adoption_organisation
                                            WHERE id = ANY(%(ids)s) AND raa_id IS NOT NULL)
                 GROUP BY organisation_id) logged)
"""

Versions = tuple[tuple[int | None, ...], ...]


def read_versions(organisation_ids: Iterable[int]) -> tuple[bool, Versions]:
    """Whether the open transaction has written records figures read (its changes are not committed), and the
    version of the reference data and of each of the organisations and their RAAs that has a log, in one query:
    (organisation id or None, rows, newest id, newest time in microseconds) each."""
    with connection.cursor() as cursor:
        cursor.execute(VERSIONS_SQL, {"ids": sorted(organisation_ids)})
        written, rows = cursor.fetchone()
    return bool(written), tuple(tuple(row) for row in rows)


def versions(organisation_ids: Iterable[int]) -> Versions:
    """The versions of :func:`read_versions`."""
    return read_versions(organisation_ids)[1]


def cached(name: str, *, organisation_ids: Iterable[int], params: object, compute: Callable[[], T]) -> T:
    """``compute()``'s answer for ``params`` (anything with a stable ``repr``), computed once for each version of
    ``organisation_ids`` (with their RAAs) and of the reference data.

    ``organisation_ids`` must name every organisation whose records the figures read: an LA for its children, an
    agency for its families. A transaction that has written such records gets figures computed afresh and keeps
    none: they hold its changes, not committed, and it logs an organisation once, at its first change, so a key
    read after its first change is already the one others read once it commits."""
    ids = frozenset(organisation_ids)
    written, seen = read_versions(ids)
    if written:
        return compute()
    digest = hashlib.sha256(repr((FIGURES_VERSION, sorted(ids), params, seen)).encode()).hexdigest()
    key = f"figures:{name}:{digest}"
    return kept_or_made(key, compute, seconds=CACHE_SECONDS, kind=object, what=f"figures {name}")


def log_reference_change() -> None:
    """Log a change to the reference data, so every figure is computed afresh: for writes that skipped the
    triggers (a bulk load with ``session_replication_role = replica``)."""
    log_change(None)


def log_change(organisation_id: int | None) -> None:
    """Log a change to an organisation's records (None: the reference data) as the triggers would."""
    FigureChange.objects.create(organisation_id=organisation_id)


def fold_changes() -> int:
    """Fold each organisation's log into one new row (the nightly job): versions keep changing, never repeat, and the
    log stays small. Answers how many rows were removed."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH many AS (
                SELECT organisation_id FROM reporting_figurechange GROUP BY organisation_id HAVING count(*) > 1
            ), gone AS (
                DELETE FROM reporting_figurechange f USING many m
                 WHERE f.organisation_id IS NOT DISTINCT FROM m.organisation_id
                RETURNING f.organisation_id
            ), fresh AS (
                INSERT INTO reporting_figurechange (organisation_id, changed_at)
                SELECT organisation_id, clock_timestamp() FROM many
            )
            SELECT count(*) FROM gone
            """
        )
        removed = cursor.fetchone()[0]
    return int(removed)
