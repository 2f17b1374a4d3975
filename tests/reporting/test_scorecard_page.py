"""The scorecard page and its drill-downs: who may see them, what they show, and that they never show another
LA's child."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adoption.models import Role
from reporting.scorecard import FIGURES
from reporting.views_scorecard import last_31_march
from tests import factories

URL = "/reports/scorecard/"
PERIOD = {"period_end_day": "31", "period_end_month": "3", "period_end_year": "2026"}


def _text(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def administrator(la_a):
    return factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")


@pytest.mark.parametrize("persona", ["social_worker_a", "family_finder", "panel_adviser", "assessing_social_worker"])
def test_only_managers_adms_and_administrators_see_the_scorecard(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}a1/").status_code == 403


@pytest.mark.parametrize("persona", ["manager", "adm", "manager_a", "administrator"])
def test_managers_adms_and_administrators_see_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 200
    assert "Adoption scorecard" in _text(response)


def test_signing_in_is_needed(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_the_url_names(db):
    assert reverse("reporting:scorecard") == URL
    assert reverse("reporting:scorecard-drilldown", args=["a10"]) == f"{URL}a10/"


def test_the_default_period_ends_on_the_last_31_march():
    assert last_31_march(date(2026, 11, 22)) == date(2026, 3, 31)
    assert last_31_march(date(2026, 3, 31)) == date(2026, 3, 31)
    assert last_31_march(date(2026, 3, 30)) == date(2025, 3, 31)


def test_an_la_manager_sees_their_las_figures(client, children, manager_a, la_a):
    client.force_login(manager_a)
    with time_machine.travel(datetime(2026, 11, 22, 12, tzinfo=UTC), tick=False):
        response = client.get(URL)  # no choice made: their LA, the 3 years to the last 31 March
    text = _text(response)
    assert response.status_code == 200
    assert la_a.name in text
    assert "3 years from 1 April 2023 to 31 March 2026" in text
    assert "494 days" in text  # A1: (387 + 601) / 2
    assert "426 days" in text  # A1's threshold for the period
    row = re.search(r'id="measure-a1".*?</tr>', response.content.decode(), re.S).group(0)
    assert "Not met" in row  # 494 is over 426
    # Families are the RAA's: an LA's manager is not shown them.
    assert "its figures are shown to the agency's managers" in text
    assert "BRK-" not in response.content.decode()


def test_an_raa_manager_chooses_the_whole_raa_or_one_la(client, children, manager, raa, la_a, la_b):
    client.force_login(manager)
    response = client.get(URL, {"area": f"raa-{raa.pk}", **PERIOD})
    text = _text(response)
    assert f"{raa.name}: 2 local authorities" in text
    assert "369 days" in text  # (387 + 601 + 120) / 3
    # Headline: 3 adoptions; LA B's child waiting on 31 March 2026.
    assert re.search(r'id="count-adoptions".*?>3<', response.content.decode(), re.S)
    assert re.search(r'id="count-waiting".*?>1<', response.content.decode(), re.S)
    # The RAA's manager sees the adopter figures of the RAA.
    assert f"Families approved by {raa.name}" in text
    one = _text(client.get(URL, {"area": f"la-{la_b.pk}", **PERIOD}))
    assert "120 days" in one


def test_each_figure_links_to_its_drill_down(client, children, manager, raa):
    client.force_login(manager)
    response = client.get(URL, {"area": f"raa-{raa.pk}", **PERIOD})
    query = f"area=raa-{raa.pk}&amp;period_end_day=31&amp;period_end_month=3&amp;period_end_year=2026"
    html = response.content.decode()
    for code in ("a1", "a10", "a2", "a3", "adoptions", "waiting", "families-waiting", "applications"):
        assert f'href="/reports/scorecard/{code}/?{query}"' in html, code


def test_the_drill_down_lists_the_children_by_reference_with_their_days(client, children, manager_a):
    client.force_login(manager_a)
    response = client.get(f"{URL}a1/", PERIOD)
    html = response.content.decode()
    text = _text(response)
    assert response.status_code == 200
    assert "2 children counted" in text
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)
    found = [(re.search(r">(ASH-\d+)<", row).group(1), _text_of(row)) for row in rows if "ASH-" in row]
    # Longest wait first; each child links to their page.
    assert [ref for ref, _ in found] == ["ASH-0002", "ASH-0001"]
    assert found[0][1].endswith("601") and found[1][1].endswith("387")
    assert "A903002" in html
    assert "/children/" in html
    assert "BRK-" not in html


def _text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).replace(" (child's page)", "").strip()


def test_an_la_manager_never_sees_another_las_children(client, children, manager_a, la_b):
    client.force_login(manager_a)
    for code in FIGURES:
        response = client.get(f"{URL}{code}/", PERIOD)
        assert "BRK-" not in response.content.decode(), code
        assert "B903" not in response.content.decode(), code
        # Another LA is not a choice: the page says so, and lists nobody.
        other = client.get(f"{URL}{code}/", {"area": f"la-{la_b.pk}", **PERIOD})
        assert other.status_code in (400, 404), code
        assert "BRK-" not in other.content.decode(), code
    other = client.get(URL, {"area": f"la-{la_b.pk}", **PERIOD})
    assert other.status_code == 400
    assert "Choose local authorities from the list" in _text(other)
    assert "120 days" not in _text(other)


def test_an_la_manager_has_no_family_drill_downs(client, children, manager_a):
    client.force_login(manager_a)
    for code in ("families-waiting", "families-matched", "applications"):
        assert client.get(f"{URL}{code}/", PERIOD).status_code == 404


def test_the_raa_manager_sees_its_waiting_families(client, children, manager, raa, la_other):
    mine = factories.HouseholdFactory(approving_agency=raa, reference="HA-WAIT", approved_on=date(2025, 6, 2))
    factories.HouseholdFactory(approving_agency=la_other.raa, reference="CO-WAIT", approved_on=date(2025, 6, 2))
    client.force_login(manager)
    response = client.get(f"{URL}families-waiting/", {"area": f"raa-{raa.pk}", **PERIOD})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/households/{mine.pk}/">HA-WAIT<' in html
    assert "302" in _text(response)  # 2 June 2025 to 31 March 2026
    assert "CO-WAIT" not in html


def test_the_waiting_drill_down_shows_days_since_the_decision(client, children, manager, la_b):
    client.force_login(manager)
    response = client.get(f"{URL}waiting/", {"area": f"la-{la_b.pk}", **PERIOD})
    text = _text(response)
    assert "BRK-WAIT" in text
    assert "1 Jun 2025" in text
    assert "303" in text  # 1 June 2025 to 31 March 2026


def test_an_unknown_figure_is_not_found(client, manager):
    client.force_login(manager)
    assert client.get(f"{URL}a99/").status_code == 404


def test_a_period_in_the_future_is_refused(client, children, manager_a):
    client.force_login(manager_a)
    response = client.get(URL, {"period_end_day": "31", "period_end_month": "3", "period_end_year": "2099"})
    assert response.status_code == 400
    assert "The end of the period must be today or in the past" in _text(response)
    assert "494 days" not in _text(response)


def test_the_page_queries_do_not_grow_with_the_children(client, manager, raa, la_a, la_b):
    client.force_login(manager)
    params = {"area": f"raa-{raa.pk}", **PERIOD}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return len(captured)

    factories.adopted_child(la_a, entered_care=date(2022, 1, 10), moved_in=date(2023, 2, 1))
    queries()  # anything read once per process is read now
    few = queries()
    for n in range(12):
        la = la_a if n % 2 else la_b
        factories.adopted_child(la, entered_care=date(2022, 1, 10 + n), moved_in=date(2023, 2, 1 + n))
        factories.HouseholdFactory(approving_agency=raa, approved_on=date(2025, 6, 2))
    assert queries() == few


def test_someone_reporting_on_two_raas_may_choose_all_their_las(client, children, manager, la_other):
    factories.MembershipFactory(user=manager, organisation=la_other.raa, role=Role.MANAGER)
    factories.adopted_child(
        la_other,
        entered_care=date(2022, 1, 10),
        moved_in=date(2022, 4, 10),
        adoption_order=date(2023, 6, 1),
        la_child_id="CST-0001",
    )
    client.force_login(manager)
    response = client.get(URL, {"area": "all", **PERIOD})
    text = _text(response)
    assert "All the local authorities you report on" in text
    # (387 + 601 + 120 + 90) / 4 = 299.5 -> 300 days; 10 Jan to 10 Apr 2022 is 21 + 28 + 31 + 10 = 90 days.
    assert "300 days" in text
    drill = client.get(f"{URL}a1/", {"area": "all", **PERIOD}).content.decode()
    assert all(ref in drill for ref in ("ASH-0001", "ASH-0002", "BRK-0001", "CST-0001"))


def test_a_manager_with_no_la_is_told_so(client, vaa):
    client.force_login(factories.staff(vaa, Role.MANAGER, username="manager.vaa"))
    response = client.get(URL)
    assert response.status_code == 200
    assert "You do not report on any local authority" in _text(response)
    assert client.get(f"{URL}a1/").status_code == 404
