"""The children the scorecard's page and PDF tests count (shared so both read the same figures)."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories


@pytest.fixture
def children(la_a, la_b):
    """Two LA A adoptions in the 3 years to 31 March 2026 (387 and 601 days), one of LA B (120 days).

    A1 for LA A: (387 + 601) / 2 = 494 days; for the RAA's two LAs: (387 + 601 + 120) / 3 = 369.33 -> 369.
    """
    # Entered 10 Jan 2022, moved in 1 Feb 2023: 365 + 22 = 387 days.
    factories.adopted_child(
        la_a,
        entered_care=date(2022, 1, 10),
        moved_in=date(2023, 2, 1),
        adoption_order=date(2023, 9, 1),
        la_child_id="ASH-0001",
        child_903_id="A903001",
        first_name="Zebedee",
        last_name="Quartermain",
    )
    # Entered 1 Mar 2022, moved in 23 Oct 2023: 365 + 236 (1 Mar to 23 Oct 2023) = 601 days.
    factories.adopted_child(
        la_a,
        entered_care=date(2022, 3, 1),
        moved_in=date(2023, 10, 23),
        adoption_order=date(2024, 5, 2),
        la_child_id="ASH-0002",
        child_903_id="A903002",
        first_name="Philippa",
        last_name="Wolstenholme",
    )
    # LA B: entered 1 Jan 2022, moved in 1 May 2022: 31 + 28 + 31 + 30 = 120 days.
    factories.adopted_child(
        la_b,
        entered_care=date(2022, 1, 1),
        moved_in=date(2022, 5, 1),
        adoption_order=date(2023, 5, 1),
        la_child_id="BRK-0001",
        child_903_id="B903001",
        first_name="Ottoline",
        last_name="Brackenbury",
    )
    # Waiting in LA B: a decision on 1 Jun 2025, not placed.
    waiting_b = factories.ChildFactory(responsible_la=la_b, la_child_id="BRK-WAIT", child_903_id="B903002")
    factories.PeriodOfCareFactory(child=waiting_b, started_on=date(2025, 1, 6))
    factories.AdoptionDecisionFactory(child=waiting_b, decided_on=date(2025, 6, 1))
