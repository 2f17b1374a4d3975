"""Demo region, part 2: about 150 households of adopters over five years (used by ``manage.py load_demo``).

The builder first makes plain, frozen plans from a seeded ``random.Random`` (the same seed and
reference date always give the same plans) and then inserts them. The children's demo builder
reads the plans too: it matches children with the matched, placed and adopted households, so the
approval windows below leave room for a match, a placement and an adoption order before the
reference date.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from adopters.models import Applicant, Household
from adoption.demo import DEMO_LAS, first_name, surname
from adoption.models import Organisation

Status = Household.Status
Route = Household.Route

HOUSEHOLD_COUNTS: dict[str, int] = {
    Status.ENQUIRY: 8,
    Status.STAGE_1: 10,
    Status.STAGE_2: 12,
    Status.APPROVED: 16,
    Status.MATCHED: 10,
    Status.PLACED: 20,
    Status.ADOPTED: 62,
    Status.LEFT: 12,
}
VAA_HOUSEHOLDS = 20
# Households that left after approval (after a placement disrupted, or having decided to stop
# waiting); the children's builder uses some of them for the placements that disrupted.
LEFT_AFTER_APPROVAL = 6

# Days before the reference date within which each status's approval falls (``None``: not approved).
APPROVAL_WINDOWS: dict[str, tuple[int, int]] = {
    Status.APPROVED: (7, 540),
    Status.MATCHED: (30, 300),
    Status.PLACED: (60, 560),
    Status.ADOPTED: (420, 1460),
    Status.LEFT: (910, 1460),
}

# Heritage of adopters, roughly as approved adopters in England (most are white British).
_ADOPTER_GROUPS = (
    ("white_british", 80),
    ("white_other", 4),
    ("white_irish", 2),
    ("indian", 3),
    ("pakistani", 2),
    ("black_caribbean", 4),
    ("black_african", 3),
    ("chinese", 1),
    ("other", 1),
)
# Who applies: couples of a man and a woman, same-sex couples, single applicants.
_MAKE_UP = (("man_woman", 68), ("two_men", 8), ("two_women", 8), ("single_woman", 13), ("single_man", 3))
_OUTSIDE_AREAS = ("Birmingham", "Wolverhampton", "Stafford", "Gloucester", "Northampton", "Leicester")


@dataclass(frozen=True)
class ApplicantPlan:
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str  # Applicant.Sex


@dataclass(frozen=True)
class HouseholdPlan:
    reference: str
    name: str
    area: str
    route: str
    status: str
    enquired_on: date
    registered_on: date | None
    approved_on: date | None
    at_vaa: bool
    applicants: tuple[ApplicantPlan, ...]
    legal_status: str = ""  # Household.LegalStatus (903 LS_ADOPTR)


@dataclass
class DemoHouseholds:
    plans: list[HouseholdPlan]
    by_reference: dict[str, Household]


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _dates(
    rng: random.Random, status: str, route: str, today: date, *, left_after_approval: bool = False
) -> tuple[date, date | None, date | None]:
    """``(enquired_on, registered_on, approved_on)`` for a household now at ``status``."""

    def ago(low: int, high: int) -> date:
        return today - timedelta(days=rng.randint(low, high))

    def before(day: date, low: int, high: int) -> date:
        return day - timedelta(days=rng.randint(low, high))

    if status == Status.ENQUIRY:
        return ago(1, 60), None, None
    if status == Status.STAGE_1:
        registered = ago(1, 70)  # stage 1 normally takes two months
        return before(registered, 5, 60), registered, None
    if status == Status.STAGE_2:
        registered = ago(75, 300)
        return before(registered, 5, 75), registered, None
    if status == Status.LEFT and not left_after_approval and rng.random() >= 0.5:
        # Left before approval: withdrew, put on hold or refused at stage 1 or 2.
        registered = ago(30, 1400)
        return before(registered, 5, 75), registered, None
    approved = ago(*APPROVAL_WINDOWS[status])
    if route == Route.FAST_TRACK:
        registered = before(approved, 100, 190)  # straight to stage 2 (about four months)
        return before(registered, 3, 30), registered, approved
    registered = before(approved, 150, 320)  # stage 1 and stage 2, some with recorded delays
    return before(registered, 5, 75), registered, approved


def _applicants(rng: random.Random, enquired_on: date) -> tuple[ApplicantPlan, ...]:
    make_up = _weighted(rng, _MAKE_UP)
    kinds = {
        "man_woman": ("man", "woman"),
        "two_men": ("man", "man"),
        "two_women": ("woman", "woman"),
        "single_woman": ("woman",),
        "single_man": ("man",),
    }[make_up]
    group = _weighted(rng, _ADOPTER_GROUPS)
    family_name = surname(rng, group)
    age = rng.randint(27, 52)
    applicants = []
    for index, kind in enumerate(kinds):
        person_group = group if index == 0 or rng.random() < 0.85 else _weighted(rng, _ADOPTER_GROUPS)
        share_surname = index == 0 or rng.random() < (0.7 if make_up == "man_woman" else 0.4)
        person_age = age if index == 0 else max(24, age + rng.randint(-6, 6))
        born = enquired_on - timedelta(days=365 * person_age + rng.randint(0, 364))
        applicants.append(
            ApplicantPlan(
                first_name=first_name(rng, person_group, kind),
                last_name=family_name if share_surname else surname(rng, person_group),
                date_of_birth=born,
                sex=Applicant.Sex.MALE if kind == "man" else Applicant.Sex.FEMALE,
            )
        )
    return tuple(applicants)


# How couples are joined, by make-up (903 LS_ADOPTR; weights roughly as adopters in England).
_COUPLE_STATUSES: dict[bool, tuple[tuple[str, int], ...]] = {
    False: ((Household.LegalStatus.L11, 78), (Household.LegalStatus.L3, 22)),  # a man and a woman
    True: (
        (Household.LegalStatus.L12, 45),
        (Household.LegalStatus.L2, 35),
        (Household.LegalStatus.L4, 20),
    ),  # two men or two women
}


def _legal_status(rng: random.Random, applicants: tuple[ApplicantPlan, ...]) -> str:
    """903 LS_ADOPTR for the household: single (L0) or how the couple are joined (AD1 rules 514 to 524)."""
    if len(applicants) == 1:
        return Household.LegalStatus.L0
    same_sex = len({a.sex for a in applicants}) == 1
    return _weighted(rng, _COUPLE_STATUSES[same_sex])


def _household_name(applicants: tuple[ApplicantPlan, ...]) -> str:
    surnames = list(dict.fromkeys(a.last_name for a in applicants))
    return f"{' and '.join(surnames)} household"


def plan_households(*, seed: int, reference_date: date) -> list[HouseholdPlan]:
    """Plain plans for the demo households; the same arguments always give the same list."""
    rng = random.Random(f"adopters:{seed}")
    statuses = [status for status, count in HOUSEHOLD_COUNTS.items() for _ in range(count)]
    at_vaa = set(rng.sample(range(len(statuses)), VAA_HOUSEHOLDS))
    towns = [town for la in DEMO_LAS for town in la.towns]
    drafts = []
    left_approved = 0
    for index, status in enumerate(statuses):
        fast_track_possible = status not in {Status.ENQUIRY, Status.STAGE_1}
        route = Route.FAST_TRACK if fast_track_possible and rng.random() < 0.12 else Route.STANDARD
        # The first few households that left did so after approval (see LEFT_AFTER_APPROVAL).
        left_after_approval = status == Status.LEFT and left_approved < LEFT_AFTER_APPROVAL
        if left_after_approval:
            left_approved += 1
            route = Route.STANDARD
        enquired, registered_on, approved_on = _dates(
            rng, status, route, reference_date, left_after_approval=left_after_approval
        )
        applicants = _applicants(rng, enquired)
        area = rng.choice(_OUTSIDE_AREAS) if rng.random() < 0.1 else rng.choice(towns)
        drafts.append((enquired, index, status, route, registered_on, approved_on, index in at_vaa, applicants, area))

    # References number each agency's enquiries in date order within the year, e.g. HEA-2024-017.
    drafts.sort(key=lambda d: (d[0], d[1]))
    numbers: Counter[tuple[bool, int]] = Counter()
    # A separate generator, so adding the legal status left every other draw (and plan) as it was.
    status_rng = random.Random(f"adopters-legal-status:{seed}")
    plans = []
    for enquired, _index, status, route, registered_on, approved_on, vaa, applicants, area in drafts:
        numbers[(vaa, enquired.year)] += 1
        prefix = "MFA" if vaa else "HEA"
        plans.append(
            HouseholdPlan(
                reference=f"{prefix}-{enquired.year}-{numbers[(vaa, enquired.year)]:03d}",
                name=_household_name(applicants),
                area=area,
                route=route,
                status=status,
                enquired_on=enquired,
                registered_on=registered_on,
                approved_on=approved_on,
                at_vaa=vaa,
                applicants=applicants,
                legal_status=_legal_status(status_rng, applicants),
            )
        )
    return plans


def create_households(plans: list[HouseholdPlan], *, raa: Organisation, vaa: Organisation) -> dict[str, Household]:
    """Insert the planned households and applicants; returns the households by reference."""
    households = Household.objects.bulk_create(
        [
            Household(
                approving_agency=vaa if plan.at_vaa else raa,
                reference=plan.reference,
                name=plan.name,
                area=plan.area,
                route=plan.route,
                legal_status=plan.legal_status,
                status=plan.status,
                enquired_on=plan.enquired_on,
                registered_on=plan.registered_on,
                approved_on=plan.approved_on,
            )
            for plan in plans
        ]
    )
    Applicant.objects.bulk_create(
        [
            Applicant(
                household=household,
                first_name=applicant.first_name,
                last_name=applicant.last_name,
                date_of_birth=applicant.date_of_birth,
                sex=applicant.sex,
            )
            for household, plan in zip(households, plans, strict=True)
            for applicant in plan.applicants
        ]
    )
    return {household.reference: household for household in households}


def build(*, raa: Organisation, vaa: Organisation, seed: int, reference_date: date) -> DemoHouseholds:
    plans = plan_households(seed=seed, reference_date=reference_date)
    return DemoHouseholds(plans=plans, by_reference=create_households(plans, raa=raa, vaa=vaa))
