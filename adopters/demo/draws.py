"""The households' planner's seeded generator and the small draws every part of it makes."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import date, timedelta


def _weighted(rng: random.Random, options: Iterable[tuple[str, int]]) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _days(n: int) -> timedelta:
    return timedelta(days=n)


class _Draws:
    """The seeded generator, the reference date and the check turnarounds, shared by the parts of the
    planner (``adopters.demo.planner._Planner``): one generator, so the draws keep their order."""

    def __init__(self, *, seed: int, today: date, due_on: Callable[[str, date], date]) -> None:
        self.rng = random.Random(f"adopters:{seed}")
        self.today = today
        self.due_on = due_on

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def day_between(self, low: date, high: date) -> date:
        return low + _days(self.between(0, (high - low).days))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p
