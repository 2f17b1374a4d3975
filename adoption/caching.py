"""Values kept in the cache (Redis in production, shared by every web process) and computed when it lacks them.

A cache that cannot be reached costs the computation, never the page: the failure is logged and the value computed
as if the cache were empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")


def kept_or_made(key: str, make: Callable[[], T], *, seconds: int, kind: type, what: str) -> T:
    """The value kept under ``key`` if there is one and it is a ``kind``, else ``make()``'s, kept for ``seconds``
    (so ``make`` must not answer None). ``what`` names it in the log."""
    try:
        kept = cache.get(key)
    except Exception:  # the cache's server is down: make it, as if the cache were empty
        logger.warning("cache unreachable: making %s", what, exc_info=True)
        kept = None
    if kept is not None and isinstance(kept, kind):
        return kept  # type: ignore[return-value]
    made = make()
    try:
        cache.set(key, made, seconds)
    except Exception:
        logger.warning("cache unreachable: %s not kept", what, exc_info=True)
    return made
