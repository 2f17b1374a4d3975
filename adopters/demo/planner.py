"""The households' planner: every part drawing from one seeded generator, in the order of
:func:`plan_households` (the same arguments always give the same plans)."""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from adopters.demo.applicants import _Applicants, _household_name, _legal_status
from adopters.demo.checks import _Checks
from adopters.demo.draws import _weighted
from adopters.demo.journey import _Journeys
from adopters.demo.plans import LINKED_STATUSES, HouseholdPlan, Route, Status, _Slot
from adopters.demo.waiting import _Waiting
from adopters.services import check_due_on
from adoption.demo import DEMO_LAS, STAFF
from adoption.models import Role

_OUTSIDE_AREAS = ("Birmingham", "Wolverhampton", "Stafford", "Gloucester", "Northampton", "Leicester")
_SOURCES = (
    ("website", 35),
    ("phone", 12),
    ("event", 15),
    ("social_media", 12),
    ("national", 10),
    ("word_of_mouth", 10),
    ("foster_carer", 3),
    ("other", 3),
)
_ENQUIRY_OUTCOMES = (("", 40), ("invited", 35), ("information", 18), ("not_suitable", 7))


# The demo's assessing social workers (``adoption.demo``): the RAA's for RAA households, the VAA's for its own.
ASSESSORS: dict[bool, tuple[str, ...]] = {
    at_vaa: tuple(
        s.username
        for s in STAFF
        if s.role == Role.ASSESSING_SOCIAL_WORKER and s.organisation == ("vaa" if at_vaa else "raa")
    )
    for at_vaa in (False, True)
}


class _Planner(_Journeys, _Checks, _Applicants, _Waiting):
    """Plans one household after another from the slots, then the early permanence carers and waiting."""

    # --- everything ----------------------------------------------------------------------------------
    def household(self, slot: _Slot) -> HouseholdPlan:
        rng = self.rng
        as_at, last_on = self.now(slot)
        plan, checks_late = self.journey(slot, as_at, last_on)
        people = self.applicants(plan, slot)
        checks = self.checks(plan, slot, len(people), as_at=as_at, checks_late=checks_late)
        applicants = tuple(replace(person, checks=own) for person, own in zip(people, checks, strict=True))
        fast_track = slot.route == Route.FAST_TRACK
        sources = (("foster_carer", 70), ("word_of_mouth", 30)) if fast_track else _SOURCES
        plan["enquiry_source"] = _weighted(rng, sources)
        plan["enquiry_outcome"] = _weighted(rng, _ENQUIRY_OUTCOMES) if slot.status == Status.ENQUIRY else "invited"
        if slot.status != Status.ENQUIRY:
            plan["assessing_worker"] = rng.choice(ASSESSORS[slot.at_vaa])
        if plan.get("approved_on"):
            plan["approval"] = self.approval(slot.status)
        if slot.status in LINKED_STATUSES:
            plan["matched_on"] = self.matched_on(slot.status, plan["approved_on"])
        towns = [town for la in DEMO_LAS for town in la.towns]
        area = rng.choice(_OUTSIDE_AREAS) if rng.random() < 0.1 else rng.choice(towns)
        return HouseholdPlan(
            reference="",
            name=_household_name(applicants),
            area=area,
            at_vaa=slot.at_vaa,
            applicants=applicants,
            registered_on=plan.pop("registered_on", None),
            approved_on=plan.pop("approved_on", None),
            **plan,
        )


def plan_households(
    *, seed: int, reference_date: date, due_on: Callable[[str, date], date] = check_due_on
) -> list[HouseholdPlan]:
    """Plain plans for the demo households; the same arguments always give the same list.

    ``due_on`` gives a check's due date from its kind and the day it was requested: by default the
    turnarounds configured in ``CheckTurnaround`` (so it reads the database).
    """
    planner = _Planner(seed=seed, today=reference_date, due_on=functools.cache(due_on))
    plans = [planner.household(slot) for slot in planner.slots()]
    plans = [planner.waiting(plan) for plan in planner.early_permanence(plans)]

    # References number each agency's enquiries in date order within the year, e.g. HEA-2024-017.
    order = sorted(range(len(plans)), key=lambda i: (plans[i].enquired_on, i))
    numbers: Counter[tuple[bool, int]] = Counter()
    status_rng = random.Random(f"adopters-legal-status:{seed}")
    result = []
    for index in order:
        plan = plans[index]
        year = plan.enquired_on.year
        numbers[(plan.at_vaa, year)] += 1
        prefix = "MFA" if plan.at_vaa else "HEA"
        result.append(
            replace(
                plan,
                reference=f"{prefix}-{year}-{numbers[(plan.at_vaa, year)]:03d}",
                legal_status=_legal_status(status_rng, plan.applicants),
            )
        )
    return result
