"""Scheduled work on children's records (the 903 jobs are in ``children.ssda903.tasks``)."""

from __future__ import annotations

import logging

from celery import shared_task

from children.services.adoption_dates import adoption_dates_check

logger = logging.getLogger(__name__)


@shared_task
def check_adoption_dates() -> dict[str, int]:
    """Nightly: each adopted child's kept dates against a fresh computation, the differing rows recomputed.

    None differ while the triggers do their work; any that did are logged by LA (ids and counts, no names)."""
    result = adoption_dates_check(repair=True)
    for la_id, count in result.by_la.items():
        logger.warning("Adoption dates of %s children of LA %s differed and were recomputed", count, la_id)
    return {"children": len(result.children), "repaired": int(result.repaired)}
