"""The Adoption Support Fund's rules, as pure functions: no queries here.

The fund (now the Adoption and Special Guardianship Support Fund) pays for therapy and specialist
assessments for a child, within limits per child per *financial year* (April to March). The limits
change over time and are configuration (``support.models.AsfLimit``): the rule in force on 1 April of
a year applies to the whole year. The rows loaded by the migrations are:

* from May 2015 (so for 2015-16 to 2024-25): a fair access limit of £5,000 per child per year for
  therapy, a separate £2,500 for a specialist assessment, and the LA may match-fund therapy above the
  limit;
* from 1 April 2025: £3,000 per child per year with assessments inside it, no match funding, and the
  work finished within the financial year.

Who may be helped (DOMAIN.md, "Adoption support and the ASF"): a child adopted from care or placed for
adoption; a child under a special guardianship order or a child arrangements order who was looked
after before the order; a child adopted from abroad. The child must be under 21 on the day the work
starts, or under 25 with an education, health and care (EHC) plan.

Money: an application's ``cost`` is the cost of the work, and the LA's ``match_funding`` pays part of
it, so the fund is asked for ``cost - match_funding`` (its *share*). What a child has used of a year's
limit is the sum of the shares of their applications that the fund has been asked for or has agreed to
pay (submitted, approved, invoiced, paid: not drafts, not rejected ones). The selectors sum them in
the database (``support.selectors.asf.child_year_used``); the functions here only compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from adoption.dates import in_words as day
from adoption.periods import financial_year_label, financial_year_of

ZERO = Decimal("0.00")

# Basis codes (support.models.AsfApplication.Basis), repeated as plain strings to keep this module pure.
ADOPTED = "adopted"
PLACED = "placed"
SPECIAL_GUARDIANSHIP = "sgo"
CHILD_ARRANGEMENTS = "cao"
INTERCOUNTRY = "intercountry"

BASIS_WORDS = {
    ADOPTED: "adopted from care",
    PLACED: "placed for adoption",
    SPECIAL_GUARDIANSHIP: "under a special guardianship order, after being looked after",
    CHILD_ARRANGEMENTS: "under a child arrangements order, after being looked after",
    INTERCOUNTRY: "adopted from abroad (intercountry adoption)",
}

AGE_LIMIT = 21
AGE_LIMIT_WITH_EHC_PLAN = 25


class Limit(Protocol):
    """The fund's rule from a date: ``support.models.AsfLimit`` (saved or not) or anything shaped like it."""

    effective_from: date
    fair_access_limit: Decimal
    specialist_assessment_limit: Decimal | None
    match_funding: bool
    work_within_year: bool


# --- words ---------------------------------------------------------------------------------------------------


def money(amount: Decimal | int) -> str:
    """Pounds as agencies write them: £1,000, or £1,000.50 when there are pence."""
    value = Decimal(amount).quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        return f"£{int(value):,}"
    return f"£{value:,.2f}"


# --- financial years -----------------------------------------------------------------------------------------


# The financial year a date falls in (2025 for 1 April 2025 to 31 March 2026), and as agencies write it (2025-26).
financial_year = financial_year_of
year_label = financial_year_label


def year_start(year: int) -> date:
    return date(year, 4, 1)


def year_end(year: int) -> date:
    return date(year + 1, 3, 31)


def limit_for_year(limits: Iterable[Limit], year: int) -> Limit | None:
    """The rule for a financial year: the latest in force on 1 April of that year.

    A rule that starts during a year governs the next year onwards, except for a year with no rule on
    its 1 April: the fund began on 1 May 2015, so 2015-16 takes the rule that began inside it.
    """
    ordered = sorted(limits, key=lambda limit: limit.effective_from)
    in_force = [limit for limit in ordered if limit.effective_from <= year_start(year)]
    if in_force:
        return in_force[-1]
    within = [limit for limit in ordered if limit.effective_from <= year_end(year)]
    return within[0] if within else None


def years_of_limits(limits: Iterable[Limit]) -> list[tuple[int, Limit]]:
    """Each rule with the first financial year it governs, oldest first (for a database ``Case`` by year)."""
    found: dict[int, Limit] = {}
    for limit in sorted(limits, key=lambda limit: limit.effective_from):
        start = limit.effective_from
        # In force on 1 April: that year; else the next year, unless it is the first rule of all (see above).
        first = financial_year(start) if (start.month, start.day) == (4, 1) or not found else financial_year(start) + 1
        found[first] = limit
    return sorted(found.items(), key=lambda pair: pair[0])


def must_end_by(limit: Limit | None, year: int, work_ends_on: date) -> date:
    """The day the work must end: its planned end, or 31 March of its year if that is sooner and the rule says so."""
    if limit is not None and limit.work_within_year:
        return min(work_ends_on, year_end(year))
    return work_ends_on


# --- eligibility ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRecord:
    """What the child's record says about who they are and their route out of care."""

    first_name: str
    date_of_birth: date | None
    adoption_order_on: date | None = None
    # Adoptive placements the child moved in under: (placed_on, ended_on).
    placements: tuple[tuple[date, date | None], ...] = ()
    # Special guardianship and child arrangements orders: (kind, made_on), kind "sgo" or "cao".
    orders: tuple[tuple[str, date], ...] = ()
    # The starts of the child's periods of care.
    care_started: tuple[date, ...] = ()


@dataclass(frozen=True)
class Eligibility:
    basis: str  # a basis code, or "" when not eligible
    reasons: tuple[str, ...] = ()  # why not eligible, in words (empty when eligible)
    age_limit: int | None = None  # the age limit that applies: 21, or 25 with an EHC plan

    @property
    def eligible(self) -> bool:
        return bool(self.basis) and not self.reasons

    @property
    def basis_words(self) -> str:
        return BASIS_WORDS.get(self.basis, "")


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def birthday(date_of_birth: date, age: int) -> date:
    """The day a child turns ``age``. Born on 29 February: 1 March in a year without one, the day ``age_on`` counts
    the year as complete (as English law takes it)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:
        return date(date_of_birth.year + age, 3, 1)


def _basis(record: ChildRecord, *, on: date, intercountry: bool) -> tuple[str, list[str]]:
    """The route that makes the child eligible on ``on``, or why none does."""
    if intercountry:
        return INTERCOUNTRY, []
    if record.adoption_order_on is not None and record.adoption_order_on <= on:
        return ADOPTED, []
    for placed_on, ended_on in record.placements:
        if placed_on <= on and (ended_on is None or ended_on > on):
            return PLACED, []
    reasons: list[str] = []
    orders = sorted((made_on, kind) for kind, made_on in record.orders if made_on <= on)
    for made_on, kind in reversed(orders):  # the latest order first
        if any(started < made_on for started in record.care_started):
            return kind, []
    name = record.first_name
    if orders:
        made_on, kind = orders[-1]
        what = "special guardianship order" if kind == SPECIAL_GUARDIANSHIP else "child arrangements order"
        reasons.append(
            f"{name}'s {what} of {day(made_on)} was not made after a period of care: the fund helps children under "
            "such an order only if they were looked after before it"
        )
    else:
        reasons.append(
            f"{name}'s record shows no adoption order, adoptive placement, or special guardianship or child "
            "arrangements order after a period of care: the fund is for children adopted from care or placed for "
            "adoption, children under those orders who were looked after, and children adopted from abroad"
        )
    return "", reasons


def _age_reasons(record: ChildRecord, *, work_starts_on: date, ehc_plan: bool) -> tuple[int, list[str]]:
    name = record.first_name
    limit = AGE_LIMIT_WITH_EHC_PLAN if ehc_plan else AGE_LIMIT
    if record.date_of_birth is None:
        return limit, [f"{name}'s date of birth is not on the child's record: add it so the age limit can be checked"]
    if age_on(record.date_of_birth, work_starts_on) < limit:
        return limit, []
    turns = birthday(record.date_of_birth, limit)
    when = "the day the work starts" if turns == work_starts_on else "before the work starts"
    if limit == AGE_LIMIT:
        rule = "over 21 the fund needs an education, health and care plan"
        if age_on(record.date_of_birth, work_starts_on) >= AGE_LIMIT_WITH_EHC_PLAN:
            rule = "the fund is for young people under 21, or under 25 with an education, health and care plan"
    else:
        rule = "the fund is for young people under 25 even with an education, health and care plan"
    return limit, [f"{name} is {limit} on {day(turns)}, {when}: {rule}"]


def eligibility(
    record: ChildRecord, *, on: date, work_starts_on: date, ehc_plan: bool = False, intercountry: bool = False
) -> Eligibility:
    """Whether the fund can help the child: the route out of care as the record stands on ``on`` (the day of the
    application), and the age on the day the work starts."""
    basis, reasons = _basis(record, on=on, intercountry=intercountry)
    age_limit, age_reasons = _age_reasons(record, work_starts_on=work_starts_on, ehc_plan=ehc_plan)
    return Eligibility(basis=basis, reasons=tuple(reasons + age_reasons), age_limit=age_limit)


# --- what is left --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Used:
    """The fund's shares a child's counted applications have asked for in one year."""

    therapy: Decimal = ZERO  # applications other than specialist assessments
    assessment: Decimal = ZERO  # specialist assessments

    @property
    def total(self) -> Decimal:
        return self.therapy + self.assessment

    def plus(self, share: Decimal, *, specialist_assessment: bool) -> Used:
        if specialist_assessment:
            return Used(self.therapy, self.assessment + share)
        return Used(self.therapy + share, self.assessment)


@dataclass(frozen=True)
class Left:
    """What is left for a child in a year under that year's rule."""

    limit: Limit
    year: int
    used: Used
    therapy: Decimal  # left of the fair access limit (with assessments inside it when there is no separate allowance)
    assessment: Decimal | None  # left of the separate specialist assessment allowance; None when there is none

    @property
    def separate_assessment(self) -> bool:
        return self.assessment is not None

    @property
    def total(self) -> Decimal:
        return self.therapy + (self.assessment or ZERO)

    def for_kind(self, *, specialist_assessment: bool) -> Decimal:
        if specialist_assessment and self.assessment is not None:
            return self.assessment
        return self.therapy

    @property
    def words(self) -> str:
        """E.g. "£3,000 for therapy and £2,500 for a specialist assessment", or "£1,000"."""
        if self.assessment is None:
            return money(self.therapy)
        return f"{money(self.therapy)} for therapy and {money(self.assessment)} for a specialist assessment"


def left(limit: Limit, year: int, used: Used) -> Left:
    """What is left of the year's limit (never below nothing) once ``used`` is taken off."""
    if limit.specialist_assessment_limit is not None:
        return Left(
            limit=limit,
            year=year,
            used=used,
            therapy=max(ZERO, limit.fair_access_limit - used.therapy),
            assessment=max(ZERO, limit.specialist_assessment_limit - used.assessment),
        )
    return Left(
        limit=limit, year=year, used=used, therapy=max(ZERO, limit.fair_access_limit - used.total), assessment=None
    )


# --- an application against the rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """What an application asks for."""

    cost: Decimal
    match_funding: Decimal
    specialist_assessment: bool
    work_starts_on: date
    work_ends_on: date

    @property
    def share(self) -> Decimal:
        """What the fund is asked to pay."""
        return self.cost - self.match_funding


@dataclass
class Refusals:
    """Messages keyed by the field they are about, in the order they were found."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def _rule_since(limit: Limit) -> str:
    """The rule named by when it began, e.g. "from April 2025"."""
    return f"from {limit.effective_from:%B %Y}"


def refusals(
    proposal: Proposal,
    *,
    child_name: str,
    limits: Sequence[Limit],
    used: Used,
    eligible: Eligibility,
) -> Refusals:
    """Everything that stops the fund being asked for this application, each on its field, naming the figures.

    ``used`` is what the child's other counted applications in the year have asked for (not this one).
    """
    found = Refusals()
    for reason in eligible.reasons:
        found.add("child", reason)
    year = financial_year(proposal.work_starts_on)
    label = year_label(year)
    limit = limit_for_year(limits, year)
    if limit is None:
        found.add(
            "work_starts_on",
            f"The fund has no limits set up for {label}: an administrator adds them before applications for work "
            "starting then",
        )
        return found

    if proposal.match_funding > 0 and not limit.match_funding:
        found.add(
            "match_funding",
            f"There is no match funding for work in {label} (the fund's rule {_rule_since(limit)}): remove the LA's "
            f"{money(proposal.match_funding)}",
        )
    elif proposal.match_funding >= proposal.cost:
        found.add(
            "match_funding",
            f"The LA's match funding ({money(proposal.match_funding)}) must be less than the cost of the work "
            f"({money(proposal.cost)})",
        )
    # Without match funding in the rule, the fund would be asked for the whole cost.
    share = proposal.share if limit.match_funding else proposal.cost
    remaining = left(limit, year, used)
    available = remaining.for_kind(specialist_assessment=proposal.specialist_assessment)
    if share > 0 and share > available:
        found.add(
            "cost",
            _over_limit(
                limit=limit,
                remaining=remaining,
                available=available,
                share=share,
                proposal=proposal,
                child_name=child_name,
                label=label,
            ),
        )

    if limit.work_within_year and proposal.work_ends_on > year_end(year):
        found.add(
            "work_ends_on",
            f"The work must be finished by {day(year_end(year))}, the end of the {label} financial year (the fund's "
            f"rule {_rule_since(limit)}): it is planned to end on {day(proposal.work_ends_on)}",
        )
    return found


def _over_limit(
    *,
    limit: Limit,
    remaining: Left,
    available: Decimal,
    share: Decimal,
    proposal: Proposal,
    child_name: str,
    label: str,
) -> str:
    asks = f"this application asks the fund for {money(share)}"
    if proposal.specialist_assessment and remaining.separate_assessment:
        allowance = money(limit.specialist_assessment_limit or ZERO)
        message = (
            f"{money(available)} is left for {child_name} in {label} for a specialist assessment and {asks}: "
            f"the allowance for a specialist assessment is {allowance} a year"
        )
    elif remaining.separate_assessment:
        message = (
            f"{money(available)} is left for {child_name} in {label} and {asks}: the fair access limit is "
            f"{money(limit.fair_access_limit)} a year"
        )
    else:
        message = (
            f"{money(available)} is left for {child_name} in {label} and {asks}: the limit is "
            f"{money(limit.fair_access_limit)} a year, specialist assessments included ({_rule_since(limit)})"
        )
    if limit.match_funding:
        message += f". The LA may match-fund the {money(share - available)} above it"
    return message
