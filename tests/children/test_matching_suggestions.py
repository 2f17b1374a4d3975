"""Suggested families for a child or a sibling group, and children waiting for a match by time since the order.

The fixtures are built by hand so that a family finder would know the right order without the code: a
2-year-old disabled girl whose birth family lives in Nuneaton (and must not live near them), and families
who differ in one way each.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adopters.models import Availability, Household
from adopters.selectors import _current_availability
from adoption.models import Role
from children.models import Link, SiblingGroup, SiblingGroupMember
from children.selectors import match_figures, matching
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2025, 6, 30, 12, 0, tzinfo=UTC), tick=False):
        yield


def family(
    name: str,
    agency,
    *,
    waiting: int,
    ages: tuple[int | None, int | None] = (0, 4),
    children: tuple[int | None, int | None] = (1, 2),
    openness: str = Household.Openness.MODERATE,
    area: str = "Rugby",
    siblings: bool = False,
    early_permanence: bool = False,
    availability: str = Availability.Status.AVAILABLE,
) -> Household:
    """An approved family, approved ``waiting`` days ago, available since then unless ``availability`` says not."""
    household = factories.HouseholdFactory(
        approving_agency=agency,
        name=name,
        area=area,
        enquired_on=date(2020, 1, 6),
        registered_on=date(2020, 2, 3),
        approved_on=TODAY - timedelta(days=waiting),
        approved_age_min=ages[0],
        approved_age_max=ages[1],
        approved_children_min=children[0],
        approved_children_max=children[1],
        approved_for_siblings=siblings,
        disability_openness=openness,
        early_permanence_approved=early_permanence,
    )
    Availability.objects.create(
        household=household, status=Availability.Status.AVAILABLE, status_from=household.approved_on
    )
    if availability != Availability.Status.AVAILABLE:
        Availability.objects.create(household=household, status=availability, status_from=TODAY - timedelta(days=10))
    return household


@pytest.fixture
def amelia(la_a):
    """Two years old, disabled; her birth family lives in Nuneaton and she must not be placed there."""
    return factories.ChildFactory(
        responsible_la=la_a,
        first_name="Amelia",
        last_name="Ashdown",
        date_of_birth=date(2023, 3, 10),
        has_disability=True,
        birth_family_area="Nuneaton",
        avoid_birth_family_area=True,
    )


@pytest.fixture
def families(raa, vaa, la_other):
    return {
        # Approved for her age and open to moderate needs, in Rugby, waiting 400 days: the best.
        "A": family("Avon household", raa, waiting=400, area="Rugby"),
        # The same, but waiting 100 days: second.
        "B": family("Beech household", raa, waiting=100, area="Leamington Spa"),
        # Approved for 5 to 10 years: age not met.
        "C": family("Cedar household", raa, waiting=600, ages=(5, 10), area="Coventry"),
        # In Nuneaton (written differently): never listed, only counted.
        "D": family("Dale household", raa, waiting=800, area=" nuneaton "),
        # On hold: not available, not listed.
        "E": family("Elm household", raa, waiting=700, availability=Availability.Status.ON_HOLD),
        # Approved by the VAA: counted, not listed.
        "F": family("Fir household", vaa, waiting=300, area="Rugby"),
        # A VAA family in Nuneaton: not even counted.
        "G": family("Gorse household", vaa, waiting=300, area="Nuneaton"),
        # Approved for no disability but waiting longest: disability not met, above C (same score, longer wait).
        "H": family("Hazel household", raa, waiting=900, openness=Household.Openness.NONE, area="Warwick"),
        # Another RAA's family: never listed.
        "I": family("Ivy household", la_other.raa, waiting=500, area="Exeter"),
        # Still in assessment: not approved, not listed.
        "J": factories.HouseholdFactory(approving_agency=raa, name="Juniper household", status="stage_2"),
    }


def names(result: matching.Suggestions) -> list[str]:
    return [f.household.name for f in result.families]


def criteria(suggestion: matching.FamilySuggestion) -> dict[str, tuple[bool, str, bool]]:
    return {c.name: (c.met, c.why, c.applies) for c in suggestion.criteria}


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


# --- the ranking ---------------------------------------------------------------------------------------------


def test_families_rank_by_criteria_met_then_time_waiting(family_finder, amelia, families):
    result = matching.suggestions(actor=family_finder, child_id=amelia.pk, today=TODAY)

    assert result.may_find
    assert names(result) == ["Avon household", "Beech household", "Hazel household", "Cedar household"]
    assert [f.why_here for f in result.families] == [
        "Meets 4 of 4 criteria; waiting 400 days",
        "Meets 4 of 4 criteria; waiting 100 days",
        "Meets 3 of 4 criteria; waiting 900 days",
        "Meets 3 of 4 criteria; waiting 600 days",
    ]
    assert [(f.score, f.out_of, f.days_waiting) for f in result.families] == [
        (4, 4, 400),
        (4, 4, 100),
        (3, 4, 900),
        (3, 4, 600),
    ]


def test_each_criterion_says_whether_it_is_met_and_why(family_finder, amelia, families):
    by_name = {
        f.household.name: f for f in matching.suggestions(actor=family_finder, child_id=amelia.pk, today=TODAY).families
    }

    assert criteria(by_name["Avon household"]) == {
        "Age": (True, "Approved for 0 to 4 years; Amelia is 2", True),
        "Number of children": (True, "Approved for 1 to 2 children; this is one child", True),
        "Sibling group": (True, "Not needed: Amelia is one child, not a sibling group", False),
        "Disability": (True, "Open to moderate needs; Amelia is disabled", True),
        "Early permanence": (True, "Not needed: early permanence is not sought", False),
        "Birth family's area": (True, "Lives in Rugby, not Nuneaton where the birth family lives", True),
    }
    cedar = criteria(by_name["Cedar household"])
    assert cedar["Age"] == (False, "Approved for 5 to 10 years; Amelia is 2", True)
    assert cedar["Disability"][0] is True
    hazel = criteria(by_name["Hazel household"])
    assert hazel["Disability"] == (False, "Approved for children with no disability; Amelia is disabled", True)
    assert hazel["Age"][0] is True


def test_a_family_in_the_birth_familys_area_is_left_out_and_only_counted(family_finder, amelia, families):
    result = matching.suggestions(actor=family_finder, child_id=amelia.pk, today=TODAY)

    assert "Dale household" not in names(result)
    assert result.excluded_by_area == 1
    # Not available, another RAA's, still in assessment, or a VAA's: none is listed.
    for name in ("Elm household", "Fir household", "Gorse household", "Ivy household", "Juniper household"):
        assert name not in names(result)
    # The VAA's available family is counted; its family in Nuneaton is not.
    assert (result.vaa_count, result.vaa_meeting_all) == (1, 1)


def test_without_the_flag_the_birth_familys_area_does_not_matter(family_finder, amelia, families):
    amelia.avoid_birth_family_area = False
    amelia.save()
    result = matching.suggestions(actor=family_finder, child_id=amelia.pk, today=TODAY)

    assert "Dale household" in names(result)
    assert result.excluded_by_area == 0
    dale = next(f for f in result.families if f.household.name == "Dale household")
    assert criteria(dale)["Birth family's area"] == (True, "Not needed: Amelia may live in any area", False)
    assert dale.why_here == "Meets 3 of 3 criteria; waiting 800 days"
    assert result.vaa_count == 2


def test_a_sibling_group_of_three_needs_a_family_approved_for_siblings_and_three_children(family_finder, la_a, raa):
    ben, cara, dan = (
        factories.ChildFactory(responsible_la=la_a, first_name=first, last_name="Bates", date_of_birth=born)
        for first, born in (("Ben", date(2018, 1, 5)), ("Cara", date(2021, 2, 1)), ("Dan", date(2024, 4, 1)))
    )
    group = SiblingGroup.objects.create(responsible_la=la_a, name="Bates siblings", plan=SiblingGroup.Plan.TOGETHER)
    SiblingGroupMember.objects.bulk_create([SiblingGroupMember(group=group, child=c) for c in (ben, cara, dan)])
    family("Siblings welcome", raa, waiting=50, ages=(0, 8), children=(1, 3), siblings=True)
    family("Two at most", raa, waiting=300, ages=(0, 8), children=(1, 2), siblings=True)
    family("Three, not siblings", raa, waiting=200, ages=(0, 8), children=(3, 3), siblings=False)
    family("One little one", raa, waiting=900, ages=(0, 4), children=(1, 1), siblings=False)

    result = matching.suggestions(actor=family_finder, group_id=group.pk, today=TODAY)

    assert [c.first_name for c in result.children] == ["Ben", "Cara", "Dan"]
    assert names(result) == ["Siblings welcome", "Two at most", "Three, not siblings", "One little one"]
    found = {f.household.name: criteria(f) for f in result.families}
    ages = "Ben is 7, Cara is 4 and Dan is 1"
    assert found["Siblings welcome"] == {
        "Age": (True, f"Approved for 0 to 8 years; {ages}", True),
        "Number of children": (True, "Approved for 1 to 3 children; this is a group of 3", True),
        "Sibling group": (True, "Approved for a sibling group; this is a group of 3", True),
        "Disability": (True, "Not needed: no disability is recorded for Ben, Cara and Dan", False),
        "Early permanence": (True, "Not needed: early permanence is not sought", False),
        "Birth family's area": (True, "Not needed: Ben, Cara and Dan may live in any area", False),
    }
    assert found["Two at most"]["Number of children"] == (
        False,
        "Approved for 1 to 2 children; this is a group of 3",
        True,
    )
    assert found["Two at most"]["Sibling group"][0] is True
    assert found["Three, not siblings"]["Number of children"] == (
        True,
        "Approved for 3 children; this is a group of 3",
        True,
    )
    assert found["Three, not siblings"]["Sibling group"] == (
        False,
        "Not approved for a sibling group; this is a group of 3",
        True,
    )
    assert found["One little one"] == {
        **found["One little one"],
        "Age": (False, f"Approved for 0 to 4 years; {ages}", True),
        "Number of children": (False, "Approved for 1 child; this is a group of 3", True),
        "Sibling group": (False, "Not approved for a sibling group; this is a group of 3", True),
    }
    # Only one family meets both "number of children" and "sibling group".
    both = [name for name, c in found.items() if c["Number of children"][0] and c["Sibling group"][0]]
    assert both == ["Siblings welcome"]
    assert [f.why_here for f in result.families] == [
        "Meets 3 of 3 criteria; waiting 50 days",
        "Meets 2 of 3 criteria; waiting 300 days",
        "Meets 2 of 3 criteria; waiting 200 days",
        "Meets 0 of 3 criteria; waiting 900 days",
    ]


def test_an_unborn_baby_counts_as_0_and_early_permanence_needs_an_approved_family(family_finder, la_a, raa):
    baby = factories.ChildFactory(
        responsible_la=la_a,
        first_name="Baby",
        last_name="Carter",
        date_of_birth=None,
        expected_date_of_birth=date(2025, 8, 1),
        early_permanence_sought=True,
    )
    family("From birth, early permanence", raa, waiting=10, ages=(0, 2), early_permanence=True)
    family("From birth", raa, waiting=20, ages=(0, 2), early_permanence=False)
    family("From one", raa, waiting=30, ages=(1, 3), early_permanence=True)

    result = matching.suggestions(actor=family_finder, child_id=baby.pk, today=TODAY)

    assert names(result) == ["From birth, early permanence", "From one", "From birth"]
    found = {f.household.name: criteria(f) for f in result.families}
    assert found["From birth, early permanence"]["Age"] == (
        True,
        "Approved for 0 to 2 years; Baby is not born yet (counted as 0)",
        True,
    )
    assert found["From birth, early permanence"]["Early permanence"] == (
        True,
        "Approved for early permanence; it is sought for Baby",
        True,
    )
    assert found["From birth"]["Early permanence"] == (
        False,
        "Not approved for early permanence; it is sought for Baby",
        True,
    )
    assert found["From one"]["Age"][0] is False


def test_an_approval_not_recorded_does_not_meet_the_criterion(family_finder, amelia, raa):
    family("Not recorded", raa, waiting=10, ages=(None, None), children=(None, None), openness="", area="")

    (only,) = matching.suggestions(actor=family_finder, child_id=amelia.pk, today=TODAY).families

    assert criteria(only) == {
        "Age": (False, "The age range approved is not recorded; Amelia is 2", True),
        "Number of children": (False, "The number of children approved is not recorded; this is one child", True),
        "Sibling group": (True, "Not needed: Amelia is one child, not a sibling group", False),
        "Disability": (False, "Openness to disability is not recorded; Amelia is disabled", True),
        "Early permanence": (True, "Not needed: early permanence is not sought", False),
        "Birth family's area": (
            False,
            "The family's area is not recorded; the birth family lives in Nuneaton",
            True,
        ),
    }
    assert only.why_here == "Meets 0 of 4 criteria; waiting 10 days"


def test_a_family_already_linked_is_shown_with_the_link(family_finder, amelia, families):
    Link.objects.create(child=amelia, household=families["B"], origin=Link.Origin.AGENCY, started_on=date(2025, 6, 1))
    # A link that ended is not an open one.
    Link.objects.create(
        child=amelia,
        household=families["A"],
        origin=Link.Origin.ADOPTERS,
        started_on=date(2025, 5, 1),
        outcome=Link.Outcome.WITHDRAWN,
        outcome_on=date(2025, 5, 20),
    )

    result = matching.suggestions(actor=family_finder, child_id=amelia.pk, today=TODAY)

    linked = {f.household.name: f.linked for f in result.families}
    assert linked == {
        "Avon household": False,
        "Beech household": True,
        "Hazel household": False,
        "Cedar household": False,
    }
    assert result.families[1].why_here == "Meets 4 of 4 criteria; waiting 100 days; already linked"
    # A link is shown, not ranked higher.
    assert names(result)[:2] == ["Avon household", "Beech household"]
    assert [(o.link.household.name, o.household_visible) for o in result.open_links] == [("Beech household", True)]


# --- one query -------------------------------------------------------------------------------------------------


def test_the_ranking_is_one_query_however_many_families(
    family_finder, amelia, families, raa, django_assert_num_queries
):
    needs = matching.needs_of([amelia], TODAY)
    ranked = matching.ranked_families(
        actor=family_finder, needs=needs, raa_id=raa.pk, child_ids=[amelia.pk], today=TODAY
    )
    with django_assert_num_queries(1):
        few = list(ranked)
    for n in range(30):
        family(f"Extra household {n:02d}", raa, waiting=n)
    with django_assert_num_queries(1):
        many = list(ranked)
    assert len(few) == 4
    assert len(many) == 34
    # Turning the rows into sentences reads nothing more.
    with django_assert_num_queries(0):
        explained = [matching.explain(h, needs) for h in many]
    assert explained[0].household.name == "Avon household"


def test_the_whole_suggestion_reads_the_same_few_queries_for_many_families(
    family_finder, amelia, families, raa, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        matching.suggestions(actor=family_finder, child_id=amelia.pk, today=TODAY)
    for n in range(30):
        family(f"Extra household {n:02d}", raa, waiting=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        result = matching.suggestions(actor=family_finder, child_id=amelia.pk, today=TODAY)
    assert len(result.families) == matching.PAGE_SIZE
    assert result.page is not None and result.page.paginator.count == 34
    # The scope (2), the child with its journey (6) and the audited read (1), their sibling group, the RAA, the
    # page's count, the families left out by area, the VAA count, the ranked page and the open links.
    assert len(few.captured_queries) <= 16


# --- who sees them --------------------------------------------------------------------------------------------


def test_another_las_child_is_not_found(social_worker_a, family_finder, child_b, la_other, families):
    with pytest.raises(Http404):
        matching.suggestions(actor=social_worker_a, child_id=child_b.pk, today=TODAY)
    other = factories.ChildFactory(responsible_la=la_other, first_name="Oscar", last_name="Otherton")
    with pytest.raises(Http404):
        matching.suggestions(actor=family_finder, child_id=other.pk, today=TODAY)
    # Control: the RAA's family finder sees LA B's child's suggestions.
    assert matching.suggestions(actor=family_finder, child_id=child_b.pk, today=TODAY).may_find


def test_a_vaa_worker_has_no_access(vaa_worker, amelia, families):
    with pytest.raises(Http404):
        matching.suggestions(actor=vaa_worker, child_id=amelia.pk, today=TODAY)


def test_an_la_social_worker_sees_the_child_but_not_the_raas_families(social_worker_a, amelia, families):
    result = matching.suggestions(actor=social_worker_a, child_id=amelia.pk, today=TODAY)

    assert result.children == [amelia]
    assert not result.may_find
    assert result.families == []
    assert result.vaa_count == 0


def test_the_ranking_and_counts_read_the_raas_families_only_for_those_who_may_see_them(
    family_finder, social_worker_a, vaa_worker, amelia, families, raa
):
    """The page asks first (``may_find_families``); the SQL holds to the actor's scope as well."""
    needs = matching.needs_of([amelia], TODAY)
    for outsider in (social_worker_a, vaa_worker):
        ranked = matching.ranked_families(
            actor=outsider, needs=needs, raa_id=raa.pk, child_ids=[amelia.pk], today=TODAY
        )
        assert list(ranked) == []
        counts = matching._counts(actor=outsider, needs=needs, raa_id=raa.pk)
        assert (counts.listed, counts.excluded_by_area) == (0, 0)
        assert (counts.vaa, counts.vaa_meeting_all) == (1, 1)  # the VAA's family outside Nuneaton, counted for all
    # Control: the RAA's family finder gets them.
    ranked = matching.ranked_families(
        actor=family_finder, needs=needs, raa_id=raa.pk, child_ids=[amelia.pk], today=TODAY
    )
    assert [h.name for h in ranked] == ["Avon household", "Beech household", "Hazel household", "Cedar household"]
    assert matching._counts(actor=family_finder, needs=needs, raa_id=raa.pk) == matching.Counts(4, 1, 1, 1)


def test_the_ranking_reads_availability_as_the_households_app_does(family_finder, amelia, raa):
    """The ranking's SQL says "available now" itself: it must pick the families ``_current_availability`` does."""
    histories = {
        "Available then on hold": [("available", 300), ("on_hold", 20)],
        "On hold then available": [("on_hold", 300), ("available", 20)],
        "Two on one day, available last": [("on_hold", 50), ("available", 50)],
        "Two on one day, on hold last": [("available", 50), ("on_hold", 50)],
        "Early permanence carer now": [("available", 300), ("early_permanence", 5)],
        "No availability recorded": [],
    }
    for name, history in histories.items():
        household = factories.HouseholdFactory(
            approving_agency=raa,
            name=name,
            area="Rugby",
            approved_on=TODAY - timedelta(days=400),
            approved_age_min=0,
            approved_age_max=4,
            approved_children_min=1,
            approved_children_max=2,
        )
        for status, days_ago in history:  # created in this order: on one day, the later row is the current one
            Availability.objects.create(household=household, status=status, status_from=TODAY - timedelta(days_ago))
    ranked = matching.ranked_families(
        actor=family_finder, needs=matching.needs_of([amelia], TODAY), raa_id=raa.pk, child_ids=[amelia.pk], today=TODAY
    )
    by_the_app = (
        Household.objects.filter(approving_agency=raa, status=Household.Status.APPROVED)
        .annotate(now=_current_availability())
        .filter(now=Availability.Status.AVAILABLE)
    )

    assert sorted(h.name for h in ranked) == sorted(h.name for h in by_the_app)
    assert sorted(h.name for h in ranked) == ["On hold then available", "Two on one day, available last"]


def test_a_slice_of_the_ranking_is_that_page_of_families(family_finder, amelia, families, raa):
    needs = matching.needs_of([amelia], TODAY)
    ranked = matching.ranked_families(
        actor=family_finder, needs=needs, raa_id=raa.pk, child_ids=[amelia.pk], today=TODAY
    )
    assert [h.name for h in ranked[1:3]] == ["Beech household", "Hazel household"]
    assert [h.name for h in ranked[3:10]] == ["Cedar household"]
    assert ranked[4:6] == []
    assert ranked[0].name == "Avon household"
    with pytest.raises(IndexError):
        ranked[4]
    second = ranked[1:2][0]
    # The card's fields and what the ranking read, and nothing else fetched.
    assert (second.reference, second.area, second.approved_age_max) == (families["B"].reference, "Leamington Spa", 4)
    assert (second.met_age, second.met_disability, second.score, second.days_waiting) == (True, True, 4, 100)
    assert second.get_deferred_fields() >= {"status", "enquired_on"}


# --- the pages --------------------------------------------------------------------------------------------------


def test_the_page_shows_a_family_finder_the_ranked_families(client, family_finder, amelia, families):
    client.force_login(family_finder)
    response = client.get(reverse("children:suggested-families", kwargs={"child_id": amelia.pk}))

    assert response.status_code == 200
    text = text_of(response)
    assert "Family finding: suggested families for Amelia Ashdown" in text
    assert "Nothing is linked or matched automatically" in text
    positions = [
        text.index(name) for name in ("Avon household", "Beech household", "Hazel household", "Cedar household")
    ]
    assert positions == sorted(positions)
    assert "1. Avon household" in text
    assert "Meets 4 of 4 criteria; waiting 400 days" in text
    assert "Not met Approved for 5 to 10 years; Amelia is 2" in text
    assert "Met Lives in Rugby, not Nuneaton where the birth family lives" in text
    assert "1 available family lives in the birth family's area and is not shown" in text
    assert "And 1 more approved family available at voluntary adoption agencies (1 meeting every criterion" in text
    for hidden in ("Dale household", "Elm household", "Fir household", "Gorse household", "Ivy household"):
        assert hidden not in text
    body = response.content.decode()
    assert reverse("adopters:detail", kwargs={"household_id": families["A"].pk}) in body


def test_the_page_tells_an_la_social_worker_who_can_see_the_families(client, social_worker_a, amelia, families):
    client.force_login(social_worker_a)
    response = client.get(reverse("children:suggested-families", kwargs={"child_id": amelia.pk}))

    assert response.status_code == 200
    text = text_of(response)
    assert "Suggested families are shown to the family finders and staff of Heartlands Adoption" in text
    assert "Avon household" not in text
    assert "/households/" not in response.content.decode()


def test_a_child_of_an_la_outside_any_raa_has_no_families_to_suggest(client):
    la = factories.LaFactory(name="Lonely Borough", raa=None)
    worker = factories.staff(la, Role.SOCIAL_WORKER, username="sw.lonely")
    child = factories.ChildFactory(responsible_la=la, first_name="Lena", last_name="Lone")
    client.force_login(worker)

    response = client.get(reverse("children:suggested-families", kwargs={"child_id": child.pk}))

    assert response.status_code == 200
    assert "Lonely Borough is not part of a regional adoption agency here" in text_of(response)


def test_the_pages_are_not_found_outside_scope(client, social_worker_a, vaa_worker, amelia, child_b):
    client.force_login(social_worker_a)
    assert client.get(reverse("children:suggested-families", kwargs={"child_id": child_b.pk})).status_code == 404
    client.force_login(vaa_worker)
    assert client.get(reverse("children:suggested-families", kwargs={"child_id": amelia.pk})).status_code == 404


def test_the_empty_state(client, family_finder, amelia):
    client.force_login(family_finder)
    text = text_of(client.get(reverse("children:suggested-families", kwargs={"child_id": amelia.pk})))

    assert "No approved families are available at Heartlands Adoption right now." in text
    assert "No approved families are available at voluntary adoption agencies." in text


def test_the_page_is_paginated_past_25_families(client, family_finder, amelia, raa):
    for n in range(27):
        family(f"Household {n:02d}", raa, waiting=1000 - n)
    client.force_login(family_finder)
    url = reverse("children:suggested-families", kwargs={"child_id": amelia.pk})

    first, second = text_of(client.get(url)), text_of(client.get(url, {"page": 2}))

    assert "27 approved families available now" in first
    assert "1. Household 00" in first and "25. Household 24" in first and "Household 25" not in first
    assert "26. Household 25" in second and "27. Household 26" in second and "Household 24 " not in second


def test_the_group_page_ranks_for_the_whole_group(client, family_finder, social_worker_a, la_a, raa):
    ben = factories.ChildFactory(
        responsible_la=la_a, first_name="Ben", last_name="Bates", date_of_birth=date(2020, 1, 5)
    )
    cara = factories.ChildFactory(
        responsible_la=la_a, first_name="Cara", last_name="Bates", date_of_birth=date(2022, 2, 1)
    )
    group = SiblingGroup.objects.create(responsible_la=la_a, name="Bates siblings")
    SiblingGroupMember.objects.bulk_create([SiblingGroupMember(group=group, child=c) for c in (ben, cara)])
    family("Siblings welcome", raa, waiting=50, ages=(0, 8), children=(1, 3), siblings=True)
    url = reverse("children:group-suggested-families", kwargs={"group_id": group.pk})

    client.force_login(family_finder)
    text = text_of(client.get(url))
    assert "Family finding: suggested families for Bates siblings" in text
    assert "Met Approved for a sibling group; this is a group of 2" in text
    # One child of the group: their own page points to the group's.
    child_page = client.get(reverse("children:suggested-families", kwargs={"child_id": ben.pk}))
    assert reverse("children:group-suggested-families", kwargs={"group_id": group.pk}) in child_page.content.decode()

    client.force_login(social_worker_a)
    response = client.get(url)
    assert response.status_code == 200
    assert "Siblings welcome" not in text_of(response)


def test_the_child_and_group_pages_link_to_the_suggestions_for_those_who_may_see_them(
    client, family_finder, social_worker_a, amelia
):
    group = SiblingGroup.objects.create(responsible_la=amelia.responsible_la, name="Ashdown siblings")
    sister = factories.ChildFactory(responsible_la=amelia.responsible_la, first_name="Ada", last_name="Ashdown")
    SiblingGroupMember.objects.bulk_create([SiblingGroupMember(group=group, child=c) for c in (amelia, sister)])
    child_page = reverse("children:detail", kwargs={"child_id": amelia.pk})
    group_page = reverse("children:sibling-group", kwargs={"group_id": group.pk})

    client.force_login(family_finder)
    assert "Family finding: suggested families" in text_of(client.get(child_page))
    assert (
        reverse("children:suggested-families", kwargs={"child_id": amelia.pk})
        in client.get(child_page).content.decode()
    )
    group_body = client.get(group_page).content.decode()
    assert reverse("children:group-suggested-families", kwargs={"group_id": group.pk}) in group_body

    client.force_login(social_worker_a)
    assert "Family finding: suggested families" not in text_of(client.get(child_page))
    assert "Family finding: suggested families" not in text_of(client.get(group_page))


def test_a_childs_suggestions_name_the_sibling_group_they_are_in(client, family_finder, amelia, families):
    client.force_login(family_finder)
    page = reverse("children:suggested-families", kwargs={"child_id": amelia.pk})
    assert "is in the sibling group" not in text_of(client.get(page))

    group = SiblingGroup.objects.create(responsible_la=amelia.responsible_la, name="Ashdown <siblings>")
    sister = factories.ChildFactory(responsible_la=amelia.responsible_la, first_name="Ada", last_name="Ashdown")
    SiblingGroupMember.objects.bulk_create([SiblingGroupMember(group=group, child=c) for c in (amelia, sister)])
    body = client.get(page).content.decode()
    assert "is in the sibling group" in text_of(client.get(page))
    assert "Ashdown &lt;siblings&gt;</a>" in body
    assert reverse("children:sibling-group", kwargs={"group_id": group.pk}) in body
    assert reverse("children:group-suggested-families", kwargs={"group_id": group.pk}) in body
    # Read with the child: no query of its own.
    result = matching.suggestions(actor=family_finder, child_id=amelia.pk, today=TODAY)
    assert result.member_of == group


# --- children with a placement order and no match, by time since the order -------------------------------------


def waiting_child(la, name: str, *, order: date, matched: date | None = None):
    first, last = name.split()
    child = factories.ChildFactory(responsible_la=la, first_name=first, last_name=last)
    factories.PeriodOfCareFactory(child=child, started_on=date(2022, 1, 3))
    factories.AdoptionDecisionFactory(child=child, decided_on=date(2022, 6, 1))
    factories.PlacementOrderFactory(child=child, made_on=order)
    if matched:
        factories.AdoptivePlacementFactory(child=child, matched_on=matched, placed_on=None)
    return child


@pytest.fixture
def orders(la_a, la_b, la_other):
    """Children of LA A at each band (on the anniversaries, too), one of LA B's, and children who do not count."""
    return {
        "under_6": waiting_child(la_a, "Una Under", order=date(2025, 1, 15)),
        "six_exactly": waiting_child(la_a, "Sid Six", order=date(2024, 12, 30)),  # 6 months to the day
        "nine": waiting_child(la_a, "Nina Nine", order=date(2024, 9, 30)),
        "fifteen": waiting_child(la_a, "Fran Fifteen", order=date(2024, 3, 30)),
        "eighteen_exactly": waiting_child(la_a, "Eddie Eighteen", order=date(2023, 12, 30)),
        "thirty": waiting_child(la_a, "Theo Thirty", order=date(2022, 12, 30)),
        "b_nine": waiting_child(la_b, "Bea Brookfield", order=date(2024, 9, 30)),
        # Matched: not waiting for a match.
        "matched": waiting_child(la_a, "Max Matched", order=date(2023, 1, 5), matched=date(2023, 6, 1)),
        # Another RAA's LA: never seen here.
        "other": waiting_child(la_other, "Oscar Otherton", order=date(2023, 1, 5)),
    }


def test_the_figures_count_children_waiting_by_time_since_the_order(family_finder, social_worker_a, orders):
    figures = match_figures.waiting_for_match_figures(actor=family_finder, today=TODAY)

    assert [(row.name, row.cells, row.total) for row in figures] == [
        (
            "Ashby Borough",
            [("under_6_months", 1), ("6_to_12_months", 2), ("12_to_18_months", 1), ("over_18_months", 2)],
            6,
        ),
        (
            "Brookfield County",
            [("under_6_months", 0), ("6_to_12_months", 1), ("12_to_18_months", 0), ("over_18_months", 0)],
            1,
        ),
        ("All", [("under_6_months", 1), ("6_to_12_months", 3), ("12_to_18_months", 1), ("over_18_months", 2)], 7),
    ]
    # LA A's social worker sees LA A's row only.
    assert [
        (row.name, row.total) for row in match_figures.waiting_for_match_figures(actor=social_worker_a, today=TODAY)
    ] == [("Ashby Borough", 6)]
    # The drill-down is the same children, longest waiting first.
    over_18 = match_figures.waiting_for_match(actor=family_finder, today=TODAY, band="over_18_months")
    assert [c.full_name for c in over_18] == ["Theo Thirty", "Eddie Eighteen"]
    six_to_12 = match_figures.waiting_for_match(actor=family_finder, today=TODAY, band="6_to_12_months")
    # The same day's orders by surname.
    assert [c.full_name for c in six_to_12] == ["Bea Brookfield", "Nina Nine", "Sid Six"]


def test_the_figures_are_one_query(family_finder, orders, django_assert_num_queries):
    # The scope is computed once per request; this reads it first, as the page's other selectors would.
    match_figures.waiting_for_match(actor=family_finder, today=TODAY).exists()
    with django_assert_num_queries(1):
        match_figures.waiting_for_match_figures(actor=family_finder, today=TODAY)


def test_the_figures_page_drills_down_to_the_children(client, family_finder, social_worker_a, orders, la_a):
    client.force_login(family_finder)
    url = reverse("children:family-finding-figures")
    text = text_of(client.get(url))
    assert "Ashby Borough 1 2 1 2 6" in text
    assert "Brookfield County 0 1 0 0 1" in text
    assert "All local authorities 1 3 1 2 7" in text
    assert "Oscar Otherton" not in text
    assert "Max Matched" not in text

    response = client.get(url, {"band": "over_18_months", "la": la_a.pk})
    text = text_of(response)
    assert "Over 18 months since the placement order: Ashby Borough" in text
    listed = re.findall(r'href="/children/(\d+)/"', response.content.decode())
    assert [int(pk) for pk in listed] == [orders["thirty"].pk, orders["eighteen_exactly"].pk]
    assert reverse("children:suggested-families", kwargs={"child_id": orders["thirty"].pk}) in response.content.decode()

    # LA A's social worker: LA A's figures only; another LA asked for is ignored; no suggestions links.
    client.force_login(social_worker_a)
    response = client.get(url, {"la": orders["b_nine"].responsible_la_id})
    text = text_of(response)
    assert "Bea Brookfield" not in text
    assert "Brookfield County" not in text
    assert "Una Under" in text
    assert "/suggested-families/" not in response.content.decode()
