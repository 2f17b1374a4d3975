"""factory_boy factories for every app's records. Dates default to a consistent journey."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from adopters.models import Household
from adoption.api_auth import hash_token, new_token
from adoption.models import ApiClient, Membership, Organisation, Role, User
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
)


class RaaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.RAA
    name = factory.Sequence(lambda n: f"Test Regional Adoption Agency {n}")


class LaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.LA
    name = factory.Sequence(lambda n: f"Test Borough {n}")
    ons_code = factory.Sequence(lambda n: f"E99{n:06d}")
    raa = factory.SubFactory(RaaFactory)


class VaaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.VAA
    name = factory.Sequence(lambda n: f"Test Voluntary Adoption Agency {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # Fixed, obviously-staff names: pages show the signed-in user's name, and a random name could
    # collide with a child's name that a test expects to be absent.
    first_name = factory.Sequence(lambda n: f"Staff{n}")
    last_name = "Member"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(LaFactory)
    role = Role.SOCIAL_WORKER


def staff(organisation: Organisation, role: Role, **user_fields) -> User:
    """A user holding ``role`` at ``organisation``."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    approving_agency = factory.SubFactory(RaaFactory)
    reference = factory.Sequence(lambda n: f"H{n:05d}")
    name = factory.Sequence(lambda n: f"Household {n}")
    status = Household.Status.APPROVED
    enquired_on = date(2023, 1, 10)
    registered_on = date(2023, 2, 1)
    approved_on = date(2023, 9, 1)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    responsible_la = factory.SubFactory(LaFactory)
    la_child_id = factory.Sequence(lambda n: f"LA{n:06d}")
    child_903_id = factory.Sequence(lambda n: f"C{n:07d}")
    # Distinct, made-up names for the same reason as staff: tests look for a child's name being absent.
    first_name = factory.Sequence(lambda n: f"Kid{n}")
    last_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = date(2021, 5, 1)
    sex = "M"
    ethnicity = "WBRI"


class PeriodOfCareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeriodOfCare

    child = factory.SubFactory(ChildFactory)
    started_on = date(2022, 1, 1)


class AdoptionDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdoptionDecision

    child = factory.SubFactory(ChildFactory)
    decided_on = date(2022, 6, 1)


class PlacementOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlacementOrder

    child = factory.SubFactory(ChildFactory)
    made_on = date(2022, 9, 1)


class AdoptivePlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdoptivePlacement

    child = factory.SubFactory(ChildFactory)
    household = factory.SubFactory(HouseholdFactory)
    matched_on = date(2023, 1, 10)
    placed_on = date(2023, 2, 1)


class AdoptionOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PermanenceOutcome

    child = factory.SubFactory(ChildFactory)
    kind = PermanenceOutcome.Kind.ADOPTION_ORDER
    made_on = date(2023, 10, 1)


def adopted_child(
    la: Organisation,
    *,
    entered_care: date,
    moved_in: date,
    adoption_order: date | None = None,
    **child_fields,
) -> Child:
    """A child with a whole, consistent journey ending in an adoption order."""
    child = ChildFactory(responsible_la=la, date_of_birth=entered_care - timedelta(days=200), **child_fields)
    PeriodOfCareFactory(
        child=child,
        started_on=entered_care,
        ended_on=adoption_order or moved_in + timedelta(days=240),
        reason_ended="E11",
    )
    decision = entered_care + (moved_in - entered_care) / 3
    AdoptionDecisionFactory(child=child, decided_on=decision)
    PlacementOrderFactory(child=child, made_on=decision + timedelta(days=30))
    AdoptivePlacementFactory(
        child=child,
        household__approving_agency=la.raa or RaaFactory(),
        matched_on=moved_in - timedelta(days=14),
        placed_on=moved_in,
    )
    AdoptionOrderFactory(child=child, made_on=adoption_order or moved_in + timedelta(days=240))
    return child


def api_client_with_token(la: Organisation, **fields) -> tuple[ApiClient, str]:
    prefix, token = new_token()
    client = ApiClient.objects.create(
        name=fields.pop("name", "Case system"),
        organisation=la,
        token_prefix=prefix,
        token_hash=hash_token(token),
        expires_at=fields.pop("expires_at", timezone.now() + timedelta(days=90)),
        **fields,
    )
    return client, token


# --- adopters: applicants, checks and pauses ----------------------------------------------------------------
# Models are named as "app.Model" strings so these can be appended without touching the imports above.


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "adopters.Applicant"

    household = factory.SubFactory(HouseholdFactory)
    first_name = factory.Sequence(lambda n: f"Applicant{n}")
    last_name = factory.Sequence(lambda n: f"Surname{n}")
    date_of_birth = date(1988, 3, 14)
    sex = "F"


class CheckFactory(factory.django.DjangoModelFactory):
    """A check requested on ``requested_on``, due 28 days later; pass ``received_on`` and ``outcome`` to receive it."""

    class Meta:
        model = "adopters.Check"

    applicant = factory.SubFactory(ApplicantFactory)
    kind = "dbs"
    requested_on = date(2023, 2, 6)
    due_on = factory.LazyAttribute(lambda c: c.requested_on + timedelta(days=28))


class PauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "adopters.Pause"

    household = factory.SubFactory(HouseholdFactory)
    stage = 1
    started_on = date(2023, 3, 1)
    reason = "Applicants asked for a pause"
