"""Property tests of the journey's date-order rules (children.rules.journey_violations)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from children.rules import JourneyFacts, journey_violations, raise_if_violated

TODAY = date(2026, 3, 31)
ORDER = [
    "date_of_birth",
    "entered_care_on",
    "decision_on",
    "placement_order_on",
    "matched_on",
    "placed_on",
    "adoption_order_on",
]

# Each pair of steps the rules put in order, and the violation (field, 903 rule) that reversing them gives.
# The placement order and the match are not ordered against each other: a child may be matched before the
# order (scorecard A2 counts that as 0 days), so both follow the decision.
RULES = [
    ("date_of_birth", "entered_care_on", ("entered_care_on", "")),
    ("entered_care_on", "decision_on", ("decision_on", "334")),
    ("decision_on", "placement_order_on", ("placement_order_on", "554")),
    ("decision_on", "matched_on", ("matched_on", "333")),
    ("matched_on", "placed_on", ("placed_on", "331")),
    ("placed_on", "adoption_order_on", ("adoption_order_on", "")),
]


def journey_in_order():
    """Seven distinct past dates, in the journey's order: birth first, adoption order last."""
    return st.lists(
        st.dates(min_value=date(2000, 1, 1), max_value=TODAY), min_size=len(ORDER), max_size=len(ORDER), unique=True
    ).map(lambda days: dict(zip(ORDER, sorted(days), strict=True)))


def facts(dates: dict[str, date | None]) -> JourneyFacts:
    return JourneyFacts(today=TODAY, **dates)


def found(dates: dict[str, date | None]) -> set[tuple[str, str]]:
    return {(v.field, v.rule) for v in journey_violations(facts(dates))}


@given(journey_in_order())
def test_a_journey_in_order_has_no_violations(dates):
    assert journey_violations(facts(dates)) == []


@given(journey_in_order(), st.data())
def test_the_same_day_for_consecutive_steps_is_allowed(dates, data):
    """Every rule is "on or before": two steps on one day are fine."""
    position = data.draw(st.integers(min_value=1, max_value=len(ORDER) - 1))
    dates[ORDER[position]] = dates[ORDER[position - 1]]
    # Keep the later steps after the moved one.
    for later in ORDER[position + 1 :]:
        dates[later] = max(dates[later], dates[ORDER[position]])
    assert journey_violations(facts(dates)) == []


@pytest.mark.parametrize(("earlier", "later", "violation"), RULES, ids=[f"{r[0]}-{r[1]}" for r in RULES])
@given(dates=journey_in_order())
def test_swapping_two_ordered_steps_names_the_rule(earlier, later, violation, dates):
    dates[earlier], dates[later] = dates[later], dates[earlier]
    assert violation in found(dates)


@pytest.mark.parametrize(("earlier", "later", "violation"), RULES, ids=[f"{r[0]}-{r[1]}" for r in RULES])
@given(dates=journey_in_order())
def test_each_rule_holds_on_its_own(earlier, later, violation, dates):
    """With only the two steps recorded, putting them the wrong way round gives exactly that rule."""
    only = dict.fromkeys(ORDER)
    only[earlier], only[later] = dates[later], dates[earlier]
    assert found(only) == {violation}


@given(journey_in_order(), st.sampled_from(ORDER[1:]), st.integers(min_value=1, max_value=3650))
def test_a_date_in_the_future_is_refused(dates, step, days_ahead):
    future = TODAY + timedelta(days=days_ahead)
    # Move the step and every later one past today, keeping the order.
    for name in ORDER[ORDER.index(step) :]:
        dates[name] = future
    assert (step, "") in found(dates)
    assert {v.message for v in journey_violations(facts(dates)) if v.field == step} >= {
        "The date must be today or in the past"
    }


@given(journey_in_order())
def test_an_adoption_order_needs_the_placement(dates):
    dates["placed_on"] = None
    assert ("adoption_order_on", "") in found(dates)


@given(journey_in_order())
def test_raise_if_violated_keys_messages_by_the_callers_field_names(dates):
    dates["decision_on"], dates["placement_order_on"] = dates["placement_order_on"], dates["decision_on"]
    with pytest.raises(ValidationError) as caught:
        raise_if_violated(facts(dates), fields={"placement_order_on": "made_on"})
    messages = caught.value.message_dict
    assert any(m.endswith("(903 rule 554)") for m in messages["made_on"])
    assert "placement_order_on" not in messages


def test_the_messages_read_as_a_social_worker_would_say_them():
    violations = journey_violations(
        dataclasses.replace(facts(dict.fromkeys(ORDER)), entered_care_on=date(2024, 3, 5), decision_on=date(2024, 3, 4))
    )
    assert [v.text for v in violations] == [
        "The decision that the child should be placed for adoption must be on or after the date they entered care "
        "(5 March 2024) (903 rule 334)"
    ]
