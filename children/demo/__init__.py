"""Demo region, part 3: about 250 children and their journeys (used by ``manage.py load_demo``).

Plans come first, as plain frozen data from a seeded ``random.Random``, then are inserted with
``bulk_create``; the same seed, reference date and household plans always give the same plans.

Every child is planned at one stage of :class:`children.journey.Stage`, and every date obeys the
order the database and the SSDA903 rules expect:

    date of birth <= entered care <= decision <= placement order <= match <= placement
    <= adoption order (which ends the period of care, reason E11/E12) <= reference date

Unborn babies (pre-birth tracking) have only an expected date of birth, which is the one date after
the reference date; children not in care (pre-proceedings or care proceedings with the child still
at home) have a date of birth and nothing else yet.

Children who were matched, placed or adopted are planned *from* their household: the match is on
the day the household's plan says (after its approval), and the earlier steps are worked backwards
from the placement with a realistic time from entering care to moving in (A1: mostly 300 to 900
days). Everyone else is planned forwards from entering care; early permanence carers (fostering for
adoption, concurrent planning) take a child on the day their plan says. A few placements disrupt
(end before an adoption order) with a household that then left the process, and the child is
matched again later.

Each journey then gets what an LA's case system holds around it (``children.demo.care_history``): the
SSDA903 episodes of the period of care, early permanence placements, family-finding statuses and
featuring, proceedings tracking and the Child's Permanence Report; siblings planned together get
a sibling group.

Once every journey is planned, family finding is planned around it (``children.demo.family_finding.FamilyFinder``,
its own seeded generator): the birth family's area, early permanence sought, links (the one that went
on to each match, others declined or withdrawn, some still open for children waiting), the match of
each household and match date (siblings matched together are one match) with its panel and papers,
adoption applications, the courts of the orders, and a disruption meeting with learning actions for
every placement that ended. Inter-agency fees come from ``children.fees`` and the configured rates.

The package, by section: ``plans`` (the counts and the child's plan), the planner in parts
(``journeys``: identities and adding children; ``linked``: children matched with a household;
``unlinked``: everyone else; ``planner``: all of them, family finding, :func:`plan_children`), the
care history (``care_plans``, ``episodes``, ``care_history``), family finding (``finding_plans``,
``family_finding``) and ``insert`` (``bulk_create`` and :func:`build`).
"""

from __future__ import annotations

from children.demo.care_plans import CarePlan, EpisodePlan, SiblingGroupPlan
from children.demo.episodes import POSTCODES, build_episodes
from children.demo.finding_plans import LinkPlan, PlacementDetails
from children.demo.insert import build, create_children
from children.demo.planner import plan_children
from children.demo.plans import (
    TOTAL_CHILDREN,
    UNLINKED_COUNTS,
    ChildPlan,
    DecisionPlan,
    DemoChildren,
    HouseholdFacts,
    OrderPlan,
    OutcomePlan,
    PeriodPlan,
    PlacementPlan,
)

__all__ = [
    "POSTCODES",
    "TOTAL_CHILDREN",
    "UNLINKED_COUNTS",
    "CarePlan",
    "ChildPlan",
    "DecisionPlan",
    "DemoChildren",
    "EpisodePlan",
    "HouseholdFacts",
    "LinkPlan",
    "OrderPlan",
    "OutcomePlan",
    "PeriodPlan",
    "PlacementDetails",
    "PlacementPlan",
    "SiblingGroupPlan",
    "build",
    "build_episodes",
    "create_children",
    "plan_children",
]
