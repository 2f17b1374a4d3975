"""Small helpers every part of the children's planners draws with."""

from __future__ import annotations

import random
from datetime import timedelta


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]
