"""Reads for the RAA executive board's quarterly report (``reporting.board_report``): ASF applications.

For jobs and pages that have already narrowed ``la_ids`` to what whoever asked may see. One aggregate query
over the applications, with one filtered count and sum per period (``windows``: ``(start, end)`` pairs); the
result is one dict per window, in the order given. Money is the fund's share of an application (its cost less
the LA's match funding, ``support.selectors.asf.share``), summed in the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from support.models import AsfApplication
from support.selectors.asf import MONEY, NOTHING, SPENT, share

Window = tuple[date, date]
FIGURES = ("submitted", "submitted_value", "approved", "approved_value", "rejected")


def board_asf(*, la_ids: Iterable[int], windows: Sequence[Window]) -> list[dict[str, Any]]:
    """The ASF applications made by the spokes of ``la_ids`` in each window.

    ``submitted`` and ``submitted_value``: applications submitted to the fund in the window (whatever became of
    them), and the fund's share asked for; ``approved`` and ``approved_value``: applications the fund agreed to
    pay (approved, then invoiced or paid) with the decision in the window; ``rejected``: refused in the window.
    Drafts are not applications yet and are not counted.
    """
    aggregates: dict[str, Any] = {}
    for i, window in enumerate(windows):
        submitted = Q(submitted_on__range=window)
        approved = Q(decided_on__range=window, status__in=SPENT)
        aggregates |= {
            f"submitted_{i}": Count("pk", filter=submitted),
            f"submitted_value_{i}": Coalesce(Sum(share(), filter=submitted), NOTHING, output_field=MONEY),
            f"approved_{i}": Count("pk", filter=approved),
            f"approved_value_{i}": Coalesce(Sum(share(), filter=approved), NOTHING, output_field=MONEY),
            f"rejected_{i}": Count("pk", filter=Q(decided_on__range=window, status=AsfApplication.Status.REJECTED)),
        }
    totals = AsfApplication.objects.filter(la_id__in=frozenset(la_ids)).aggregate(**aggregates)
    return [{name: totals[f"{name}_{i}"] for name in FIGURES} for i in range(len(windows))]
