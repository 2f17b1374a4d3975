"""Demo region, part 2: about 150 households of adopters over five years (used by ``manage.py load_demo``).

The builder first makes plain, frozen plans from a seeded ``random.Random`` (the same seed,
reference date and check turnarounds always give the same plans) and then inserts them.

Every household is planned at one status and carries the whole journey that status implies, and
nothing after it: enquiry, registration, stage 1 (with its checks, preparation training and any
pause), the gap between the stages, stage 2 (a few extended with a recorded reason), panel, the
agency decision with what the family is approved for, then waiting (availability, annual reviews),
a match, a placement and the adoption order. Fast-track households (approved foster carers,
previous adopters) go from registration straight to stage 2. Households that left the process
are planned at the status they left from, "as at" the day they left.

The dates are worked backwards from the step that began the current status, so none is after the
reference date, and each gap is what the statutory guidance expects (stage 1 two months, stage 2
four, or six with a reason, at most six months between them), longer where a check came back late
or the applicants paused.

The children's demo builder reads the plans too (``children.demo.HouseholdFacts``): it matches
children with the matched, placed and adopted households on ``matched_on``, places children with
the early permanence carers from ``early_permanence_from``, pairs siblings only with families
approved for siblings, and ends the placements that disrupted before the household left.

The package, by section: ``plans`` (the counts and the plan dataclasses), ``draws`` (the seeded
generator), ``journey`` (statuses and dates), ``checks``, ``applicants``, ``waiting`` (approval,
availability, reviews, the match), ``planner`` (one planner made of those parts, and
:func:`plan_households`) and ``insert`` (``bulk_create`` and :func:`build`).
"""

from __future__ import annotations

from adopters.demo.insert import build, create_households, household_record
from adopters.demo.planner import plan_households
from adopters.demo.plans import (
    HOUSEHOLD_COUNTS,
    HOUSEHOLD_FIELDS,
    LEAVERS,
    ApplicantPlan,
    ApprovalPlan,
    CheckPlan,
    DemoHouseholds,
    HouseholdPlan,
    PausePlan,
)

__all__ = [
    "HOUSEHOLD_COUNTS",
    "HOUSEHOLD_FIELDS",
    "LEAVERS",
    "ApplicantPlan",
    "ApprovalPlan",
    "CheckPlan",
    "DemoHouseholds",
    "HouseholdPlan",
    "PausePlan",
    "build",
    "create_households",
    "household_record",
    "plan_households",
]
