"""scope_for: what each kind of actor may see, from their memberships and nothing else."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Q, Subquery

from adopters.models import Availability, Household
from adoption import tenancy
from adoption.models import Job, Membership, Role
from children.models import Child
from tests import factories


def _children(actor) -> set[Child]:
    return set(tenancy.scope_children(Child.objects.all(), actor))


def test_la_staff_see_their_la_only(social_worker_a, la_a, child_a, child_b):
    scope = tenancy.scope_for(social_worker_a)
    assert scope.la_ids == {la_a.pk}
    assert scope.household_org_ids == frozenset()
    assert scope.roles == {Role.SOCIAL_WORKER}
    assert scope.sees_la(la_a.pk)
    assert not scope.sees_la(child_b.responsible_la_id)
    assert _children(social_worker_a) == {child_a}
    assert set(tenancy.visible_las(social_worker_a)) == {la_a}


def test_raa_staff_see_every_la_of_their_raa_and_its_households(family_finder, raa, la_a, la_b, la_other):
    inactive_la = factories.LaFactory(raa=raa, is_active=False)
    scope = tenancy.scope_for(family_finder)
    assert scope.la_ids == {la_a.pk, la_b.pk}
    assert la_other.pk not in scope.la_ids
    assert inactive_la.pk not in scope.la_ids
    assert scope.household_org_ids == {raa.pk}
    assert scope.roles == {Role.FAMILY_FINDER}
    assert set(tenancy.visible_las(family_finder)) == {la_a, la_b}


def test_raa_staff_see_children_of_member_las_only(family_finder, child_a, child_b, la_other):
    child_other = factories.ChildFactory(responsible_la=la_other)
    assert _children(family_finder) == {child_a, child_b}
    assert child_other not in _children(family_finder)


def test_vaa_staff_see_their_households_and_no_children(vaa_worker, vaa, child_a, child_b):
    scope = tenancy.scope_for(vaa_worker)
    assert scope.la_ids == frozenset()
    assert scope.household_org_ids == {vaa.pk}
    assert _children(vaa_worker) == set()


def test_households_are_scoped_to_the_approving_agency(vaa_worker, vaa, family_finder, raa):
    vaa_household = factories.HouseholdFactory(approving_agency=vaa)
    raa_household = factories.HouseholdFactory(approving_agency=raa)
    assert set(tenancy.scope_households(Household.objects.all(), vaa_worker)) == {vaa_household}
    assert set(tenancy.scope_households(Household.objects.all(), family_finder)) == {raa_household}


def test_an_api_client_sees_its_la(api_client_a, la_a, child_a, child_b):
    client, _ = api_client_a
    scope = tenancy.scope_for(client)
    assert scope.la_ids == {la_a.pk}
    assert scope.household_org_ids == frozenset()
    assert scope.roles == frozenset()  # a machine holds no staff role
    assert _children(client) == {child_a}


def test_an_inactive_membership_gives_nothing(social_worker_a, child_a):
    Membership.objects.filter(user=social_worker_a).update(is_active=False)
    social_worker_a.refresh_from_db()
    scope = tenancy.scope_for(social_worker_a)
    assert scope.la_ids == frozenset()
    assert scope.roles == frozenset()
    assert _children(social_worker_a) == set()


def test_a_membership_of_an_inactive_organisation_gives_nothing(social_worker_a, la_a, child_a):
    la_a.is_active = False
    la_a.save()
    assert tenancy.scope_for(social_worker_a).la_ids == frozenset()


def test_a_switched_off_user_sees_nothing(social_worker_a, child_a):
    social_worker_a.is_active = False
    assert tenancy.scope_for(social_worker_a).la_ids == frozenset()
    assert _children(social_worker_a) == set()


def test_anonymous_and_no_actor_see_nothing(child_a):
    for actor in (AnonymousUser(), None):
        scope = tenancy.scope_for(actor)
        assert scope == tenancy.Scope(frozenset(), frozenset(), frozenset())
        assert _children(actor) == set()


def test_several_memberships_add_up(la_a, la_b, child_a, child_b):
    user = factories.staff(la_a, Role.SOCIAL_WORKER)
    factories.MembershipFactory(user=user, organisation=la_b, role=Role.MANAGER)
    scope = tenancy.scope_for(user)
    assert scope.la_ids == {la_a.pk, la_b.pk}
    assert scope.roles == {Role.SOCIAL_WORKER, Role.MANAGER}
    assert tenancy.has_role(user, Role.MANAGER)
    assert not tenancy.has_role(user, Role.ADM)


def test_jobs_follow_the_organisation_they_are_about(social_worker_a, family_finder, la_a, la_b, raa):
    job_a = Job.objects.create(kind=Job.Kind.SSDA903_EXPORT, organisation=la_a)
    job_b = Job.objects.create(kind=Job.Kind.SSDA903_EXPORT, organisation=la_b)
    job_raa = Job.objects.create(kind=Job.Kind.SSDA903_EXPORT, organisation=raa)
    assert set(tenancy.scope_jobs(Job.objects.all(), social_worker_a)) == {job_a}
    assert set(tenancy.scope_jobs(Job.objects.all(), family_finder)) == {job_a, job_b, job_raa}


def test_the_scope_is_computed_once_per_actor_object(social_worker_a, django_assert_num_queries):
    tenancy.scope_for(social_worker_a)
    with django_assert_num_queries(0):
        tenancy.scope_for(social_worker_a)


# --- families for matching: choosing another agency's family is not seeing it ------------------------------------


def test_the_rules_journey_roles_are_the_childrens_journey_writers():
    """Tenancy may not import children, so it holds its own list of the roles that record a child's journey."""
    from children.services.base import JOURNEY_WRITERS

    assert set(JOURNEY_WRITERS) == tenancy.JOURNEY_ROLES


def test_only_journey_roles_held_at_an_raa_give_the_family_for_matching_rule(
    family_finder, manager, adm, assessing_social_worker, social_worker_a, manager_a, vaa_worker, vaa, api_client_a
):
    vaa_finder = factories.staff(vaa, Role.FAMILY_FINDER)
    la_finder = factories.staff(social_worker_a.memberships.get().organisation, Role.FAMILY_FINDER)
    for actor in (family_finder, manager, adm):
        assert tenancy.scope_for(actor).chooses_other_agencies_families, actor
    for actor in (assessing_social_worker, social_worker_a, manager_a, la_finder, vaa_worker, vaa_finder):
        assert not tenancy.scope_for(actor).chooses_other_agencies_families, actor
    assert not tenancy.scope_for(api_client_a[0]).chooses_other_agencies_families
    assert not tenancy.scope_for(AnonymousUser()).chooses_other_agencies_families


def test_families_for_matching_add_other_agencies_available_families_to_the_actors_own(
    family_finder, social_worker_a, raa, vaa, la_other
):
    def family(agency, *, availability=Availability.Status.AVAILABLE, **fields):
        household = factories.HouseholdFactory(approving_agency=agency, **fields)
        if availability:
            Availability.objects.create(household=household, status=availability, status_from=household.approved_on)
        return household

    own_on_hold = family(raa, availability=Availability.Status.ON_HOLD)
    own_unrecorded = family(raa, availability=None)
    own_available = family(raa)
    vaa_available = family(vaa)
    other_raa_available = family(la_other.raa)
    closed_vaa = factories.VaaFactory(is_active=False)
    not_choosable = [
        family(vaa, availability=Availability.Status.ON_HOLD),
        family(vaa, availability=None),
        family(la_other.raa, availability=Availability.Status.NOT_AVAILABLE),
        family(la_other.raa, status=Household.Status.STAGE_2, approved_on=date(2023, 9, 1)),
        family(closed_vaa),
        family(la_other),  # an LA is neither a VAA nor an RAA
    ]
    choosable = set(
        tenancy.scope_families_for_matching(
            Household.objects.filter(status=Household.Status.APPROVED).annotate(now=_availability_now()),
            family_finder,
            available=Q(now=Availability.Status.AVAILABLE),
        )
    )
    assert choosable == {own_on_hold, own_unrecorded, own_available, vaa_available, other_raa_available}
    assert not choosable.intersection(not_choosable)
    # Seeing is unchanged: the RAA's households only.
    assert set(tenancy.scope_households(Household.objects.all(), family_finder)) == {
        own_on_hold,
        own_unrecorded,
        own_available,
    }
    # An LA's staff choose nothing: they see no households, and the rule is not theirs.
    assert not tenancy.scope_families_for_matching(Household.objects.all(), social_worker_a, available=Q()).exists()


def _availability_now() -> Subquery:
    latest = Availability.objects.filter(household=OuterRef("pk")).order_by("-status_from", "-id")
    return Subquery(latest.values("status")[:1])
