"""What a disposal removes: a record and every row that belongs to it, deepest first, with their change history.

Foreign keys in this product are mostly ``PROTECT``: a child's periods of care, links, placements and panel items
refer to the child, so the child cannot go while they stay. The rows that refer to the record (and, in turn, to
those) are its rows; they are found through the models' relations (never by importing the apps that own them) and
deleted before what they refer to, so no foreign key is broken at any point. pghistory's event tables keep copies
of the values, so the history of every row removed goes too; the audit trail (ids, never values) stays.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from graphlib import TopologicalSorter

import pghistory.models
from django.apps import apps
from django.db import connection, models

Rows = dict[type[models.Model], set[int]]


def model_for_table(table_name: str) -> type[models.Model]:
    for model in apps.get_models():
        if model._meta.db_table == table_name:
            return model
    raise LookupError(table_name)


def _is_history(model: type[models.Model]) -> bool:
    return issubclass(model, pghistory.models.Event)


def _belonging(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """The relations whose rows go with a row of ``model`` (not history, not SET_NULL: the delete clears those)."""
    return [
        rel
        for rel in model._meta.related_objects
        if not rel.many_to_many
        and not _is_history(rel.related_model)
        and rel.on_delete in (models.PROTECT, models.CASCADE, models.RESTRICT)
    ]


def collect(model: type[models.Model], pk: int) -> Rows:
    """The record and every row that belongs to it, by model."""
    found: Rows = defaultdict(set)
    queue: list[tuple[type[models.Model], set[int]]] = [(model, {pk})]
    while queue:
        current, ids = queue.pop()
        new = ids - found[current]
        if not new:
            continue
        found[current] |= new
        for rel in _belonging(current):
            field = rel.field
            assert field is not None
            referring = set(
                rel.related_model._base_manager.filter(**{f"{field.name}__in": new}).values_list("pk", flat=True)
            )
            if referring:
                queue.append((rel.related_model, referring))
    return dict(found)


def holds_over(keys: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """The records on legal hold among the rows and the records they are part of (a hold on a child covers its
    placements in a family's disposal too): the database's own reading, the one its delete guard makes."""
    if not keys:
        return set()
    tables, ids = zip(*sorted(keys), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT h.table_name, h.object_id FROM unnest(%s::text[], %s::bigint[]) AS x(t, i) "
            "CROSS JOIN LATERAL adoption_retention_lineage(x.t, x.i) AS l "
            "JOIN adoption_legalhold h ON h.table_name = l.record_table AND h.object_id = l.record_id "
            "WHERE h.released_at IS NULL",
            [list(tables), list(ids)],
        )
        return {(table, pk) for table, pk in cursor.fetchall()}


def as_table_rows(rows: Rows) -> set[tuple[str, int]]:
    return {(model._meta.db_table, pk) for model, ids in rows.items() for pk in ids}


def due_dates(keys: set[tuple[str, int]]) -> dict[tuple[str, int], date | None]:
    """The database's earliest disposal date of each kept row (the function the delete guard uses)."""
    if not keys:
        return {}
    tables, ids = zip(*sorted(keys), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, i, NULLIF(adoption_retention_due(t, i), 'infinity') "
            "FROM unnest(%s::text[], %s::bigint[]) AS x(t, i)",
            [list(tables), list(ids)],
        )
        return {(t, i): due for t, i, due in cursor.fetchall()}


def delete(rows: Rows) -> None:
    """Delete the rows, those that refer to others first, then their change history."""
    graph = {
        model: {rel.related_model for rel in _belonging(model) if rel.related_model in rows} - {model} for model in rows
    }
    for model in TopologicalSorter(graph).static_order():
        model._base_manager.filter(pk__in=rows[model]).delete()
    for model, ids in rows.items():
        for rel in model._meta.related_objects:
            if _is_history(rel.related_model) and rel.field is not None:
                rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": ids}).delete()
