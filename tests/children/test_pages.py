"""The child's pages: every "Record…" form, as a social worker uses it and as others may not."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from adoption.models import AuditEvent, Role
from children import services
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    PlacementOrder,
    SiblingGroup,
)
from tests import factories
from tests.children.conftest import DECISION, ENTERED_CARE, MATCHED, PLACED, PLACEMENT_ORDER, date_fields

pytestmark = pytest.mark.django_db


def timeline(response) -> list[tuple[str, str]]:
    """The child page's timeline as (title, ISO date) pairs, in page order."""
    body = response.content.decode()
    pattern = r'app-timeline__title">(.*?)</p>\s*<p class="app-timeline__date"><time datetime="([\d-]+)"'
    return [(html.unescape(title), day) for title, day in re.findall(pattern, body)]


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def url(name: str, child) -> str:
    return reverse(f"children:{name}", kwargs={"child_id": child.pk})


# (fixture giving the child, page, what the social worker types, the timeline entry it adds)
SUCCESS = [
    (
        "child_a",
        "entered-care",
        {
            **date_fields("started_on", ENTERED_CARE),
            "legal_status": "C2",
            "category_of_need": "N1",
            "placement_type": "U6",
        },
        ("Entered care", "2022-01-10"),
    ),
    (
        "child_in_care",
        "episode",
        {
            **date_fields("started_on", date(2022, 3, 1)),
            "reason_new_episode": "P",
            "legal_status": "C2",
            "category_of_need": "N1",
            "placement_type": "U4",
            "reason_place_change": "CARPL",
        },
        ("Moved to a new placement", "2022-03-01"),
    ),
    (
        "child_in_care",
        "left-care",
        {**date_fields("ended_on", date(2022, 5, 2)), "reason_ended": "E4A"},
        ("Left care", "2022-05-02"),
    ),
    (
        "child_in_care",
        "decision",
        date_fields("decided_on", DECISION),
        ("Decision: should be placed for adoption", "2022-06-01"),
    ),
    (
        "child_with_decision",
        "reverse-decision",
        {**date_fields("reversed_on", date(2022, 7, 4)), "reason": "RD1"},
        ("Decision reversed", "2022-07-04"),
    ),
    (
        "child_with_decision",
        "placement-order",
        {**date_fields("made_on", PLACEMENT_ORDER), "order_type": "E1", "court": "Leeds Family Court"},
        ("Placement order (E1)", "2022-09-01"),
    ),
    (
        "child_with_order",
        "match",
        {**date_fields("matched_on", MATCHED), **date_fields("placed_on"), "with_foster_carers": "no"},
        ("Matched", "2023-01-10"),
    ),
    (
        "child_placed",
        "permanence-outcome",
        {"kind": "adoption_order", **date_fields("made_on", date(2023, 9, 1)), "court": "Leeds Family Court"},
        ("Adoption order", "2023-09-01"),
    ),
    (
        "child_with_decision",
        "family-finding",
        {"status": "active", **date_fields("status_from", date(2022, 6, 15)), "note": ""},
        ("Family finding: Actively family finding", "2022-06-15"),
    ),
    (
        "child_with_decision",
        "featuring",
        {"channel": "link_maker", **date_fields("featured_on", date(2022, 10, 5))},
        ("Featured: Link Maker", "2022-10-05"),
    ),
    (
        "child_in_care",
        "early-permanence",
        {"kind": "ffa", **date_fields("started_on", date(2022, 2, 1))},
        ("Fostering for adoption placement began", "2022-02-01"),
    ),
    (
        "child_a",
        "proceedings",
        {
            "stage": "care_proceedings",
            **date_fields("stage_from", date(2021, 11, 1)),
            **date_fields("final_hearing_on", date(2022, 4, 1)),
        },
        ("Care proceedings", "2021-11-01"),
    ),
    (
        "child_in_care",
        "permanence-report",
        {
            "status": "in_progress",
            **date_fields("started_on", date(2022, 6, 20)),
            **date_fields("due_on", date(2022, 8, 1)),
            **date_fields("completed_on"),
        },
        ("Child's Permanence Report started", "2022-06-20"),
    ),
]


@pytest.mark.parametrize(("fixture", "page", "data", "entry"), SUCCESS, ids=[case[1] for case in SUCCESS])
def test_each_form_records_the_event_and_the_child_page_shows_it(
    client, social_worker_a, request, fixture, page, data, entry
):
    child = request.getfixturevalue(fixture)
    client.force_login(social_worker_a)
    before = timeline(client.get(url("detail", child)))
    assert entry not in before

    form = client.get(url(page, child))
    assert form.status_code == 200
    assert child.full_name in form.content.decode()

    response = client.post(url(page, child), data)
    assert response.status_code == 302, text_of(response)
    assert response["Location"] == url("detail", child)

    page_after = client.get(response["Location"])
    assert "govuk-notification-banner--success" in page_after.content.decode()
    assert entry in timeline(page_after)
    assert len(timeline(page_after)) > len(before)


def test_the_match_form_then_records_the_move_to_the_family(client, social_worker_a, child_with_order):
    client.force_login(social_worker_a)
    client.post(url("match", child_with_order), {**date_fields("matched_on", MATCHED), "with_foster_carers": "no"})
    # The form comes back filled with the match, so the social worker adds only the date the child moved in.
    form = client.get(url("match", child_with_order)).content.decode()
    assert 'name="matched_on_day" value="10"' in form
    data = {**date_fields("matched_on", MATCHED), **date_fields("placed_on", PLACED), "with_foster_carers": "no"}
    assert client.post(url("match", child_with_order), data).status_code == 302
    placement = AdoptivePlacement.objects.get(child=child_with_order)
    assert (placement.matched_on, placement.placed_on) == (MATCHED, PLACED)
    page = client.get(url("detail", child_with_order))
    assert ("Placed for adoption", "2023-02-01") in timeline(page)
    assert "Placed for adoption" in text_of(page)  # the stage


def test_the_child_page_shows_stage_days_waiting_next_step_and_overdue(client, social_worker_a, child_with_order):
    """Placement order 1 September 2022, no match: the A2 window (121 days) and 12 and 18 months have passed."""
    client.force_login(social_worker_a)
    page = text_of(client.get(url("detail", child_with_order)))
    assert "Placement order made" in page
    assert "Days since the decision" in page
    assert "Overdue" in page
    assert "Find a family and record the match: due 31 December 2022" in page
    assert "Waiting over 18 months since the placement order" in page
    assert "Waiting over 12 months" not in page  # only the longest wait passed is shown
    assert "Over 18 months" in page or "over 18 months" in page


def test_a_placement_order_before_the_decision_is_refused_with_rule_554_and_keeps_the_input(
    client, social_worker_a, child_with_decision
):
    client.force_login(social_worker_a)
    data = {**date_fields("made_on", date(2022, 5, 3)), "order_type": "D1", "court": "Leeds Family Court"}
    response = client.post(url("placement-order", child_with_decision), data)

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    body = response.content.decode()
    message = (
        "The placement order must be on or after the decision that the child should be placed for adoption "
        "(1 June 2022) (903 rule 554)"
    )
    assert message in html.unescape(body)
    # In the error summary, linked to the first box of the date, and beside the field.
    assert f'<a href="#id_made_on_0">{html.escape(message)}</a>' in body
    assert 'id="id_made_on_error"' in body
    assert "<title>Error: Record a placement order" in body
    # What the social worker typed is still there.
    assert 'name="made_on_day" value="3"' in body
    assert 'name="made_on_month" value="5"' in body
    assert 'name="made_on_year" value="2022"' in body
    assert 'value="Leeds Family Court"' in body
    assert re.search(r'value="D1"\s+checked', body)
    assert not PlacementOrder.objects.filter(child=child_with_decision).exists()


@pytest.mark.parametrize(
    ("fixture", "page", "data", "field", "message"),
    [
        (
            "child_in_care",
            "decision",
            date_fields("decided_on", date(2021, 12, 1)),
            "decided_on",
            "must be on or after the date they entered care (10 January 2022) (903 rule 334)",
        ),
        (
            "child_with_order",
            "match",
            {**date_fields("matched_on", date(2022, 5, 1)), "with_foster_carers": "no"},
            "matched_on",
            "The match must be on or after the decision that the child should be placed for adoption (1 June 2022) "
            "(903 rule 333)",
        ),
        (
            "child_with_order",
            "match",
            {
                **date_fields("matched_on", MATCHED),
                **date_fields("placed_on", date(2023, 1, 2)),
                "with_foster_carers": "no",
            },
            "placed_on",
            "The child must be matched (10 January 2023) on or before being placed for adoption (903 rule 331)",
        ),
        (
            "child_with_decision",
            "placement-order",
            {**date_fields("made_on", text=("31", "2", "2023")), "order_type": "E1"},
            "made_on",
            "The date of the order must be a real date",
        ),
        (
            "child_with_decision",
            "placement-order",
            {**date_fields("made_on"), "order_type": "E1"},
            "made_on",
            "Enter the date of the order",
        ),
        (
            "child_in_care",
            "entered-care",
            {
                **date_fields("started_on", date(2022, 3, 1)),
                "legal_status": "C2",
                "category_of_need": "N1",
                "placement_type": "U6",
            },
            "started_on",
            "The child is already in care: end the current period of care first",
        ),
        (
            "child_with_decision",
            "reverse-decision",
            date_fields("reversed_on", date(2022, 7, 4)),
            "reason",
            "Choose the reason",
        ),
    ],
    ids=["334", "333", "331", "not-a-date", "no-date", "already-in-care", "no-reason"],
)
def test_a_refused_event_shows_the_reason_on_its_field_and_saves_nothing(
    client, social_worker_a, request, fixture, page, data, field, message
):
    child = request.getfixturevalue(fixture)
    client.force_login(social_worker_a)
    before = timeline(client.get(url("detail", child)))
    response = client.post(url(page, child), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    body = html.unescape(response.content.decode())
    assert message in body
    error = re.search(rf'<p id="id_{field}_error" class="govuk-error-message">(.*?)</p>', body, re.S)
    assert error and message in error.group(1)
    assert timeline(client.get(url("detail", child))) == before


@pytest.mark.parametrize("page", ["placement-order", "decision", "family-finding", "update", "sibling-group-create"])
def test_a_reader_cannot_open_or_post_a_form(client, assessing_social_worker, child_with_decision, page):
    client.force_login(assessing_social_worker)  # sees the RAA's children, may not change them
    assert client.get(url("detail", child_with_decision)).status_code == 200
    assert client.get(url(page, child_with_decision)).status_code == 403
    data = {**date_fields("made_on", PLACEMENT_ORDER), "order_type": "E1"}
    assert client.post(url(page, child_with_decision), data).status_code == 403
    assert not PlacementOrder.objects.filter(child=child_with_decision).exists()


def test_record_links_are_shown_only_to_roles_that_may_write(
    client, social_worker_a, assessing_social_worker, child_with_decision
):
    link = url("placement-order", child_with_decision)
    client.force_login(social_worker_a)
    assert f'href="{link}"' in client.get(url("detail", child_with_decision)).content.decode()
    client.force_login(assessing_social_worker)
    body = client.get(url("detail", child_with_decision)).content.decode()
    assert f'href="{link}"' not in body
    assert ">Record<" not in body
    assert reverse("children:create") not in client.get(reverse("children:list")).content.decode()


@pytest.mark.parametrize("page", ["detail", "placement-order", "match", "update", "sibling-group-create"])
def test_another_las_child_is_not_found(client, social_worker_a, child_b, page):
    client.force_login(social_worker_a)
    assert client.get(url(page, child_b)).status_code == 404
    data = {**date_fields("made_on", PLACEMENT_ORDER), "order_type": "E1"}
    assert client.post(url(page, child_b), data).status_code == 404
    assert not PlacementOrder.objects.exists()


# --- adding a child ------------------------------------------------------------------------------------


def child_data(**overrides) -> dict[str, str]:
    data = {
        "first_name": "Poppy",
        "last_name": "Pennington",
        **date_fields("date_of_birth", date(2020, 2, 29)),
        **date_fields("expected_date_of_birth"),
        "sex": "F",
        "ethnicity": "MWBC",
        "has_disability": "no",
        "is_uasc": "no",
        "la_child_id": "A-9001",
        "child_903_id": "",
        "upn": "",
    }
    return {**data, **overrides}


def test_adding_a_child(client, social_worker_a, la_a):
    client.force_login(social_worker_a)
    form = client.get(reverse("children:create")).content.decode()
    assert f'<option value="{la_a.pk}" selected>Ashby Borough</option>' in form
    response = client.post(reverse("children:create"), child_data(responsible_la=la_a.pk))
    child = Child.objects.get(la_child_id="A-9001")
    assert response["Location"] == url("detail", child)
    page = text_of(client.get(response["Location"]))
    assert "Poppy Pennington" in page
    assert "29 February 2020" in page
    assert "White and Black Caribbean" in page
    assert AuditEvent.objects.filter(action="create", object_id=str(child.pk)).exists()


def test_an_unborn_baby_is_added_with_the_expected_date(client, social_worker_a, la_a):
    client.force_login(social_worker_a)
    data = child_data(
        responsible_la=la_a.pk,
        **date_fields("date_of_birth"),
        **date_fields("expected_date_of_birth", date(2030, 1, 5)),
        la_child_id="",
    )
    response = client.post(reverse("children:create"), data)
    assert response.status_code == 302
    page = text_of(client.get(response["Location"]))
    assert "Unborn baby" in page
    assert "Expected date of birth 5 January 2030" in page


def test_adding_a_child_is_limited_to_the_las_the_user_sees(client, social_worker_a, family_finder, la_a, la_b):
    client.force_login(social_worker_a)
    form = client.get(reverse("children:create")).content.decode()
    assert "Brookfield County" not in form
    response = client.post(reverse("children:create"), child_data(responsible_la=la_b.pk))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Choose the local authority" in response.content.decode()
    assert not Child.objects.filter(la_child_id="A-9001").exists()
    # An RAA family finder chooses among the RAA's LAs.
    client.force_login(family_finder)
    form = client.get(reverse("children:create")).content.decode()
    assert "Ashby Borough" in form and "Brookfield County" in form


def test_adding_a_child_with_a_used_la_id_says_so_and_keeps_the_input(client, social_worker_a, la_a, child_a):
    client.force_login(social_worker_a)
    response = client.post(
        reverse("children:create"), child_data(responsible_la=la_a.pk, la_child_id=child_a.la_child_id)
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    body = html.unescape(response.content.decode())
    assert "A child with this LA child ID is already recorded for this local authority" in body
    assert 'id="id_la_child_id_error"' in body
    assert 'value="Pennington"' in body
    assert Child.objects.filter(last_name="Pennington").count() == 0


def test_a_child_with_neither_birth_date_is_refused(client, social_worker_a, la_a):
    client.force_login(social_worker_a)
    response = client.post(
        reverse("children:create"), child_data(responsible_la=la_a.pk, **date_fields("date_of_birth"))
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Enter the date of birth, or the expected date of birth for an unborn baby" in response.content.decode()


def test_changing_a_childs_details(client, social_worker_a, child_a):
    client.force_login(social_worker_a)
    form = client.get(url("update", child_a)).content.decode()
    assert 'value="Amelia"' in form  # the current details
    data = child_data(first_name="Amelie", last_name="Ashdown", la_child_id=child_a.la_child_id, has_disability="yes")
    assert client.post(url("update", child_a), data).status_code == 302
    child_a.refresh_from_db()
    assert (child_a.first_name, child_a.has_disability, child_a.responsible_la.name) == (
        "Amelie",
        True,
        "Ashby Borough",
    )
    assert "Amelie Ashdown" in text_of(client.get(url("detail", child_a)))


# --- sibling groups ------------------------------------------------------------------------------------------


@pytest.fixture
def sister(la_a):
    return factories.ChildFactory(
        responsible_la=la_a, first_name="Ada", last_name="Ashdown", date_of_birth=date(2022, 9, 1)
    )


def test_creating_and_updating_a_sibling_group(client, social_worker_a, child_a, sister, child_b):
    client.force_login(social_worker_a)
    form = client.get(url("sibling-group-create", child_a)).content.decode()
    assert "Ada Ashdown (born 1 September 2022)" in form
    assert "Bertie Brookes" not in form  # another LA's child
    assert 'value="Ashdown siblings"' in form

    response = client.post(
        url("sibling-group-create", child_a), {"name": "Ashdown siblings", "siblings": [sister.pk], "plan": "together"}
    )
    group = SiblingGroup.objects.get()
    assert response["Location"] == reverse("children:sibling-group", kwargs={"group_id": group.pk})
    page = text_of(client.get(response["Location"]))
    assert "Amelia Ashdown" in page and "Ada Ashdown" in page
    assert "Place together" in page
    assert "Not assessed yet" in page
    assert "Ashdown siblings" in text_of(client.get(url("detail", child_a)))

    update = reverse("children:sibling-group-update", kwargs={"group_id": group.pk})
    refused = client.post(
        update, {"name": "Ashdown siblings", "plan": "apart", **date_fields("assessed_on", date(2023, 3, 1))}
    )
    assert refused.status_code == 200
    assert "Enter both the date and the outcome of the sibling assessment" in refused.content.decode()
    assert 'name="assessed_on_day" value="1"' in refused.content.decode()
    group.refresh_from_db()
    assert group.plan == "together"

    data = {
        "name": "Ashdown brothers and sisters",
        "plan": "apart",
        **date_fields("assessed_on", date(2023, 3, 1)),
        "assessment_outcome": "apart",
    }
    assert client.post(update, data).status_code == 302
    page = text_of(client.get(reverse("children:sibling-group", kwargs={"group_id": group.pk})))
    assert "Place apart" in page
    assert "Recommends placing apart (1 March 2023)" in page
    assert "Ashdown brothers and sisters" in page


def test_a_sibling_group_needs_a_brother_or_sister(client, social_worker_a, child_a, sister):
    client.force_login(social_worker_a)
    response = client.post(url("sibling-group-create", child_a), {"name": "Ashdown siblings", "plan": "together"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Choose at least one brother or sister" in response.content.decode()
    assert not SiblingGroup.objects.exists()


def test_another_las_sibling_group_is_not_found(client, social_worker_a, social_worker_b, child_b, la_b):
    other = factories.ChildFactory(responsible_la=la_b, last_name="Brookes")
    group = services.sibling_group_create(
        actor=social_worker_b, name="Brookes siblings", child_ids=[child_b.pk, other.pk]
    )
    client.force_login(social_worker_a)
    for name in ("children:sibling-group", "children:sibling-group-update"):
        assert client.get(reverse(name, kwargs={"group_id": group.pk})).status_code == 404
    assert (
        client.post(
            reverse("children:sibling-group-update", kwargs={"group_id": group.pk}), {"plan": "apart"}
        ).status_code
        == 404
    )


def test_the_reader_sees_a_sibling_group_but_cannot_change_it(
    client, manager_a, la_a, child_a, sister, social_worker_a
):
    reader = factories.staff(la_a, Role.PANEL_ADVISER, username="reader.a")
    group = services.sibling_group_create(
        actor=social_worker_a, name="Ashdown siblings", child_ids=[child_a.pk, sister.pk]
    )
    client.force_login(reader)
    page = client.get(reverse("children:sibling-group", kwargs={"group_id": group.pk}))
    assert page.status_code == 200
    assert reverse("children:sibling-group-update", kwargs={"group_id": group.pk}) not in page.content.decode()
    assert client.get(reverse("children:sibling-group-update", kwargs={"group_id": group.pk})).status_code == 403


def test_a_decision_can_be_recorded_only_once(client, social_worker_a, child_with_decision):
    client.force_login(social_worker_a)
    response = client.post(url("decision", child_with_decision), date_fields("decided_on", DECISION))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "already has a decision" in response.content.decode()
    assert AdoptionDecision.objects.filter(child=child_with_decision).count() == 1
