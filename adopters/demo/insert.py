"""Inserting the planned households with ``bulk_create``, and ``build``: plan, then insert."""

from __future__ import annotations

from datetime import date
from typing import Any

from adopters.demo.planner import plan_households
from adopters.demo.plans import HOUSEHOLD_FIELDS, DemoHouseholds, HouseholdPlan
from adopters.models import Applicant, Availability, Check, Household, Pause, Review
from adoption.demo import DemoDataError
from adoption.models import Organisation, User


def create_households(plans: list[HouseholdPlan], *, raa: Organisation, vaa: Organisation) -> dict[str, Household]:
    """Insert the planned households with their applicants, checks, pauses, availability and reviews."""
    usernames = sorted({plan.assessing_worker for plan in plans if plan.assessing_worker})
    workers = {user.username: user for user in User.objects.filter(username__in=usernames)}
    if missing := [name for name in usernames if name not in workers]:
        raise DemoDataError(f"The demo assessing social workers are missing: {', '.join(missing)}.")
    households = Household.objects.bulk_create(
        [
            household_record(
                plan, approving_agency=vaa if plan.at_vaa else raa, assessing_worker=workers.get(plan.assessing_worker)
            )
            for plan in plans
        ]
    )
    pairs = list(zip(households, plans, strict=True))
    people = [(household, person) for household, plan in pairs for person in plan.applicants]
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                household=household,
                first_name=person.first_name,
                last_name=person.last_name,
                date_of_birth=person.date_of_birth,
                sex=person.sex,
                ethnicity=person.ethnicity,
                disability=person.disability,
                sexual_orientation=person.sexual_orientation,
            )
            for household, person in people
        ]
    )
    Check.objects.bulk_create(
        [
            Check(
                applicant=applicant,
                kind=check.kind,
                requested_on=check.requested_on,
                due_on=check.due_on,
                received_on=check.received_on,
                outcome=check.outcome,
                delay_reason=check.delay_reason,
            )
            for applicant, (_household, person) in zip(applicants, people, strict=True)
            for check in person.checks
        ]
    )
    Pause.objects.bulk_create(
        [
            Pause(household=household, stage=p.stage, started_on=p.started_on, ended_on=p.ended_on, reason=p.reason)
            for household, plan in pairs
            for p in plan.pauses
        ]
    )
    Availability.objects.bulk_create(
        [
            Availability(household=household, status=status, status_from=status_from)
            for household, plan in pairs
            for status, status_from in plan.availability
        ]
    )
    Review.objects.bulk_create(
        [
            Review(household=household, held_on=held_on, outcome=outcome)
            for household, plan in pairs
            for held_on, outcome in plan.reviews
        ]
    )
    return {household.reference: household for household in households}


def household_record(plan: HouseholdPlan, **related: Any) -> Household:
    """The (unsaved) household a plan describes; ``related`` gives its agency and assessing worker."""
    approval = plan.approval
    details: dict[str, Any] = {}
    if approval is not None:
        details = {
            "approved_children_min": approval.children_min,
            "approved_children_max": approval.children_max,
            "approved_age_min": approval.age_min,
            "approved_age_max": approval.age_max,
            "approved_for_siblings": approval.siblings,
            "disability_openness": approval.disability_openness,
            "early_permanence_approved": approval.early_permanence,
        }
    return Household(**{name: getattr(plan, name) for name in HOUSEHOLD_FIELDS}, **details, **related)


def build(*, raa: Organisation, vaa: Organisation, seed: int, reference_date: date) -> DemoHouseholds:
    plans = plan_households(seed=seed, reference_date=reference_date)
    return DemoHouseholds(plans=plans, by_reference=create_households(plans, raa=raa, vaa=vaa))
