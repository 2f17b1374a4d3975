"""A child whose period of care began before the 903 returns held: the start is shown as unknown everywhere.

The single-year import records such a period from its earliest known episode and marks it
(``start_before_records``). The API, the CSV export and the early permanence rule must not treat
that day as the day the child entered care.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from children import services
from children.models import EarlyPermanencePlacement
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_from_2024(la_a):
    """In care at least from 3 March 2024 (the earliest episode in the returns held); the real start is unknown."""
    child = factories.ChildFactory(responsible_la=la_a, first_name="Nia", last_name="Norbury", child_903_id="N1")
    factories.PeriodOfCareFactory(child=child, started_on=date(2024, 3, 3), start_before_records=True)
    return child


def test_the_api_says_the_start_is_not_known(client, api_client_a, known_from_2024):
    _client, token = api_client_a
    response = client.get(
        f"/api/v1/children/{known_from_2024.pk}/",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["entered_care_on"] is None
    assert body["entered_care_before_records"] is True


def test_the_api_gives_the_start_when_it_is_known(client, api_client_a, la_a):
    child = factories.ChildFactory(responsible_la=la_a)
    factories.PeriodOfCareFactory(child=child, started_on=date(2023, 5, 9))
    _client, token = api_client_a
    body = client.get(f"/api/v1/children/{child.pk}/", headers={"Authorization": f"Bearer {token}"}).json()
    assert (body["entered_care_on"], body["entered_care_before_records"]) == ("2023-05-09", False)


def test_the_csv_export_leaves_the_unknown_start_blank(client, social_worker_a, known_from_2024):
    client.force_login(social_worker_a)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("children:export")).content.decode("utf-8-sig"))))
    (row,) = [r for r in rows if r["Last name"] == "Norbury"]
    assert row["Entered care"] == ""


def test_an_early_permanence_placement_before_the_earliest_known_day_is_accepted(social_worker_a, known_from_2024):
    """The child was in care before 3 March 2024 too, so a placement from 1 February 2024 cannot be judged wrong."""
    placement = services.early_permanence_record(
        actor=social_worker_a, child_id=known_from_2024.pk, kind="ffa", started_on=date(2024, 2, 1)
    )
    assert EarlyPermanencePlacement.objects.get(pk=placement.pk).started_on == date(2024, 2, 1)


def test_a_known_start_still_refuses_an_earlier_early_permanence_placement(social_worker_a, la_a):
    child = factories.ChildFactory(responsible_la=la_a)
    factories.PeriodOfCareFactory(child=child, started_on=date(2024, 3, 3))
    with pytest.raises(ValidationError, match="starts on or after the child entered care"):
        services.early_permanence_record(
            actor=social_worker_a, child_id=child.pk, kind="ffa", started_on=date(2024, 2, 1)
        )
    assert not EarlyPermanencePlacement.objects.filter(child=child).exists()
