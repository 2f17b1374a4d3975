"""Global search: what a user finds by name or id, only among what they may see, and what it keeps (nothing)."""

from __future__ import annotations

import html
import re
from datetime import date, time

import pytest

from adopters.models import Applicant
from adoption.models import AuditEvent
from children.models import SiblingGroup
from panels.models import PanelMeeting
from reporting.search import GROUP_LIMIT, parse_day
from tests import factories

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's words, without tags, as a reader sees them."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(body).split())


def search(client, query: str):
    return client.get("/search/", {"q": query})


@pytest.fixture
def amelia(la_a):
    return factories.ChildFactory(
        responsible_la=la_a,
        first_name="Amelia",
        last_name="Ashdown",
        la_child_id="ASH-0042",
        child_903_id="C9030042",
        upn="A123456789012",
    )


@pytest.fixture
def bertie(la_b):
    return factories.ChildFactory(
        responsible_la=la_b,
        first_name="Bertie",
        last_name="Brookes",
        la_child_id="BRK-0007",
        child_903_id="C9030007",
        upn="B123456789012",
    )


@pytest.mark.parametrize(
    "query",
    ["ASH-0042", "ash-0042", "C9030042", "A123456789012"],
    ids=["LA child ID", "LA child ID in lower case", "903 child ID", "UPN"],
)
def test_a_child_is_found_by_each_kind_of_id_as_an_exact_match(client, social_worker_a, amelia, query):
    client.force_login(social_worker_a)
    response = search(client, query)
    assert response.status_code == 200
    page = text_of(response)
    assert "1 result for" in page
    assert "Children (1)" in page
    assert "Amelia Ashdown Exact match" in page
    assert f'href="/children/{amelia.pk}/"' in response.content.decode()


def test_a_child_is_found_by_part_of_a_name_in_any_case_and_by_full_name(client, social_worker_a, amelia, la_a):
    factories.ChildFactory(responsible_la=la_a, first_name="Zara", last_name="Mashdown")
    client.force_login(social_worker_a)
    page = text_of(search(client, "ashd"))
    # Both contain "ashd"; the one whose name starts with it comes first.
    assert "Children (2)" in page
    assert page.index("Amelia Ashdown") < page.index("Zara Mashdown")
    assert "Exact match" not in page
    page = text_of(search(client, "amelia ASHDOWN"))
    assert "Children (1)" in page and "Amelia Ashdown" in page


def test_an_exact_id_comes_before_names_that_contain_it(client, social_worker_a, amelia, la_a):
    factories.ChildFactory(responsible_la=la_a, first_name="Ash", last_name="Ash-0042son")
    client.force_login(social_worker_a)
    page = text_of(search(client, "ASH-0042"))
    assert "Children (2)" in page
    assert page.index("Amelia Ashdown") < page.index("Ash Ash-0042son")


def test_another_las_child_is_never_found_by_name_or_any_id(client, social_worker_a, amelia, bertie):
    client.force_login(social_worker_a)
    for query in ("Bertie", "Brookes", "BRK-0007", "C9030007", "B123456789012"):
        response = search(client, query)
        assert response.status_code == 200
        page = text_of(response)
        assert f"No results for \u2018{query}\u2019" in page, query
        # The words typed are shown back (in the heading and the box); nothing else of LA B's child is.
        body = response.content.decode().replace(f'value="{query}"', "").replace(f"\u2018{query}\u2019", "")
        for secret in ("Bertie", "Brookes", "BRK-0007", "C9030007", "B123456789012", f"/children/{bertie.pk}/"):
            assert secret not in body, (query, secret)


def test_an_raa_family_finder_finds_both_member_las_children_but_no_other_raas(
    client, family_finder, amelia, bertie, la_other
):
    factories.ChildFactory(responsible_la=la_other, first_name="Bella", last_name="Brookes")
    client.force_login(family_finder)
    page = text_of(search(client, "Brookes"))
    assert "Children (1)" in page
    assert "Bertie Brookes" in page
    assert "Bella Brookes" not in page
    assert "Amelia Ashdown" in text_of(search(client, "Ashdown"))


def test_sibling_groups_are_found_by_name(client, social_worker_a, amelia, bertie):
    group = SiblingGroup.objects.create(responsible_la=amelia.responsible_la, name="Ashdown siblings")
    SiblingGroup.objects.create(responsible_la=bertie.responsible_la, name="Ashdown-Brookes siblings")
    client.force_login(social_worker_a)
    response = search(client, "siblings")
    page = text_of(response)
    assert "Sibling groups (1)" in page
    assert f'href="/children/sibling-groups/{group.pk}/"' in response.content.decode()
    assert "Ashdown-Brookes" not in page


def test_households_by_reference_name_or_applicant_and_never_for_la_staff(
    client, social_worker_a, assessing_social_worker, vaa_worker, raa
):
    household = factories.HouseholdFactory(approving_agency=raa, name="Okafor household", reference="H77001")
    Applicant.objects.create(
        household=household, first_name="Chidi", last_name="Okafor", date_of_birth=date(1985, 1, 1)
    )
    client.force_login(assessing_social_worker)
    for query in ("H77001", "okafor", "Chidi"):
        page = text_of(search(client, query))
        assert "Households (1)" in page, query
        assert "Okafor household" in page, query
    assert "Okafor household Exact match" in text_of(search(client, "h77001"))
    # Neither an LA's social worker (households are not an LA's) nor another agency's worker finds it.
    for someone in (social_worker_a, vaa_worker):
        client.force_login(someone)
        response = search(client, "Okafor")
        assert "No results for \u2018Okafor\u2019" in text_of(response)
        assert "Okafor household" not in response.content.decode()
    client.force_login(social_worker_a)
    assert "Households" not in text_of(search(client, "Okafor"))


def test_panel_meetings_by_date_or_month_for_the_panels_roles_only(client, panel_adviser, social_worker_a, raa):
    meeting = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 6, 17), starts_at=time(10), place="Warwick")
    PanelMeeting.objects.create(raa=raa, held_on=date(2025, 7, 1), starts_at=time(10), place="Leamington")
    client.force_login(panel_adviser)
    for query in ("17/06/2025", "17/6/2025", "2025-06-17", "17 June 2025", "17 Jun 2025", "June 2025"):
        response = search(client, query)
        page = text_of(response)
        assert "Panel meetings (1)" in page, query
        assert "Panel on 17 June 2025" in page, query
        assert f'href="/panels/meetings/{meeting.pk}/"' in response.content.decode()
    assert "Panel meetings (1)" in text_of(search(client, "Leamington"))
    client.force_login(social_worker_a)
    page = text_of(search(client, "17/06/2025"))
    assert "No results for \u201817/06/2025\u2019" in page
    assert "Panel meetings" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "Enter a name, an ID or a date to search for"), ("  a ", "Enter at least 2 characters to search for")],
    ids=["empty", "one character"],
)
def test_an_empty_or_too_short_query_says_what_to_enter(client, social_worker_a, amelia, query, message):
    client.force_login(social_worker_a)
    response = search(client, query)
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page
    assert f"Error: {message}" in page
    assert "Amelia" not in page


def test_a_group_shows_at_most_its_limit_and_says_how_many_more(client, social_worker_a, la_a):
    for n in range(GROUP_LIMIT + 3):
        factories.ChildFactory(responsible_la=la_a, first_name=f"Pupil{n:02d}", last_name="Capper")
    client.force_login(social_worker_a)
    response = search(client, "Capper")
    page = text_of(response)
    assert f"{GROUP_LIMIT + 3} results for \u2018Capper\u2019" in page
    assert f"Children ({GROUP_LIMIT + 3})" in page
    assert len(re.findall(r'href="/children/\d+/"', response.content.decode())) == GROUP_LIMIT
    assert "3 more children: refine your search" in page


def test_a_search_is_not_audited_and_its_words_are_kept_nowhere(client, social_worker_a, amelia):
    client.force_login(social_worker_a)
    before = AuditEvent.objects.count()
    assert "Amelia Ashdown" in text_of(search(client, "Ashdown"))
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(object_id__icontains="Ashdown").exists()


def test_every_signed_in_page_has_the_search_box_in_its_header(client, social_worker_a):
    assert 'action="/search/"' not in client.get("/sign-in/").content.decode()
    client.force_login(social_worker_a)
    for url in ("/", "/children/", "/accessibility/"):
        body = client.get(url).content.decode()
        assert re.search(r'<form class="app-header-search" method="get" action="/search/" role="search"', body), url
        assert '<label class="app-header-search__label" for="app-header-search">Search all records</label>' in body


def test_the_search_page_offers_the_records_viewed_last_before_a_search(client, social_worker_a, amelia):
    client.force_login(social_worker_a)
    client.get(f"/children/{amelia.pk}/")
    response = client.get("/search/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Recently viewed" in page
    assert re.search(r"Amelia Ashdown Child \d{1,2} \w+ \d{4} \d\d:\d\d", page)


def test_dates_are_read_as_people_type_them():
    assert parse_day("17/6/2025") == date(2025, 6, 17)
    assert parse_day(" 17  June 2025 ") == date(2025, 6, 17)
    assert parse_day("2025-06-17") == date(2025, 6, 17)
    assert parse_day("Ashdown") is None
    assert parse_day("31/02/2025") is None


def test_a_user_with_no_role_finds_nothing(client, amelia):
    nobody = factories.UserFactory()
    client.force_login(nobody)
    page = text_of(search(client, "Ashdown"))
    assert "No results for \u2018Ashdown\u2019" in page
    assert "Your roles give you no records to search." in page


def test_a_panel_member_finds_meetings_but_an_la_manager_does_not(client, panel_member_user, manager_a, raa):
    PanelMeeting.objects.create(raa=raa, held_on=date(2025, 6, 17), starts_at=time(10), place="Warwick")
    client.force_login(panel_member_user)
    assert "Panel meetings (1)" in text_of(search(client, "Warwick"))
    client.force_login(manager_a)
    # A manager of an LA (not of the RAA) does not work with the RAA's panels.
    assert "Panel meetings" not in text_of(search(client, "Warwick"))
