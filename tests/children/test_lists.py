"""The lists of children against a hand-built region, with today frozen at 30 June 2025.

Every figure asserted here was worked out by hand from the dates below, not by the code under test.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adoption.models import AuditEvent
from children import selectors
from children.journey import HarderToPlace, Stage, harder_to_place, stage_of
from children.models import (
    AdoptionDecision,
    FamilyFindingStatus,
    PermanenceOutcome,
    ProceedingsTracking,
    SiblingGroup,
    SiblingGroupMember,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2025, 6, 30, 12, 0, tzinfo=UTC), tick=False):
        yield


def make_child(la, name: str, *, born=date(2021, 5, 1), care=None, decision=None, order=None, **fields):
    first, last = name.split()
    child = factories.ChildFactory(responsible_la=la, first_name=first, last_name=last, date_of_birth=born, **fields)
    if care:
        factories.PeriodOfCareFactory(child=child, started_on=care)
    if decision:
        factories.AdoptionDecisionFactory(child=child, decided_on=decision)
    if order:
        factories.PlacementOrderFactory(child=child, made_on=order)
    return child


@pytest.fixture
def region(la_a, la_b):
    """LA A's children at every stage, with waiting times on and either side of each band's edge."""
    c = {}
    # Waiting: open decision, not placed. Days since decision (and since the placement order) by hand:
    c["alfie"] = make_child(la_a, "Alfie Abbott", care=date(2025, 1, 10), decision=date(2025, 5, 1))  # 60
    c["bella"] = make_child(la_a, "Bella Baker", care=date(2024, 9, 1), decision=date(2025, 4, 1))  # 90
    c["cara"] = make_child(
        la_a, "Cara Carter", care=date(2024, 1, 5), decision=date(2024, 6, 30), order=date(2024, 7, 15)
    )  # 365 (exactly 12 months), order 350
    c["ola"] = make_child(
        la_a, "Ola Owen", care=date(2023, 6, 1), decision=date(2023, 12, 30)
    )  # 548 (exactly 18 months)
    c["dan"] = make_child(
        la_a, "Dan Dixon", care=date(2023, 6, 1), decision=date(2023, 12, 1), order=date(2024, 1, 15)
    )  # 577, order 532
    c["evie"] = make_child(
        la_a,
        "Evie Evans",
        born=date(2018, 1, 1),
        care=date(2022, 10, 1),
        decision=date(2023, 3, 1),
        order=date(2023, 6, 1),
        ethnicity="BCRB",
        has_disability=True,
    )  # 852, order 760
    c["gus"] = make_child(
        la_a, "Gus Green", care=date(2023, 9, 1), decision=date(2024, 2, 1), order=date(2024, 3, 1)
    )  # 515, order 486
    factories.AdoptivePlacementFactory(child=c["gus"], matched_on=date(2024, 6, 1), placed_on=None)  # matched only
    # Not waiting.
    c["finn"] = make_child(
        la_a, "Finn Fisher", care=date(2023, 1, 1), decision=date(2024, 1, 1), order=date(2024, 2, 1)
    )
    factories.AdoptivePlacementFactory(child=c["finn"], matched_on=date(2024, 5, 1), placed_on=date(2024, 6, 1))
    c["hana"] = make_child(la_a, "Hana Hughes", care=date(2023, 1, 1), ethnicity="REFU")
    AdoptionDecision.objects.create(
        child=c["hana"], decided_on=date(2024, 1, 1), reversed_on=date(2024, 6, 1), reversal_reason="RD1"
    )
    c["leo"] = factories.adopted_child(
        la_a, entered_care=date(2021, 1, 1), moved_in=date(2022, 6, 1), first_name="Leo", last_name="Lewis"
    )
    c["mia"] = make_child(la_a, "Mia Moore", care=date(2025, 2, 1), ethnicity="WIRI")  # in care, no plan yet
    c["noah"] = make_child(la_a, "Noah Nash", care=date(2023, 2, 1))
    PermanenceOutcome.objects.create(child=c["noah"], kind="sgo", made_on=date(2024, 2, 1))
    # Looked after for six months, then home to her parents (903 REC E4A): no adoption plan.
    c["rosa"] = make_child(la_a, "Rosa Reed")
    factories.PeriodOfCareFactory(
        child=c["rosa"], started_on=date(2024, 3, 1), ended_on=date(2024, 9, 1), reason_ended="E4A"
    )
    # Before care: an unborn baby and two children in the court process.
    c["ivy"] = make_child(la_a, "Ivy Irwin", born=None, expected_date_of_birth=date(2025, 9, 1))
    ProceedingsTracking.objects.create(child=c["ivy"], stage="pre_birth", stage_from=date(2025, 5, 1))
    c["jack"] = make_child(la_a, "Jack Jones", born=date(2020, 6, 30))  # five today
    ProceedingsTracking.objects.create(child=c["jack"], stage="pre_proceedings", stage_from=date(2024, 10, 1))
    ProceedingsTracking.objects.create(
        child=c["jack"], stage="care_proceedings", stage_from=date(2024, 12, 1), final_hearing_on=date(2025, 5, 20)
    )
    c["kit"] = make_child(la_a, "Kit King", born=date(2020, 7, 1))  # five tomorrow
    ProceedingsTracking.objects.create(child=c["kit"], stage="pre_proceedings", stage_from=date(2025, 6, 1))
    # Family finding: Alfie's latest status is on hold; Bella is actively sought.
    FamilyFindingStatus.objects.create(child=c["alfie"], status="active", status_from=date(2025, 5, 10))
    FamilyFindingStatus.objects.create(child=c["alfie"], status="on_hold", status_from=date(2025, 6, 1))
    FamilyFindingStatus.objects.create(child=c["bella"], status="active", status_from=date(2025, 4, 15))
    # Cara and Dan are sisters.
    group = SiblingGroup.objects.create(responsible_la=la_a, name="Carter-Dixon siblings", plan="together")
    SiblingGroupMember.objects.bulk_create([SiblingGroupMember(group=group, child=c[k]) for k in ("cara", "dan")])
    # LA B: waiting longest of all, seen only by the RAA's staff.
    c["bertie"] = make_child(la_b, "Bertie Brookes", care=date(2021, 1, 1), decision=date(2021, 6, 1))
    return c


def names(children) -> list[str]:
    return [child.first_name for child in children]


def cells(response) -> list[list[str]]:
    """The rows of the page's first table, as the text in each cell."""
    body = response.content.decode()
    table = body[body.index("<tbody") : body.index("</tbody>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]


# --- children waiting -----------------------------------------------------------------------------------


WAITING = [  # longest first: name, days since the decision, placement order, days since it
    ["Evie Evans", "852", "1 Jun 2023", "760"],
    ["Dan Dixon", "577", "15 Jan 2024", "532"],
    ["Ola Owen", "548", "None yet", "\N{EN DASH}"],
    ["Gus Green", "515", "1 Mar 2024", "486"],
    ["Cara Carter", "365", "15 Jul 2024", "350"],
    ["Bella Baker", "90", "None yet", "\N{EN DASH}"],
    ["Alfie Abbott", "60", "None yet", "\N{EN DASH}"],
]


def test_the_children_waiting_page_matches_the_hand_built_figures(client, social_worker_a, region):
    client.force_login(social_worker_a)
    response = client.get(reverse("children:waiting"))
    rows = cells(response)
    # Columns: child, stage, decision, days since decision, placement order, days since the order, family finding.
    assert [[r[0], r[3], r[4], r[5]] for r in rows] == WAITING
    assert rows[0][1] == "Placement order made"
    assert rows[3][1] == "Matched"  # Gus: matched, not yet moved in, still waiting
    assert rows[-1][6] == "On hold"  # Alfie's latest family-finding status
    body = html.unescape(response.content.decode())
    for label, count in [
        ("All children waiting", 7),
        ("Over 90 days since the decision", 5),  # Bella, at exactly 90 days, is not over 90
        ("12 months or more since the placement order", 3),  # Evie, Dan, Gus; Cara's order is 350 days old
        ("18 months or more since the placement order", 1),  # Evie
    ]:
        assert re.search(rf"{re.escape(label)}\s*<span class=\"app-count\">\({count}\)</span>", body), label


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("over_90_days", ["Evie", "Dan", "Ola", "Gus", "Cara"]),
        ("order_12_months", ["Evie", "Dan", "Gus"]),
        ("order_18_months", ["Evie"]),
        ("all", ["Evie", "Dan", "Ola", "Gus", "Cara", "Bella", "Alfie"]),
        ("nonsense", ["Evie", "Dan", "Ola", "Gus", "Cara", "Bella", "Alfie"]),
    ],
)
def test_the_views_of_children_waiting(client, social_worker_a, region, view, expected):
    client.force_login(social_worker_a)
    rows = cells(client.get(reverse("children:waiting"), {"view": view}))
    assert [row[0].split()[0] for row in rows] == expected


def test_the_raa_sees_both_las_children_waiting(family_finder, region):
    assert names(selectors.children_waiting(actor=family_finder))[0] == "Bertie"
    assert selectors.children_waiting_counts(actor=family_finder) == {
        "all": 8,
        "over_90_days": 6,
        "order_12_months": 3,
        "order_18_months": 1,
    }


def test_the_child_page_shows_the_days_waiting(client, social_worker_a, region):
    client.force_login(social_worker_a)
    text = html.unescape(re.sub(r"<[^>]+>", " ", client.get(f"/children/{region['dan'].pk}/").content.decode()))
    text = re.sub(r"\s+", " ", text)
    assert "Days since the decision 577 (over 18 months)" in text
    assert "Carter-Dixon siblings" in text
    assert "Waiting over 12 months since the placement order" in text
    assert "Waiting over 18 months since the placement order" not in text  # the order is 17 months old


# --- the child list: filters, sort, export -----------------------------------------------------------------


def listed(actor, **filters) -> list[str]:
    return names(selectors.child_list(actor=actor, **filters))


def test_the_stage_filter_agrees_with_stage_of_for_every_stage(social_worker_a, region):
    children = list(selectors.child_list(actor=social_worker_a))
    stages = {child.first_name: child.journey_stage for child in children}
    assert stages == {child.first_name: stage_of(selectors.journey_dates(child)) for child in children}
    assert set(stages.values()) == set(Stage.values)  # the region has a child at every stage
    assert listed(social_worker_a, stage=Stage.DECISION) == ["Alfie", "Bella", "Ola"]
    assert listed(social_worker_a, stage=Stage.PLACEMENT_ORDER) == ["Cara", "Dan", "Evie"]
    assert listed(social_worker_a, stage=Stage.PRE_BIRTH) == ["Ivy"]
    assert listed(social_worker_a, stage=Stage.NOT_IN_CARE) == ["Jack", "Kit"]
    assert listed(social_worker_a, stage=Stage.REVERSED) == ["Hana"]
    assert listed(social_worker_a, stage=Stage.OTHER_PERMANENCE) == ["Noah"]
    assert listed(social_worker_a, stage=Stage.LEFT_CARE) == ["Rosa"]


@given(
    care=st.booleans(),
    decision=st.sampled_from(["none", "open", "reversed"]),
    order=st.booleans(),
    match=st.sampled_from(["none", "matched", "placed", "ended"]),
    outcome=st.sampled_from(["none", "adoption_order", "sgo"]),
    born=st.booleans(),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_database_stage_is_stage_of_for_any_journey(
    social_worker_a, la_a, care, decision, order, match, outcome, born
):
    """Any combination of records: the CASE in the database and children.journey.stage_of agree."""
    with transaction.atomic():
        child = make_child(
            la_a,
            "Any Child",
            born=date(2021, 1, 1) if born else None,
            expected_date_of_birth=None if born else date(2025, 8, 1),
            care=date(2022, 1, 1) if care else None,
            order=date(2022, 9, 1) if order else None,
        )
        if decision != "none":
            AdoptionDecision.objects.create(
                child=child,
                decided_on=date(2022, 6, 1),
                reversed_on=date(2023, 1, 1) if decision == "reversed" else None,
                reversal_reason="RD4" if decision == "reversed" else "",
            )
        if match != "none":
            factories.AdoptivePlacementFactory(
                child=child,
                matched_on=date(2023, 2, 1),
                placed_on=None if match == "matched" else date(2023, 3, 1),
                ended_on=date(2023, 4, 1) if match == "ended" else None,
            )
        if outcome != "none":
            PermanenceOutcome.objects.create(child=child, kind=outcome, made_on=date(2024, 1, 1))
        row = selectors.child_list(actor=social_worker_a).get(pk=child.pk)
        assert row.journey_stage == stage_of(selectors.journey_dates(row))
        assert selectors.child_list(actor=social_worker_a, stage=row.journey_stage).filter(pk=child.pk).exists()
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("under_90_days", ["Alfie"]),
        ("90_days_to_12_months", ["Bella"]),
        ("12_to_18_months", ["Cara", "Gus", "Ola"]),  # both anniversaries included (Cara, Ola)
        ("over_18_months", ["Dan", "Evie"]),
    ],
)
def test_the_waiting_time_bands(social_worker_a, region, band, expected):
    assert listed(social_worker_a, band=band) == expected


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["aged_5_or_over"], ["Evie", "Jack", "Leo"]),  # Jack is five today; Kit is five tomorrow
        (["minority_ethnic"], ["Evie", "Mia"]),  # WIRI counts; Hana's REFU (refused) does not
        (["disabled"], ["Evie"]),
        (["sibling_group"], ["Cara", "Dan"]),
        (["waiting_18_months"], ["Dan", "Evie"]),  # Ola, at exactly 18 months, is not over
        (["sibling_group", "waiting_18_months"], ["Dan"]),  # every ticked characteristic
    ],
)
def test_the_harder_to_place_filters(social_worker_a, region, flags, expected):
    assert listed(social_worker_a, flags=flags) == expected


def test_the_flag_filters_agree_with_harder_to_place(social_worker_a, region):
    """The database filters and the pure function (used on the child's page and in the export) agree."""
    children = list(selectors.child_list(actor=social_worker_a))
    for flag in HarderToPlace:
        by_function = [
            child.first_name
            for child in children
            if flag
            in harder_to_place(
                dates=selectors.journey_dates(child),
                ethnicity=child.ethnicity,
                has_disability=child.has_disability,
                in_sibling_group=child.in_sibling_group,
                today=TODAY,
            )
        ]
        assert listed(social_worker_a, flags=[flag]) == by_function, flag


def test_the_family_finding_filter_uses_the_latest_status(social_worker_a, region):
    assert listed(social_worker_a, family_finding="active") == ["Bella"]
    assert listed(social_worker_a, family_finding="on_hold") == ["Alfie"]
    assert "Alfie" not in listed(social_worker_a, family_finding="none")
    assert len(listed(social_worker_a, family_finding="none")) == 16 - 2  # LA A has 16 children, 2 with a status


def test_sorting(social_worker_a, region):
    by_name = listed(social_worker_a)
    assert by_name == sorted(by_name, key=lambda n: {c.first_name: c.last_name for c in region.values()}[n])
    assert listed(social_worker_a, sort="-name") == list(reversed(by_name))
    assert listed(social_worker_a, sort="-waiting")[:7] == ["Evie", "Dan", "Ola", "Gus", "Cara", "Bella", "Alfie"]
    assert listed(social_worker_a, sort="waiting")[:7] == ["Alfie", "Bella", "Cara", "Gus", "Ola", "Dan", "Evie"]
    assert listed(social_worker_a, sort="date_of_birth")[:3] == ["Evie", "Leo", "Jack"]
    assert listed(social_worker_a, sort="-date_of_birth")[0] == "Ivy"  # expected in September
    assert listed(social_worker_a, sort="'; drop table children_child; --") == by_name  # not on the list: by name


def test_the_list_page_filters_and_sorts_from_the_query_string(client, social_worker_a, region):
    client.force_login(social_worker_a)
    response = client.get(reverse("children:list"), {"band": "over_18_months", "sort": "-waiting"})
    rows = cells(response)
    assert [(row[0], row[-1]) for row in rows] == [("Evie Evans", "852"), ("Dan Dixon", "577")]
    assert "2 children." in response.content.decode()
    # The search box keeps the chosen filters, and the filters keep the search.
    body = response.content.decode()
    assert '<input type="hidden" name="band" value="over_18_months">' in body
    response = client.get(reverse("children:list"), {"q": "Evans", "flags": ["disabled", "aged_5_or_over"]})
    assert [row[0] for row in cells(response)] == ["Evie Evans"]
    assert re.search(r'value="disabled" checked', response.content.decode())


def test_the_list_page_ignores_an_unknown_filter_value(client, social_worker_a, region):
    client.force_login(social_worker_a)
    response = client.get(reverse("children:list"), {"stage": "nonsense", "sort": "evil"})
    assert response.status_code == 200
    assert len(cells(response)) == 16  # all of LA A's children


def read_csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="children-2025-06-30.csv"'
    assert response.content.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_export_is_the_filtered_list_and_is_audited(client, social_worker_a, la_a, region):
    client.force_login(social_worker_a)
    response = client.get(reverse("children:export"), {"band": "over_18_months", "sort": "-waiting"})
    rows = read_csv(response)
    assert [(r["First name"], r["Days waiting"], r["Time since the decision"]) for r in rows] == [
        ("Evie", "852", "Over 18 months"),
        ("Dan", "577", "Over 18 months"),
    ]
    evie = rows[0]
    assert evie["Local authority"] == "Ashby Borough"
    assert evie["Decision"] == "2023-03-01"
    assert evie["Placement order"] == "2023-06-01"
    assert evie["Stage"] == "Placement order made"
    assert evie["Harder to place"] == ("Aged 5 or over; Black and minority ethnic; Disabled; Waiting over 18 months")
    assert rows[1]["Sibling group"] == "Carter-Dixon siblings"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.organisation_id, event.object_type) == (social_worker_a, la_a.pk, "children.child")
    # Every page, not the first 25; and never LA B's children.
    everything = read_csv(client.get(reverse("children:export")))
    assert len(everything) == 16  # all of LA A's children
    assert "Bertie" not in {r["First name"] for r in everything}


def test_the_csv_export_neutralises_spreadsheet_formulas(client, social_worker_a, la_a):
    factories.ChildFactory(
        responsible_la=la_a,
        first_name='=HYPERLINK("http://evil.example","x")',
        last_name="+Smith",
        la_child_id="-12",
        child_903_id="@A1",
        upn="\tTAB",
    )
    factories.ChildFactory(responsible_la=la_a, first_name="\rCarriage", last_name="Plain-Name", la_child_id="A-1")
    client.force_login(social_worker_a)
    rows = {row["LA child ID"]: row for row in read_csv(client.get(reverse("children:export")))}
    first, second = rows["'-12"], rows["A-1"]
    assert first["First name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert first["Last name"] == "'+Smith"
    assert first["LA child ID"] == "'-12"
    assert first["903 child ID"] == "'@A1"
    assert first["UPN"] == "'\tTAB"
    assert second["First name"] == "'\rCarriage"
    # Text that only contains those characters later is left alone.
    assert second["Last name"] == "Plain-Name"
    assert second["LA child ID"] == "A-1"


# --- the court and pre-birth tracker -------------------------------------------------------------------------


def test_the_tracker(client, social_worker_a, region):
    client.force_login(social_worker_a)
    response = client.get(reverse("children:tracker"))
    body = response.content.decode()
    sections = re.split(r'<h2 class="govuk-heading-l" id="', body)[1:]
    content = {section.split('"')[0]: cells_of(section) for section in sections}
    assert [row[:5] for row in content["unborn"]] == [
        ["Ivy Irwin", "1 Sep 2025", "Pre-birth assessment", "1 May 2025", "Not listed"]
    ]
    assert [row[:5] for row in content["pre-proceedings"]] == [
        ["Kit King", "1 Jul 2020", "Pre-proceedings (PLO)", "1 Jun 2025", "Not listed"]
    ]
    # Jack: care proceedings from 1 December 2024; 26 weeks end on 1 June 2025; the hearing date has passed.
    assert content["care-proceedings"] == [
        ["Jack Jones", "30 Jun 2020", "Care proceedings", "1 Dec 2024", "20 May 2025 Passed", "1 Jun 2025 Overdue"]
    ]


def cells_of(fragment: str) -> list[list[str]]:
    if "<tbody" not in fragment:
        return []
    table = fragment[fragment.index("<tbody") : fragment.index("</tbody>")]
    return [
        [
            re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", cell))).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_the_list_rows_show_each_childs_cells_escaped():
    """The child list's rows (children.tables): the name linking to the child's page, the LA child ID or a dash,
    the LA when the list spans more than one, the date of birth or the expected one, the stage and the days."""
    from adoption.models import Organisation
    from children.models import Child
    from children.selectors import ListRow
    from children.tables import list_rows

    la = Organisation(pk=41, name="Bath & <North> East", kind=Organisation.Kind.LA)
    born = Child(pk=7, first_name="Ana <b>", last_name="O'Neil & Co", la_child_id="A&1", responsible_la=la)
    born.date_of_birth = date(2019, 6, 9)
    unborn = Child(pk=8, first_name="Baby", last_name="Doe", la_child_id="", responsible_la=la)
    unborn.expected_date_of_birth = date(2026, 1, 3)
    rows = [ListRow(born, Stage.PLACEMENT_ORDER, 1234), ListRow(unborn, Stage.PRE_BIRTH, None)]

    with_la = str(list_rows(rows, show_la=True))
    assert cells_of(f"<tbody>{with_la}</tbody>") == [
        ["Ana <b> O'Neil & Co", "A&1", "Bath & <North> East", "9 Jun 2019", Stage.PLACEMENT_ORDER.label, "1,234"],
        ["Baby Doe", "\u2013", "Bath & <North> East", "Expected 3 Jan 2026", "Unborn baby", "\u2013"],
    ]
    assert (
        f'<a class="govuk-link" href="{reverse("children:detail", args=[7])}">Ana &lt;b&gt; O&#x27;Neil &amp; Co</a>'
        in with_la
    )
    assert "<b>" not in with_la and "<North>" not in with_la
    assert "govuk-table__cell--numeric" in with_la

    without_la = str(list_rows(rows, show_la=False))
    assert [len(row) for row in cells_of(f"<tbody>{without_la}</tbody>")] == [5, 5]
    assert "Bath" not in without_la
