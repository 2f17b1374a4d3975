"""The LA API's panel items: the panel business about an LA's children, and nothing about anyone else's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adoption.models import AuditEvent
from children.models import AdoptivePlacement, Child, Disruption, Link, Match, SiblingGroup, SiblingGroupMember
from panels.models import AgendaItem, AgendaPaper, PanelMeeting, PanelSettings
from tests import factories
from tests.api.errors import assert_error_shape
from tests.panels.conftest import meeting

pytestmark = pytest.mark.django_db

LIST = "/api/v1/panel-items/"
Kind = AgendaItem.Kind


def _auth(token: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


def _item(panel: PanelMeeting, kind: str, **linked) -> AgendaItem:
    position = panel.items.count() + 1
    return AgendaItem.objects.create(
        meeting=panel, position=position, kind=kind, starts_at=time(9 + position, 0), **linked
    )


def _links(household, *children: Child) -> Link:
    """The proposed match: one link per child, sharing a sibling group when there are several; the first child's."""
    group = None
    if len(children) > 1:
        group = SiblingGroup.objects.create(responsible_la=children[0].responsible_la, name="Siblings")
        SiblingGroupMember.objects.bulk_create([SiblingGroupMember(group=group, child=c) for c in children])
    links = [
        Link.objects.create(
            child=c, sibling_group=group, household=household, origin="agency", started_on=date(2025, 3, 3)
        )
        for c in children
    ]
    return links[0]


def _match(household, *children: Child) -> Match:
    """The match the ADM's decision records, each child placed in it."""
    match = Match.objects.create(household=household)
    for child in children:
        AdoptivePlacement.objects.create(child=child, household=household, matched_on=date(2025, 6, 20), match=match)
    return match


def _disruption(household, child: Child) -> Disruption:
    placement = AdoptivePlacement.objects.create(
        child=child,
        household=household,
        matched_on=date(2024, 1, 10),
        placed_on=date(2024, 2, 1),
        ended_on=date(2024, 11, 4),
    )
    return Disruption.objects.create(placement=placement, reason=Disruption.Reason.ATTACHMENT)


def _paper(item: AgendaItem, kind: str, received: datetime, *, replaced: datetime | None = None) -> AgendaPaper:
    return AgendaPaper.objects.create(
        item=item,
        kind=kind,
        title=f"{kind} paper",
        file=f"panel-papers/{item.meeting_id}/{item.pk}/{kind}.pdf",
        original_name=f"{kind}.pdf",
        pages=3,
        size=1000,
        received_at=received,
        uploaded_by=factories.UserFactory(),
        replaced_at=replaced,
    )


@dataclass
class Business:
    """One meeting's items of every kind: three about LA A's children, and four that LA A must never see."""

    panel: PanelMeeting
    sister_a: Child
    match: AgendaItem
    relinquished: AgendaItem
    disruption: AgendaItem
    approval: AgendaItem
    review: AgendaItem
    relinquished_b: AgendaItem
    other_raa_b: AgendaItem

    @property
    def la_as(self) -> set[int]:
        return {self.match.pk, self.relinquished.pk, self.disruption.pk}


def _business(raa, la_a, la_other, child_a, child_b, held_on=date(2025, 6, 10), place="Warwick") -> Business:
    panel = meeting(raa, held_on, place=place)
    family = factories.HouseholdFactory(approving_agency=raa)
    sister_a = factories.ChildFactory(responsible_la=la_a)
    match = _item(panel, Kind.MATCH, link=_links(family, child_a, sister_a))
    relinquished = _item(panel, Kind.RELINQUISHED, child=factories.ChildFactory(responsible_la=la_a))
    disruption = _item(
        panel, Kind.DISRUPTION, disruption=_disruption(family, factories.ChildFactory(responsible_la=la_a))
    )
    approval = _item(panel, Kind.APPROVAL, household=family)
    review = _item(panel, Kind.REVIEW, household=factories.HouseholdFactory(approving_agency=raa))
    relinquished_b = _item(panel, Kind.RELINQUISHED, child=child_b)
    # Another RAA's panel about another LA's child.
    coast = meeting(la_other.raa, held_on, place="Brighton")
    other_raa_b = _item(coast, Kind.RELINQUISHED, child=factories.ChildFactory(responsible_la=la_other))
    return Business(panel, sister_a, match, relinquished, disruption, approval, review, relinquished_b, other_raa_b)


@pytest.fixture
def business(raa, la_a, la_other, child_a, child_b) -> Business:
    return _business(raa, la_a, la_other, child_a, child_b)


# --- who sees what -------------------------------------------------------------------------------------------


def test_la_as_client_lists_only_the_items_about_la_as_children(client, api_client_a, business, child_b):
    response = client.get(LIST, **_auth(api_client_a[1]))
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 3
    assert {row["id"] for row in data["results"]} == business.la_as
    assert {row["kind"] for row in data["results"]} == {"match", "relinquished", "disruption"}
    body = response.content.decode()
    for secret in (child_b.la_child_id, child_b.first_name, child_b.last_name, child_b.child_903_id):
        assert secret not in body


def test_la_bs_client_sees_its_own_item_only(client, api_client_b, business):
    data = client.get(LIST, **_auth(api_client_b[1])).json()
    assert [row["id"] for row in data["results"]] == [business.relinquished_b.pk]


def test_an_item_shows_when_and_where_which_children_and_its_outcome(client, api_client_a, business, child_a):
    item = business.match
    # The ADM agreed: the match is recorded and set on the item; its placements name the same two children.
    match = _match(item.link.household, child_a, business.sister_a)
    AgendaItem.objects.filter(pk=item.pk).update(
        match=match,
        recommendation="recommended",
        recommendation_reasons="The family can meet both children's needs.",
        decision="agreed",
        decision_reasons="I agree with the panel.",
        decided_on=date(2025, 6, 20),
        decision_due_on=date(2025, 6, 24),
        told_on=date(2025, 6, 23),
        told_due_on=date(2025, 6, 24),
    )
    response = client.get(f"{LIST}{item.pk}/", **_auth(api_client_a[1]))
    assert response.status_code == 200
    assert response.json() == {
        "id": item.pk,
        "kind": "match",
        "meeting_on": "2025-06-10",
        "meeting_place": "Warwick",
        "starts_at": "10:00:00",
        "children": sorted(
            [
                {"id": child_a.pk, "la_child_id": child_a.la_child_id},
                {"id": business.sister_a.pk, "la_child_id": business.sister_a.la_child_id},
            ],
            key=lambda c: c["id"],
        ),
        "match_id": match.pk,
        "recommendation": "recommended",
        "recommendation_reasons": "The family can meet both children's needs.",
        "decision": "agreed",
        "decision_reasons": "I agree with the panel.",
        "decided_on": "2025-06-20",
        "decision_due_on": "2025-06-24",
        "told_on": "2025-06-23",
        "told_due_on": "2025-06-24",
        "papers": [],
        "missing_papers": ["cpr", "apr", "support_plan"],
    }
    # No names: only ids and the LA's own child reference.
    assert child_a.first_name not in response.content.decode()


def test_the_relinquished_and_disruption_items_name_their_child(client, api_client_a, business):
    rows = {row["id"]: row for row in client.get(LIST, **_auth(api_client_a[1])).json()["results"]}
    relinquished, disrupted = business.relinquished.child, business.disruption.disruption.placement.child
    assert rows[business.relinquished.pk]["children"] == [
        {"id": relinquished.pk, "la_child_id": relinquished.la_child_id}
    ]
    assert rows[business.relinquished.pk]["match_id"] is None
    assert rows[business.disruption.pk]["children"] == [{"id": disrupted.pk, "la_child_id": disrupted.la_child_id}]
    assert rows[business.disruption.pk]["missing_papers"] == ["disruption"]


def test_a_match_of_two_las_children_shows_each_la_only_its_own(client, api_client_a, api_client_b, raa, la_a, la_b):
    panel = meeting(raa)
    family = factories.HouseholdFactory(approving_agency=raa)
    amy, ben = factories.ChildFactory(responsible_la=la_a), factories.ChildFactory(responsible_la=la_b)
    # Proposed: the link of LA A's child, in a sibling group with LA B's. Decided: a match placing both.
    proposed = _item(panel, Kind.MATCH, link=_links(family, amy, ben))
    decided = _item(panel, Kind.MATCH, link=_links(factories.HouseholdFactory(approving_agency=raa), amy))
    AgendaItem.objects.filter(pk=decided.pk).update(match=_match(family, amy, ben))
    for item in (proposed, decided):
        as_a = client.get(f"{LIST}{item.pk}/", **_auth(api_client_a[1]))
        as_b = client.get(f"{LIST}{item.pk}/", **_auth(api_client_b[1]))
        assert as_a.json()["children"] == [{"id": amy.pk, "la_child_id": amy.la_child_id}]
        assert as_b.json()["children"] == [{"id": ben.pk, "la_child_id": ben.la_child_id}]
        assert ben.la_child_id not in as_a.content.decode()
        assert amy.la_child_id not in as_b.content.decode()


def test_la_bs_item_is_404_in_the_error_shape(client, api_client_a, business, child_b):
    response = client.get(f"{LIST}{business.relinquished_b.pk}/", **_auth(api_client_a[1]))
    body = assert_error_shape(response, 404)
    assert body["extra"] == {}
    assert child_b.la_child_id not in response.content.decode()
    missing = client.get(f"{LIST}{business.other_raa_b.pk + 1000}/", **_auth(api_client_a[1]))
    assert assert_error_shape(missing, 404) == body


@pytest.mark.parametrize("kind", ["approval", "review"])
def test_approval_and_review_items_are_404_even_for_la_as_raa(client, api_client_a, family_finder, business, kind):
    item = getattr(business, kind)
    assert_error_shape(client.get(f"{LIST}{item.pk}/", **_auth(api_client_a[1])), 404)
    client.force_login(family_finder)  # sees both LAs' children, still no adopters' business
    assert_error_shape(client.get(f"{LIST}{item.pk}/"), 404)
    assert item.pk not in {row["id"] for row in client.get(LIST).json()["results"]}


def test_reading_an_item_is_audited_once_against_the_childs_la(client, api_client_a, business, la_a):
    api_client, token = api_client_a
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert client.get(f"{LIST}{business.disruption.pk}/", **_auth(token)).status_code == 200
    # Beside the call itself (adoption.api_scopes), one read of the item.
    [event] = AuditEvent.objects.filter(id__gt=before).exclude(object_type="api_call")
    assert (event.action, event.object_type, event.object_id) == (
        "read",
        "panels.agendaitem",
        str(business.disruption.pk),
    )
    assert event.organisation == la_a
    assert event.api_client == api_client
    # The list and a refused read record no read of an item (only the calls).
    client.get(LIST, **_auth(token))
    client.get(f"{LIST}{business.relinquished_b.pk}/", **_auth(token))
    assert list(AuditEvent.objects.filter(id__gt=event.pk).values_list("object_type", flat=True)) == ["api_call"] * 2


def test_not_signed_in_is_401_in_the_error_shape(client, business):
    for url in (LIST, f"{LIST}{business.match.pk}/"):
        response = client.get(url)
        body = assert_error_shape(response, 401)
        assert body["message"] == "Authentication credentials were not provided."
        assert response["WWW-Authenticate"] == "Bearer"


def test_signed_in_staff_see_the_items_about_the_children_they_see(
    client, social_worker_a, family_finder, vaa_worker, business
):
    client.force_login(social_worker_a)
    assert {row["id"] for row in client.get(LIST).json()["results"]} == business.la_as
    assert client.get(f"{LIST}{business.relinquished_b.pk}/").status_code == 404
    client.force_login(family_finder)  # the RAA's: LA A's and LA B's children, not the other RAA's LA's
    assert {row["id"] for row in client.get(LIST).json()["results"]} == {*business.la_as, business.relinquished_b.pk}
    client.force_login(vaa_worker)  # a VAA sees no children
    assert client.get(LIST).json()["count"] == 0


# --- papers --------------------------------------------------------------------------------------------------


def test_papers_received_and_the_required_ones_still_missing(client, api_client_a, business):
    """The meeting is on Tuesday 10 June 2025: papers are due 10 working days before, on Tuesday 27 May."""
    item = business.match
    _paper(item, "apr", datetime(2025, 5, 1, 9, tzinfo=UTC), replaced=datetime(2025, 5, 20, 9, tzinfo=UTC))
    _paper(item, "cpr", datetime(2025, 5, 26, 23, 30, tzinfo=UTC))  # 27 May in England (BST): on time
    _paper(item, "other", datetime(2025, 5, 28, 9, tzinfo=UTC))
    data = client.get(f"{LIST}{item.pk}/", **_auth(api_client_a[1])).json()
    assert data["papers"] == [
        {"kind": "cpr", "received_on": "2025-05-27", "late": False},
        {"kind": "other", "received_on": "2025-05-28", "late": True},
    ]
    # The replaced APR has no current version: still missing, like the support plan.
    assert data["missing_papers"] == ["apr", "support_plan"]

    _paper(item, "apr", datetime(2025, 5, 20, 9, tzinfo=UTC))
    _paper(item, "support_plan", datetime(2025, 6, 2, 9, tzinfo=UTC))
    data = client.get(f"{LIST}{item.pk}/", **_auth(api_client_a[1])).json()
    assert [(p["kind"], p["late"]) for p in data["papers"]] == [
        ("apr", False),
        ("cpr", False),
        ("other", True),
        ("support_plan", True),
    ]
    assert data["missing_papers"] == []


def test_late_follows_the_raas_own_setting(client, api_client_a, business, raa):
    PanelSettings.objects.create(raa=raa, papers_due_working_days=5)  # due Tuesday 3 June
    _paper(business.relinquished, "cpr", datetime(2025, 6, 3, 9, tzinfo=UTC))
    data = client.get(f"{LIST}{business.relinquished.pk}/", **_auth(api_client_a[1])).json()
    assert data["papers"] == [{"kind": "cpr", "received_on": "2025-06-03", "late": False}]
    assert data["missing_papers"] == []


# --- filters and ordering ------------------------------------------------------------------------------------


def _ids(client, token, **query) -> list[int]:
    response = client.get(LIST, query, **_auth(token))
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_filter_by_kind(client, api_client_a, business):
    token = api_client_a[1]
    assert _ids(client, token, kind="match") == [business.match.pk]
    assert _ids(client, token, kind="disruption") == [business.disruption.pk]
    body = assert_error_shape(client.get(LIST, {"kind": "approval"}, **_auth(token)), 400)
    assert "kind" in body["extra"]["fields"]


def test_filter_by_meeting_dates_and_ordering(client, api_client_a, raa, la_a):
    token = api_client_a[1]
    items = {}
    for held_on in (date(2025, 3, 4), date(2025, 5, 6), date(2025, 7, 8)):
        items[held_on] = _item(
            meeting(raa, held_on), Kind.RELINQUISHED, child=factories.ChildFactory(responsible_la=la_a)
        )
    march, may, july = (items[d].pk for d in sorted(items))
    assert _ids(client, token) == [july, may, march]
    assert _ids(client, token, ordering="meeting_on") == [march, may, july]
    assert _ids(client, token, ordering="-meeting_on") == [july, may, march]
    assert _ids(client, token, meeting_from="2025-05-06") == [july, may]
    assert _ids(client, token, meeting_to="2025-05-06") == [may, march]
    assert _ids(client, token, meeting_from="2025-04-01", meeting_to="2025-06-30") == [may]
    body = assert_error_shape(client.get(LIST, {"meeting_from": "last week"}, **_auth(token)), 400)
    assert "meeting_from" in body["extra"]["fields"]
    assert (
        "ordering" in assert_error_shape(client.get(LIST, {"ordering": "name"}, **_auth(token)), 400)["extra"]["fields"]
    )


def test_filter_by_decided(client, api_client_a, business):
    AgendaItem.objects.filter(pk=business.relinquished.pk).update(decision="agreed", decided_on=date(2025, 6, 18))
    token = api_client_a[1]
    assert _ids(client, token, decided="true") == [business.relinquished.pk]
    assert set(_ids(client, token, decided="false")) == {business.match.pk, business.disruption.pk}


def test_filter_by_child(client, api_client_a, business, child_a, child_b):
    token = api_client_a[1]
    assert _ids(client, token, child=business.sister_a.pk) == [business.match.pk]
    assert _ids(client, token, child=child_a.pk) == [business.match.pk]
    assert _ids(client, token, child=business.relinquished.child_id) == [business.relinquished.pk]
    disrupted = business.disruption.disruption.placement.child_id
    assert _ids(client, token, child=disrupted) == [business.disruption.pk]
    # LA B's child finds nothing for LA A.
    assert _ids(client, token, child=child_b.pk) == []


# --- queries ------------------------------------------------------------------------------------------------


def _queries(client, token) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, **_auth(token))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_list_takes_the_same_queries_however_many_items(
    client, api_client_a, raa, la_a, la_other, child_a, child_b
):
    first = _business(raa, la_a, la_other, child_a, child_b)
    _paper(first.match, "cpr", datetime(2025, 5, 19, 9, tzinfo=UTC))
    AgendaItem.objects.filter(pk=first.match.pk).update(match=_match(first.match.link.household, child_a))
    token = api_client_a[1]
    few = _queries(client, token)
    for n, day in enumerate((date(2025, 4, 1), date(2025, 4, 8), date(2025, 4, 15))):
        more = _business(
            raa,
            la_a,
            la_other,
            factories.ChildFactory(responsible_la=la_a),
            factories.ChildFactory(responsible_la=factories.LaFactory(raa=raa)),
            held_on=day,
            place=f"Room {n}",
        )
        _paper(more.match, "cpr", datetime(2025, 3, 19, 9, tzinfo=UTC))
        AgendaItem.objects.filter(pk=more.match.pk).update(match=_match(more.match.link.household, more.sister_a))
        _paper(more.disruption, "disruption", datetime(2025, 3, 19, 9, tzinfo=UTC))
    assert client.get(LIST, **_auth(token)).json()["count"] == 12
    assert _queries(client, token) == few


# --- the schema ---------------------------------------------------------------------------------------------


def test_the_schema_describes_the_panel_items_with_an_example(client, db):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    listing = schema["paths"]["/api/v1/panel-items/"]["get"]
    detail = schema["paths"]["/api/v1/panel-items/{item_id}/"]["get"]
    assert {"200", "400", "401"} <= set(listing["responses"])
    assert {"200", "401", "404"} <= set(detail["responses"])
    assert {p["name"] for p in listing["parameters"]} >= {"kind", "meeting_from", "meeting_to", "decided", "child"}
    [example] = listing["responses"]["200"]["content"]["application/json"]["examples"].values()
    assert example["value"]["results"][0]["kind"] == "match"
    assert "missing_papers" in example["value"]["results"][0]
    assert {"bearerAuth": []} in listing["security"]


def test_the_schema_still_generates_without_warnings(tmp_path: Path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/panel-items/{item_id}/" in yaml.safe_load(out.read_text())["paths"]
