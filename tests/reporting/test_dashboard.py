"""The managers' dashboard (/reports/): who may see it, the figures it shows for a quarter (worked out by hand
from the fixture below), its links to the scorecard's drill-downs, its charts and its latest files, and that it
never shows another LA's children."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adopters.models import Household
from adoption.models import Job, Role
from reporting.models import QuarterlyReturn
from tests import factories

URL = "/reports/"
# Q4 2025-26: January to March 2026. The scorecard is then of the 3 years from 1 April 2023 to 31 March 2026.
Q4 = {"period_end_day": "31", "period_end_month": "3", "period_end_year": "2026"}


def _text(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _table(response, css_class: str) -> dict[str, str]:
    """A table's rows as {row heading: last cell}, text only."""
    html = response.content.decode()
    table = re.search(rf'<table class="govuk-table {css_class}">(.*?)</table>', html, re.S)
    assert table, css_class
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S):
        heading = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if heading and cells:
            rows[_clean(heading.group(1))] = _clean(cells[-1])
    return rows


def _trend(response) -> list[list[str]]:
    html = response.content.decode()
    table = re.search(r'<table class="govuk-table app-dashboard-trend">(.*?)</table>', html, re.S).group(1)
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", table, re.S).group(1)
    return [
        [_clean(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _clean(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def administrator(la_a):
    return factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")


@pytest.fixture
def quarter(children, la_a, la_b, la_other, raa, vaa):
    """On top of the scorecard's ``children`` (ASH-0001, ASH-0002 adopted before the quarter, BRK-0001 of LA B,
    BRK-WAIT waiting in LA B since June 2025), what happened in January to March 2026.

    LA A: X has a decision (15 Jan) and a placement order (20 Feb), still waiting; Y was matched (10 Jan) and
    moved in (1 Feb) with H6; W was matched (20 Mar) with H7 and has not moved in, so is still waiting; Z was
    adopted (5 Mar). LA B: V has a decision (2 Feb) and waits. In another RAA's LA: a decision, a match and an
    adoption that no one here reports on.

    Households of the RAA at 31 March 2026: H1 enquired in the quarter; H2 in stage 1; H3 and H4 in stage 2 (H4
    finished the assessment, awaiting panel) and H9 too (approved only in April); H5 approved and waiting; H6 and
    H7 first matched in the quarter; H8 left during stage 1. The other RAA's and the VAA's are not the RAA's.
    """
    none = {"enquired_on": None, "registered_on": None, "approved_on": None}
    household = factories.HouseholdFactory
    household(approving_agency=raa, reference="H1", **{**none, "enquired_on": date(2026, 1, 15)})
    household(approving_agency=raa, reference="H2", **none, stage1_started_on=date(2025, 11, 10))
    household(
        approving_agency=raa,
        reference="H3",
        **none,
        stage1_started_on=date(2025, 6, 1),
        stage1_ended_on=date(2025, 9, 1),
        stage2_started_on=date(2025, 10, 1),
    )
    household(
        approving_agency=raa,
        reference="H4",
        **none,
        stage2_started_on=date(2025, 9, 1),
        stage2_ended_on=date(2026, 2, 1),
    )
    household(approving_agency=raa, reference="H5", approved_on=date(2025, 12, 1))
    h6 = household(approving_agency=raa, reference="H6", approved_on=date(2025, 6, 1))
    h7 = household(approving_agency=raa, reference="H7", approved_on=date(2025, 10, 1))
    household(
        approving_agency=raa,
        reference="H8",
        **none,
        stage1_started_on=date(2025, 11, 1),
        left_on=date(2026, 2, 1),
        leaving_reason=Household.LeavingReason.WITHDREW,
        status=Household.Status.LEFT,
    )
    household(
        approving_agency=raa,
        reference="H9",
        **{**none, "approved_on": date(2026, 4, 15)},
        stage2_started_on=date(2025, 12, 1),
    )
    household(approving_agency=la_other.raa, reference="OTHER-1", approved_on=date(2025, 12, 1))
    household(approving_agency=vaa, reference="VAA-1", approved_on=date(2025, 12, 1))
    household(approving_agency=la_other.raa, reference="OTHER-2", **{**none, "enquired_on": date(2026, 2, 1)})

    x = factories.ChildFactory(responsible_la=la_a, la_child_id="ASH-X")
    factories.AdoptionDecisionFactory(child=x, decided_on=date(2026, 1, 15))
    factories.PlacementOrderFactory(child=x, made_on=date(2026, 2, 20))
    y = factories.ChildFactory(responsible_la=la_a, la_child_id="ASH-Y")
    factories.AdoptionDecisionFactory(child=y, decided_on=date(2025, 5, 1))
    factories.PlacementOrderFactory(child=y, made_on=date(2025, 8, 1))
    factories.AdoptivePlacementFactory(child=y, household=h6, matched_on=date(2026, 1, 10), placed_on=date(2026, 2, 1))
    w = factories.ChildFactory(responsible_la=la_a, la_child_id="ASH-W")
    factories.AdoptionDecisionFactory(child=w, decided_on=date(2025, 4, 10))
    factories.AdoptivePlacementFactory(child=w, household=h7, matched_on=date(2026, 3, 20), placed_on=None)
    # Z: entered care 5 January 2024, moved in 1 June 2025 (matched 18 May 2025), adopted 5 March 2026.
    factories.adopted_child(
        la_a,
        entered_care=date(2024, 1, 5),
        moved_in=date(2025, 6, 1),
        adoption_order=date(2026, 3, 5),
        la_child_id="ASH-Z",
    )
    v = factories.ChildFactory(responsible_la=la_b, la_child_id="BRK-V")
    factories.AdoptionDecisionFactory(child=v, decided_on=date(2026, 2, 2))

    elsewhere = factories.ChildFactory(responsible_la=la_other, la_child_id="CST-1")
    factories.AdoptionDecisionFactory(child=elsewhere, decided_on=date(2026, 1, 5))
    factories.adopted_child(
        la_other, entered_care=date(2024, 1, 1), moved_in=date(2025, 1, 1), adoption_order=date(2026, 2, 1)
    )


# --- who may see it -------------------------------------------------------------------------------------------


def test_the_url_name(db):
    assert reverse("reporting:dashboard") == URL


@pytest.mark.parametrize("persona", ["social_worker_a", "family_finder", "panel_adviser", "assessing_social_worker"])
def test_only_managers_adms_and_administrators_see_the_dashboard(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(URL, Q4).status_code == 403


@pytest.mark.parametrize("persona", ["manager", "adm", "manager_a", "administrator"])
def test_managers_adms_and_administrators_see_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL, Q4)
    assert response.status_code == 200
    assert "Reports dashboard" in _text(response)


def test_a_manager_who_reports_on_no_la_is_told_so(client, vaa):
    client.force_login(factories.staff(vaa, Role.MANAGER, username="manager.vaa"))
    response = client.get(URL, Q4)
    assert response.status_code == 200
    assert "You do not report on any local authority" in _text(response)
    assert "app-dashboard-scorecard" not in response.content.decode()


def test_signing_in_is_needed(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_the_navigations_reports_entry_opens_the_dashboard(client, manager_a, social_worker_a):
    client.force_login(manager_a)
    html = client.get("/").content.decode()
    assert re.search(r'<a[^>]*href="/reports/"[^>]*>\s*Reports\s*</a>', html)
    client.force_login(social_worker_a)
    assert 'href="/reports/"' not in client.get("/").content.decode()


# --- the figures ----------------------------------------------------------------------------------------------


def test_an_la_manager_sees_their_las_scorecard_and_pipeline(client, quarter, manager_a, la_a):
    client.force_login(manager_a)
    response = client.get(URL, Q4)
    text = _text(response)
    assert response.status_code == 200
    assert la_a.name in text
    assert "Q4 2025-26 (January to March 2026)" in text
    assert "The 3 years from 1 April 2023 to 31 March 2026" in text
    # A1: ASH-0001 387 days, ASH-0002 601, ASH-Z 513 (5 Jan 2024 to 5 Jan 2025 is 366 days, a leap year; then
    # 26 + 28 + 31 + 30 + 31 = 147 to 1 June 2025): (387 + 601 + 513) / 3 = 500.33 -> 500, over 426.
    assert (date(2025, 6, 1) - date(2024, 1, 5)).days == 513
    a1 = re.search(r'id="measure-a1".*?</tr>', response.content.decode(), re.S).group(0)
    assert "500 days" in a1
    assert "426 days" in a1
    assert "Not met" in a1
    assert _table(response, "app-dashboard-children") == {
        "New decisions that the child should be placed for adoption": "1",  # X
        "New placement orders": "1",  # X
        "Matched with an adoptive family": "2",  # Y and W
        "Moved in with an adoptive family": "1",  # Y
        "Adopted": "1",  # Z
        "Waiting on 31 March 2026 (a decision, not yet placed)": "2",  # X and W
    }
    # An LA's manager is not shown the RAA's families.
    assert "app-dashboard-adopters" not in response.content.decode()
    assert "its pipeline is shown to the agency's managers" in text


def test_an_raa_manager_sees_the_raas_children_and_adopters(client, quarter, manager, raa):
    client.force_login(manager)
    response = client.get(URL, {"area": f"raa-{raa.pk}", **Q4})
    text = _text(response)
    assert f"{raa.name}: 2 local authorities" in text
    # A1 over both LAs: (387 + 601 + 513 + 120) / 4 = 405.25 -> 405, within 426.
    a1 = re.search(r'id="measure-a1".*?</tr>', response.content.decode(), re.S).group(0)
    assert "405 days" in a1
    assert "Met" in a1 and "Not met" not in a1
    assert _table(response, "app-dashboard-children") == {
        "New decisions that the child should be placed for adoption": "2",  # X, and V of LA B
        "New placement orders": "1",
        "Matched with an adoptive family": "2",
        "Moved in with an adoptive family": "1",
        "Adopted": "1",
        "Waiting on 31 March 2026 (a decision, not yet placed)": "4",  # X, W, BRK-WAIT and V
    }
    assert _table(response, "app-dashboard-adopters") == {
        "Enquiries in the quarter": "1",  # H1
        "In stage 1 at the end of the quarter": "1",  # H2 (H8 left)
        "In stage 2 at the end of the quarter (including those awaiting the panel or the decision)": "3",  # H3 H4 H9
        "Approved and waiting to be matched at the end of the quarter": "1",  # H5
        "Matched in the quarter": "2",  # H6 and H7
    }
    assert f"Adopters approved by {raa.name}" in text


def test_the_trend_shows_each_31_march_against_the_thresholds(client, quarter, manager_a):
    client.force_login(manager_a)
    response = client.get(URL, Q4)
    rows = _trend(response)
    # The 3 years to 31 March 2023 hold no LA A adoption; to 2024 ASH-0001 (adopted 1 September 2023); to 2025
    # ASH-0001 and ASH-0002 (2 May 2024): (387 + 601) / 2 = 494; to 2026 also ASH-Z: 500. Thresholds: 426 and 121.
    assert [(row[0], row[1], row[2], row[5]) for row in rows] == [
        ("31 March 2023", "No figure", "426", "121"),
        ("31 March 2024", "387", "426", "121"),
        ("31 March 2025", "494", "426", "121"),
        ("31 March 2026", "500", "426", "121"),
    ]


def test_the_figures_are_the_scorecard_pages(client, quarter, manager, raa):
    """The dashboard shows the scorecard (not a figure of its own): A1, A10, A2 and A3 as the scorecard page has
    them for the same area and period end."""
    client.force_login(manager)
    query = {"area": f"raa-{raa.pk}", **Q4}
    dashboard = client.get(URL, query).content.decode()
    scorecard = client.get("/reports/scorecard/", query).content.decode()
    for code in ("a1", "a10", "a2"):
        row = re.compile(rf'id="measure-{code}".*?</tr>', re.S)
        assert _clean(row.search(dashboard).group(0)) == _clean(row.search(scorecard).group(0)), code
    figure = re.compile(r'id="measure-a3".*?<td[^>]*>(.*?)</td>', re.S)
    assert (
        _clean(figure.search(dashboard).group(1)).split(" ")[0]
        == _clean(figure.search(scorecard).group(1)).split(" ")[0]
    )


def test_each_scorecard_figure_links_to_its_drill_down_with_the_same_filters(client, quarter, manager, raa):
    client.force_login(manager)
    html = client.get(URL, {"area": f"raa-{raa.pk}", **Q4}).content.decode()
    query = f"area=raa-{raa.pk}&amp;period_end_day=31&amp;period_end_month=3&amp;period_end_year=2026"
    for code in ("a1", "a10", "a2", "a3"):
        assert f'href="/reports/scorecard/{code}/?{query}"' in html, code
    assert f'href="/reports/scorecard/?{query}"' in html  # the whole scorecard
    # The drill-down linked lists exactly the children A1 counts.
    drill = client.get(f"/reports/scorecard/a1/?{query.replace('&amp;', '&')}")
    assert drill.status_code == 200
    assert "4 children counted" in _text(drill)


def test_another_las_children_never_show(client, quarter, manager_a, la_b, la_other):
    client.force_login(manager_a)
    response = client.get(URL, Q4)
    html = response.content.decode()
    assert "BRK-" not in html and "CST-" not in html
    assert la_b.name not in html and la_other.name not in html
    # Neither LA B nor another RAA's LA is a choice for LA A's manager: the form refuses them.
    for la in (la_b, la_other):
        refused = client.get(URL, {"area": f"la-{la.pk}", **Q4})
        assert refused.status_code == 200
        assert "Choose local authorities from the list" in _text(refused)
        assert "app-dashboard-children" not in refused.content.decode()


def test_an_raa_manager_cannot_choose_another_raas_la(client, quarter, manager, la_other):
    client.force_login(manager)
    response = client.get(URL, {"area": f"la-{la_other.pk}", **Q4})
    assert "Choose local authorities from the list" in _text(response)
    assert "CST-" not in response.content.decode()
    assert "app-dashboard-scorecard" not in response.content.decode()


def test_the_charts_are_inline_svg_with_a_text_alternative_and_no_inline_styles(client, quarter, manager, raa):
    client.force_login(manager)
    html = client.get(URL, {"area": f"raa-{raa.pk}", **Q4}).content.decode()
    charts = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(charts) == 2
    for chart in charts:
        opening = re.match(r"<svg\b[^>]*>", chart).group(0)
        assert 'role="img"' in opening
        chart_id = re.search(r'aria-labelledby="([^"]+)"', opening).group(1)
        assert re.search(rf'<title id="{chart_id}">[^<]+</title>', chart)
        # The content security policy refuses inline styles: the colours are attributes.
        assert "style=" not in chart and "<style" not in chart
        assert 'fill="#' in chart
    # The pipeline chart shows the same numbers as the tables, as text.
    pipeline = next(chart for chart in charts if 'id="pipeline-chart"' in chart)
    assert "Approved, waiting" in pipeline and "New placement orders" in pipeline


def _pipeline_chart(response) -> str:
    return re.search(r'<svg\b[^>]*id="pipeline-chart".*?</svg>', response.content.decode(), re.S).group(0)


def test_a_chart_is_drawn_once_for_its_figures_and_again_when_a_figure_changes(
    client, quarter, manager, raa, la_a, monkeypatch
):
    from reporting import dashboard

    cache.clear()
    drawn: list[str] = []
    draw_pipeline, draw_trend = dashboard.pipeline_chart_svg, dashboard.trend_chart_svg
    monkeypatch.setattr(dashboard, "pipeline_chart_svg", lambda bars: drawn.append("pipeline") or draw_pipeline(bars))
    monkeypatch.setattr(dashboard, "trend_chart_svg", lambda points: drawn.append("trend") or draw_trend(points))
    client.force_login(manager)
    query = {"area": f"raa-{raa.pk}", **Q4}

    first = client.get(URL, query)
    assert sorted(drawn) == ["pipeline", "trend"]
    second = client.get(URL, query)
    assert sorted(drawn) == ["pipeline", "trend"]  # the second request draws nothing
    assert re.findall(r"<svg\b.*?</svg>", second.content.decode(), re.S) == re.findall(
        r"<svg\b.*?</svg>", first.content.decode(), re.S
    )

    # A new decision in the quarter: the children's pipeline has a new figure, so its chart is drawn again.
    assert _table(second, "app-dashboard-children")["New decisions that the child should be placed for adoption"] == "2"
    late = factories.ChildFactory(responsible_la=la_a, la_child_id="ASH-LATE")
    factories.AdoptionDecisionFactory(child=late, decided_on=date(2026, 3, 2))
    third = client.get(URL, query)
    assert _table(third, "app-dashboard-children")["New decisions that the child should be placed for adoption"] == "3"
    assert sorted(drawn) == ["pipeline", "pipeline", "trend"]  # the trend's figures did not change
    assert _pipeline_chart(third) != _pipeline_chart(second)
    assert _pipeline_chart(client.get(URL, query)) == _pipeline_chart(third)  # and is kept in turn
    assert len(drawn) == 3


def test_a_chart_is_drawn_when_the_cache_is_unreachable(client, quarter, manager, raa, monkeypatch):
    from adoption import caching

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(caching.cache, "get", unreachable)
    monkeypatch.setattr(caching.cache, "set", unreachable)
    client.force_login(manager)
    response = client.get(URL, {"area": f"raa-{raa.pk}", **Q4})
    assert response.status_code == 200
    assert "Approved, waiting" in _pipeline_chart(response)


def test_the_queries_do_not_grow_with_the_children(client, quarter, manager, raa, la_a):
    """Every figure is an aggregate in the database: more children, the same number of queries."""
    client.force_login(manager)
    query = {"area": f"raa-{raa.pk}", **Q4}
    client.get(URL, query)  # the first request reads what is read once (the content types, the thresholds' table)
    with CaptureQueriesContext(connection) as before:
        client.get(URL, query)
    for n in range(5):
        child = factories.ChildFactory(responsible_la=la_a, la_child_id=f"ASH-MORE-{n}")
        factories.AdoptionDecisionFactory(child=child, decided_on=date(2026, 2, 1))
        factories.adopted_child(
            la_a, entered_care=date(2023, 1, 1), moved_in=date(2024, 1, 1), adoption_order=date(2026, 1, 1)
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(URL, query)
    assert len(after) == len(before)
    assert (
        _table(response, "app-dashboard-children")["New decisions that the child should be placed for adoption"] == "7"
    )


# --- choosing the period --------------------------------------------------------------------------------------


def test_with_no_choice_it_shows_the_last_quarter_that_ended(client, quarter, manager_a):
    client.force_login(manager_a)
    with time_machine.travel(datetime(2026, 4, 2, 12, tzinfo=UTC), tick=False):
        response = client.get(URL)
    assert "Q4 2025-26 (January to March 2026)" in _text(response)
    assert 'name="period_end_day" value="31"' in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("30", "4", "2026"), "The end of the quarter must be the last day of a quarter"),
        (("31", "2", "2026"), "The end of the quarter must be a real date"),
        (("31", "", "2026"), "The end of the quarter must include a month"),
        (("31", "12", "2099"), "The quarter must have ended"),
    ],
)
def test_a_bad_period_is_explained_and_what_was_typed_is_kept(client, quarter, manager_a, typed, message):
    client.force_login(manager_a)
    day, month, year = typed
    response = client.get(URL, {"period_end_day": day, "period_end_month": month, "period_end_year": year})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in _text(response)
    assert message in _text(response)
    assert f'name="period_end_day" value="{day}"' in html
    assert f'name="period_end_year" value="{year}"' in html
    assert "app-dashboard-children" not in html


def test_the_quarter_ending_today_has_not_ended(client, quarter, manager_a):
    client.force_login(manager_a)
    with time_machine.travel(datetime(2026, 6, 30, 12, tzinfo=UTC), tick=False):
        response = client.get(URL, {"period_end_day": "30", "period_end_month": "6", "period_end_year": "2026"})
    assert "The quarter must have ended" in _text(response)


# --- the latest files -----------------------------------------------------------------------------------------


def _return(organisation, period_end: date, version: int) -> QuarterlyReturn:
    return QuarterlyReturn.objects.create(
        organisation=organisation, period_start=period_end - timedelta(days=90), period_end=period_end, version=version
    )


def _job(organisation, kind=Job.Kind.SCORECARD, status=Job.Status.SUCCEEDED, **fields) -> Job:
    return Job.objects.create(kind=kind, organisation=organisation, status=status, **fields)


def test_the_latest_files_are_the_users_organisations_only(client, manager_a, la_a, la_b):
    _return(la_a, date(2025, 12, 31), 1)
    _return(la_a, date(2026, 3, 31), 1)
    latest = _return(la_a, date(2026, 3, 31), 2)
    of_b = _return(la_b, date(2026, 3, 31), 1)
    scorecard = _job(la_a, params={"label": la_a.name})
    a1 = _job(la_a, kind=Job.Kind.A1_REPORT)
    running = _job(la_a, status=Job.Status.RUNNING)
    import_job = _job(la_a, kind=Job.Kind.SSDA903_IMPORT)
    of_b_job = _job(la_b)
    client.force_login(manager_a)
    html = client.get(URL, Q4).content.decode()
    returns = re.search(r'<table class="govuk-table app-dashboard-returns">.*?</table>', html, re.S).group(0)
    assert "To 31 March 2026, version 2" in _clean(returns)
    assert "version 1" not in _clean(returns)
    for name in ("return-xlsx", "return-children-csv", "return-families-csv", "return-pdf"):
        assert f'href="{reverse(f"reporting:{name}", args=[latest.pk])}"' in returns
    assert f"/reports/returns/{of_b.pk}/" not in html
    jobs = re.search(r'<table class="govuk-table app-dashboard-jobs">.*?</table>', html, re.S).group(0)
    assert f'href="/jobs/{scorecard.pk}/"' in jobs
    assert f"Adoption scorecard (PDF): {la_a.name}" in _clean(jobs)
    assert f'href="/jobs/{a1.pk}/"' in jobs
    for hidden in (running, import_job, of_b_job):
        assert str(hidden.pk) not in html


def test_with_no_files_it_says_so(client, manager_a):
    client.force_login(manager_a)
    text = _text(client.get(URL, Q4))
    assert "No quarterly return yet" in text
    assert "No report has been made yet" in text
