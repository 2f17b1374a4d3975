"""The inter-agency fee is the rates table's figure for the match's year, agency type and number of children."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adoption.models import Region
from children.fees import inter_agency_fee, is_inter_agency
from children.models import InterAgencyFeeRate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates():
    """Hand-made rates for two years (not the real ones): the test says which row each case must use."""
    InterAgencyFeeRate.objects.all().delete()
    rows = [
        (date(2024, 4, 1), "la_raa", 1, "26000.00", "10"),
        (date(2024, 4, 1), "la_raa", 2, "52000.00", "10"),
        (date(2025, 4, 1), "la_raa", 1, "27000.00", "10"),
        (date(2025, 4, 1), "la_raa", 2, "54000.00", "10"),
        (date(2025, 4, 1), "vaa", 1, "39245.00", "0"),
        (date(2025, 4, 1), "vaa", 3, "70000.00", "0"),
    ]
    for start, kind, children, amount, uplift in rows:
        InterAgencyFeeRate.objects.create(
            effective_from=start,
            agency_type=kind,
            children=children,
            amount=Decimal(amount),
            london_uplift_percent=Decimal(uplift),
        )


def test_each_year_uses_its_own_rate(rates, la_a, la_other):
    other_raa = la_other.raa
    before = inter_agency_fee(approving_agency=other_raa, placing_la=la_a, children=1, on=date(2025, 3, 31))
    after = inter_agency_fee(approving_agency=other_raa, placing_la=la_a, children=1, on=date(2025, 4, 1))
    assert (before.amount, after.amount) == (Decimal("26000.00"), Decimal("27000.00"))


def test_a_vaa_single_child_and_a_vaa_group_of_four(rates, la_a, vaa):
    single = inter_agency_fee(approving_agency=vaa, placing_la=la_a, children=1, on=date(2025, 6, 1))
    four = inter_agency_fee(approving_agency=vaa, placing_la=la_a, children=4, on=date(2025, 6, 1))
    assert single.amount == Decimal("39245.00")
    assert (four.children, four.amount) == (3, Decimal("70000.00"))  # three or more children: one rate


def test_a_london_authority_pays_the_uplift(rates, la_other):
    london = factories.LaFactory(name="Camden Borough", raa=la_other.raa, region=Region.LONDON)
    other_raa = factories.RaaFactory(name="Northern Adoption")
    fee = inter_agency_fee(approving_agency=other_raa, placing_la=london, children=2, on=date(2025, 6, 1))
    assert fee.amount == Decimal("59400.00")  # 54,000 + 10%, worked out by hand
    assert "plus 10% for a London authority" in fee.explanation


def test_no_rate_configured_gives_no_figure_and_says_so(rates, la_a, vaa):
    fee = inter_agency_fee(approving_agency=vaa, placing_la=la_a, children=2, on=date(2025, 6, 1))
    assert (fee.rate, fee.amount) == (None, None)
    assert fee.explanation.startswith(
        "No inter-agency fee rate is configured for a voluntary adoption agency, 2 children"
    )


def test_only_another_agencys_family_is_inter_agency(la_a, vaa, la_other):
    assert not is_inter_agency(approving_agency=la_a.raa, placing_la=la_a)
    assert is_inter_agency(approving_agency=vaa, placing_la=la_a)
    assert is_inter_agency(approving_agency=la_other.raa, placing_la=la_a)
