"""The inter-agency fee for a match, from the rates table in force on the match date (configuration by year).

A fee is due when a child is placed with a family approved by another agency: a voluntary adoption
agency (VAA rates: a single-child fee and sibling rates), or another LA or RAA (LA/RAA rates: per
placement of one, two, or three or more children, with an uplift when the placing authority is in
London). ``amount`` in a rate row is the fee for a placement of that many children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from adoption.models import Organisation, Region
from children.models import InterAgencyFeeRate

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Fee:
    rate: InterAgencyFeeRate | None  # None: no rate is configured for this case
    amount: Decimal | None
    agency_type: str
    children: int
    london: bool

    @property
    def explanation(self) -> str:
        kind = InterAgencyFeeRate.AgencyType(self.agency_type).label.lower()
        group = (
            "3 or more children" if self.children >= 3 else f"{self.children} child{'ren' if self.children > 1 else ''}"
        )
        if self.rate is None:
            return f"No inter-agency fee rate is configured for a {kind}, {group}: an administrator can add one"
        pct = self.rate.london_uplift_percent
        shown = f"{pct:.0f}" if pct == pct.to_integral_value() else f"{pct}"
        uplift = f", plus {shown}% for a London authority" if self.london and pct else ""
        since = f"{self.rate.effective_from:%d %B %Y}"
        return f"{kind.capitalize()} rate from {since} for {group}: £{self.rate.amount:,}{uplift}"


def is_inter_agency(*, approving_agency: Organisation, placing_la: Organisation) -> bool:
    """The family was approved by an agency other than the placing LA's RAA (or the LA itself)."""
    return approving_agency.pk not in {placing_la.pk, placing_la.raa_id}


def inter_agency_fee(*, approving_agency: Organisation, placing_la: Organisation, children: int, on: date) -> Fee:
    """The fee for placing ``children`` children of ``placing_la`` with a family of ``approving_agency`` on ``on``."""
    agency_type = (
        InterAgencyFeeRate.AgencyType.VAA
        if approving_agency.kind == Organisation.Kind.VAA
        else InterAgencyFeeRate.AgencyType.LA_RAA
    )
    band = min(max(children, 1), 3)
    london = placing_la.region == Region.LONDON
    rate = (
        InterAgencyFeeRate.objects.filter(agency_type=agency_type, children=band, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if rate is None:
        return Fee(None, None, agency_type, band, london)
    amount = rate.amount
    if london and rate.london_uplift_percent:
        amount = amount * (1 + rate.london_uplift_percent / 100)
    return Fee(rate, amount.quantize(CENT, rounding=ROUND_HALF_UP), agency_type, band, london)
