"""Is a panel meeting quorate? A pure function of who is there and the rule in force (no database).

The rule (``panels.models.QuorumRule``) is configuration by period; its defaults are the Adoption
Agencies Regulations 2005 as substituted by SI 2011/589 (see ``panels.models``). A member who holds
several roles counts for each of them: the regulations ask that the members meeting *include* a chair
or vice chair, a social worker and an independent member, not that these be different people. The
count of members is of people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from panels.models import PanelRole


class HasRoles(Protocol):
    """What the check needs of a member: a ``PanelMember`` or any stand-in."""

    @property
    def roles(self) -> Iterable[str]: ...

    @property
    def post_qualifying_years(self) -> int | None: ...


class Rule(Protocol):
    """What the check needs of a rule: a ``QuorumRule`` or any stand-in."""

    @property
    def minimum_members(self) -> int: ...
    @property
    def joint_minimum_members(self) -> int: ...
    @property
    def needs_chair_or_vice_chair(self) -> bool: ...
    @property
    def needs_social_work_member(self) -> bool: ...
    @property
    def social_work_min_years(self) -> int: ...
    @property
    def needs_independent_member(self) -> bool: ...
    @property
    def needs_fostering_experience(self) -> bool: ...


@dataclass(frozen=True)
class QuorumResult:
    is_quorate: bool
    missing: list[str] = field(default_factory=list)


def _members(count: int) -> str:
    if count == 0:
        return "No members are attending"
    return f"Only {count} member{'s are' if count != 1 else ' is'} attending"


def _years(years: int) -> str:
    return f"{years} year's" if years == 1 else f"{years} years'"


def describe(rule: Rule, joint: bool = False) -> str:
    """The rule in a sentence, for the meeting page (a joint panel's number of members)."""
    parts = []
    if rule.needs_chair_or_vice_chair:
        parts.append("the chair or a vice chair")
    if rule.needs_social_work_member:
        parts.append(
            f"a social work member with at least {_years(rule.social_work_min_years)} post-qualifying experience"
        )
    if rule.needs_independent_member:
        parts.append("an independent member")
    listed = " and ".join(filter(None, [", ".join(parts[:-1]), *parts[-1:]]))
    including = f", including {listed}" if listed else ""
    needed = rule.joint_minimum_members if joint else rule.minimum_members
    text = f"At least {needed} member{'s' if needed != 1 else ''}{including}{' (a joint panel)' if joint else ''}."
    if rule.needs_fostering_experience:
        text += (
            " A member with fostering experience is also needed for a match with foster carers"
            " or fostering for adoption."
        )
    return text


def quorum(
    attending_members_with_roles: Iterable[HasRoles], rule: Rule, needs_fostering_experience: bool, joint: bool = False
) -> QuorumResult:
    """The verdict for the members attending, with one message for each thing missing.

    ``needs_fostering_experience`` is whether the business includes a match with foster carers or
    under fostering for adoption; it only matters where the rule asks for fostering experience.
    """
    members = list(attending_members_with_roles)
    held = [frozenset(m.roles) for m in members]

    def anyone(*roles: str) -> bool:
        return any(r.intersection(roles) for r in held)

    missing: list[str] = []
    needed = rule.joint_minimum_members if joint else rule.minimum_members
    if len(members) < needed:
        at_joint = " at a joint panel" if joint else ""
        missing.append(f"{_members(len(members))}: at least {needed} are needed{at_joint}")
    if rule.needs_chair_or_vice_chair and not anyone(PanelRole.CHAIR, PanelRole.VICE_CHAIR):
        missing.append("No chair or vice chair is attending")
    if rule.needs_social_work_member:
        years = rule.social_work_min_years
        experienced = [
            m for m in members if PanelRole.SOCIAL_WORK in m.roles and (m.post_qualifying_years or 0) >= years
        ]
        if not experienced:
            missing.append(
                f"No social work member with at least {_years(years)} post-qualifying experience is attending"
            )
    if rule.needs_independent_member and not anyone(PanelRole.INDEPENDENT):
        missing.append("No independent member is attending")
    if needs_fostering_experience and rule.needs_fostering_experience and not anyone(PanelRole.FOSTERING):
        missing.append(
            "A member with fostering experience is needed for a match with foster carers or fostering for adoption"
        )
    return QuorumResult(is_quorate=not missing, missing=missing)
