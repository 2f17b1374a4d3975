"""Printing a child's timeline: a page laid out for paper with the child's name, LA, the journey and the date."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from adoption.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    body = re.sub(r"</?(?:a|strong|span|time)\b[^>]*>", "", response.content.decode())
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture
def amelia(la_a):
    child = factories.ChildFactory(
        responsible_la=la_a,
        first_name="Amelia",
        last_name="Ashdown",
        la_child_id="ASH-0042",
        date_of_birth=date(2021, 5, 1),
    )
    factories.PeriodOfCareFactory(child=child, started_on=date(2023, 1, 5))
    factories.AdoptionDecisionFactory(child=child, decided_on=date(2023, 6, 1))
    factories.PlacementOrderFactory(child=child, made_on=date(2023, 9, 14))
    return child


def test_the_child_page_links_to_the_timeline_to_print(client, social_worker_a, amelia):
    client.force_login(social_worker_a)
    body = client.get(f"/children/{amelia.pk}/").content.decode()
    assert (
        f'<a class="govuk-link" href="/children/{amelia.pk}/timeline/print/">Print the timeline'
        '<span class="govuk-visually-hidden"> of Amelia Ashdown</span></a>'
    ) in body


def test_the_printed_timeline_has_the_name_la_journey_and_date_printed(client, social_worker_a, amelia):
    client.force_login(social_worker_a)
    with time_machine.travel(datetime(2025, 6, 30, 15, 45, tzinfo=ZoneInfo("Europe/London")), tick=False):
        response = client.get(f"/children/{amelia.pk}/timeline/print/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Journey of Amelia Ashdown" in page
    assert "Local authority Ashby Borough" in page
    assert "Date of birth 1 May 2021" in page
    assert "LA child ID ASH-0042" in page
    assert f"Printed 30 June 2025 15:45 by {social_worker_a.display_name}" in page
    assert "Amelia Ashdown, Ashby Borough. Printed on 30 June 2025." in page
    # The journey in date order, as on the child's page.
    journey = ["Born 1 May 2021", "Entered care 5 January 2023", "Decision: should be placed for adoption 1 June 2023"]
    positions = [page.index(entry) for entry in journey]
    assert positions == sorted(positions)
    assert "Placement order (E1) 14 September 2023" in page
    # Reading it to print is a read of the child's record, audited as the page is.
    assert AuditEvent.objects.filter(
        actor=social_worker_a, action=AuditEvent.Action.READ, object_type="children.child", object_id=str(amelia.pk)
    ).exists()


def test_the_print_stylesheet_leaves_the_services_menus_off_the_paper(client, social_worker_a, amelia):
    client.force_login(social_worker_a)
    body = client.get(f"/children/{amelia.pk}/timeline/print/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/print.css">' in body
    css = (Path(settings.BASE_DIR) / "static" / "css" / "print.css").read_text()
    media_print = css.split("@media print", 1)[1]
    for hidden in (".govuk-header", ".govuk-service-navigation", ".govuk-footer", ".app-no-print"):
        assert hidden in media_print.split("display: none", 1)[0], hidden
    # The page's own controls (back link, print button) are marked to stay off the paper.
    assert '<div class="app-no-print">' in body


def test_another_las_child_cannot_be_printed(client, social_worker_a, la_b):
    bertie = factories.ChildFactory(responsible_la=la_b, first_name="Bertie", last_name="Brookes")
    client.force_login(social_worker_a)
    response = client.get(f"/children/{bertie.pk}/timeline/print/")
    assert response.status_code == 404
    assert "Brookes" not in response.content.decode()
