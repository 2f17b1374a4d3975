"""Who the simulated users sign in as: the demo region's logins (``adoption.demo``, loaded by ``manage.py load_demo``).

Plain data, like ``loadtest.routes``: ``tests/test_load_scenario.py`` checks each login exists in the demo's staff
with the role the scenario gives it, and that the password is the demo's published one.
"""

from __future__ import annotations

from typing import Final

# The demo's published password (adoption.demo.DEMO_PASSWORD); the load run's database holds only demo data.
DEMO_PASSWORD: Final = "adoption-demo-2026"  # noqa: S105

SOCIAL_WORKERS: Final = ("sw.coventry", "sw.solihull", "sw.warwickshire", "sw.worcestershire", "sw.herefordshire")
FAMILY_FINDERS: Final = ("familyfinder",)
MANAGERS: Final = ("manager", "manager.coventry")

# The role each group must have in the demo (adoption.models.Role values).
ROLES: Final[dict[str, tuple[str, ...]]] = {
    "social_worker": SOCIAL_WORKERS,
    "family_finder": FAMILY_FINDERS,
    "manager": MANAGERS,
}
