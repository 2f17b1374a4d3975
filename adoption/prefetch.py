"""A record's related rows fetched with it, in the same query, for a page that shows one record and all its history.

Django's ``prefetch_related`` runs one query per relation: a child's page with ten kinds of record paid ten round
trips and ten queries built, for a handful of rows each. Here each relation is a subquery of the record's own query
that returns its rows as an array of JSON (PostgreSQL's ``ARRAY(SELECT to_jsonb(row) ...)``), and the rows are made
into model instances and put where ``prefetch_related`` would have put them, so ``child.placements.all()`` and the
like read them without a query, exactly as after a prefetch.

Only plain columns travel this way (dates, text, numbers, yes/no, keys); a relation's own related row (a placement's
household) travels inside its row. A test compares every instance with what ``prefetch_related`` gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import JSONField
from django.db.models.expressions import RawSQL

JSON_PREFIX = "related_rows__"


@dataclass(frozen=True)
class Related:
    """One reverse relation of the record to fetch: its name on the record (``"adoptive_placements"``), the order
    of its rows, its rows' own related rows (forward foreign keys, ``("household",)``) and relations of its rows in
    turn (a period of care's episodes)."""

    name: str
    order_by: tuple[str, ...]
    joined: tuple[str, ...] = ()
    nested: tuple[Related, ...] = field(default=())


def _rows_sql(model: Any, relation: Related, outer: str) -> str:
    """SQL for ``relation``'s rows of the ``model`` row named ``outer`` (an alias or a table), as a JSON array."""
    accessor: Any = model._meta.get_field(relation.name)
    related = accessor.related_model
    table = related._meta.db_table
    alias = f"r_{relation.name}"
    link = related._meta.get_field(accessor.field.name).column
    row = f'to_jsonb("{alias}")'
    for name in relation.joined:
        forward: Any = related._meta.get_field(name)
        target = forward.related_model._meta
        joined = (
            f'(SELECT to_jsonb("j_{name}") FROM "{target.db_table}" "j_{name}" '  # noqa: S608 (model names only)
            f'WHERE "j_{name}"."{target.pk.column}" = "{alias}"."{forward.column}")'
        )
        row += f" || jsonb_build_object('{JSON_PREFIX}{name}', {joined})"
    for inner in relation.nested:
        row += f" || jsonb_build_object('{JSON_PREFIX}{inner.name}', {_rows_sql(related, inner, alias)})"
    order = ", ".join(f'"{alias}"."{related._meta.get_field(name).column}"' for name in relation.order_by)
    return (
        f'ARRAY(SELECT {row} FROM "{table}" "{alias}" '  # noqa: S608 (model names only)
        f'WHERE "{alias}"."{link}" = "{outer}"."{model._meta.pk.column}" ORDER BY {order})'
    )


_SQL: dict[tuple[str, Related], str] = {}


def _subquery_sql(model: Any, relation: Related) -> str:
    """Written once per process: the SQL depends only on the models."""
    key = (model._meta.label, relation)
    if key not in _SQL:
        _SQL[key] = _rows_sql(model, relation, model._meta.db_table)
    return _SQL[key]


def with_related(queryset: models.QuerySet, *relations: Related) -> models.QuerySet:
    """``queryset`` with each relation's rows as a JSON array beside each record (see :func:`attach`).

    The rows are read whole (``to_jsonb`` of the row), and the SQL is written once, from the models: building
    Django expressions for every column of every relation cost more than the queries it saved."""
    return queryset.annotate(
        **{
            # Names from the models only, never from input: nothing here can carry a user's text into the SQL.
            f"{JSON_PREFIX}{relation.name}": RawSQL(  # noqa: S611
                _subquery_sql(queryset.model, relation), (), output_field=ArrayField(JSONField())
            )
            for relation in relations
        }
    )


def _instance(
    db: str | None, model: Any, row: Any, joined: tuple[str, ...], nested: tuple[Related, ...]
) -> models.Model:
    if isinstance(row, str):  # a driver that hands JSON over as text
        row = json.loads(row)
    fields = model._meta.concrete_fields
    instance = model.from_db(db, [f.attname for f in fields], [f.to_python(row[f.column]) for f in fields])
    for name in joined:
        target_row = row[f"{JSON_PREFIX}{name}"]
        forward: Any = model._meta.get_field(name)
        target = None
        if target_row is not None:
            target = _instance(db, forward.related_model, target_row, (), ())
        forward.set_cached_value(instance, target)
    for relation in nested:
        _cache(instance, relation, row[f"{JSON_PREFIX}{relation.name}"] or [])
    return instance


def _cache(record: models.Model, relation: Related, rows: list[Any]) -> None:
    """Put ``rows`` (as instances) where ``prefetch_related`` puts a relation's rows."""
    accessor: Any = record._meta.get_field(relation.name)
    db = record._state.db
    instances = [_instance(db, accessor.related_model, row, relation.joined, relation.nested) for row in rows]
    as_prefetched(record, relation.name, instances)


def as_prefetched(record: models.Model, name: str, instances: list[Any]) -> None:
    """Put ``instances`` where ``prefetch_related(name)`` puts the rows of ``record``'s reverse relation ``name``,
    each knowing its ``record`` (their foreign key to it is already known, so it is cached as well)."""
    accessor: Any = record._meta.get_field(name)
    for instance in instances:
        accessor.field.set_cached_value(instance, record)
    queryset = getattr(record, name).get_queryset()
    queryset._result_cache = instances
    queryset._prefetch_done = True
    if not hasattr(record, "_prefetched_objects_cache"):
        record._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    record._prefetched_objects_cache[accessor.cache_name] = queryset  # type: ignore[attr-defined]


def attach(record: models.Model, *relations: Related) -> models.Model:
    """Turn the JSON arrays :func:`with_related` added to ``record`` into its related instances."""
    for relation in relations:
        _cache(record, relation, getattr(record, f"{JSON_PREFIX}{relation.name}") or [])
        delattr(record, f"{JSON_PREFIX}{relation.name}")
    return record
