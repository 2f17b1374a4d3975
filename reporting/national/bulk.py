"""Rows straight into PostgreSQL with ``COPY``, ids allocated up front so rows can point at each other.

``bulk_create`` builds a model instance and an ``INSERT`` per row; the national demo has about a
million rows, so it plans plain dicts (field attname to value) and streams them with ``COPY FROM
STDIN``. Ids come from each table's own sequence, taken in one block per table, so the rows can be
linked in Python before anything is written and the sequence stays ahead of them. Foreign keys are
deferred to the end of the transaction (Django creates them ``DEFERRABLE INITIALLY DEFERRED``), so
tables may be written in any order. Triggers fire as for any insert (history, retention guards).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import DatabaseError, connection, models, transaction

_MISSING = object()
# Ids taken from a sequence at a time: the ones left unused at the end are a gap, as after a rollback.
_BLOCK = 5000
# The INSERT that a django-pghistory insert trigger runs for each new row (in its function's source).
_HISTORY_INSERT = re.compile(r"INSERT INTO (\S+) \(([^)]*)\) VALUES \((.*?)\); RETURN NULL;", re.S)


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    raise TypeError(f"cannot COPY {value!r}")


class _Table:
    """One model's pending rows, its columns and how each value is written."""

    def __init__(self, model: type[models.Model], stamp: datetime) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.rows: list[str] = []
        self.ids: list[int] = []
        self.defaults: list[tuple[str, Any, Callable[[Any], str]]] = []
        for field in self.fields:
            default: Any = _MISSING
            if field.primary_key:
                default = _MISSING
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                default = stamp  # the same moment for every row: the data stays reproducible
            elif field.has_default() and callable(field.default):
                default = field.default  # called per row
            elif field.has_default() or not field.null:
                default = field.get_default()
            else:
                default = None
            if isinstance(field, ArrayField):
                writer = _array
            elif isinstance(field, models.JSONField):
                writer = _json
            else:
                writer = _text
            self.defaults.append((field.attname, default, writer))

    def add(self, values: dict[str, Any]) -> None:
        out = []
        for attname, default, writer in self.defaults:
            value = values.get(attname, _MISSING)
            if value is _MISSING:
                if default is _MISSING:
                    raise ValueError(f"{self.model.__name__}.{attname} has no value and no default")
                value = default() if callable(default) else default
            out.append(writer(value))
        self.rows.append("\t".join(out))
        self.ids.append(values["id"])


def _array(value: Any) -> str:
    if value is None:
        return "\\N"
    return "{" + ",".join(f'"{v}"' for v in value) + "}"


def _json(value: Any) -> str:
    return _text(json.dumps(value))


class CopyWriter:
    """Collects rows per model and writes them with ``COPY``; :meth:`ids` hands out primary keys."""

    def __init__(self, *, stamp: datetime) -> None:
        self.stamp = stamp
        self.without_triggers = False
        self.history: dict[str, str | None] = {}
        self.tables: dict[type[models.Model], _Table] = {}
        self.blocks: dict[type[models.Model], list[int]] = {}
        self.written: dict[str, int] = {}

    def ids(self, model: type[models.Model], count: int) -> range:
        """``count`` new primary keys for ``model``, taken from its sequence in one step."""
        if count <= 0:
            return range(0)
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                [table, table, count - 1],
            )
            last = cursor.fetchone()[0]
        return range(last - count + 1, last + 1)

    def next_id(self, model: type[models.Model]) -> int:
        """A new primary key for ``model`` (taken from its sequence a block at a time)."""
        block = self.blocks.get(model)
        if not block:
            block = self.blocks[model] = list(reversed(self.ids(model, _BLOCK)))
        return block.pop()

    def add(self, model: type[models.Model], **values: Any) -> int:
        """Queue a row; returns its primary key (a new one unless ``id`` is given)."""
        table = self.tables.get(model)
        if table is None:
            table = self.tables[model] = _Table(model, self.stamp)
        if "id" not in values:
            values["id"] = self.next_id(model)
        table.add(values)
        return values["id"]

    def skip_triggers(self) -> bool:
        """Write without row triggers where the database lets us (a superuser), the history set-based instead.

        The history triggers of django-pghistory each open a subtransaction (an ``EXCEPTION`` block
        reading a setting); a million of them in one transaction slow every later one down, so a
        load that way takes hours. With ``session_replication_role = replica`` for this transaction
        no row trigger fires (nor the foreign key checks: the ids are linked in Python, before
        writing), and :meth:`_history` writes the same "insert" events the triggers would, one
        statement a table. Returns whether it could.
        """
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            return False
        self.without_triggers = True
        return True

    def restore_triggers(self) -> None:
        if self.without_triggers:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
            self.without_triggers = False

    def _history(self, cursor, table: _Table) -> None:
        """The rows just written, as the "insert" events of their history table (if the model has one)."""
        name = table.model._meta.db_table
        if name not in self.history:
            cursor.execute(
                "SELECT p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE t.tgrelid = %s::regclass AND t.tgname LIKE 'pgtrigger_insert_insert_%%'",
                [f'"{name}"'],
            )
            found = cursor.fetchone()
            match = _HISTORY_INSERT.search(found[0]) if found else None
            self.history[name] = None
            if match:
                target, columns, values = match.groups()
                values = values.replace("_pgh_attach_context()", "NULL").replace('NEW."', 'row."')
                # Table and column names from the trigger's own source, not from any input.
                self.history[name] = (
                    f'INSERT INTO {target} ({columns}) SELECT {values} FROM "{name}" row WHERE row.id = ANY(%s)'  # noqa: S608
                )
        statement = self.history[name]
        if statement is not None:
            cursor.execute(statement, [table.ids])

    def flush(self) -> None:
        """Write every pending row (then forget them)."""
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg2 cursor under Django's wrapper
            for table in self.tables.values():
                if not table.rows:
                    continue
                data = io.StringIO("\n".join(table.rows) + "\n")
                columns = ", ".join(f'"{c}"' for c in table.columns)
                raw.copy_expert(f'COPY "{table.model._meta.db_table}" ({columns}) FROM STDIN', data)
                if self.without_triggers:
                    self._history(cursor, table)
                name = table.model._meta.label
                self.written[name] = self.written.get(name, 0) + len(table.rows)
                table.rows = []
                table.ids = []
