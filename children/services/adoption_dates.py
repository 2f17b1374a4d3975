"""The nightly check of each adopted child's dates (``ChildAdoptionDates``) against a fresh computation.

The database keeps the rows by triggers (``children.0008``); a write that skips them (a load under
``session_replication_role = replica`` that forgot its refresh, a restore of one table) would leave rows out of
date without any error. This compares every row with ``children_adoption_dates_of`` (the function the triggers
use), says which LAs' children differed, and with ``repair`` recomputes those children's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

_COLUMNS = (
    "child_id, responsible_la_id, adoption_order_on, moved_in_on, moved_in_with_carers_on, entered_care_on, "
    "matched_on, with_foster_carers, order_for_match_on, order_for_match_before_records"
)

# Rows kept that a fresh computation does not give (out of date, or of a child no longer adopted), and rows it gives
# that are not kept (missing or out of date), by child, with the LAs they were (or should be) counted in.
_DIFFERENCES_SQL = f"""
WITH fresh AS (
    SELECT {_COLUMNS} FROM children_adoption_dates_of(
        ARRAY(SELECT child_id FROM children_permanenceoutcome WHERE kind = 'adoption_order'))
), kept AS (
    SELECT {_COLUMNS} FROM children_childadoptiondates
), differ AS (
    (SELECT * FROM kept EXCEPT SELECT * FROM fresh) UNION ALL (SELECT * FROM fresh EXCEPT SELECT * FROM kept)
)
SELECT child_id, array_agg(DISTINCT responsible_la_id) FROM differ GROUP BY child_id
"""  # noqa: S608 (column names written above, no input)


@dataclass(frozen=True)
class AdoptionDatesCheck:
    children: list[int]  # the children whose rows differed
    by_la: dict[int, int]  # LA id -> how many of its children's rows differed (a child moved counts in both)
    repaired: bool


@transaction.atomic
def adoption_dates_check(*, repair: bool = False) -> AdoptionDatesCheck:
    """Every adopted child's kept dates against a fresh computation; with ``repair``, the differing rows redone."""
    with connection.cursor() as cursor:
        cursor.execute(_DIFFERENCES_SQL)
        rows = cursor.fetchall()
        by_la: dict[int, int] = {}
        for _child, las in rows:
            for la in las:
                by_la[la] = by_la.get(la, 0) + 1
        children = sorted(child for child, _las in rows)
        if repair and children:
            cursor.execute("SELECT children_adoption_dates_refresh(%s::bigint[])", [children])
    return AdoptionDatesCheck(children=children, by_la=dict(sorted(by_la.items())), repaired=repair and bool(children))
