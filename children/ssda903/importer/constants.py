"""Problem codes, phases and limits shared by the import's parts."""

from __future__ import annotations

import re
from datetime import date

# DfE rules whose findings stop the import (see the module docstring); the others are warnings.
BLOCKING_DFE_RULES = frozenset(
    {
        # codes and dates that are not valid
        *("101", "102", "103", "112", "113", "114", "115", "116", "119", "120", "141", "143", "144", "145"),
        *("146", "147", "148", "149", "151", "168", "171", "175", "176", "177", "178", "356", "1009"),
        # the order and consistency of the adoption dates (AD1, PlacedAdoption and the episodes)
        *("184", "302", "331", "333", "334", "390", "522", "523", "525", "551", "552", "553", "554"),
        *("558", "563", "579", "583", "1003"),
        # the episode sequence the import turns into periods of care
        *("142", "388", "501"),
        # the DfE's integrity checks between the tables
        *("INT01", "INT02", "INT03", "INT11", "INT12", "INT31", "INT32"),
    }
)

# Problem codes of the import's own planning (the reader's are in children.ssda903.reader).
CONFLICT = "IMP-CONFLICT"
EPISODES = "IMP-EPISODES"
PERIOD = "IMP-PERIOD"
EARLIER = "IMP-EARLIER"  # an earlier year's return after a later one began the child's record
MATCH_DATE = "IMP-MATCH"
PLACED_DATE = "IMP-PLACED"
ORDER_DATE = "IMP-ORDER"
JOURNEY = "IMP-JOURNEY"
REFUSED = "IMP-REFUSED"
STALE = "IMP-STALE"
DFE_NOT_RUN = "IMP-DFE"

PHASE_PREVIEW = "preview"  # validate and preview; nothing is written
PHASE_APPLY = "apply"  # apply a preview the user confirmed
PHASE_IMPORT = "import"  # validate and, when nothing blocks, apply (the API without dry_run)

LETTER_SEX_FROM = 2024  # the first collection year whose SEX codes are M, F and U
MAX_PROBLEMS_KEPT = 2000  # in a job's result; the count says how many there were
NEW_CHILD_FIRST_NAME = "Child"  # the 903 has no names: "Child 1001" until someone enters them

_RULE_IN_MESSAGE = re.compile(r"\s*\(903 rule (\w+)\)$")
_UPN_UNKNOWN = re.compile(r"^UN\d{1,2}$")
_SAME_CARERS = frozenset({"L", "T", "U"})  # RNE: the child stayed with the same carers (DfE meanings)
_ORDER_STATUSES = frozenset({"E1", "D1"})
_LEGAL_STATUS_CHANGES = frozenset({"L", "U", "B"})  # RNE: the legal status changed on the episode's first day


def _d(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "none"
