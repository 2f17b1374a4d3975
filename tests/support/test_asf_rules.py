"""The fund's rules as pure functions: financial years, the rule for a year, eligibility, what is left, refusals.

The rules are the rows the migrations load (``support/migrations/0002_asf_limits.py``): to March 2025 £5,000 a
year plus £2,500 for a specialist assessment, with match funding; from April 2025 £3,000 with assessments
inside it, no match funding, the work finished in the year.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from support import asf_rules as rules
from support.models import AsfLimit

D = Decimal
OLD = AsfLimit(
    effective_from=date(2015, 5, 1),
    fair_access_limit=D("5000.00"),
    specialist_assessment_limit=D("2500.00"),
    match_funding=True,
    work_within_year=False,
)
NEW = AsfLimit(
    effective_from=date(2025, 4, 1),
    fair_access_limit=D("3000.00"),
    specialist_assessment_limit=None,
    match_funding=False,
    work_within_year=True,
)
LIMITS = [NEW, OLD]  # any order

ADOPTED_AMELIA = rules.ChildRecord(
    first_name="Amelia",
    date_of_birth=date(2015, 3, 10),
    adoption_order_on=date(2018, 6, 1),
    placements=((date(2017, 9, 1), None),),
    care_started=(date(2015, 9, 1),),
)


def proposal(
    cost: str,
    *,
    starts: date = date(2025, 5, 6),
    ends: date = date(2025, 12, 16),
    match: str = "0",
    assessment: bool = False,
) -> rules.Proposal:
    return rules.Proposal(
        cost=D(cost), match_funding=D(match), specialist_assessment=assessment, work_starts_on=starts, work_ends_on=ends
    )


NOTHING_USED = rules.Used()


def refuse(
    wanted: rules.Proposal, used: rules.Used = NOTHING_USED, record: rules.ChildRecord = ADOPTED_AMELIA
) -> dict[str, list[str]]:
    eligible = rules.eligibility(record, on=date(2025, 4, 30), work_starts_on=wanted.work_starts_on)
    return rules.refusals(wanted, child_name=record.first_name, limits=LIMITS, used=used, eligible=eligible).by_field


# --- financial years and the rule for each ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year", "label"),
    [
        (date(2025, 3, 31), 2024, "2024-25"),
        (date(2025, 4, 1), 2025, "2025-26"),
        (date(2025, 12, 31), 2025, "2025-26"),
        (date(2026, 1, 1), 2025, "2025-26"),
        (date(1999, 6, 1), 1999, "1999-00"),
    ],
)
def test_the_financial_year_runs_april_to_march(day, year, label):
    assert rules.financial_year(day) == year
    assert rules.year_label(year) == label


@pytest.mark.django_db
def test_the_rule_for_each_year_comes_from_the_configured_rows():
    """The migration's rows, read from the database: 2015-16 takes the rule that began inside it (1 May 2015)."""
    configured = list(AsfLimit.objects.all())
    assert rules.limit_for_year(configured, 2014) is None
    for year in (2015, 2016, 2024):
        found = rules.limit_for_year(configured, year)
        assert found is not None
        assert (found.effective_from, found.fair_access_limit, found.specialist_assessment_limit) == (
            date(2015, 5, 1),
            D("5000.00"),
            D("2500.00"),
        )
        assert found.match_funding and not found.work_within_year
    for year in (2025, 2026, 2030):
        found = rules.limit_for_year(configured, year)
        assert found is not None
        assert (found.effective_from, found.fair_access_limit, found.specialist_assessment_limit) == (
            date(2025, 4, 1),
            D("3000.00"),
            None,
        )
        assert not found.match_funding and found.work_within_year


def test_a_rule_that_starts_during_a_year_governs_from_the_next_year():
    mid_year = AsfLimit(
        effective_from=date(2026, 9, 1),
        fair_access_limit=D("3500.00"),
        specialist_assessment_limit=None,
        match_funding=False,
        work_within_year=True,
    )
    assert rules.limit_for_year([*LIMITS, mid_year], 2026) is NEW
    assert rules.limit_for_year([*LIMITS, mid_year], 2027) is mid_year


def test_the_years_each_rule_governs_agree_with_the_rule_for_each_year():
    """``years_of_limits`` (the deadlines' database expression) and ``limit_for_year`` give the same rule."""
    mid_year = AsfLimit(
        effective_from=date(2027, 10, 1),
        fair_access_limit=D("1.00"),
        specialist_assessment_limit=None,
        match_funding=False,
        work_within_year=False,
    )
    every = [*LIMITS, mid_year]
    periods = rules.years_of_limits(every)
    assert [first for first, _ in periods] == [2015, 2025, 2028]
    for year in range(2015, 2035):
        governing = [limit for first, limit in periods if first <= year][-1]
        assert rules.limit_for_year(every, year) is governing


def test_the_work_must_end_by_31_march_only_where_the_rule_says_so():
    assert rules.must_end_by(NEW, 2025, date(2026, 5, 1)) == date(2026, 3, 31)
    assert rules.must_end_by(NEW, 2025, date(2025, 11, 1)) == date(2025, 11, 1)
    assert rules.must_end_by(OLD, 2024, date(2025, 9, 1)) == date(2025, 9, 1)


# --- eligibility ---------------------------------------------------------------------------------------------


def test_an_adopted_child_is_eligible_as_adopted_from_care():
    found = rules.eligibility(ADOPTED_AMELIA, on=date(2025, 5, 1), work_starts_on=date(2025, 5, 6))
    assert found.eligible
    assert found.basis == rules.ADOPTED
    assert found.basis_words == "adopted from care"


def test_a_child_placed_for_adoption_is_eligible_while_the_placement_lasts():
    placed = rules.ChildRecord(
        first_name="Pip", date_of_birth=date(2020, 1, 1), placements=((date(2024, 11, 1), None),)
    )
    assert rules.eligibility(placed, on=date(2025, 5, 1), work_starts_on=date(2025, 6, 1)).basis == rules.PLACED
    # Before the child moved in the placement does not count yet.
    assert not rules.eligibility(placed, on=date(2024, 10, 1), work_starts_on=date(2025, 6, 1)).eligible
    disrupted = rules.ChildRecord(
        first_name="Pip", date_of_birth=date(2020, 1, 1), placements=((date(2024, 11, 1), date(2025, 2, 1)),)
    )
    found = rules.eligibility(disrupted, on=date(2025, 5, 1), work_starts_on=date(2025, 6, 1))
    assert not found.eligible
    assert found.reasons[0].startswith("Pip's record shows no adoption order, adoptive placement")


def test_special_guardianship_counts_only_for_a_child_looked_after_before_the_order():
    looked_after = rules.ChildRecord(
        first_name="Sam",
        date_of_birth=date(2016, 2, 2),
        orders=(("sgo", date(2021, 3, 1)),),
        care_started=(date(2019, 8, 1),),
    )
    found = rules.eligibility(looked_after, on=date(2025, 5, 1), work_starts_on=date(2025, 6, 1))
    assert found.eligible and found.basis == rules.SPECIAL_GUARDIANSHIP

    never = rules.ChildRecord(first_name="Nina", date_of_birth=date(2016, 2, 2), orders=(("sgo", date(2021, 3, 1)),))
    found = rules.eligibility(never, on=date(2025, 5, 1), work_starts_on=date(2025, 6, 1))
    assert not found.eligible
    assert found.reasons == (
        "Nina's special guardianship order of 1 March 2021 was not made after a period of care: the fund helps "
        "children under such an order only if they were looked after before it",
    )
    # Care that began only after the order is not care before it.
    later = rules.ChildRecord(
        first_name="Nina",
        date_of_birth=date(2016, 2, 2),
        orders=(("sgo", date(2021, 3, 1)),),
        care_started=(date(2022, 1, 1),),
    )
    assert not rules.eligibility(later, on=date(2025, 5, 1), work_starts_on=date(2025, 6, 1)).eligible


def test_a_child_arrangements_order_after_care_and_intercountry_adoption_are_eligible():
    cao = rules.ChildRecord(
        first_name="Cai",
        date_of_birth=date(2014, 7, 7),
        orders=(("cao", date(2020, 5, 5)),),
        care_started=(date(2019, 1, 1),),
    )
    assert (
        rules.eligibility(cao, on=date(2025, 5, 1), work_starts_on=date(2025, 6, 1)).basis == rules.CHILD_ARRANGEMENTS
    )
    abroad = rules.ChildRecord(first_name="Ilya", date_of_birth=date(2014, 7, 7))
    assert not rules.eligibility(abroad, on=date(2025, 5, 1), work_starts_on=date(2025, 6, 1)).eligible
    found = rules.eligibility(abroad, on=date(2025, 5, 1), work_starts_on=date(2025, 6, 1), intercountry=True)
    assert found.eligible and found.basis == rules.INTERCOUNTRY


def _amelia_born(born: date) -> rules.ChildRecord:
    return rules.ChildRecord(first_name="Amelia", date_of_birth=born, adoption_order_on=date(2010, 1, 1))


def test_over_21_the_fund_needs_an_ehc_plan():
    amelia = _amelia_born(date(2004, 5, 3))  # 21 on 3 May 2025
    day_before = rules.eligibility(amelia, on=date(2025, 4, 1), work_starts_on=date(2025, 5, 2))
    assert day_before.eligible and day_before.age_limit == 21

    found = rules.eligibility(amelia, on=date(2025, 4, 1), work_starts_on=date(2025, 6, 1))
    assert not found.eligible
    assert found.reasons == (
        "Amelia is 21 on 3 May 2025, before the work starts: over 21 the fund needs an education, health and care plan",
    )
    on_the_day = rules.eligibility(amelia, on=date(2025, 4, 1), work_starts_on=date(2025, 5, 3))
    assert on_the_day.reasons == (
        "Amelia is 21 on 3 May 2025, the day the work starts: over 21 the fund needs an education, health and care "
        "plan",
    )
    with_plan = rules.eligibility(amelia, on=date(2025, 4, 1), work_starts_on=date(2025, 6, 1), ehc_plan=True)
    assert with_plan.eligible and with_plan.age_limit == 25


def test_at_25_not_even_an_ehc_plan_helps():
    amelia = _amelia_born(date(2000, 5, 3))  # 25 on 3 May 2025
    assert rules.eligibility(amelia, on=date(2025, 4, 1), work_starts_on=date(2025, 5, 2), ehc_plan=True).eligible
    found = rules.eligibility(amelia, on=date(2025, 4, 1), work_starts_on=date(2025, 6, 1), ehc_plan=True)
    assert found.reasons == (
        "Amelia is 25 on 3 May 2025, before the work starts: the fund is for young people under 25 even with an "
        "education, health and care plan",
    )
    without = rules.eligibility(amelia, on=date(2025, 4, 1), work_starts_on=date(2025, 6, 1))
    assert without.reasons == (
        "Amelia is 21 on 3 May 2021, before the work starts: the fund is for young people under 21, or under 25 "
        "with an education, health and care plan",
    )


def test_a_child_born_on_29_february_turns_21_on_1_march():
    leap = _amelia_born(date(2004, 2, 29))
    assert rules.birthday(date(2004, 2, 29), 21) == date(2025, 3, 1)
    assert rules.eligibility(leap, on=date(2025, 4, 1), work_starts_on=date(2025, 2, 28)).eligible
    found = rules.eligibility(leap, on=date(2025, 4, 1), work_starts_on=date(2025, 3, 1))
    assert found.reasons[0].startswith("Amelia is 21 on 1 March 2025, the day the work starts")


def test_without_a_date_of_birth_the_age_cannot_be_checked():
    unknown = rules.ChildRecord(first_name="Amelia", date_of_birth=None, adoption_order_on=date(2010, 1, 1))
    found = rules.eligibility(unknown, on=date(2025, 4, 1), work_starts_on=date(2025, 6, 1))
    assert found.reasons == (
        "Amelia's date of birth is not on the child's record: add it so the age limit can be checked",
    )


# --- what is left, and the refusals: to March 2025 ------------------------------------------------------------


def test_2024_25_has_5000_for_therapy_and_a_separate_2500_for_an_assessment():
    left = rules.left(OLD, 2024, rules.Used(therapy=D("4000"), assessment=D("2500")))
    assert (left.therapy, left.assessment, left.total) == (D("1000"), D("0"), D("1000"))
    assert left.words == "£1,000 for therapy and £0 for a specialist assessment"

    starts, ends = date(2024, 9, 2), date(2025, 7, 31)  # 2024-25 work may run past March
    assert refuse(proposal("5000", starts=starts, ends=ends)) == {}
    assert refuse(proposal("2500", starts=starts, ends=ends, assessment=True), rules.Used(therapy=D("5000"))) == {}


def test_2024_25_over_the_fair_access_limit_needs_the_las_match_funding():
    starts, ends = date(2024, 9, 2), date(2025, 3, 31)
    assert refuse(proposal("6000", starts=starts, ends=ends)) == {
        "cost": [
            "£5,000 is left for Amelia in 2024-25 and this application asks the fund for £6,000: the fair access "
            "limit is £5,000 a year. The LA may match-fund the £1,000 above it"
        ]
    }
    assert refuse(proposal("6000", starts=starts, ends=ends, match="1000")) == {}
    assert refuse(proposal("6000", starts=starts, ends=ends, match="999.99")) == {
        "cost": [
            "£5,000 is left for Amelia in 2024-25 and this application asks the fund for £5,000.01: the fair access "
            "limit is £5,000 a year. The LA may match-fund the £0.01 above it"
        ]
    }
    # What the child has used already is taken off first.
    used = rules.Used(therapy=D("4200"))
    assert refuse(proposal("1000", starts=starts, ends=ends), used)["cost"][0].startswith(
        "£800 is left for Amelia in 2024-25 and this application asks the fund for £1,000"
    )


def test_2024_25_a_specialist_assessment_over_its_allowance_is_refused():
    starts, ends = date(2024, 9, 2), date(2024, 12, 20)
    found = refuse(proposal("2600", starts=starts, ends=ends, assessment=True), rules.Used(therapy=D("5000")))
    assert found == {
        "cost": [
            "£2,500 is left for Amelia in 2024-25 for a specialist assessment and this application asks the fund for "
            "£2,600: the allowance for a specialist assessment is £2,500 a year. The LA may match-fund the £100 "
            "above it"
        ]
    }


def test_match_funding_must_be_less_than_the_cost():
    found = refuse(proposal("500", starts=date(2024, 9, 2), ends=date(2024, 12, 1), match="500"))
    assert found == {"match_funding": ["The LA's match funding (£500) must be less than the cost of the work (£500)"]}


# --- from April 2025 -----------------------------------------------------------------------------------------


def test_2025_26_has_3000_with_assessments_inside_it():
    left = rules.left(NEW, 2025, rules.Used(therapy=D("1500"), assessment=D("500")))
    assert (left.therapy, left.assessment, left.total) == (D("1000"), None, D("1000"))
    assert left.words == "£1,000"
    assert refuse(proposal("3000")) == {}


def test_2025_26_with_2000_used_a_1500_application_is_refused_with_what_is_left():
    found = refuse(proposal("1500"), rules.Used(therapy=D("2000")))
    assert found == {
        "cost": [
            "£1,000 is left for Amelia in 2025-26 and this application asks the fund for £1,500: the limit is £3,000 "
            "a year, specialist assessments included (from April 2025)"
        ]
    }
    assert refuse(proposal("1000"), rules.Used(therapy=D("2000"))) == {}
    # An assessment comes out of the same £3,000.
    assessment = refuse(proposal("1500", assessment=True), rules.Used(therapy=D("2000")))
    assert assessment["cost"][0].startswith("£1,000 is left for Amelia in 2025-26")


def test_2025_26_has_no_match_funding():
    found = refuse(proposal("3500", match="500"))
    assert found["match_funding"] == [
        "There is no match funding for work in 2025-26 (the fund's rule from April 2025): remove the LA's £500"
    ]
    # Without match funding the fund would be asked for the whole cost, over the limit.
    assert found["cost"][0].startswith(
        "£3,000 is left for Amelia in 2025-26 and this application asks the fund for £3,500"
    )


def test_2025_26_work_must_be_finished_by_31_march_2026():
    assert refuse(proposal("1000", ends=date(2026, 3, 31))) == {}
    assert refuse(proposal("1000", ends=date(2026, 4, 1))) == {
        "work_ends_on": [
            "The work must be finished by 31 March 2026, the end of the 2025-26 financial year (the fund's rule from "
            "April 2025): it is planned to end on 1 April 2026"
        ]
    }


def test_across_1_april_2025_the_day_the_work_starts_picks_the_rule():
    # Starting on 31 March 2025: the old rule, so £5,000, match funding, and the work may run on.
    assert refuse(proposal("5500", starts=date(2025, 3, 31), ends=date(2025, 10, 1), match="500")) == {}
    # Starting a day later: the new rule refuses all three.
    found = refuse(proposal("5500", starts=date(2025, 4, 1), ends=date(2026, 4, 30), match="500"))
    assert set(found) == {"match_funding", "cost", "work_ends_on"}
    assert found["cost"][0].startswith("£3,000 is left for Amelia in 2025-26")


def test_an_ineligible_child_is_refused_on_the_child_with_the_reasons():
    never = rules.ChildRecord(first_name="Nina", date_of_birth=date(2016, 2, 2), orders=(("sgo", date(2021, 3, 1)),))
    found = refuse(proposal("1000"), record=never)
    assert list(found) == ["child"]
    assert found["child"][0].startswith("Nina's special guardianship order of 1 March 2021 was not made after")


def test_work_before_the_fund_had_limits_is_refused():
    found = refuse(proposal("100", starts=date(2014, 6, 1), ends=date(2014, 9, 1)))
    assert found == {
        "work_starts_on": [
            "The fund has no limits set up for 2014-15: an administrator adds them before applications for work "
            "starting then"
        ]
    }


def test_money_is_written_as_agencies_write_it():
    assert rules.money(D("1000")) == "£1,000"
    assert rules.money(D("1000.5")) == "£1,000.50"
    assert rules.money(D("0")) == "£0"
