"""The adoption scorecard's measures (A1, A10, A2, A3, adopter measures, headline counts) and their drill-downs,
against hand-built fixtures whose figures are worked out by hand below, to the day.

The 3-year period ends on 31 March 2026: it runs from 1 April 2023 to 31 March 2026. Its thresholds (see
reporting/migrations 0002 and 0004): A1 and A10 426 days, A2 121 days, A3's cut-off 14 months.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from adopters.models import Household
from children import services
from children.models import PermanenceOutcome
from children.selectors import children_waiting
from reporting import measures
from reporting.models import ScorecardThreshold
from reporting.scorecard import drilldown, scorecard
from tests import factories
from tests.children.conftest import enter_care

PERIOD_END = date(2026, 3, 31)
COURT = "Family Court at Birmingham"


def _child_in_care(actor, la, entered: date, *, before_records: bool = False, ref: str = ""):
    child = factories.ChildFactory(
        responsible_la=la, date_of_birth=entered - timedelta(days=300), **({"la_child_id": ref} if ref else {})
    )
    if before_records:
        # In care before the returns held: the day they entered care is not known.
        services.period_of_care_start_before_records(
            actor=actor,
            child_id=child.pk,
            started_on=entered,
            reason_new_episode="L",
            legal_status="C2",
            category_of_need="N1",
            placement_type="U6",
        )
    else:
        enter_care(actor, child, entered)
    return child


def _adopted(
    actor,
    la,
    ref: str,
    *,
    entered: date,
    decision: date,
    matched: date,
    placed: date,
    adopted: date,
    order: date | None = None,
    with_carers: bool = False,
    carers_on: date | None = None,
    before_records: bool = False,
):
    """A child through the services: in care, decision, placement order (before or after the match), match and
    move, adoption order."""
    child = _child_in_care(actor, la, entered, before_records=before_records, ref=ref)
    services.adoption_decision_record(actor=actor, child_id=child.pk, decided_on=decision)
    if order and order <= matched:
        services.placement_order_record(actor=actor, child_id=child.pk, made_on=order)
    services.adoptive_placement_record(
        actor=actor,
        child_id=child.pk,
        matched_on=matched,
        placed_on=placed,
        with_foster_carers=with_carers,
        moved_in_with_carers_on=carers_on,
    )
    if order and order > matched:
        services.placement_order_record(actor=actor, child_id=child.pk, made_on=order)
    services.permanence_outcome_record(
        actor=actor, child_id=child.pk, kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on=adopted, court=COURT
    )
    return child


@pytest.fixture
def adoptions(la_a, la_b, social_worker_a, social_worker_b):
    """LA A's children, each with its days worked out by hand: A1 = moved in - entered care; A10 = A1, or for
    foster carer adoptions moved in with the carers - entered care; A2 = match - placement order (0 when
    matched before it); A3 within 14 months = moved in before the day 14 months after entering care."""
    sw = social_worker_a
    # A: entered 10 Jan 2022, moved in 1 Feb 2023: A1 = 365 (to 10 Jan 2023) + 22 (to 1 Feb) = 387.
    #   A2: order 1 Sep 2022, match 10 Jan 2023 = 30 + 31 + 30 + 31 (to 1 Jan) + 9 = 131.
    #   A3: cut-off 10 Mar 2023, moved in 1 Feb 2023: within.
    _adopted(
        sw,
        la_a,
        "A-STANDARD",
        entered=date(2022, 1, 10),
        decision=date(2022, 6, 1),
        order=date(2022, 9, 1),
        matched=date(2023, 1, 10),
        placed=date(2023, 2, 1),
        adopted=date(2023, 9, 1),
    )
    # B, adopted by her foster carers, with whom she moved in on 15 Sep 2021: entered 1 Jun 2021, placed for
    #   adoption 1 Nov 2022: A1 = 365 (to 1 Jun 2022) + 30 + 31 + 31 + 30 + 31 (to 1 Nov) = 518;
    #   A10 = 30 + 31 + 31 (to 1 Sep 2021) + 14 = 106. A2: order 1 Jun 2022, match 3 Oct 2022 = 30 + 31 + 31 +
    #   30 + 2 = 124. A3: cut-off 1 Aug 2022, moved in 1 Nov 2022: not within.
    _adopted(
        sw,
        la_a,
        "B-FOSTER-CARERS",
        entered=date(2021, 6, 1),
        decision=date(2022, 3, 1),
        order=date(2022, 6, 1),
        matched=date(2022, 10, 3),
        placed=date(2022, 11, 1),
        adopted=date(2023, 6, 1),
        with_carers=True,
        carers_on=date(2021, 9, 15),
    )
    # C, matched (16 Jan 2023) before the placement order (1 Feb 2023): A2 = 0. Entered 1 Mar 2022, moved in
    #   20 Feb 2023: A1 = 365 (to 1 Mar 2023) - 9 = 356. A3: cut-off 1 May 2023: within.
    _adopted(
        sw,
        la_a,
        "C-MATCHED-BEFORE-ORDER",
        entered=date(2022, 3, 1),
        decision=date(2022, 8, 1),
        matched=date(2023, 1, 16),
        order=date(2023, 2, 1),
        placed=date(2023, 2, 20),
        adopted=date(2024, 5, 2),
    )
    # D, no placement order (placed with consent): not counted in A2. Entered 3 May 2022, moved in 9 Jan 2023:
    #   A1 = 365 (to 3 May 2023) - (31 + 28 + 31 (to 9 Apr) + 24) = 365 - 114 = 251. A3: cut-off 3 Jul 2023: within.
    _adopted(
        sw,
        la_a,
        "D-NO-ORDER",
        entered=date(2022, 5, 3),
        decision=date(2022, 7, 1),
        matched=date(2022, 12, 1),
        placed=date(2023, 1, 9),
        adopted=date(2023, 10, 2),
    )
    # E, the day before 14 months: entered 10 Jan 2022, moved in 9 Mar 2023: A1 = 365 + 21 + 28 + 9 = 423;
    #   A3: cut-off 10 Mar 2023: within. A2: order 1 Jul 2022, match 15 Feb 2023 = 31+31+30+31+30+31 (to 1 Jan)
    #   + 31 + 14 = 229.
    _adopted(
        sw,
        la_a,
        "E-JUST-WITHIN",
        entered=date(2022, 1, 10),
        decision=date(2022, 4, 1),
        order=date(2022, 7, 1),
        matched=date(2023, 2, 15),
        placed=date(2023, 3, 9),
        adopted=date(2023, 12, 1),
    )
    # F, on the 14-month anniversary: entered 10 Jan 2022, moved in 10 Mar 2023: A1 = 424; A3: not within.
    #   A2: order 1 Jul 2022, match 1 Mar 2023 = 184 (to 1 Jan) + 31 + 28 = 243.
    _adopted(
        sw,
        la_a,
        "F-ANNIVERSARY",
        entered=date(2022, 1, 10),
        decision=date(2022, 4, 1),
        order=date(2022, 7, 1),
        matched=date(2023, 3, 1),
        placed=date(2023, 3, 10),
        adopted=date(2024, 1, 15),
    )
    # G, adopted on the period's first day (1 Apr 2023): counted. Entered 1 Sep 2020, moved in 1 Jul 2021:
    #   A1 = 30 + 31 + 30 + 31 (to 1 Jan) + 31 + 28 + 31 + 30 + 31 + 30 = 303. A2: order 1 Mar 2021, match 1 Jun 2021
    #   = 31 + 30 + 31 = 92. A3: cut-off 1 Nov 2021: within.
    _adopted(
        sw,
        la_a,
        "G-FIRST-DAY",
        entered=date(2020, 9, 1),
        decision=date(2021, 1, 4),
        order=date(2021, 3, 1),
        matched=date(2021, 6, 1),
        placed=date(2021, 7, 1),
        adopted=date(2023, 4, 1),
    )
    # H, adopted the day before the period (31 Mar 2023): in no measure.
    _adopted(
        sw,
        la_a,
        "H-DAY-BEFORE",
        entered=date(2020, 9, 1),
        decision=date(2021, 1, 4),
        order=date(2021, 3, 1),
        matched=date(2021, 6, 1),
        placed=date(2021, 7, 1),
        adopted=date(2023, 3, 31),
    )
    # I, adopted on the period's last day (31 Mar 2026): counted. Entered 1 Feb 2024, moved in 1 Apr 2025:
    #   A1 = 366 (to 1 Feb 2025, over 29 Feb 2024) + 28 + 31 = 425; A3: cut-off 1 Apr 2025 (14 months): not
    #   within, although 425 days is under A1's 426. A2: order 1 Aug 2024, match 3 Mar 2025 =
    #   31 + 30 + 31 + 30 + 31 (to 1 Jan) + 31 + 28 + 2 = 214.
    _adopted(
        sw,
        la_a,
        "I-LAST-DAY",
        entered=date(2024, 2, 1),
        decision=date(2024, 5, 1),
        order=date(2024, 8, 1),
        matched=date(2025, 3, 3),
        placed=date(2025, 4, 1),
        adopted=date(2026, 3, 31),
    )
    # J, adopted the day after the period (1 Apr 2026): in no measure.
    _adopted(
        sw,
        la_a,
        "J-DAY-AFTER",
        entered=date(2024, 2, 1),
        decision=date(2024, 5, 1),
        order=date(2024, 8, 1),
        matched=date(2025, 3, 3),
        placed=date(2025, 4, 1),
        adopted=date(2026, 4, 1),
    )
    # K, in care from before the returns held (the day entered care is not known): left out of A1, A10 and A3;
    #   counted in A2: order 1 Mar 2022, match 1 Jun 2022 = 31 + 30 + 31 = 92.
    _adopted(
        sw,
        la_a,
        "K-BEFORE-RECORDS",
        entered=date(2021, 4, 1),
        decision=date(2022, 1, 5),
        order=date(2022, 3, 1),
        matched=date(2022, 6, 1),
        placed=date(2022, 7, 1),
        adopted=date(2023, 5, 5),
        before_records=True,
    )
    # L, placed with her foster carers but the day she moved in with them is not recorded: left out of A10.
    #   Entered 1 Feb 2022, moved in 1 Feb 2023: A1 = 365. A2: order 1 Aug 2022, match 3 Jan 2023 =
    #   31 + 30 + 31 + 30 + 31 (to 1 Jan) + 2 = 155. A3: cut-off 1 Apr 2023: within.
    _adopted(
        sw,
        la_a,
        "L-CARERS-NO-DATE",
        entered=date(2022, 2, 1),
        decision=date(2022, 5, 3),
        order=date(2022, 8, 1),
        matched=date(2023, 1, 3),
        placed=date(2023, 2, 1),
        adopted=date(2023, 11, 1),
        with_carers=True,
    )
    # M, whose first decision was reversed (RD3) and a second one made, then adopted. Entered 2 Nov 2020, moved in
    #   1 Mar 2022: A1 = 30 + 31 (to 2 Jan 2021) + 365 (to 2 Jan 2022) + 29 + 28 + 1 = 484.
    #   A2: order 1 Oct 2021, match 1 Feb 2022 = 31 + 30 + 31 + 31 = 123. A3: cut-off 2 Jan 2022: not within.
    m = _child_in_care(sw, la_a, date(2020, 11, 2), ref="M-REVERSED-THEN-ADOPTED")
    services.adoption_decision_record(actor=sw, child_id=m.pk, decided_on=date(2021, 3, 1))
    services.adoption_decision_reverse(actor=sw, child_id=m.pk, reversed_on=date(2021, 6, 1), reason="RD3")
    services.adoption_decision_record(actor=sw, child_id=m.pk, decided_on=date(2021, 9, 1))
    services.placement_order_record(actor=sw, child_id=m.pk, made_on=date(2021, 10, 1))
    services.adoptive_placement_record(actor=sw, child_id=m.pk, matched_on=date(2022, 2, 1), placed_on=date(2022, 3, 1))
    services.permanence_outcome_record(
        actor=sw, child_id=m.pk, kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on=date(2023, 7, 3), court=COURT
    )
    # N, reversed and not adopted: in no measure.
    n = _child_in_care(sw, la_a, date(2022, 1, 4), ref="N-REVERSED")
    services.adoption_decision_record(actor=sw, child_id=n.pk, decided_on=date(2022, 6, 1))
    services.adoption_decision_reverse(actor=sw, child_id=n.pk, reversed_on=date(2023, 6, 1), reason="RD1")
    # LA B's child, adopted in the period: never in LA A's figures.
    _adopted(
        social_worker_b,
        la_b,
        "B-OTHER-LA",
        entered=date(2022, 1, 1),
        decision=date(2022, 2, 1),
        order=date(2022, 3, 1),
        matched=date(2022, 4, 1),
        placed=date(2022, 5, 1),
        adopted=date(2023, 5, 1),
    )


COUNTED_A1 = {
    "A-STANDARD": 387,
    "B-FOSTER-CARERS": 518,
    "C-MATCHED-BEFORE-ORDER": 356,
    "D-NO-ORDER": 251,
    "E-JUST-WITHIN": 423,
    "F-ANNIVERSARY": 424,
    "G-FIRST-DAY": 303,
    "I-LAST-DAY": 425,
    "L-CARERS-NO-DATE": 365,
    "M-REVERSED-THEN-ADOPTED": 484,
}
# A10: A1's, B's wait ending when she moved in with her foster carers, L left out (no date with the carers).
COUNTED_A10 = {**{ref: days for ref, days in COUNTED_A1.items() if ref != "L-CARERS-NO-DATE"}, "B-FOSTER-CARERS": 106}
COUNTED_A2 = {
    "A-STANDARD": 131,
    "B-FOSTER-CARERS": 124,
    "C-MATCHED-BEFORE-ORDER": 0,
    "E-JUST-WITHIN": 229,
    "F-ANNIVERSARY": 243,
    "G-FIRST-DAY": 92,
    "I-LAST-DAY": 214,
    "K-BEFORE-RECORDS": 92,
    "L-CARERS-NO-DATE": 155,
    "M-REVERSED-THEN-ADOPTED": 123,
}
WITHIN_14_MONTHS = {
    "A-STANDARD",
    "C-MATCHED-BEFORE-ORDER",
    "D-NO-ORDER",
    "E-JUST-WITHIN",
    "G-FIRST-DAY",
    "L-CARERS-NO-DATE",
}


def _days_by_ref(queryset) -> dict[str, int]:
    return {child.la_child_id: child.days for child in queryset}


def test_a1_by_hand(adoptions, la_a):
    # 387 + 518 + 356 + 251 + 423 + 424 + 303 + 425 + 365 + 484 = 3936 over 10 children = 393.6 -> 394 days.
    result = measures.a1(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert sum(COUNTED_A1.values()) == 3936
    assert (result.children, result.excluded) == (10, 1)  # K: entered care before the returns held
    assert result.mean_days == Decimal("393.6")
    assert result.days == 394
    assert (result.period_start, result.period_end) == (date(2023, 4, 1), date(2026, 3, 31))
    assert result.threshold_days == 426
    assert result.meets_threshold is True


def test_a10_ends_foster_carer_adoptions_when_the_child_moved_in_with_the_carers(adoptions, la_a):
    # A1's 3936 - B's 518 + B's 106 - L's 365 = 3159 over 9 children = 351.0 days.
    result = measures.a10(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert sum(COUNTED_A10.values()) == 3159
    assert (result.children, result.excluded) == (9, 2)  # K (entered care not known) and L (no date with the carers)
    assert result.mean_days == Decimal("351")
    assert result.days == 351
    assert result.threshold_days == 426
    assert result.meets_threshold is True


def test_a2_counts_a_match_before_the_order_as_0_and_leaves_out_children_without_one(adoptions, la_a):
    # 131 + 124 + 0 + 229 + 243 + 92 + 214 + 92 + 155 + 123 = 1403 over 10 children = 140.3 -> 140 days.
    result = measures.a2(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert sum(COUNTED_A2.values()) == 1403
    assert (result.children, result.excluded) == (10, 1)  # D: no placement order
    assert result.mean_days == Decimal("140.3")
    assert result.days == 140
    assert result.threshold_days == 121
    assert result.meets_threshold is False


def test_a3_is_the_share_who_moved_in_within_14_months(adoptions, la_a):
    # Within: A, C, D, E (the day before the anniversary), G, L = 6 of the 10 counted = 60%. Not within: B, F (on the
    # anniversary), I (on the anniversary, 425 days), M.
    result = measures.a3(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert (result.children, result.excluded, result.within, result.months) == (10, 1, 6, 14)
    assert result.percent == Decimal(60)
    assert result.percent_rounded == 60
    assert result.meets_threshold is None  # A3's configuration is a cut-off per child, not a target share


def test_each_drill_down_lists_exactly_the_children_counted_with_their_days(adoptions, la_a):
    la_ids = {la_a.pk}
    assert _days_by_ref(measures.measure_children("A1", la_ids=la_ids, period_end=PERIOD_END)) == COUNTED_A1
    assert _days_by_ref(measures.measure_children("A10", la_ids=la_ids, period_end=PERIOD_END)) == COUNTED_A10
    assert _days_by_ref(measures.measure_children("A2", la_ids=la_ids, period_end=PERIOD_END)) == COUNTED_A2
    assert _days_by_ref(measures.measure_children("A3", la_ids=la_ids, period_end=PERIOD_END)) == COUNTED_A1
    within = measures.a3_children(la_ids=la_ids, period_end=PERIOD_END)
    assert {child.la_child_id for child in within} == WITHIN_14_MONTHS
    excluded = {
        measure: [c.la_child_id for c in measures.excluded_children(measure, la_ids=la_ids, period_end=PERIOD_END)]
        for measure in ("A1", "A10", "A2", "A3")
    }
    assert excluded == {
        "A1": ["K-BEFORE-RECORDS"],
        "A10": sorted(["K-BEFORE-RECORDS", "L-CARERS-NO-DATE"]),
        "A2": ["D-NO-ORDER"],
        "A3": ["K-BEFORE-RECORDS"],
    }
    # Longest wait first, as a manager reading "394 days" wants to see who.
    assert [c.la_child_id for c in measures.measure_children("A1", la_ids=la_ids, period_end=PERIOD_END)][:2] == [
        "B-FOSTER-CARERS",
        "M-REVERSED-THEN-ADOPTED",
    ]


def test_a3_drill_down_shows_each_childs_cut_off_day(adoptions, la_a):
    rows = {c.la_child_id: c for c in measures.measure_children("A3", la_ids={la_a.pk}, period_end=PERIOD_END)}
    assert (rows["E-JUST-WITHIN"].cutoff_on, rows["E-JUST-WITHIN"].within) == (date(2023, 3, 10), True)
    assert (rows["F-ANNIVERSARY"].cutoff_on, rows["F-ANNIVERSARY"].within) == (date(2023, 3, 10), False)
    assert (rows["I-LAST-DAY"].cutoff_on, rows["I-LAST-DAY"].within) == (date(2025, 4, 1), False)


def test_an_raa_wide_figure_adds_the_other_las_children(adoptions, la_a, la_b):
    # LA B's one child: entered 1 Jan 2022, moved in 1 May 2022 = 31 + 28 + 31 + 30 = 120 days.
    # (3936 + 120) / 11 = 368.727... -> 369 days.
    both = measures.a1(la_ids={la_a.pk, la_b.pk}, period_end=PERIOD_END)
    assert (both.children, both.days) == (11, 369)
    only_b = measures.measure_children("A1", la_ids={la_b.pk}, period_end=PERIOD_END)
    assert _days_by_ref(only_b) == {"B-OTHER-LA": 120}


def test_a3_months_end_on_the_last_day_of_a_shorter_month(la_a, social_worker_a):
    """From 31 December 2021, 14 months on is 28 February 2023 (February has no 31st): moving in on 27 February
    is within 14 months, on 28 February is not."""
    for ref, placed in (("WITHIN", date(2023, 2, 27)), ("NOT-WITHIN", date(2023, 2, 28))):
        _adopted(
            social_worker_a,
            la_a,
            ref,
            entered=date(2021, 12, 31),
            decision=date(2022, 3, 1),
            order=date(2022, 6, 1),
            matched=date(2023, 1, 16),
            placed=placed,
            adopted=date(2023, 9, 1),
        )
    result = measures.a3(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert (result.children, result.within) == (2, 1)
    assert [c.la_child_id for c in measures.a3_children(la_ids={la_a.pk}, period_end=PERIOD_END)] == ["WITHIN"]


def test_no_adoptions_no_figures(la_a):
    assert measures.a10(la_ids={la_a.pk}, period_end=PERIOD_END).days is None
    assert measures.a2(la_ids={la_a.pk}, period_end=PERIOD_END).meets_threshold is None
    a3 = measures.a3(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert (a3.children, a3.within, a3.percent) == (0, 0, None)


@pytest.mark.parametrize(
    ("period_end", "a1_days", "a3_months"),
    [
        (date(2012, 3, 30), None, None),
        (date(2013, 3, 31), 639, 21),
        (date(2014, 3, 31), 547, 18),
        (date(2015, 6, 30), 487, 16),
        (date(2016, 3, 31), 426, 14),
        (PERIOD_END, 426, 14),
    ],
)
def test_a10_thresholds_are_a1s_and_a3_cut_offs_follow_a1s_periods(db, period_end, a1_days, a3_months):
    assert measures.threshold_for("A1", period_end) == a1_days
    assert measures.threshold_for("A10", period_end) == a1_days
    assert measures.cutoff_months_for(period_end) == a3_months


def test_the_thresholds_are_configuration(adoptions, la_a):
    """A later row changes the figure's threshold and whether it is met, with no change of code."""
    ScorecardThreshold.objects.create(measure="A1", applies_from=date(2026, 1, 1), days=365)
    ScorecardThreshold.objects.create(measure="A3", applies_from=date(2026, 1, 1), months=12)
    a1 = measures.a1(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert (a1.threshold_days, a1.meets_threshold) == (365, False)
    # Within 12 months: C (moved in 20 Feb 2023, cut-off 1 Mar 2023), D (9 Jan 2023, cut-off 3 May 2023),
    # G (1 Jul 2021, cut-off 1 Sep 2021) = 3; A (1 Feb 2023, cut-off 10 Jan 2023) is not.
    a3 = measures.a3(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert (a3.months, a3.within) == (12, 3)


# --- headline counts --------------------------------------------------------------------------------------------


@pytest.fixture
def headline(la_a, la_b, social_worker_a, social_worker_b):
    """LA A's children for the headline counts of 1 April 2023 to 31 March 2026, and those waiting on 31 March 2026."""
    sw = social_worker_a

    def decided(ref: str, entered: date, decision: date):
        child = _child_in_care(sw, la_a, entered, ref=ref)
        services.adoption_decision_record(actor=sw, child_id=child.pk, decided_on=decision)
        return child

    def order(child, on: date, **kwargs):
        services.placement_order_record(actor=sw, child_id=child.pk, made_on=on, **kwargs)

    # P: decision 31 Mar 2023 (the day before the period: not new), order 1 Jun 2023 (new); waiting on 31 Mar
    # 2026 with an order: 366 (over 29 Feb 2024) + 365 + 365 = 1096 days since the decision, 1034 since the order.
    p = decided("P", date(2023, 1, 9), date(2023, 3, 31))
    order(p, date(2023, 6, 1))
    # Q: decision 1 Aug 2023 (new), no order: waiting 973 days.
    decided("Q", date(2023, 5, 1), date(2023, 8, 1))
    # R: decision 1 Sep 2023 (new), reversed 1 Feb 2024 (RD1, in the period): not waiting.
    r = decided("R", date(2023, 5, 1), date(2023, 9, 1))
    services.adoption_decision_reverse(actor=sw, child_id=r.pk, reversed_on=date(2024, 2, 1), reason="RD1")
    # S: decision 1 Jun 2022, reversed 1 Mar 2023 (before the period): in no count.
    s = decided("S", date(2022, 1, 4), date(2022, 6, 1))
    services.adoption_decision_reverse(actor=sw, child_id=s.pk, reversed_on=date(2023, 3, 1), reason="RD2")
    # T: decision 2 Jan 2024 and order 1 Mar 2024 (both new), placed 3 Feb 2025: not waiting.
    t = decided("T", date(2023, 9, 4), date(2024, 1, 2))
    order(t, date(2024, 3, 1))
    services.adoptive_placement_record(actor=sw, child_id=t.pk, matched_on=date(2025, 1, 6), placed_on=date(2025, 2, 3))
    # U: decision 3 Jun 2024, order 2 Sep 2024 (both new), matched 2 Mar 2026 and moved in 1 Apr 2026, after the
    # period: waiting on 31 Mar 2026 (matched, not placed), 666 days since the decision, 575 since the order.
    u = decided("U", date(2024, 1, 2), date(2024, 6, 3))
    order(u, date(2024, 9, 2))
    services.adoptive_placement_record(actor=sw, child_id=u.pk, matched_on=date(2026, 3, 2), placed_on=date(2026, 4, 1))
    # V: decision 6 Jan 2025 (new), reversed 1 May 2026, after the period: waiting on 31 March 2026 (449 days),
    # and not a reversal in the period.
    v = decided("V", date(2024, 10, 1), date(2025, 1, 6))
    services.adoption_decision_reverse(actor=sw, child_id=v.pk, reversed_on=date(2026, 5, 1), reason="RD4")
    # W: adopted 3 Apr 2023 (in the period); decision and order long before it.
    _adopted(
        sw,
        la_a,
        "W",
        entered=date(2021, 1, 4),
        decision=date(2021, 6, 1),
        order=date(2021, 9, 1),
        matched=date(2022, 1, 4),
        placed=date(2022, 2, 1),
        adopted=date(2023, 4, 3),
    )
    # X: decision 1 Jun 2023, order 1 Aug 2023 (both new), placed 1 Feb 2024, the placement disrupted 1 Aug 2024:
    # waiting again on 31 Mar 2026, 1034 days since the decision, 973 since the order.
    x = decided("X", date(2023, 2, 1), date(2023, 6, 1))
    order(x, date(2023, 8, 1))
    services.adoptive_placement_record(actor=sw, child_id=x.pk, matched_on=date(2024, 1, 2), placed_on=date(2024, 2, 1))
    services.adoptive_placement_end(actor=sw, child_id=x.pk, ended_on=date(2024, 8, 1))
    # Y: decision 1 Feb 2023; an order imported as made on or before 3 Jul 2023: not a new order (its day is not
    # known), but an order the child had by the period's end: waiting with an order, 1154 and 1002 days.
    y = decided("Y", date(2022, 9, 1), date(2023, 2, 1))
    order(y, date(2023, 7, 3), made_before_records=True)
    # LA B's child with a decision in the period, waiting: never in LA A's counts.
    b = _child_in_care(social_worker_b, la_b, date(2023, 5, 1), ref="B-WAITING")
    services.adoption_decision_record(actor=social_worker_b, child_id=b.pk, decided_on=date(2023, 8, 1))


def test_headline_counts_by_hand(headline, la_a):
    counts = measures.headline_counts(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert counts.decisions == 6  # Q, R, T, U, V, X
    assert counts.placement_orders == 4  # P, T, U, X (not Y's, made on an unknown day)
    assert counts.adoptions == 1  # W
    assert counts.waiting == 6  # P, Q, U, V, X, Y
    assert counts.waiting_with_order == 4  # P, U, X, Y
    assert counts.reversals == 1  # R (not S, before; not V, after)


def test_headline_drill_downs_list_exactly_the_children_counted(headline, la_a):
    def refs(figure):
        return [c.la_child_id for c in measures.headline_children(figure, la_ids={la_a.pk}, period_end=PERIOD_END)]

    def days(figure):
        return _days_by_ref(measures.headline_children(figure, la_ids={la_a.pk}, period_end=PERIOD_END))

    assert sorted(refs("decisions")) == ["Q", "R", "T", "U", "V", "X"]
    assert sorted(refs("placement_orders")) == ["P", "T", "U", "X"]
    assert refs("adoptions") == ["W"]
    assert refs("reversals") == ["R"]
    # Longest waiting first.
    assert days("waiting") == {"Y": 1154, "P": 1096, "X": 1034, "Q": 973, "U": 666, "V": 449}
    assert refs("waiting") == ["Y", "P", "X", "Q", "U", "V"]
    assert days("waiting_with_order") == {"P": 1034, "Y": 1002, "X": 973, "U": 575}


def test_headline_counts_for_a_quarter(headline, la_a):
    """The same counts over a quarter, for the quarterly reports: none in January to March 2026; in January to
    March 2025, V's decision only."""
    counts = measures.headline_counts(la_ids={la_a.pk}, period_end=PERIOD_END, period_start=date(2026, 1, 1))
    assert (counts.decisions, counts.placement_orders, counts.adoptions, counts.reversals) == (0, 0, 0, 0)
    counts = measures.headline_counts(la_ids={la_a.pk}, period_end=date(2025, 3, 31), period_start=date(2025, 1, 1))
    assert (counts.decisions, counts.placement_orders, counts.reversals) == (1, 0, 0)
    # On 31 Mar 2025: P, Q, U (order 2 Sep 2024), V, X (disrupted 1 Aug 2024), Y waiting; T placed on 3 Feb 2025.
    assert (counts.waiting, counts.waiting_with_order) == (6, 4)


# --- adopter measures -------------------------------------------------------------------------------------------


def _household(agency, reference: str, **fields) -> Household:
    dates = {"enquired_on": None, "registered_on": None, "approved_on": None}
    return factories.HouseholdFactory(approving_agency=agency, reference=reference, **{**dates, **fields})


def _placement(household, la, **dates):
    child = factories.ChildFactory(responsible_la=la)
    return factories.AdoptivePlacementFactory(child=child, household=household, **dates)


@pytest.fixture
def families(raa, la_a, la_other, vaa):
    """The RAA's families on and around the period (1 Apr 2023 to 31 Mar 2026), and two other agencies' families."""
    approved = Household.Status.APPROVED
    # F1: approved 2 Jun 2025, not matched: waiting on 31 Mar 2026, 302 days.
    _household(raa, "F1", status=approved, registered_on=date(2024, 9, 2), approved_on=date(2025, 6, 2))
    # F2: approved 9 Jan 2023, matched 1 Mar 2023 (before the period), child still with them: neither.
    f2 = _household(
        raa, "F2", status=Household.Status.PLACED, registered_on=date(2022, 5, 3), approved_on=date(2023, 1, 9)
    )
    _placement(f2, la_a, matched_on=date(2023, 3, 1), placed_on=date(2023, 4, 3))
    # F3: approved 8 Jan 2024, matched 8 Apr 2024, the 3-month anniversary: waited 3 months or more (91 days).
    f3 = _household(
        raa, "F3", status=Household.Status.MATCHED, registered_on=date(2023, 5, 2), approved_on=date(2024, 1, 8)
    )
    _placement(f3, la_a, matched_on=date(2024, 4, 8), placed_on=None)
    # F4: approved 8 Jan 2024, matched 5 Apr 2024: under 3 months (88 days).
    f4 = _household(
        raa, "F4", status=Household.Status.MATCHED, registered_on=date(2023, 5, 2), approved_on=date(2024, 1, 8)
    )
    _placement(f4, la_a, matched_on=date(2024, 4, 5), placed_on=None)
    # F5: approved 1 May 2024, matched 1 Jul 2024 (61 days), the placement disrupted 2 Dec 2024: matched in the
    # period, and waiting again on 31 Mar 2026 (699 days since approval).
    f5 = _household(raa, "F5", status=approved, registered_on=date(2023, 9, 1), approved_on=date(2024, 5, 1))
    _placement(f5, la_a, matched_on=date(2024, 7, 1), placed_on=date(2024, 8, 1), ended_on=date(2024, 12, 2))
    # F6: approved 1 Oct 2025, matched 15 Apr 2026 (after the period): waiting on 31 Mar 2026 (181 days).
    f6 = _household(
        raa, "F6", status=Household.Status.MATCHED, registered_on=date(2025, 1, 6), approved_on=date(2025, 10, 1)
    )
    _placement(f6, la_a, matched_on=date(2026, 4, 15), placed_on=None)
    # F7: registered 1 Sep 2025, in stage 2: being assessed.
    _household(
        raa,
        "F7",
        status=Household.Status.STAGE_2,
        registered_on=date(2025, 9, 1),
        stage1_started_on=date(2025, 9, 15),
        stage1_ended_on=date(2025, 11, 14),
        stage2_started_on=date(2025, 12, 1),
    )
    # F8: registered 6 Jan 2025, withdrew 2 Jun 2025: not being assessed.
    _household(
        raa,
        "F8",
        status=Household.Status.LEFT,
        registered_on=date(2025, 1, 6),
        left_on=date(2025, 6, 2),
        leaving_reason=Household.LeavingReason.WITHDREW,
    )
    # F9: registered 3 Nov 2025, approved 5 May 2026 (after the period): being assessed on 31 Mar 2026, not waiting.
    _household(raa, "F9", status=approved, registered_on=date(2025, 11, 3), approved_on=date(2026, 5, 5))
    # F10: fast track (previous adopters), no registration recorded, stage 2 from 5 Jan 2026: being assessed.
    _household(
        raa,
        "F10",
        status=Household.Status.STAGE_2,
        route=Household.Route.FAST_TRACK,
        stage2_started_on=date(2026, 1, 5),
    )
    # F11: approved 8 Jan 2024, de-registered 6 Jan 2025, never matched: not waiting on 31 Mar 2026.
    _household(
        raa,
        "F11",
        status=Household.Status.LEFT,
        registered_on=date(2023, 5, 2),
        approved_on=date(2024, 1, 8),
        deregistered_on=date(2025, 1, 6),
    )
    # F12: an enquiry only: not an application.
    _household(raa, "F12", status=Household.Status.ENQUIRY, enquired_on=date(2026, 2, 2))
    # Another agency's families (a VAA, another RAA): never counted for these LAs.
    _household(vaa, "V1", status=approved, registered_on=date(2024, 9, 2), approved_on=date(2025, 6, 2))
    _household(la_other.raa, "O1", status=approved, registered_on=date(2024, 9, 2), approved_on=date(2025, 6, 2))


def test_adopter_measures_by_hand(families, la_a, raa):
    result = measures.adopter_measures(la_ids={la_a.pk}, period_end=PERIOD_END)
    assert result.agency_ids == {raa.pk}  # LA A's RAA approves its families
    assert result.families_waiting == 3  # F1, F5, F6
    assert (result.families_matched, result.matched_after_wait) == (3, 1)  # F3, F4, F5; F3 waited 3 months
    assert result.percent_waited_rounded == 33  # 1 of 3
    assert result.applications_in_assessment == 3  # F7, F9, F10


def test_adopter_drill_downs_list_exactly_the_families_counted(families, la_a):
    def households(figure):
        return list(measures.adopter_households(figure, la_ids={la_a.pk}, period_end=PERIOD_END))

    waiting = households("families_waiting")
    assert [(h.reference, h.days_waiting_at_end) for h in waiting] == [("F5", 699), ("F1", 302), ("F6", 181)]
    matched = households("families_matched")
    assert [(h.reference, h.days_to_match, h.waited_to_match) for h in matched] == [
        ("F3", 91, True),
        ("F4", 88, False),
        ("F5", 61, False),
    ]
    assert [h.reference for h in households("families_waited")] == ["F3"]
    # By the day of the application: F7 registered 1 Sep 2025, F9 3 Nov 2025, F10 (fast track) stage 2 5 Jan 2026.
    assert [(h.reference, h.application_on) for h in households("applications")] == [
        ("F7", date(2025, 9, 1)),
        ("F9", date(2025, 11, 3)),
        ("F10", date(2026, 1, 5)),
    ]


def test_adopter_measures_only_for_the_agencies_asked(families, la_a, raa):
    """Narrowed to agencies the caller may see: none of the LAs' RAAs left, nothing counted."""
    result = measures.adopter_measures(la_ids={la_a.pk}, period_end=PERIOD_END, agency_ids=set())
    assert (result.agency_ids, result.families_waiting, result.applications_in_assessment) == (frozenset(), 0, 0)


def test_the_scorecard_assembles_every_figure_and_drill_down(adoptions, families, la_a, raa):
    card = scorecard(la_ids=frozenset({la_a.pk}), period_end=PERIOD_END)
    assert (card.a1.days, card.a10.days, card.a2.days, card.a3.percent_rounded) == (394, 351, 140, 60)
    # Adoptions in the period: the 10 A1 counts and K, whom it leaves out.
    assert card.headline.adoptions == card.a1.children + card.a1.excluded == 11
    assert card.headline.reversals == 1  # N, reversed 1 Jun 2023 (M's reversal was in 2021)
    assert card.adopters is not None and card.adopters.families_waiting == 3
    found = drilldown("a2", la_ids=frozenset({la_a.pk}), period_end=PERIOD_END)
    assert {c.la_child_id for c in found.counted} == set(COUNTED_A2)
    assert [c.la_child_id for c in found.excluded] == ["D-NO-ORDER"]
    assert scorecard(la_ids=frozenset({la_a.pk}), period_end=PERIOD_END, agency_ids=set()).adopters is None


def test_children_waiting_today_agree_with_the_children_waiting_list(headline, la_a, social_worker_a):
    """At today's date the headline's "children waiting" is the children-waiting page's list: P, Q, X and Y
    (U moved in on 1 Apr 2026; V's decision was reversed on 1 May 2026)."""
    today = date(2026, 11, 22)
    waiting = measures.headline_children("waiting", la_ids={la_a.pk}, period_end=today)
    listed = children_waiting(actor=social_worker_a, today=today)
    assert sorted(c.la_child_id for c in waiting) == sorted(c.la_child_id for c in listed) == ["P", "Q", "X", "Y"]
