"""A child's plan: the steps the import would take, in the order it takes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from children.ssda903.reader import Problem, Row

# --- the plan ----------------------------------------------------------------------------------------

# Same-day order of the steps: a period starts before anything that needs it, an adoption order
# before the period of care it ends.
RANK = {
    "child_create": 0,
    "child_update": 1,
    "period_start": 10,
    "period_start_before_records": 10,
    "episode": 20,
    "decision": 30,
    "placement_order": 40,
    "adoptive_placement": 50,
    "match_correction": 55,
    "placement_end": 60,
    "reversal": 70,
    "adoption_order": 80,
    "permanence_outcome": 80,
    "period_end": 90,
}


@dataclass
class Step:
    on: date
    action: str
    kwargs: dict[str, Any]
    text: str
    row: Row | None = None

    @property
    def key(self) -> tuple[date, int]:
        return self.on, RANK[self.action]


@dataclass
class ChildPlan:
    child: str  # the 903 CHILD id
    child_id: int | None  # None for a child the import creates
    header: Row
    created_id: int | None = None  # the child the import created, once it is saved
    # The latest date in the files: what the record says happened after it (an episode ending, a
    # reversal) is news the files could not have, not a disagreement, so an older return is "no change".
    as_at: date = date.max
    steps: list[Step] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.child_id is None:
            return "new"
        return "changed" if self.steps else "unchanged"

    def add(self, on: date, action: str, text: str, row: Row | None = None, **kwargs: Any) -> None:
        self.steps.append(Step(on, action, kwargs, text, row))

    def refuse(self, rule: str, message: str, row: Row | None = None) -> None:
        self.problems.append(Problem(rule, message, **(row or self.header).where()))

    def warn(self, rule: str, message: str, row: Row | None = None) -> None:
        self.warnings.append(Problem(rule, message, blocking=False, **(row or self.header).where()))

    def ordered(self) -> list[Step]:
        return sorted(self.steps, key=lambda s: s.key)
