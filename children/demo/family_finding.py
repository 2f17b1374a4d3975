"""Family finding and matching for the demo children (:class:`FamilyFinder`).

Links, the match's panel and reports, adoption applications and disruptions are drawn from their own
generator (``children-family-finding:<seed>``) after every journey is planned, so the journeys and
their 903 history are the same as before these records existed.
"""

from __future__ import annotations

import random
from datetime import date

from children.demo.care_plans import PlacementFacts, StatusPlan
from children.demo.draws import _days, _weighted
from children.demo.finding_plans import (
    ActionPlan,
    DisruptionPlan,
    FamilyFacts,
    Findings,
    LinkPlan,
    PlacementDetails,
    UnitFacts,
)

# Learning actions after a disruption, with the role of the demo login that owns each.
LEARNING_ACTIONS: tuple[tuple[str, str], ...] = (
    ("Share the child's full health and education history with adopters before the matching panel", "family_finder"),
    ("Agree a therapeutic support plan with a named therapist before the child moves in", "family_finder"),
    ("Visit the family weekly for the first three months after a placement", "family_finder"),
    ("Offer adopters the therapeutic parenting course before introductions", "family_finder"),
    ("Explore adopters' support networks in more depth at the link stage", "family_finder"),
    ("Bring the learning from this disruption to the next panel training day", "manager"),
    ("Audit six months of Adoption Placement Reports for the detail of their support plans", "manager"),
    ("Update the matching guidance on attachment needs and contact", "manager"),
)
# Disruption reasons by the 903 reason the adoptive placement ended (REASON_PLACE_CHANGE).
DISRUPTION_REASONS_BY_903: dict[str, tuple[str, ...]] = {
    "CREQB": ("child_needs", "attachment"),
    "CREQO": ("family_circumstances", "support", "other"),
    "CARPL": ("attachment", "information", "support"),
}
# Why adopters decline a link, and why the agency does not take one forward (Link.DeclineReason).
ADOPTERS_DECLINE = (
    ("needs", 25),
    ("health", 20),
    ("background", 12),
    ("contact", 10),
    ("timing", 10),
    ("family_circumstances", 8),
    ("other", 5),
)
AGENCY_DECLINE = (("another_family", 45), ("needs", 25), ("contact", 15), ("health", 10), ("other", 5))


class FamilyFinder:
    """Plans each unit's family finding against the approved families of the demo region."""

    def __init__(self, *, seed: int, today: date, families: dict[str, FamilyFacts], owners: dict[str, str]) -> None:
        self.rng = random.Random(f"children-family-finding:{seed}")
        self.today = today
        self.families = families
        self._references = sorted(families)
        self.owners = owners  # the demo login owning learning actions, by role key

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def day_between(self, low: date, high: date) -> date:
        return low + _days(self.between(0, max(0, (high - low).days)))

    # --- which families --------------------------------------------------------------------------------
    def fits(self, family: FamilyFacts, unit: UnitFacts, on: date) -> bool:
        """Approved for this many children, and for their ages on ``on``."""
        low, high = family.age_range
        ages = [(on - born).days // 365 for born in unit.born if born is not None]
        return len(unit.born) <= family.children and all(low <= age <= high for age in ages)

    def available(self, family: FamilyFacts, start: date, end: date) -> bool:
        return any(low <= start and end <= high for low, high in family.spans)

    def family(
        self, unit: UnitFacts, start: date, end: date, used: set[str], *, fitting: bool, now: bool = False
    ) -> FamilyFacts | None:
        """A family available from ``start`` to ``end`` (and now, if ``now``) not yet linked with the unit."""
        options = [
            family
            for family in (self.families[reference] for reference in self._references if reference not in used)
            if self.available(family, start, end)
            and (family.available_now or not now)
            and (self.fits(family, unit, start) or not fitting)
        ]
        if not options:
            return None
        chosen = self.rng.choice(options)
        used.add(chosen.reference)
        return chosen

    def origin(self, unit: UnitFacts, on: date) -> str:
        """Mostly the agency's link; some adopters' expressions of interest; exchange or Link Maker when featured."""
        featured = any(f.featured_on <= on for f in unit.care.featurings)
        if featured and self.rng.random() < 0.4:
            return "exchange"
        return _weighted(self.rng, (("agency", 70), ("adopters", 22), ("exchange", 8)))

    # --- links -----------------------------------------------------------------------------------------
    def declined(
        self, unit: UnitFacts, low: date, high: date, used: set[str], area: tuple[str, bool]
    ) -> LinkPlan | None:
        """A link explored for a few weeks between ``low`` and ``high`` that went no further."""
        if (high - low).days < 21:
            return None
        start = low + _days(self.between(0, (high - low).days - 14))
        end = min(high, start + _days(self.between(7, 42)))
        by_adopters = self.rng.random() < 0.55
        family = self.family(unit, start, end, used, fitting=by_adopters)
        if family is None:
            return None
        if by_adopters:
            reason = _weighted(self.rng, ADOPTERS_DECLINE)
        elif len(unit.born) > family.children:
            reason = "siblings"
        elif not self.fits(family, unit, start):
            reason = "age"
        elif area[1] and family.area == area[0]:
            reason = "location"  # the family lives where the child's birth family does
        else:
            reason = _weighted(self.rng, AGENCY_DECLINE)
        outcome = "declined_by_adopters" if by_adopters else "declined_by_agency"
        return LinkPlan(family.reference, self.origin(unit, start), start, outcome, end, reason)

    def earlier_links(
        self,
        unit: UnitFacts,
        low: date,
        high: date,
        used: set[str],
        area: tuple[str, bool],
        *,
        weights: tuple[int, ...],
    ) -> list[LinkPlan]:
        count = self.rng.choices(range(len(weights)), weights=weights)[0]
        found = [link for _ in range(count) if (link := self.declined(unit, low, high, used, area))]
        return sorted(found, key=lambda link: link.started_on)

    def withdrawn(self, unit: UnitFacts, low: date, on: date, used: set[str]) -> LinkPlan | None:
        """A link still open when another family was chosen or the plan changed: withdrawn on ``on``."""
        if (on - low).days < 14:
            return None
        start = low + _days(self.between(0, (on - low).days - 7))
        family = self.family(unit, start, on, used, fitting=True)
        if family is None:
            return None
        return LinkPlan(family.reference, self.origin(unit, start), start, "withdrawn", on)

    def matched_link(self, unit: UnitFacts, placement: PlacementFacts, low: date) -> LinkPlan:
        """The link that went on to the match: when the family-finding status says a link was identified."""
        household = placement.household
        approved = household.approved_on
        assert approved is not None
        moved_in = placement.moved_in_with_carers_on
        if placement.with_foster_carers and moved_in and approved <= moved_in:
            start = moved_in - _days(self.between(7, 30))  # linked before fostering for adoption began
        else:
            identified = [
                s.status_from
                for s in unit.care.family_finding
                if s.status == "link_identified" and low <= s.status_from < placement.matched_on
            ]
            start = max(identified, default=placement.matched_on - _days(self.between(30, 90)))
        start = min(max(start, approved), placement.matched_on - _days(14))
        origin = "agency" if placement.with_foster_carers else self.origin(unit, start)
        return LinkPlan(household.reference, origin, start, "matched", placement.matched_on)

    # --- the match and after ---------------------------------------------------------------------------
    def details(self, unit: UnitFacts, placement: PlacementFacts, link: LinkPlan) -> PlacementDetails:
        matched = placement.matched_on
        # The panel a week to three weeks before the agency decision (the ADM decides within seven
        # working days of the final minutes), after the link and, where there is room, the placement order.
        panel = max(matched - _days(self.between(7, 21)), link.started_on + _days(1), unit.order or date.min)
        panel = min(panel, matched - _days(7))
        if placement.placed_on:
            report = support = "completed"
        else:
            # Just matched: the report and support plan are being finalised before introductions.
            report = "in_progress" if self.rng.random() < 0.3 else "completed"
            support = "in_progress" if self.rng.random() < 0.6 else "completed"
        return PlacementDetails(
            panel,
            report,
            support,
            adoption_applied_on=self.applied_on(unit, placement),
            disruption=self.disruption(unit, placement),
        )

    def applied_on(self, unit: UnitFacts, placement: PlacementFacts) -> date | None:
        """The adoption application: after ten weeks living together (ACA 2002 s42(2)), before the order;
        made for about half of the children placed that long without an order yet."""
        placed = placement.placed_on
        if placed is None or placement.ended_on is not None:
            return None
        earliest = placed + _days(70)
        if unit.adopted_on is not None:
            # The order is at least eight days after the tenth week (``children.demo.linked``: ``match_dates``).
            latest = max(earliest, unit.adopted_on - _days(self.between(28, 90)))
            return min(self.day_between(earliest, latest), unit.adopted_on - _days(1))
        if earliest > self.today or self.rng.random() < 0.5:
            return None
        return self.day_between(earliest, self.today)

    def disruption(self, unit: UnitFacts, placement: PlacementFacts) -> DisruptionPlan | None:
        """The disruption meeting two to six weeks after the placement ended, and what the agency will do."""
        ended = placement.ended_on
        if ended is None:
            return None
        code = next(
            (
                e.reason_place_change
                for e in unit.care.episodes
                if e.ended_on == ended and e.placement_type in {"A5", "A6"}
            ),
            "",
        )
        reason = self.rng.choice(DISRUPTION_REASONS_BY_903.get(code, ("other",)))
        meeting = min(ended + _days(self.between(14, 42)), self.today)
        actions = []
        for text, role in self.rng.sample(LEARNING_ACTIONS, self.between(1, 3)):
            due = meeting + _days(self.between(28, 120))
            done = None
            if self.rng.random() < 0.55:
                done = min(meeting + _days(self.between(7, (due - meeting).days + 30)), self.today)
            actions.append(ActionPlan(text, self.owners[role], due, done))
        return DisruptionPlan(reason, meeting, tuple(sorted(actions, key=lambda a: (a.due_on, a.action))))

    # --- everything ------------------------------------------------------------------------------------
    def area(self, unit: UnitFacts) -> tuple[str, bool]:
        """Where the birth family lives (one of the LA's towns, for most), and whether to place away from it."""
        if self.rng.random() >= 0.88:
            return "", False
        town = self.rng.choice(unit.towns)
        lived_there = {p.household.area for p in unit.placements} | {
            self.families[ep.household].area for ep in unit.care.early_permanence if ep.household in self.families
        }
        return town, self.rng.random() < 0.25 and town not in lived_there

    def early_permanence_sought(self, unit: UnitFacts) -> bool:
        """For the children in early permanence placements, and some babies before birth or in proceedings."""
        if unit.care.early_permanence:
            return True
        born = unit.born[-1]
        young = born is None or (self.today - born).days < 730
        chance = {"pre_birth": 0.5, "not_in_care": 0.4, "in_care": 0.25}.get(unit.stage, 0.0)
        return young and self.rng.random() < chance

    def plan(self, unit: UnitFacts) -> Findings:
        area = self.area(unit)
        sought = self.early_permanence_sought(unit)
        statuses = list(unit.care.family_finding)
        links: list[LinkPlan] = []
        details: list[PlacementDetails] = []
        used: set[str] = set()
        if statuses and unit.decided is not None:
            low = statuses[0].status_from
            for placement in unit.placements:
                used.add(placement.household.reference)
                link = self.matched_link(unit, placement, low)
                if not placement.with_foster_carers:
                    links += self.earlier_links(unit, low, link.started_on, used, area, weights=(45, 35, 15, 5))
                    if self.rng.random() < 0.12 and (other := self.withdrawn(unit, low, placement.matched_on, used)):
                        links.append(other)
                links.append(link)
                details.append(self.details(unit, placement, link))
                low = (placement.ended_on or placement.matched_on) + _days(7)
            if not unit.placements:
                links += self.waiting_links(unit, statuses, used, area)
        return Findings(
            birth_family_area=area[0],
            avoid_birth_family_area=area[1],
            early_permanence_sought=sought,
            links=tuple(links),
            placements=tuple(details),
            family_finding=tuple(statuses),
        )

    def waiting_links(
        self, unit: UnitFacts, statuses: list[StatusPlan], used: set[str], area: tuple[str, bool]
    ) -> list[LinkPlan]:
        """Children not matched: links that went no further, and some still being explored (open).

        ``statuses`` gets "link identified" from the first open link's start (the current status)."""
        low = statuses[0].status_from
        current = [ep for ep in unit.care.early_permanence if ep.ended_on is None]
        # Family finding stops while the child lives with early permanence carers.
        end = unit.reversed_on or (current[0].started_on if current else self.today)
        long_wait = (end - low).days > 365
        weights = (25, 35, 25, 15) if unit.reversal_reason == "RD3" or long_wait else (50, 35, 15)
        links = self.earlier_links(unit, low, end - _days(7), used, area, weights=weights)
        if unit.reversed_on:
            if self.rng.random() < 0.3 and (other := self.withdrawn(unit, low, unit.reversed_on, used)):
                links.append(other)
            return links
        if current:
            # Living with early permanence carers: the link with them stays open until the match.
            ep = current[0]
            carers = self.families[ep.household]
            start = min(max(carers.approved_on, ep.started_on - _days(self.between(7, 30))), ep.started_on)
            return [*links, LinkPlan(ep.household, "agency", start, "open")]
        if statuses[-1].status != "active" or self.rng.random() >= 0.45:
            return links
        after = max([statuses[-1].status_from, *(link.outcome_on for link in links if link.outcome_on)])
        opened: list[LinkPlan] = []
        for _ in range(2 if self.rng.random() < 0.25 else 1):
            start = max(after + _days(1), self.today - _days(self.between(7, 90)))
            if start > self.today:
                break
            family = self.family(unit, start, self.today, used, fitting=True, now=True)
            if family is None:
                break
            opened.append(LinkPlan(family.reference, self.origin(unit, start), start, "open"))
        if opened:
            first = min(link.started_on for link in opened)
            statuses.append(StatusPlan("link_identified", first, "Link being explored with an approved family"))
        return links + sorted(opened, key=lambda link: link.started_on)
