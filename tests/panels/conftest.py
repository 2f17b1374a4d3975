"""Panel members and meetings built straight into the database, and a frozen "today".

``member`` and ``meeting`` skip the services on purpose: they are how a test gets a central list and
a meeting quickly. The services themselves are exercised through the pages in the tests.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from panels.models import PanelAttendance, PanelMeeting, PanelMember, PanelRole
from tests.children.conftest import date_fields  # noqa: F401  (a GOV.UK date input's boxes, for these tests)

TODAY = date(2025, 6, 30)
R = PanelRole


def member(raa, name: str, *roles: str, years: int | None = None, **fields: Any) -> PanelMember:
    """A member of ``raa``'s central list since 2024 holding ``roles`` (a social work member gets 5 years)."""
    if R.SOCIAL_WORK in roles and years is None:
        years = 5
    return PanelMember.objects.create(
        raa=raa,
        name=name,
        roles=list(roles),
        post_qualifying_years=years,
        on_list_from=fields.pop("on_list_from", date(2024, 1, 1)),
        **fields,
    )


def meeting(raa, held_on: date = date(2025, 6, 10), *, place: str = "Warwick", **fields: Any) -> PanelMeeting:
    return PanelMeeting.objects.create(raa=raa, held_on=held_on, starts_at=time(10, 0), place=place, **fields)


def invite(panel: PanelMeeting, *members: PanelMember, attended: bool = False) -> None:
    for m in members:
        PanelAttendance.objects.create(meeting=panel, member=m, invited=True, attended=attended)


@pytest.fixture
def frozen_today():
    """Freeze the clock at midday on ``TODAY`` in England."""
    with time_machine.travel(datetime(2025, 6, 30, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield TODAY


@pytest.fixture
def quorate_five(raa):
    """Five members of the RAA's list who make a quorum: chair, social work, independent, medical, elected."""
    return [
        member(raa, "Chloe Chair", R.CHAIR),
        member(raa, "Sam Social", R.SOCIAL_WORK),
        member(raa, "Ian Independent", R.INDEPENDENT),
        member(raa, "Meg Medical", R.MEDICAL_ADVISER),
        member(raa, "Ed Elected", R.ELECTED_MEMBER),
    ]
