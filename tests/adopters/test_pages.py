"""The household pages: what a user sees, and that a refused step through a form changes nothing."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from django.urls import reverse

from adopters.models import Household
from adopters.workflow import refusal
from adoption.models import AuditEvent
from tests import factories
from tests.adopters.conftest import S, household_at

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def date_fields(name: str, day: date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def test_a_step_that_is_not_open_is_refused_through_the_form_and_changes_nothing(client, adm, raa, frozen_today):
    household = household_at(S.STAGE_1, raa, name="Okafor household")
    before = Household.objects.values().get(pk=household.pk)
    client.force_login(adm)
    events = AuditEvent.objects.count()
    url = reverse("adopters:record-decision", args=[household.pk])

    page = text_of(client.get(url))
    message = refusal(S.STAGE_1, Household.Route.STANDARD, "record-decision")
    assert message in page  # said before anything is typed
    response = client.post(
        url,
        {
            **date_fields("on", date(2025, 6, 2)),
            "decision": "approve",
            "approved_children_max": "2",
            "approved_age_max": "4",
        },
    )
    assert response.status_code == 200
    body = text_of(response)
    assert "There is a problem" in body and message in body
    assert 'name="on_day" value="2"' in response.content.decode()  # what was typed is kept
    assert Household.objects.values().get(pk=household.pk) == before
    assert AuditEvent.objects.count() == events


def test_the_household_page_shows_the_stage_due_and_the_steps_open(client, assessing_social_worker, raa, frozen_today):
    household = household_at(S.STAGE_2, raa, name="Okafor household")
    client.force_login(assessing_social_worker)
    page = text_of(client.get(reverse("adopters:detail", args=[household.pk])))
    # Stage 2 started 24 March 2025: four months is 24 July 2025.
    assert "Stage 2 is due to end by 24 July 2025 ." in page
    assert "Complete stage 2" in page and "Record that they left the process" in page
    assert "Record the agency decision" not in page  # not open at stage 2, and not this role's
    assert "Jo Okafor" in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_id=str(household.pk)).count() == 1


def test_the_list_searches_by_applicant_and_exports_what_it_shows(client, assessing_social_worker, raa, frozen_today):
    okafor = household_at(S.STAGE_1, raa, name="Okafor household")
    patel = household_at(S.APPROVED, raa, name="Patel household")
    patel.applicants.update(first_name="Ravi", last_name="Patel")
    client.force_login(assessing_social_worker)
    page = text_of(client.get(reverse("adopters:list"), {"q": "okafor"}))
    assert "Okafor household" in page and "Patel household" not in page
    response = client.get(reverse("adopters:export"), {"q": "okafor"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Reference"], r["Stage"]) for r in rows] == [(okafor.reference, "Stage 1")]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="adopters.household").exists()


def test_the_pipeline_counts_each_stage_and_drills_down(client, manager, raa, frozen_today):
    household_at(S.STAGE_1, raa)
    household_at(S.STAGE_1, raa)
    household_at(S.APPROVED, raa)
    client.force_login(manager)
    response = client.get(reverse("adopters:pipeline"))
    assert f'href="{reverse("adopters:list")}?status=stage_1">Stage 1</a>' in response.content.decode()
    body = text_of(response)
    # Stage, households, overdue there (stage 1 from 13 January 2025 was due by 13 March 2025).
    assert "Stage 1 2 2 Stage 1 complete 0 0" in body
    assert "Approved, waiting 1 0" in body
    assert "3 households in the process" in body


def test_la_staff_cannot_browse_households(client, social_worker_a, raa):
    factories.HouseholdFactory(approving_agency=raa, name="Secret household")
    client.force_login(social_worker_a)
    for name in ("adopters:pipeline", "adopters:list", "adopters:waiting", "adopters:checks", "adopters:export"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert "Secret household" not in response.content.decode()
    assert "Adopters" not in text_of(client.get("/"))  # not in the navigation either


def test_the_home_page_shows_an_assessors_households_and_what_is_overdue(
    client, assessing_social_worker, raa, frozen_today
):
    # Stage 1 from 13 January 2025 was due by 13 March 2025: overdue on 30 June.
    late = household_at(S.STAGE_1, raa, name="Late household", assessing_worker=assessing_social_worker)
    client.force_login(assessing_social_worker)
    page = text_of(client.get("/"))
    assert "Your households" in page and late.name in page
    assert "1 household past a stage's due date" in page
