"""What each item on a meeting's agenda is about, as the meeting's page names it: the page reads the words with the
items, by a subquery for each kind of record (``agenda_items``), the item's own page through its records; both must
say the same."""

from __future__ import annotations

import html
import re
from datetime import date, time

import pytest
from django.urls import reverse

from adopters.models import Household
from children.models import AdoptivePlacement, Disruption, Link, SiblingGroup
from panels import selectors
from panels.models import AgendaItem
from tests import factories
from tests.panels.conftest import meeting

pytestmark = pytest.mark.django_db


def text_of_html(content: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content)))


def test_the_agenda_names_a_disrupted_childs_and_a_familys_items(client, raa, la_a, panel_adviser):
    panel = meeting(raa, date(2026, 12, 10))
    family = factories.HouseholdFactory(approving_agency=raa, name="Okafor household", status=Household.Status.LEFT)
    child = factories.ChildFactory(responsible_la=la_a, first_name="Dora", last_name="Disrupted")
    placement = AdoptivePlacement.objects.create(
        child=child,
        household=family,
        matched_on=date(2024, 9, 1),
        placed_on=date(2024, 10, 1),
        ended_on=date(2025, 3, 1),
    )
    disruption = Disruption.objects.create(placement=placement, reason=Disruption.Reason.ATTACHMENT)
    about_family = AgendaItem.objects.create(
        meeting=panel, position=1, kind=AgendaItem.Kind.REVIEW, household=family, starts_at=time(10)
    )
    about_child = AgendaItem.objects.create(
        meeting=panel, position=2, kind=AgendaItem.Kind.DISRUPTION, disruption=disruption, starts_at=time(11)
    )

    client.force_login(panel_adviser)
    raw = client.get(reverse("panels:meeting", args=[panel.pk])).content.decode()
    page = text_of_html(raw)
    # Each item links to its own page and moves through its own form (the page writes the addresses per row).
    for item in (about_family, about_child):
        assert f'href="{reverse("panels:item", args=[item.pk])}"' in raw
        assert f'action="{reverse("panels:item-move", args=[item.pk])}"' in raw
    assert "Dora Disrupted" in page
    assert "Okafor household" in page
    rows = {
        row.item.pk: row.subject
        for row in selectors.agenda(panel, list(selectors.agenda_items().filter(meeting=panel))).items
    }
    assert rows == {about_family.pk: "Okafor household", about_child.pk: "Dora Disrupted"}
    # The item's own page reads the records, not the subquery: the same words.
    assert (
        selectors.item_get(actor=panel_adviser, item_id=about_child.pk, record_read=False).subject == "Dora Disrupted"
    )


def test_the_agenda_names_matches_and_a_relinquished_child_as_their_own_pages_do(client, raa, la_a, panel_adviser):
    """Every kind of item is named by the agenda's query in the words of the item's own page: a match by its child
    (or sibling group) and family, a relinquished child by name; the text the page shows is escaped."""
    panel = meeting(raa, date(2026, 12, 10))
    family = factories.HouseholdFactory(approving_agency=raa, name="O'Neill & Shah household")
    other_family = factories.HouseholdFactory(approving_agency=raa, name="Brook household")
    child = factories.ChildFactory(responsible_la=la_a, first_name="Maya", last_name="<Matched>")
    brother = factories.ChildFactory(responsible_la=la_a, first_name="Leo", last_name="Grouped")
    group = SiblingGroup.objects.create(responsible_la=la_a, name="Grouped siblings")
    relinquished = factories.ChildFactory(responsible_la=la_a, first_name="Rosa", last_name="Relinquished")
    one = Link.objects.create(child=child, household=family, origin=Link.Origin.AGENCY, started_on=date(2026, 9, 1))
    both = Link.objects.create(
        child=brother,
        sibling_group=group,
        household=other_family,
        origin=Link.Origin.AGENCY,
        started_on=date(2026, 9, 1),
    )
    items = [
        AgendaItem.objects.create(meeting=panel, position=1, kind=AgendaItem.Kind.MATCH, link=one, starts_at=time(10)),
        AgendaItem.objects.create(meeting=panel, position=2, kind=AgendaItem.Kind.MATCH, link=both, starts_at=time(11)),
        AgendaItem.objects.create(
            meeting=panel, position=3, kind=AgendaItem.Kind.RELINQUISHED, child=relinquished, starts_at=time(12)
        ),
    ]

    client.force_login(panel_adviser)
    raw = client.get(reverse("panels:meeting", args=[panel.pk])).content.decode()
    assert "Maya &lt;Matched&gt; with O&#x27;Neill &amp; Shah household" in raw
    page = text_of_html(raw)
    assert "Match: Grouped siblings with Brook household" in page
    assert "Plan for a relinquished child: Rosa Relinquished" in page
    rows = {
        row.item.pk: row.subject
        for row in selectors.agenda(panel, list(selectors.agenda_items().filter(meeting=panel))).items
    }
    own_pages = {
        item.pk: selectors.item_get(actor=panel_adviser, item_id=item.pk, record_read=False).subject for item in items
    }
    assert (
        rows
        == own_pages
        == {
            items[0].pk: "Maya <Matched> with O'Neill & Shah household",
            items[1].pk: "Grouped siblings with Brook household",
            items[2].pk: "Rosa Relinquished",
        }
    )
