"""The quorum: the regulations' rule as configuration, checked by a pure function with messages naming what is missing.

The rule loaded by the migration (AAR 2005 as substituted by SI 2011/589 from 1 April 2011): at least 5
members, including the chair or a vice chair, a social worker with 3 years' post-qualifying experience
and an independent member; fostering experience for a match with foster carers or fostering for
adoption (agency policy in the panel report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from panels import selectors
from panels.models import PanelRole, QuorumRule
from panels.quorum import quorum
from tests.panels.conftest import invite, meeting, member

R = PanelRole


@dataclass(frozen=True)
class M:
    """A stand-in member: the pure function needs only roles and years."""

    roles: tuple[str, ...]
    post_qualifying_years: int | None = None


CHAIR, VICE = M((R.CHAIR,)), M((R.VICE_CHAIR,))
SOCIAL = M((R.SOCIAL_WORK,), 3)
INDEPENDENT = M((R.INDEPENDENT,))
MEDICAL, ELECTED = M((R.MEDICAL_ADVISER,)), M((R.ELECTED_MEMBER,))
FOSTERING = M((R.FOSTERING,))
RULE = QuorumRule(effective_from=date(2011, 4, 1))  # the defaults: the regulations'


def test_the_defaults_are_the_regulations():
    assert (RULE.minimum_members, RULE.social_work_min_years) == (5, 3)
    assert RULE.needs_chair_or_vice_chair and RULE.needs_social_work_member and RULE.needs_independent_member
    assert RULE.needs_fostering_experience


def test_exactly_five_with_chair_social_work_and_independent_is_quorate():
    result = quorum([CHAIR, SOCIAL, INDEPENDENT, MEDICAL, ELECTED], RULE, needs_fostering_experience=False)
    assert result.is_quorate
    assert result.missing == []


def test_four_members_are_not_enough():
    result = quorum([CHAIR, SOCIAL, INDEPENDENT, MEDICAL], RULE, needs_fostering_experience=False)
    assert not result.is_quorate
    assert result.missing == ["Only 4 members are attending: at least 5 are needed"]


def test_no_one_and_one_member_read_well():
    assert quorum([], RULE, False).missing[0] == "No members are attending: at least 5 are needed"
    assert quorum([CHAIR], RULE, False).missing[0] == "Only 1 member is attending: at least 5 are needed"


def test_a_vice_chair_instead_of_the_chair_is_quorate():
    assert quorum([VICE, SOCIAL, INDEPENDENT, MEDICAL, ELECTED], RULE, False).is_quorate


def test_without_chair_or_vice_chair():
    result = quorum([SOCIAL, INDEPENDENT, MEDICAL, ELECTED, INDEPENDENT], RULE, False)
    assert result.missing == ["No chair or vice chair is attending"]


def test_no_social_work_member_is_not_quorate():
    result = quorum([CHAIR, INDEPENDENT, MEDICAL, ELECTED, INDEPENDENT], RULE, False)
    assert not result.is_quorate
    assert result.missing == ["No social work member with at least 3 years' post-qualifying experience is attending"]


def test_a_social_work_member_without_the_years_does_not_count():
    newly_qualified = M((R.SOCIAL_WORK,), 2)
    result = quorum([CHAIR, newly_qualified, INDEPENDENT, MEDICAL, ELECTED], RULE, False)
    assert result.missing == ["No social work member with at least 3 years' post-qualifying experience is attending"]


def test_no_independent_member_is_not_quorate():
    result = quorum([CHAIR, SOCIAL, MEDICAL, ELECTED, SOCIAL], RULE, False)
    assert result.missing == ["No independent member is attending"]


def test_fostering_experience_needed_and_absent():
    members = [CHAIR, SOCIAL, INDEPENDENT, MEDICAL, ELECTED]
    result = quorum(members, RULE, needs_fostering_experience=True)
    assert not result.is_quorate
    assert result.missing == [
        "A member with fostering experience is needed for a match with foster carers or fostering for adoption"
    ]
    assert quorum([*members[:4], FOSTERING], RULE, needs_fostering_experience=True).is_quorate
    # Not needed when the rule in force does not ask for it.
    relaxed = QuorumRule(effective_from=date(2030, 1, 1), needs_fostering_experience=False)
    assert quorum(members, relaxed, needs_fostering_experience=True).is_quorate


def test_one_member_with_several_roles_counts_for_each_but_once_in_the_number():
    chair_and_independent = M((R.CHAIR, R.INDEPENDENT))
    assert quorum([chair_and_independent, SOCIAL, MEDICAL, ELECTED, MEDICAL], RULE, False).is_quorate
    result = quorum([chair_and_independent, SOCIAL, MEDICAL, ELECTED], RULE, False)
    assert result.missing == ["Only 4 members are attending: at least 5 are needed"]


def test_everything_missing_is_named_at_once():
    result = quorum([MEDICAL, ELECTED], RULE, needs_fostering_experience=True)
    assert result.missing == [
        "Only 2 members are attending: at least 5 are needed",
        "No chair or vice chair is attending",
        "No social work member with at least 3 years' post-qualifying experience is attending",
        "No independent member is attending",
        "A member with fostering experience is needed for a match with foster carers or fostering for adoption",
    ]


# --- the rule table, by period -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_loads_the_2011_rule():
    rule = QuorumRule.objects.get()
    assert rule.effective_from == date(2011, 4, 1)
    assert (rule.minimum_members, rule.social_work_min_years) == (5, 3)
    assert selectors.quorum_rule_on(date(2025, 6, 10)) == rule
    assert selectors.quorum_rule_on(date(2005, 12, 30)) == rule  # before every rule: the earliest


@pytest.mark.django_db
def test_a_later_rule_of_six_applies_to_later_meetings_only(raa, panel_adviser, quorate_five):
    QuorumRule.objects.create(effective_from=date(2026, 1, 1), minimum_members=6)
    before, after = meeting(raa, date(2025, 12, 31)), meeting(raa, date(2026, 1, 1))
    for panel in (before, after):
        invite(panel, *quorate_five)

    def verdict(panel):
        found = selectors.meeting_get(actor=panel_adviser, meeting_id=panel.pk, record_read=False)
        return selectors.meeting_quorum(found)

    assert verdict(before).rule.minimum_members == 5
    assert verdict(before).result.is_quorate
    late = verdict(after)
    assert late.rule.minimum_members == 6
    assert not late.result.is_quorate
    assert late.result.missing == ["Only 5 members are attending: at least 6 are needed"]
    invite(after, member(raa, "Sixth Member", R.ELECTED_MEMBER))
    assert verdict(after).result.is_quorate


@pytest.mark.django_db
def test_a_joint_panel_needs_six_and_says_so(raa, panel_adviser, quorate_five):
    panel = meeting(raa, date(2025, 6, 10), joint=True)
    invite(panel, *quorate_five)
    found = selectors.meeting_get(actor=panel_adviser, meeting_id=panel.pk, record_read=False)
    verdict = selectors.meeting_quorum(found)
    assert verdict.result.missing == ["Only 5 members are attending: at least 6 are needed at a joint panel"]
    assert verdict.description.startswith("At least 6 members, including the chair or a vice chair")
    invite(panel, member(raa, "Sixth Member", R.ELECTED_MEMBER))
    assert selectors.meeting_quorum(
        selectors.meeting_get(actor=panel_adviser, meeting_id=panel.pk, record_read=False)
    ).result.is_quorate


@pytest.mark.django_db
def test_a_past_meeting_keeps_its_verdict_when_a_member_later_changes_roles(
    raa, panel_adviser, quorate_five, frozen_today
):
    from panels import services

    panel = meeting(raa, date(2025, 6, 10))
    invite(panel, *quorate_five)
    services.panel_attendance_record(actor=panel_adviser, meeting_id=panel.pk, member_ids=[m.pk for m in quorate_five])
    chair = quorate_five[0]
    chair.roles = [R.ELECTED_MEMBER]  # no longer a chair, today
    chair.save()
    found = selectors.meeting_get(actor=panel_adviser, meeting_id=panel.pk, record_read=False)
    assert selectors.meeting_quorum(found).result.is_quorate  # she chaired that day
    upcoming = meeting(raa, date(2025, 7, 10))
    invite(upcoming, *quorate_five)
    found = selectors.meeting_get(actor=panel_adviser, meeting_id=upcoming.pk, record_read=False)
    assert selectors.meeting_quorum(found).result.missing == ["No chair or vice chair is attending"]
