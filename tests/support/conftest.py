"""What the support tests share: the frozen date, LA A's and LA B's support social workers, a date input's boxes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from adoption.models import Role
from tests import factories
from tests.children.conftest import date_fields  # noqa: F401  (a GOV.UK date input's boxes, for these tests)

TODAY = date(2025, 6, 30)


@pytest.fixture
def frozen_today():
    """Freeze the clock at midday on ``TODAY`` in England."""
    with time_machine.travel(datetime(2025, 6, 30, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield TODAY


@pytest.fixture
def support_a(la_a):
    return factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER, username="support.a", first_name="Sally", last_name="Ash")


@pytest.fixture
def support_b(la_b):
    return factories.staff(la_b, Role.SUPPORT_SOCIAL_WORKER, username="support.b", first_name="Bea", last_name="Birch")
