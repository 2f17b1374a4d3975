"""Links and matches: a sibling group matched as one, the inter-agency fee for its year, the refusals, tenancy."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adopters import selectors as adopter_selectors
from adopters.models import Availability, Household
from adoption.models import AuditEvent, Region, Role
from children import services
from children.models import AdoptivePlacement, InterAgencyFeeRate, Link, Match
from tests import factories
from tests.children.conftest import DECISION, date_fields, enter_care

pytestmark = pytest.mark.django_db

LINKED = date(2023, 10, 2)
MATCHED_2023 = date(2023, 11, 1)  # in the 2023/24 rates year
MATCHED_2024 = date(2024, 6, 3)  # in the 2024/25 rates year


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


# --- who, which families, which children ------------------------------------------------------------------------
# The RAA's family finder is the plain persona (one membership, of the RAA): other agencies' families come to
# them through tenancy's family-for-matching rule, never through extra memberships.


def available_family(agency, name: str = "", **fields) -> Household:
    """An approved family of ``agency`` whose availability for family finding is "available" since approval."""
    household = factories.HouseholdFactory(approving_agency=agency, **({"name": name} if name else {}), **fields)
    Availability.objects.create(household=household, status=Availability.Status.AVAILABLE, status_from=date(2023, 9, 1))
    return household


@pytest.fixture
def raa_family(raa):
    return factories.HouseholdFactory(approving_agency=raa, name="Okafor household")


@pytest.fixture
def other_raa_family(raa):
    return factories.HouseholdFactory(approving_agency=raa, name="Patel household")


@pytest.fixture
def vaa_family(vaa):
    return available_family(vaa, "Quinn household")


@pytest.fixture
def neighbour_family(la_other):
    """A family of another RAA (the one ``la_other`` belongs to)."""
    return available_family(la_other.raa, "Rahman household")


def waiting_child(la, actor, first_name: str, last_name: str = "Bates"):
    """A child in care with the decision that they should be placed for adoption, through the services."""
    child = factories.ChildFactory(responsible_la=la, first_name=first_name, last_name=last_name)
    enter_care(actor, child)
    services.adoption_decision_record(actor=actor, child_id=child.pk, decided_on=DECISION)
    return child


@pytest.fixture
def child(la_a, family_finder):
    return waiting_child(la_a, family_finder, "Amelia", "Ashdown")


@pytest.fixture
def three(la_a, family_finder):
    """A sibling group of three, each with the decision that they should be placed for adoption."""
    children = [waiting_child(la_a, family_finder, name) for name in ("Alfie", "Bella", "Cara")]
    return services.sibling_group_create(actor=family_finder, name="Bates siblings", child_ids=[c.pk for c in children])


@pytest.fixture
def rates():
    """Hand-made rates for two years (not the real ones): each test says which row it must use."""
    InterAgencyFeeRate.objects.all().delete()
    InterAgencyFeeRate.objects.bulk_create(
        InterAgencyFeeRate(
            effective_from=start, agency_type=kind, children=n, amount=Decimal(amount), london_uplift_percent=uplift
        )
        for start, kind, n, amount, uplift in [
            (date(2023, 4, 1), "vaa", 1, "36000.00", 0),
            (date(2024, 4, 1), "vaa", 1, "37500.00", 0),
            (date(2023, 4, 1), "la_raa", 2, "51000.00", 10),
            (date(2024, 4, 1), "la_raa", 2, "52960.00", 10),  # 2 x 26,480
        ]
    )


NOT_CHOOSABLE = (
    "Choose an approved family from the list: another agency's family can be chosen while it is approved and "
    "available for family finding"
)


def url(name: str, **kwargs) -> str:
    return reverse(f"children:{name}", kwargs=kwargs)


# --- a sibling group: one match, three placements, links closed ------------------------------------------------


def test_a_sibling_group_of_three_matched_with_one_family_is_one_match_with_three_placements(
    client, family_finder, three, raa_family, other_raa_family
):
    client.force_login(family_finder)
    data = {"household": raa_family.pk, "origin": "agency", **date_fields("started_on", LINKED)}
    assert client.post(url("group-link-create", group_id=three.pk), data).status_code == 302
    services.link_record(
        actor=family_finder, household_id=other_raa_family.pk, started_on=LINKED, origin="adopters", group_id=three.pk
    )
    assert Link.objects.filter(sibling_group=three, outcome="open").count() == 6  # two families, three children

    response = client.post(
        url("group-match-create", group_id=three.pk),
        {"household": raa_family.pk, **date_fields("matched_on", MATCHED_2023)},
    )
    match = Match.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/children/matches/{match.pk}/"
    placements = AdoptivePlacement.objects.filter(match=match)
    assert {(p.household_id, p.matched_on) for p in placements} == {(raa_family.pk, MATCHED_2023)}
    assert sorted(p.child.first_name for p in placements) == ["Alfie", "Bella", "Cara"]
    assert (match.sibling_group, match.decided_on, match.inter_agency, match.fee_amount) == (
        three,
        MATCHED_2023,
        False,
        None,
    )
    closed = {(link.household_id, link.outcome, link.outcome_on) for link in Link.objects.filter(sibling_group=three)}
    assert closed == {(raa_family.pk, "matched", MATCHED_2023), (other_raa_family.pk, "withdrawn", MATCHED_2023)}

    page = text_of(client.get(response["Location"]))
    assert "Alfie Bates, Bella Bates and Cara Bates with Okafor household" in page
    assert "Inter-agency placement No" in page
    assert "Link identified by the agency, 2 October 2023 (Alfie Bates, Bella Bates, Cara Bates)" in page

    links_page = text_of(client.get(url("group-links", group_id=three.pk)))
    assert "Went on to a match, 1 November 2023" in links_page
    assert "Withdrawn (another family chosen, or the child's plan changed), 1 November 2023" in links_page
    assert "Record a match" not in links_page  # the children are matched now


def test_a_child_with_a_current_match_or_no_decision_is_not_matched(family_finder, child, la_a, raa_family, vaa_family):
    services.match_record(actor=family_finder, household_id=raa_family.pk, child_id=child.pk, matched_on=MATCHED_2023)
    with pytest.raises(ValidationError) as again:
        services.match_record(
            actor=family_finder, household_id=vaa_family.pk, child_id=child.pk, matched_on=MATCHED_2024
        )
    assert again.value.message_dict == {
        "child_id": ["Amelia Ashdown already has a current match: end it before recording another"]
    }
    undecided = factories.ChildFactory(responsible_la=la_a)
    enter_care(family_finder, undecided)
    with pytest.raises(ValidationError) as no_decision:
        services.match_record(
            actor=family_finder, household_id=vaa_family.pk, child_id=undecided.pk, matched_on=MATCHED_2024
        )
    assert "Record the decision that the child should be placed for adoption" in str(no_decision.value)
    assert Match.objects.count() == 1


def test_a_match_before_the_decision_is_refused_by_rule_333(family_finder, child, raa_family):
    with pytest.raises(ValidationError) as refused:
        services.match_record(
            actor=family_finder, household_id=raa_family.pk, child_id=child.pk, matched_on=date(2022, 5, 1)
        )
    assert "(903 rule 333)" in refused.value.message_dict["matched_on"][0]
    assert not Match.objects.exists()


# --- the inter-agency fee -----------------------------------------------------------------------------------------


def test_each_year_uses_its_own_vaa_single_child_rate(client, family_finder, rates, la_a, child, vaa):
    second = waiting_child(la_a, family_finder, "Benji", "Brown")
    families = [available_family(vaa) for _ in range(2)]
    in_2023 = services.match_record(
        actor=family_finder, household_id=families[0].pk, child_id=child.pk, matched_on=MATCHED_2023
    )
    in_2024 = services.match_record(
        actor=family_finder, household_id=families[1].pk, child_id=second.pk, matched_on=MATCHED_2024
    )
    assert (in_2023.inter_agency, in_2023.fee_amount, in_2023.fee_rate.effective_from) == (
        True,
        Decimal("36000.00"),
        date(2023, 4, 1),
    )
    assert (in_2024.fee_amount, in_2024.fee_rate.effective_from) == (Decimal("37500.00"), date(2024, 4, 1))

    client.force_login(family_finder)
    page = text_of(client.get(url("match-detail", match_id=in_2024.pk)))
    assert "Yes: the family was approved by Family Futures VAA" in page
    assert "£37,500.00" in page
    assert "Voluntary adoption agency rate from 01 April 2024 for 1 child: £37,500.00" in page
    assert "No London uplift: Ashby Borough is not in London." in page


def test_the_fee_follows_a_change_to_the_decision_date(family_finder, rates, child, vaa_family):
    match = services.match_record(
        actor=family_finder, household_id=vaa_family.pk, child_id=child.pk, matched_on=MATCHED_2024
    )
    services.match_decision_record(actor=family_finder, match_id=match.pk, decided_on=date(2024, 3, 28))
    match.refresh_from_db()
    assert (match.decided_on, match.fee_amount) == (date(2024, 3, 28), Decimal("36000.00"))
    assert AdoptivePlacement.objects.get(match=match).matched_on == date(2024, 3, 28)  # 903 DATE_MATCH


def test_two_children_of_a_london_la_placed_with_another_raa_pay_the_la_rate_with_the_uplift(
    client, family_finder, rates, raa, neighbour_family
):
    camden = factories.LaFactory(name="Camden Borough", raa=raa, region=Region.LONDON)
    pair = [waiting_child(camden, family_finder, name, "Cole") for name in ("Dan", "Eve")]
    group = services.sibling_group_create(actor=family_finder, name="Cole siblings", child_ids=[c.pk for c in pair])
    match = services.match_record(
        actor=family_finder, household_id=neighbour_family.pk, group_id=group.pk, matched_on=MATCHED_2024
    )
    # 2 children x £26,480 = £52,960, plus the 10% London uplift, worked out by hand.
    assert match.fee_amount == Decimal("58256.00")
    assert (match.inter_agency, match.fee_rate.agency_type, match.fee_rate.children) == (True, "la_raa", 2)

    client.force_login(family_finder)
    page = text_of(client.get(url("match-detail", match_id=match.pk)))
    assert "£58,256.00" in page
    assert "plus 10% for a London authority" in page
    assert "The London uplift is added because Camden Borough is in London." in page


def test_no_rate_configured_saves_the_match_without_a_fee_and_says_so(client, family_finder, rates, three, vaa_family):
    match = services.match_record(
        actor=family_finder, household_id=vaa_family.pk, group_id=three.pk, matched_on=MATCHED_2023
    )
    assert (match.inter_agency, match.fee_rate, match.fee_amount) == (True, None, None)
    assert AdoptivePlacement.objects.filter(match=match).count() == 3

    client.force_login(family_finder)
    page = text_of(client.get(url("match-detail", match_id=match.pk)))
    assert (
        "No inter-agency fee rate is configured for a voluntary adoption agency, 3 or more children: "
        "an administrator can add one. The fee is the rate in force on the date of the match, 1 November 2023."
    ) in page
    assert "£" not in page


# --- links: refusals and outcomes -------------------------------------------------------------------------------


def test_a_second_open_link_with_the_same_family_is_refused(client, family_finder, child, raa_family):
    client.force_login(family_finder)
    data = {"household": raa_family.pk, "origin": "adopters", **date_fields("started_on", LINKED)}
    assert client.post(url("link-create", child_id=child.pk), data).status_code == 302
    again = client.post(url("link-create", child_id=child.pk), data)
    assert again.status_code == 200
    assert (
        "Amelia Ashdown already has an open link with Okafor household: record its outcome before linking them again"
        in text_of(again)
    )
    assert Link.objects.filter(child=child).count() == 1


def test_a_declined_link_needs_a_reason_and_the_group_link_closes_for_every_child(
    client, family_finder, three, raa_family
):
    links = services.link_record(
        actor=family_finder, household_id=raa_family.pk, started_on=LINKED, origin="exchange", group_id=three.pk
    )
    client.force_login(family_finder)
    outcome_url = url("link-outcome", link_id=links[1].pk)
    declined = {"outcome": "declined_by_adopters", **date_fields("outcome_on", date(2023, 10, 20))}
    refused = client.post(outcome_url, declined)
    assert refused.status_code == 200
    assert "Choose why the link was declined, so the family can be told" in text_of(refused)
    assert set(Link.objects.values_list("outcome", flat=True)) == {"open"}

    assert client.post(outcome_url, {**declined, "decline_reason": "contact"}).status_code == 302
    assert set(Link.objects.values_list("outcome", "outcome_on", "decline_reason")) == {
        ("declined_by_adopters", date(2023, 10, 20), "contact")
    }
    page = text_of(client.get(url("group-links", group_id=three.pk)))
    assert "Declined by the adopters, 20 October 2023 Reason: Contact arrangements with the birth family" in page
    assert "Alfie Bates, Bella Bates, Cara Bates" in page


def test_a_link_needs_an_approved_family_the_user_can_see(family_finder, child, raa, la_a):
    assessing = factories.HouseholdFactory(approving_agency=raa, status=Household.Status.STAGE_2, approved_on=None)
    with pytest.raises(ValidationError) as unapproved:
        services.link_record(
            actor=family_finder, household_id=assessing.pk, started_on=LINKED, origin="agency", child_id=child.pk
        )
    assert unapproved.value.message_dict["household_id"][0].endswith(
        "is not an approved family waiting for a child (stage 2)"
    )
    # Another agency's approved family with no availability recorded is not known to be available: not choosable,
    # and, as its record is not the user's to see, nothing is said about it.
    unrecorded = factories.HouseholdFactory(approving_agency=factories.VaaFactory(name="Far VAA"))
    with pytest.raises(ValidationError) as hidden:
        services.link_record(
            actor=family_finder, household_id=unrecorded.pk, started_on=LINKED, origin="agency", child_id=child.pk
        )
    assert hidden.value.message_dict == {"household_id": [NOT_CHOOSABLE]}
    assert not Link.objects.exists()


def test_the_link_page_preselects_the_family_from_the_suggestions(client, family_finder, child, raa_family):
    client.force_login(family_finder)
    body = client.get(url("link-create", child_id=child.pk) + f"?household={raa_family.pk}").content.decode()
    assert f'<option value="{raa_family.pk}" selected>' in body


def test_an_las_social_worker_sees_no_families_to_link(client, social_worker_a, child, raa_family):
    client.force_login(social_worker_a)
    page = text_of(client.get(url("link-create", child_id=child.pk)))
    assert "There are no approved families waiting that you can see." in page
    assert "Okafor household" not in page


# --- the match: unavailable families, the panel, the decision, the reports --------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": Household.Status.AWAITING_DECISION}, "is not an approved family waiting for a child"),
        ({"availability": Availability.Status.ON_HOLD}, "is not available for family finding: on hold from"),
    ],
    ids=["not approved", "on hold"],
)
def test_a_family_not_approved_or_on_hold_is_not_matched(client, family_finder, child, raa_family, change, message):
    if "status" in change:
        Household.objects.filter(pk=raa_family.pk).update(status=change["status"])
    else:
        Availability.objects.create(household=raa_family, status=change["availability"], status_from=LINKED)
    client.force_login(family_finder)
    response = client.post(
        url("match-create", child_id=child.pk), {"household": raa_family.pk, **date_fields("matched_on", MATCHED_2023)}
    )
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Match.objects.exists()
    assert not AdoptivePlacement.objects.exists()


def test_the_panel_and_the_decision_keep_the_903_dates_in_order(client, family_finder, child, raa_family):
    match = services.match_record(
        actor=family_finder, household_id=raa_family.pk, child_id=child.pk, matched_on=MATCHED_2023
    )
    with pytest.raises(ValidationError) as late_panel:
        services.match_panel_record(
            actor=family_finder, match_id=match.pk, panel_on=date(2023, 11, 2), panel_recommendation="recommended"
        )
    assert late_panel.value.message_dict == {
        "panel_on": ["The panel must be on or before the agency decision (1 November 2023)"]
    }
    client.force_login(family_finder)
    panel = {"panel_recommendation": "recommended", **date_fields("panel_on", date(2023, 10, 25))}
    assert client.post(url("match-panel", match_id=match.pk), panel).status_code == 302
    before_decision = client.post(url("match-decision", match_id=match.pk), date_fields("decided_on", date(2022, 5, 1)))
    assert "The decision must be on or after the panel (25 October 2023)" in text_of(before_decision)
    reports = {"placement_report_status": "completed", "support_plan_status": "in_progress"}
    assert client.post(url("match-update", match_id=match.pk), reports).status_code == 302

    page = text_of(client.get(url("match-detail", match_id=match.pk)))
    assert "Adoption Placement Report Completed" in page
    assert "Adoption support plan In progress" in page
    assert "Matching panel Match recommended (25 October 2023)" in page
    assert "Agency decision (date of the match) 1 November 2023" in page


def test_recording_a_match_from_a_link_uses_its_family_and_children(client, family_finder, child, raa_family):
    (link,) = services.link_record(
        actor=family_finder, household_id=raa_family.pk, started_on=LINKED, origin="agency", child_id=child.pk
    )
    client.force_login(family_finder)
    response = client.post(url("link-match", link_id=link.pk), date_fields("matched_on", MATCHED_2023))
    match = Match.objects.get()
    assert response["Location"] == url("match-detail", match_id=match.pk)
    assert AdoptivePlacement.objects.get(match=match).child == child
    link.refresh_from_db()
    assert (link.outcome, link.outcome_on) == ("matched", MATCHED_2023)


# --- tenancy, audit, the page's name ----------------------------------------------------------------------------


def test_another_las_user_gets_404_for_the_link_match_and_pages(
    client, family_finder, social_worker_b, child, raa_family
):
    (link,) = services.link_record(
        actor=family_finder, household_id=raa_family.pk, started_on=LINKED, origin="agency", child_id=child.pk
    )
    match = services.match_record(
        actor=family_finder, household_id=raa_family.pk, child_id=child.pk, matched_on=MATCHED_2023
    )
    client.force_login(social_worker_b)
    pages = [
        url("links", child_id=child.pk),
        url("link-create", child_id=child.pk),
        url("match-create", child_id=child.pk),
        url("link-outcome", link_id=link.pk),
        url("link-match", link_id=link.pk),
        url("match-detail", match_id=match.pk),
        url("match-update", match_id=match.pk),
        url("match-panel", match_id=match.pk),
        url("match-decision", match_id=match.pk),
    ]
    for page in pages:
        assert client.get(page).status_code == 404, page
        assert client.post(page, {"outcome": "withdrawn"}).status_code in {404, 405}, page
    with pytest.raises(Http404):
        services.match_update(
            actor=social_worker_b,
            match_id=match.pk,
            placement_report_status="completed",
            support_plan_status="completed",
        )
    link.refresh_from_db()
    assert link.outcome == "matched"


def test_links_and_matches_are_audited(family_finder, three, raa_family):
    links = services.link_record(
        actor=family_finder, household_id=raa_family.pk, started_on=LINKED, origin="agency", group_id=three.pk
    )
    match = services.match_record(
        actor=family_finder, household_id=raa_family.pk, group_id=three.pk, matched_on=MATCHED_2023
    )
    events = AuditEvent.objects.filter(actor=family_finder)
    link_ids = {str(link.pk) for link in links}
    assert (
        set(events.filter(object_type="children.link", action="create").values_list("object_id", flat=True)) == link_ids
    )
    assert (
        set(events.filter(object_type="children.link", action="update").values_list("object_id", flat=True)) == link_ids
    )
    assert events.filter(object_type="children.match", action="create", object_id=str(match.pk)).count() == 1
    assert events.filter(object_type="children.match", organisation=three.responsible_la).exists()


def test_the_match_page_is_children_match_by_its_keyword(family_finder, child, raa_family):
    """The event page "Record the match or the move to the family" shares the name: reverse each by its keyword."""
    match = services.match_record(
        actor=family_finder, household_id=raa_family.pk, child_id=child.pk, matched_on=MATCHED_2023
    )
    assert reverse("children:match-detail", kwargs={"match_id": match.pk}) == f"/children/matches/{match.pk}/"
    assert reverse("children:match", args=[child.pk]) == f"/children/{child.pk}/match/"


# --- other agencies' families: tenancy's family-for-matching rule -----------------------------------------------


def body_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("family", "group", "agency_type", "amount"),
    [
        ("vaa_family", "Family Futures VAA (another agency)", "vaa", Decimal("36000.00")),
        ("neighbour_family", "Coast Adoption (another agency)", "la_raa", Decimal("27000.00")),
    ],
    ids=["a VAA's family", "another RAA's family"],
)
def test_an_raa_family_finder_links_and_matches_another_agencys_family_without_seeing_its_record(
    client, family_finder, rates, child, raa_family, request, family, group, agency_type, amount
):
    family = request.getfixturevalue(family)
    InterAgencyFeeRate.objects.create(
        effective_from=date(2023, 4, 1), agency_type="la_raa", children=1, amount=Decimal("27000.00")
    )
    assert family_finder.memberships.count() == 1  # the RAA's, and no other
    client.force_login(family_finder)

    form = body_of(client.get(url("link-create", child_id=child.pk)))
    # The RAA's own families first, then the other agency's, under its name.
    assert form.index('<optgroup label="Your agency\'s families">') < form.index("Okafor household")
    assert form.index("Okafor household") < form.index(f'<optgroup label="{group}">') < form.index(family.name)

    link = {"household": family.pk, "origin": "exchange", **date_fields("started_on", LINKED)}
    assert client.post(url("link-create", child_id=child.pk), link).status_code == 302
    response = client.post(
        url("match-create", child_id=child.pk), {"household": family.pk, **date_fields("matched_on", MATCHED_2023)}
    )
    assert response.status_code == 302
    match = Match.objects.get()
    assert (match.household, match.inter_agency, match.fee_amount) == (family, True, amount)
    assert (match.fee_rate.agency_type, match.fee_rate.effective_from) == (agency_type, date(2023, 4, 1))
    assert Link.objects.get(child=child).outcome == "matched"
    assert AdoptivePlacement.objects.get(match=match).household == family
    page = text_of(client.get(response["Location"]))
    assert f"Yes: the family was approved by {family.approving_agency.name}" in page
    assert f"£{amount:,}" in page

    # Choosing is not seeing: the family's record, pages and API stay as if it did not exist.
    for address in (
        reverse("adopters:detail", kwargs={"household_id": family.pk}),
        reverse("adopters:availability", kwargs={"household_id": family.pk}),
        f"/api/v1/households/{family.pk}/",
    ):
        assert client.get(address).status_code == 404, address
    assert family.name not in text_of(client.get(reverse("adopters:list")))
    assert family.name not in client.get("/api/v1/households/", {"q": family.name.split()[0]}).content.decode()


@pytest.mark.parametrize(
    "change",
    ["on hold", "early permanence carer", "not approved", "agency closed"],
)
def test_another_agencys_family_not_approved_and_available_cannot_be_chosen(
    client, family_finder, child, vaa_family, change
):
    if change == "on hold":
        Availability.objects.create(household=vaa_family, status=Availability.Status.ON_HOLD, status_from=LINKED)
    elif change == "early permanence carer":
        Availability.objects.create(household=vaa_family, status="early_permanence", status_from=LINKED)
    elif change == "not approved":
        Household.objects.filter(pk=vaa_family.pk).update(status=Household.Status.AWAITING_DECISION)
    else:
        type(vaa_family.approving_agency).objects.filter(pk=vaa_family.approving_agency_id).update(is_active=False)
    client.force_login(family_finder)
    assert "Quinn household" not in text_of(client.get(url("link-create", child_id=child.pk)))

    response = client.post(
        url("match-create", child_id=child.pk), {"household": vaa_family.pk, **date_fields("matched_on", MATCHED_2023)}
    )
    assert response.status_code == 200
    page = text_of(response)
    assert NOT_CHOOSABLE in page
    assert "Quinn" not in page  # nothing is said about a family the user may not choose
    with pytest.raises(ValidationError) as refused:
        services.link_record(
            actor=family_finder, household_id=vaa_family.pk, started_on=LINKED, origin="agency", child_id=child.pk
        )
    assert refused.value.message_dict == {"household_id": [NOT_CHOOSABLE]}
    assert not Link.objects.exists()
    assert not Match.objects.exists()


def test_an_las_social_worker_cannot_choose_another_agencys_family(
    client, social_worker_a, child, raa_family, vaa_family, neighbour_family
):
    """LA staff record journeys but are not given the rule: the RAA finds and matches families for its LAs'
    children, and an LA's staff do not see even the RAA's own families (adoption/tenancy.py says why)."""
    assert services.may_write_journeys(social_worker_a)
    client.force_login(social_worker_a)
    page = text_of(client.get(url("link-create", child_id=child.pk)))
    assert "There are no approved families waiting that you can see." in page
    assert "The RAA's family finders record links and matches." in page
    for name in ("Okafor", "Quinn", "Rahman"):
        assert name not in page
    for family in (vaa_family, neighbour_family):
        data = {"household": family.pk, "origin": "agency", **date_fields("started_on", LINKED)}
        refused = client.post(url("link-create", child_id=child.pk), data)
        assert NOT_CHOOSABLE in text_of(refused)
        with pytest.raises(ValidationError) as match:
            services.match_record(
                actor=social_worker_a, household_id=family.pk, child_id=child.pk, matched_on=MATCHED_2023
            )
        assert match.value.message_dict == {"household_id": [NOT_CHOOSABLE]}
    assert not Link.objects.exists()
    assert not Match.objects.exists()


def test_a_vaa_worker_cannot_use_the_rule(vaa, child, vaa_family, neighbour_family, raa_family):
    """VAA staff see no children, so have no child to choose a family for; a family finder's role there changes
    nothing: the rule is for journey roles held at an RAA."""
    vaa_finder = factories.staff(vaa, Role.FAMILY_FINDER, username="ff.vaa")
    assert list(adopter_selectors.families_for_matching(actor=vaa_finder)) == [vaa_family]
    for family in (vaa_family, neighbour_family, raa_family):
        with pytest.raises(Http404):
            services.link_record(
                actor=vaa_finder, household_id=family.pk, started_on=LINKED, origin="agency", child_id=child.pk
            )
    assert not Link.objects.exists()


# --- lock order ---------------------------------------------------------------------------------------------------


def _first_lock(queries, table: str) -> int:
    return next(i for i, q in enumerate(queries) if "FOR UPDATE" in q["sql"] and f'FROM "{table}"' in q["sql"])


@pytest.mark.parametrize("service", ["link_record", "match_record"])
def test_the_children_are_locked_before_the_family(family_finder, three, vaa_family, service):
    """As the placement services lock them (each child, then household_follow_placements the family), so a match
    and a placement recorded at once for one family queue instead of deadlocking."""
    kwargs = {"started_on": LINKED, "origin": "agency"} if service == "link_record" else {"matched_on": MATCHED_2023}
    with CaptureQueriesContext(connection) as captured:
        getattr(services, service)(actor=family_finder, household_id=vaa_family.pk, group_id=three.pk, **kwargs)
    assert _first_lock(captured.captured_queries, "children_child") < _first_lock(
        captured.captured_queries, "adopters_household"
    )
