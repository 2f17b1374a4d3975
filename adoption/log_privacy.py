"""Log lines without personal data, whatever the code that logs passes in.

Logs are kept longer and read more widely than the records, so nothing that names a child or an adopter may reach
them. Three ways it could, each closed here for every logger (the filter sits on the one handler all loggers use):

* **query strings**: a search by name sends ``?q=<name>``; any ``/path?query`` in a message (Django's and runserver's
  request lines included) keeps its path and loses the query;
* **records passed as arguments** (``logger.warning("... %s", child)``): a model instance is written as its label and
  id (``children.child#42``), never its ``str()``, which is often a name; an exception argument as its type alone;
* **exception messages**: a database error quotes the row it refused, a validation error the value it rejected, so a
  traceback keeps its frames and the exception's type, and the message is withheld.

One credential is masked the same way: the token of a one-off feedback link (``/panels/feedback/<token>/``), the only
secret the service puts in a path. The page exchanges it for the session at once, but the request that carries it is
logged by Django (a 404 for an unknown one) and by gunicorn's access log, which goes through this filter too
(adoption.gunicorn_conf).
"""

from __future__ import annotations

import copy
import logging
import re
import traceback
from types import TracebackType
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

WITHHELD = "(message withheld: it may hold personal data)"
QUERY_REMOVED = "?(query removed)"

# A path (or a whole URL) followed by a query string: "/children/?q=Amelia", "https://host/x/?a=1&b=2".
_QUERY = re.compile(r"(?P<path>(?:[a-z][a-z0-9+.-]*://[^\s\"'/?#]+)?/[^\s\"'?#]*)\?[^\s\"'#]+", re.IGNORECASE)


def without_query_strings(text: str) -> str:
    return _QUERY.sub(lambda m: m.group("path") + QUERY_REMOVED, text)


TOKEN_REMOVED = "(token removed)"  # noqa: S105 (what replaces a token, not one)
# The feedback link's route (panels.urls, mounted at /panels/): the segment after it is the token. The form's own
# address, "/panels/feedback/" with nothing after it, is left as it is.
_LINK_TOKEN = re.compile(r"(?P<route>/panels/feedback/)[^/\s\"'?#]+")


def without_link_tokens(text: str) -> str:
    return _LINK_TOKEN.sub(lambda m: m.group("route") + TOKEN_REMOVED, text)


def masked(text: str) -> str:
    """``text`` without query strings or link tokens."""
    return without_link_tokens(without_query_strings(text))


def safe_argument(value: Any) -> Any:
    """What a log argument may show of itself."""
    if isinstance(value, Model):
        return f"{value._meta.label_lower}#{value.pk}"
    if isinstance(value, BaseException):
        return type(value).__qualname__
    if isinstance(value, HttpRequest):
        return f"{value.method} {value.path}"
    return value


def _withhold(exception: traceback.TracebackException, seen: set[int]) -> None:
    """Blank the message (and notes) of ``exception`` and of every exception chained to it."""
    if id(exception) in seen:
        return
    seen.add(id(exception))
    # TracebackException keeps the message it prints in ``_str`` (Python 3.11 to 3.13): set it, not the exception.
    exception._str = WITHHELD  # type: ignore[attr-defined]
    exception.__notes__ = None  # type: ignore[attr-defined]
    for linked in (exception.__cause__, exception.__context__, *(exception.exceptions or ())):
        if linked is not None:
            _withhold(linked, seen)


def traceback_without_messages(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    exception = traceback.TracebackException(*exc_info)
    _withhold(exception, set())
    return "".join(exception.format()).rstrip("\n")


class PersonalDataFilter(logging.Filter):
    """Rewrites each record before any formatter sees it (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            # A copy of the same class: gunicorn's access log passes a dict whose lookups are case-insensitive and
            # answer "-" for a missing atom, which a plain dict would not.
            args = copy.copy(record.args)
            args.update({key: safe_argument(value) for key, value in record.args.items()})
            record.args = args
        elif record.args:
            record.args = tuple(safe_argument(value) for value in record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # arguments that do not fit the message: keep the message alone
            message = str(record.msg)
        record.msg = masked(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            # Formatters print exc_text when it is set, so every handler after this one prints this version.
            record.exc_text = traceback_without_messages(record.exc_info)  # type: ignore[arg-type]
        if record.stack_info:
            record.stack_info = masked(record.stack_info)
        return True
