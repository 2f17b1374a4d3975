"""What the current request is, available to audit and logging without passing it everywhere."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    source_ip: str | None = None


_NO_REQUEST = RequestContext()  # frozen, so sharing it as the default is safe
_current: ContextVar[RequestContext] = ContextVar("request_context", default=_NO_REQUEST)


def current() -> RequestContext:
    return _current.get()


def bind(context: RequestContext):
    """Make ``context`` current; returns a token for :func:`reset`."""
    return _current.set(context)


def reset(token) -> None:
    _current.reset(token)


class RequestContextLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current().request_id or "-"
        return True
