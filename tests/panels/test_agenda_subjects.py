"""What each item on a meeting's agenda is about, as the meeting's page names it: the page reads a disrupted
placement's child by a subquery (``agenda_items``), the item's own page through its records; both name the child."""

from __future__ import annotations

import html
import re
from datetime import date, time

import pytest
from django.urls import reverse

from adopters.models import Household
from children.models import AdoptivePlacement, Disruption
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
