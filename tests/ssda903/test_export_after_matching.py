"""A child matched and placed through the services: the 903 export still passes the DfE validator's rules."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from adopters.models import Applicant, Availability, Household
from children import services
from children.models import Episode, PeriodOfCare
from children.ssda903.export import build_tables
from children.ssda903.validation import ADOPTION_TABLES, validate_tables
from tests import factories

pytestmark = pytest.mark.django_db
YEAR = 2024  # 1 April 2024 to 31 March 2025


def _episode(period, started_on, rne, ls, place, *, ended_on=None, rec="", reason=""):
    return Episode.objects.create(
        period=period,
        started_on=started_on,
        reason_new_episode=rne,
        legal_status=ls,
        category_of_need="N1",
        placement_type=place,
        placement_provider="PR1",
        ended_on=ended_on,
        reason_ended=rec,
        reason_place_change=reason,
        home_postcode="CV1 2AA",
        placement_postcode="CV2 4AA",
        urn="SC905101",
    )


@pytest.fixture
def family(raa):
    household = factories.HouseholdFactory(
        approving_agency=raa,
        name="Reed household",
        postcode="CV3 1AA",
        status=Household.Status.APPROVED,
        approved_on=date(2024, 2, 1),
        legal_status=Household.LegalStatus.L12,
        approved_children_max=2,
        approved_age_max=4,
    )
    Applicant.objects.create(household=household, first_name="Jo", last_name="Reed", sex="F")
    Applicant.objects.create(household=household, first_name="Sam", last_name="Reed", sex="F")
    Availability.objects.create(household=household, status="available", status_from=date(2024, 2, 1))
    return household


@pytest.fixture
def waiting(la_a):
    """Amelia: in care from 1 January 2023 with foster carers, a decision, then a placement order (E1)."""
    la_a.la_code = "999"
    la_a.save()
    child = factories.ChildFactory(
        responsible_la=la_a,
        child_903_id="A0001",
        date_of_birth=date(2022, 5, 1),
        sex="F",
        ethnicity="WBRI",
        upn="",
    )
    period = PeriodOfCare.objects.create(child=child, started_on=date(2023, 1, 1))
    _episode(period, date(2023, 1, 1), "S", "C1", "U4", ended_on=date(2023, 11, 20), rec="X1")
    _episode(period, date(2023, 11, 20), "L", "E1", "U4")
    from children.models import AdoptionDecision, PlacementOrder

    AdoptionDecision.objects.create(child=child, decided_on=date(2023, 6, 1))
    PlacementOrder.objects.create(
        child=child, made_on=date(2023, 11, 20), order_type="E1", court="Family Court at Coventry"
    )
    return child


@time_machine.travel(date(2025, 5, 1), tick=False)
def test_matching_and_placing_through_the_services_keeps_the_903_valid(family_finder, family, waiting, la_a):
    match = services.match_record(
        actor=family_finder, household_id=family.pk, child_id=waiting.pk, matched_on=date(2024, 6, 3)
    )
    services.placement_record(actor=family_finder, match_id=match.pk, placed_on=date(2024, 7, 1))
    # The move is an episode of the 903: a change of placement to A6 (placement order, a new family).
    episodes = list(PeriodOfCare.objects.get(child=waiting).episodes.order_by("started_on"))
    assert [(e.reason_new_episode, e.legal_status, e.placement_type, e.placement_provider) for e in episodes][-1] == (
        "P",
        "E1",
        "A6",
        "PR1",
    )
    services.adoption_application_record(actor=family_finder, child_id=waiting.pk, applied_on=date(2024, 9, 20))
    services.permanence_outcome_record(
        actor=family_finder,
        child_id=waiting.pk,
        kind="adoption_order",
        made_on=date(2024, 12, 10),
        court="Family Court at Coventry",
    )
    services.period_of_care_end(
        actor=family_finder, child_id=waiting.pk, ended_on=date(2024, 12, 10), reason_ended="E11"
    )

    tables = build_tables(la=la_a, year_start=YEAR)
    assert [(r["DATE_PLACED"], r["DATE_PLACED_CEASED"]) for r in tables.rows["PlacedAdoption"]] == [("01/06/2023", "")]
    ad1 = tables.rows["AD1"]
    assert [(r["DATE_MATCH"], r["NB_ADOPTR"], r["SEX_ADOPTR"], r["LS_ADOPTR"]) for r in ad1] == [
        ("03/06/2024", "2", "FF", "L12")
    ]
    result = validate_tables(tables.csv(), year_start=YEAR, la_ons_code=la_a.ons_code)
    findings = result.for_tables(*ADOPTION_TABLES)
    assert findings == [], [(f.table, f.row, f.child, f.rule, f.message) for f in findings]
