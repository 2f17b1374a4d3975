"""Where a child is on the journey, and what should happen next, from their dated records (pure functions).

Nothing here touches the database: the selectors annotate the dates, these functions read them.
The list filters that the selectors apply in the database (waiting-time bands, the stage) are
written to agree with the functions here, and the tests check that they do.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models


class Stage(models.TextChoices):
    PRE_BIRTH = "pre_birth", "Unborn baby"
    NOT_IN_CARE = "not_in_care", "Not in care"
    IN_CARE = "in_care", "In care"
    LEFT_CARE = "left_care", "Left care"
    DECISION = "decision", "Should be placed for adoption"
    PLACEMENT_ORDER = "placement_order", "Placement order made"
    MATCHED = "matched", "Matched"
    PLACED = "placed", "Placed for adoption"
    ADOPTED = "adopted", "Adopted"
    OTHER_PERMANENCE = "other_permanence", "Other permanence"
    REVERSED = "reversed", "Adoption plan reversed"


@dataclass(frozen=True)
class JourneyDates:
    """The dates that decide a child's stage; ``None`` where a step has not happened."""

    entered_care_on: date | None
    decision_on: date | None  # the open (not reversed) decision
    decision_reversed_on: date | None
    placement_order_on: date | None
    matched_on: date | None
    placed_on: date | None
    adoption_order_on: date | None
    other_permanence_on: date | None
    date_of_birth: date | None = None  # none yet for an unborn baby
    left_care_on: date | None = None  # end of the latest period of care; none while in care


def stage_of(dates: JourneyDates) -> Stage:
    # children.selectors.stage_expression() is this function as a database CASE: change both together.
    if dates.adoption_order_on:
        return Stage.ADOPTED
    if dates.other_permanence_on:
        return Stage.OTHER_PERMANENCE
    if dates.placed_on:
        return Stage.PLACED
    if dates.matched_on:
        return Stage.MATCHED
    if dates.decision_on and dates.placement_order_on:
        return Stage.PLACEMENT_ORDER
    if dates.decision_on:
        return Stage.DECISION
    if dates.decision_reversed_on:
        return Stage.REVERSED
    if dates.entered_care_on and dates.left_care_on:
        return Stage.LEFT_CARE
    if dates.entered_care_on:
        return Stage.IN_CARE
    if dates.date_of_birth:
        return Stage.NOT_IN_CARE
    return Stage.PRE_BIRTH


def is_waiting(dates: JourneyDates) -> bool:
    """Waiting for a family: an open decision, and not yet moved in or adopted (ASGLB "children waiting")."""
    return bool(dates.decision_on and not dates.placed_on and not dates.adoption_order_on)


def days_waiting(dates: JourneyDates, today: date) -> int | None:
    """Days since the decision for a child with an open decision who has not yet moved in."""
    if is_waiting(dates) and dates.decision_on:
        return (today - dates.decision_on).days
    return None


# --- calendar arithmetic ---------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the last day of the month when it has no such day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


def years_before(day: date, years: int) -> date:
    return months_before(day, 12 * years)


def age_in_years(date_of_birth: date, today: date) -> int:
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


# --- waiting-time bands ------------------------------------------------------------------------

# "Children waiting over 90 days" is an ASGLB quarterly headline (days since the ADM decision).
WAITING_OVER_DAYS = 90
# The board data packs count children waiting 12 and 18 months; "waiting over 18 months" is also
# one of the harder-to-place characteristics (long waiting).
WAITING_LONG_MONTHS = 12
WAITING_VERY_LONG_MONTHS = 18


class WaitingBand(models.TextChoices):
    """Time since the decision, for a child who is waiting."""

    UNDER_90_DAYS = "under_90_days", "Under 90 days"
    TO_12_MONTHS = "90_days_to_12_months", "90 days to 12 months"
    TO_18_MONTHS = "12_to_18_months", "12 to 18 months"
    OVER_18_MONTHS = "over_18_months", "Over 18 months"


def waiting_band_bounds(band: WaitingBand | str, today: date) -> tuple[date | None, date | None]:
    """``(earliest, latest)`` decision dates (inclusive; ``None`` is open) for a band on ``today``.

    The bands read literally and do not overlap: under 90 days is fewer than 90 days; "90 days to
    12 months" is from 90 days up to, not including, 12 calendar months; "12 to 18 months" includes
    both anniversaries; "over 18 months" is after the 18-month anniversary.
    """
    day_90 = today - timedelta(days=WAITING_OVER_DAYS)
    month_12 = months_before(today, WAITING_LONG_MONTHS)
    month_18 = months_before(today, WAITING_VERY_LONG_MONTHS)
    bounds: dict[str, tuple[date | None, date | None]] = {
        WaitingBand.UNDER_90_DAYS: (day_90 + timedelta(days=1), None),
        WaitingBand.TO_12_MONTHS: (month_12 + timedelta(days=1), day_90),
        WaitingBand.TO_18_MONTHS: (month_18, month_12),
        WaitingBand.OVER_18_MONTHS: (None, month_18 - timedelta(days=1)),
    }
    return bounds[str(band)]


def waiting_band(dates: JourneyDates, today: date) -> WaitingBand | None:
    if not is_waiting(dates) or dates.decision_on is None:
        return None
    for band in WaitingBand:
        earliest, latest = waiting_band_bounds(band, today)
        if (earliest is None or dates.decision_on >= earliest) and (latest is None or dates.decision_on <= latest):
            return band
    return None  # a decision dated in the future: no band


# --- the next statutory step and anything overdue ---------------------------------------------

# Care proceedings must finish within 26 weeks of the application (Children Act 1989 s.32(1)(a),
# inserted by the Children and Families Act 2014 s.14). The placement order application is normally
# heard with the care proceedings, so a decision with no placement order 26 weeks later is overdue.
CARE_PROCEEDINGS_WEEKS = 26
PLACEMENT_ORDER_DUE_DAYS = CARE_PROCEEDINGS_WEEKS * 7
# Scorecard A2 (placement order to match) threshold in the latest published period: 121 days
# (4 months). Reporting holds the thresholds by period; this is the page's early warning only.
MATCH_DUE_DAYS = 121
# Prospective adopters may apply for the adoption order once the child has lived with them for
# 10 weeks (Adoption and Children Act 2002 s.42(2)).
ADOPTION_ORDER_ELIGIBLE_DAYS = 70


@dataclass(frozen=True)
class Situation:
    """What the next step depends on, besides the journey dates."""

    dates: JourneyDates
    expected_date_of_birth: date | None = None
    cpr_status: str = ""  # ChildPermanenceReport.Status value, "" when none
    cpr_due_on: date | None = None
    proceedings_stage: str = ""  # latest ProceedingsTracking.Stage value, "" when none
    proceedings_from: date | None = None
    final_hearing_on: date | None = None
    family_finding_status: str = ""  # latest FamilyFindingStatus.Status value
    in_care: bool = False  # has an open period of care (a child who left care with no plan has no next step)


@dataclass(frozen=True)
class Step:
    text: str
    due_on: date | None = None
    overdue: bool = False
    basis: str = ""  # why: the statute or measure behind the date


def proceedings_due(stage: str | None, since: date | None) -> date | None:
    """When care proceedings begun on ``since`` should finish; ``None`` for any other stage."""
    if stage == "care_proceedings" and since:
        return since + timedelta(weeks=CARE_PROCEEDINGS_WEEKS)
    return None


def _due(text: str, due_on: date, today: date, basis: str) -> Step:
    return Step(text, due_on, today > due_on, basis)


def next_steps(situation: Situation, today: date) -> list[Step]:
    """The next statutory step first, then anything else that needs doing; ``overdue`` marks late ones."""
    dates = situation.dates
    stage = stage_of(dates)
    steps: list[Step] = []
    if stage in (Stage.ADOPTED, Stage.OTHER_PERMANENCE):
        return steps
    if stage == Stage.PRE_BIRTH and situation.expected_date_of_birth:
        steps.append(
            _due(
                "Record the baby's date of birth",
                situation.expected_date_of_birth,
                today,
                "The expected date of birth",
            )
        )
    elif stage == Stage.DECISION and dates.decision_on:
        steps.append(
            _due(
                "Apply for a placement order",
                dates.decision_on + timedelta(days=PLACEMENT_ORDER_DUE_DAYS),
                today,
                f"Care proceedings are to finish within {CARE_PROCEEDINGS_WEEKS} weeks",
            )
        )
    elif stage == Stage.PLACEMENT_ORDER and dates.placement_order_on:
        steps.append(
            _due(
                "Find a family and record the match",
                dates.placement_order_on + timedelta(days=MATCH_DUE_DAYS),
                today,
                f"Scorecard A2: placement order to match within {MATCH_DUE_DAYS} days",
            )
        )
        # The longest of the board pack's waits (12 or 18 months from the order) the child has passed.
        for months in (WAITING_VERY_LONG_MONTHS, WAITING_LONG_MONTHS):
            since = months_after(dates.placement_order_on, months)
            if today >= since:
                steps.append(
                    Step(
                        f"Waiting over {months} months since the placement order: review the family-finding plan",
                        since,
                        True,
                        "Board data pack: children waiting 12 and 18 months from the placement order",
                    )
                )
                break
    elif stage == Stage.MATCHED:
        steps.append(Step("Record the date the child moves in with the family"))
    elif stage == Stage.PLACED and dates.placed_on:
        steps.append(
            Step(
                "The adopters may apply for an adoption order",
                dates.placed_on + timedelta(days=ADOPTION_ORDER_ELIGIBLE_DAYS),
                False,
                "After the child has lived with them for 10 weeks (Adoption and Children Act 2002 s.42)",
            )
        )
    elif stage == Stage.REVERSED:
        steps.append(Step("Record the child's new permanence plan"))
    elif stage == Stage.IN_CARE and situation.in_care:
        steps.append(Step("Record the permanence plan: a decision for adoption or another route"))

    if (
        stage in (Stage.DECISION, Stage.PLACEMENT_ORDER)
        and is_waiting(dates)
        and dates.decision_on
        and (today - dates.decision_on).days > WAITING_OVER_DAYS
        and situation.family_finding_status in ("", "on_hold", "not_sought")
    ):
        steps.append(
            Step(
                "Waiting over 90 days since the decision with no active family finding: review the plan",
                dates.decision_on + timedelta(days=WAITING_OVER_DAYS),
                True,
                "ASGLB: children waiting over 90 days",
            )
        )
    proceedings_end = proceedings_due(situation.proceedings_stage, situation.proceedings_from)
    if proceedings_end:
        steps.append(
            _due(
                "Care proceedings to finish",
                proceedings_end,
                today,
                f"Children Act 1989 s.32: {CARE_PROCEEDINGS_WEEKS} weeks",
            )
        )
    hearing = situation.final_hearing_on
    if hearing and today > hearing and situation.proceedings_stage in ("pre_proceedings", "care_proceedings"):
        steps.append(Step("Record the outcome of the final hearing", hearing, True, "The expected final hearing"))
    if situation.cpr_due_on and situation.cpr_status != "completed":
        steps.append(_due("Complete the Child's Permanence Report", situation.cpr_due_on, today, "The CPR due date"))
    return steps


# --- harder to place -----------------------------------------------------------------------------

# The characteristics the DfE and the board packs use for children who wait longest.
HARDER_TO_PLACE_AGE = 5
WHITE_BRITISH = frozenset({"WBRI"})
ETHNICITY_NOT_KNOWN = frozenset({"REFU", "NOBT"})  # refused / not yet obtained: counted as neither


class HarderToPlace(models.TextChoices):
    AGED_5_OR_OVER = "aged_5_or_over", "Aged 5 or over"
    MINORITY_ETHNIC = "minority_ethnic", "Black and minority ethnic"
    DISABLED = "disabled", "Disabled"
    SIBLING_GROUP = "sibling_group", "In a sibling group"
    WAITING_18_MONTHS = "waiting_18_months", "Waiting over 18 months"


def is_minority_ethnic(ethnicity: str) -> bool:
    """Any 903 ethnicity other than White British; refused or not yet obtained counts as neither."""
    return bool(ethnicity) and ethnicity not in WHITE_BRITISH | ETHNICITY_NOT_KNOWN


def harder_to_place(
    *,
    dates: JourneyDates,
    ethnicity: str,
    has_disability: bool,
    in_sibling_group: bool,
    today: date,
) -> list[HarderToPlace]:
    flags = []
    if dates.date_of_birth and age_in_years(dates.date_of_birth, today) >= HARDER_TO_PLACE_AGE:
        flags.append(HarderToPlace.AGED_5_OR_OVER)
    if is_minority_ethnic(ethnicity):
        flags.append(HarderToPlace.MINORITY_ETHNIC)
    if has_disability:
        flags.append(HarderToPlace.DISABLED)
    if in_sibling_group:
        flags.append(HarderToPlace.SIBLING_GROUP)
    if waiting_band(dates, today) == WaitingBand.OVER_18_MONTHS:
        flags.append(HarderToPlace.WAITING_18_MONTHS)
    return flags
