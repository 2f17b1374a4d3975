"""Date-order and consistency rules for a child's journey.

One set of rules, used wherever data enters: the services behind pages and the API, and the
SSDA903 import. Each rule names the DfE 903 validation rule it mirrors where there is one, so a
social worker sees the same reason the DfE return would give.

Rules are pure functions over :class:`JourneyFacts` (plain dates), so they can be checked on
a change before it is saved and on a whole import before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError

from adoption.dates import in_words as _fmt


@dataclass(frozen=True)
class Violation:
    field: str  # the form/API field the problem belongs to
    message: str
    rule: str = ""  # the 903 rule mirrored, e.g. "334"; empty for the product's own rules

    @property
    def text(self) -> str:
        return f"{self.message} (903 rule {self.rule})" if self.rule else self.message


@dataclass(frozen=True)
class JourneyFacts:
    """A child's dates as they would be after a change."""

    today: date
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    entered_care_on: date | None = None  # start of the latest period of care
    # False when that period began before the returns held (PeriodOfCare.start_before_records):
    # ``entered_care_on`` is then the earliest day known in care, not the day the child entered care.
    entered_care_known: bool = True
    decision_on: date | None = None  # open decision that the child should be placed for adoption
    placement_order_on: date | None = None
    matched_on: date | None = None
    placed_on: date | None = None
    adoption_order_on: date | None = None
    extra_dates: dict[str, date | None] = field(default_factory=dict)  # any other dated field being saved


def journey_violations(facts: JourneyFacts) -> list[Violation]:
    """Everything wrong with the dates, in the order a social worker would fix them."""
    found: list[Violation] = []
    dated = {
        "date_of_birth": facts.date_of_birth,
        "entered_care_on": facts.entered_care_on,
        "decision_on": facts.decision_on,
        "placement_order_on": facts.placement_order_on,
        "matched_on": facts.matched_on,
        "placed_on": facts.placed_on,
        "adoption_order_on": facts.adoption_order_on,
        **facts.extra_dates,
    }
    for name, day in dated.items():
        if day is not None and day > facts.today:
            found.append(Violation(name, "The date must be today or in the past"))

    dob = facts.date_of_birth
    if dob and facts.entered_care_on and facts.entered_care_on < dob:
        found.append(
            Violation(
                "entered_care_on",
                f"The child cannot enter care before they were born ({_fmt(dob)})",
            )
        )
    if dob and facts.decision_on and facts.decision_on < dob:
        found.append(Violation("decision_on", f"The decision cannot be before the child was born ({_fmt(dob)})"))
    # Rule 334 compares the decision with the day the child entered care. When the period of care
    # began before the returns held, that day is unknown: the date recorded is the first episode
    # known, later than the true start, and judging against it would refuse decisions that are
    # right. The rule is not checked then (no date is invented for it); the DfE's own rule 334
    # likewise looks only at episodes with RNE S. The birth check above still holds: the child was
    # in care on that day, so was born by then.
    if (
        facts.entered_care_known
        and facts.decision_on
        and facts.entered_care_on
        and facts.entered_care_on > facts.decision_on
    ):
        found.append(
            Violation(
                "decision_on",
                f"The decision that the child should be placed for adoption must be on or after the date they "
                f"entered care ({_fmt(facts.entered_care_on)})",
                "334",
            )
        )
    if facts.decision_on and facts.placement_order_on and facts.decision_on > facts.placement_order_on:
        found.append(
            Violation(
                "placement_order_on",
                f"The placement order must be on or after the decision that the child should be placed for "
                f"adoption ({_fmt(facts.decision_on)})",
                "554",
            )
        )
    if facts.decision_on and facts.matched_on and facts.decision_on > facts.matched_on:
        found.append(
            Violation(
                "matched_on",
                f"The match must be on or after the decision that the child should be placed for adoption "
                f"({_fmt(facts.decision_on)})",
                "333",
            )
        )
    if facts.matched_on and facts.placed_on and facts.matched_on > facts.placed_on:
        found.append(
            Violation(
                "placed_on",
                f"The child must be matched ({_fmt(facts.matched_on)}) on or before being placed for adoption",
                "331",
            )
        )
    if facts.placed_on and facts.adoption_order_on and facts.placed_on > facts.adoption_order_on:
        found.append(
            Violation(
                "adoption_order_on",
                f"The adoption order must be on or after the child was placed for adoption ({_fmt(facts.placed_on)})",
            )
        )
    if facts.adoption_order_on and not facts.placed_on:
        found.append(Violation("adoption_order_on", "Record the adoption placement before the adoption order"))
    return found


def raise_if_violated(facts: JourneyFacts, *, fields: dict[str, str] | None = None) -> None:
    """Raise a ``ValidationError`` keyed by field, mapping rule fields to the caller's names with ``fields``."""
    violations = journey_violations(facts)
    if not violations:
        return
    fields = fields or {}
    errors: dict[str, list[str]] = {}
    for violation in violations:
        errors.setdefault(fields.get(violation.field, violation.field), []).append(violation.text)
    raise ValidationError(errors)
