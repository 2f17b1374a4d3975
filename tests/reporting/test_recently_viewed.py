"""Recently viewed: the user's last records read, from their own audit trail, each still in their scope."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adoption.models import Membership, Role
from children.models import SiblingGroup
from reporting.recent import LIMIT, recently_viewed
from tests import factories

pytestmark = pytest.mark.django_db


def recent_section(client) -> list[str]:
    """The names in the home page's "Recently viewed" table, top to bottom."""
    body = client.get("/").content.decode()
    if 'id="recently-viewed"' not in body:
        return []
    table = body.split('id="recently-viewed"', 1)[1].split("</table>", 1)[0]
    return [html.unescape(name) for name in re.findall(r'<a class="govuk-link" href="[^"]+">([^<]+)</a>', table)]


def test_the_home_page_lists_the_records_read_newest_first_each_once(client, social_worker_a, la_a):
    first = factories.ChildFactory(responsible_la=la_a, first_name="Amelia", last_name="Ashdown")
    second = factories.ChildFactory(responsible_la=la_a, first_name="Cara", last_name="Cole")
    group = SiblingGroup.objects.create(responsible_la=la_a, name="Ashdown siblings")
    client.force_login(social_worker_a)
    assert recent_section(client) == []  # nothing read yet: no section
    for url in (
        f"/children/{first.pk}/",
        f"/children/{second.pk}/",
        f"/children/sibling-groups/{group.pk}/",
        f"/children/{first.pk}/",  # read again: moves to the top, listed once
    ):
        assert client.get(url).status_code == 200
    assert recent_section(client) == ["Amelia Ashdown", "Ashdown siblings", "Cara Cole"]


def test_only_the_users_own_reads_are_listed(client, social_worker_a, la_a):
    mine = factories.ChildFactory(responsible_la=la_a, first_name="Amelia", last_name="Ashdown")
    theirs = factories.ChildFactory(responsible_la=la_a, first_name="Dora", last_name="Dent")
    colleague = factories.staff(la_a, Role.SOCIAL_WORKER, username="sw.colleague")
    client.force_login(colleague)
    client.get(f"/children/{theirs.pk}/")
    client.force_login(social_worker_a)
    client.get(f"/children/{mine.pk}/")
    assert recent_section(client) == ["Amelia Ashdown"]


def test_a_record_the_user_can_no_longer_see_is_dropped(client, la_a, la_b):
    worker = factories.staff(la_a, Role.SOCIAL_WORKER, username="sw.moving")
    factories.MembershipFactory(user=worker, organisation=la_b, role=Role.SOCIAL_WORKER)
    child_a = factories.ChildFactory(responsible_la=la_a, first_name="Amelia", last_name="Ashdown")
    child_b = factories.ChildFactory(responsible_la=la_b, first_name="Bertie", last_name="Brookes")
    client.force_login(worker)
    client.get(f"/children/{child_a.pk}/")
    client.get(f"/children/{child_b.pk}/")
    assert recent_section(client) == ["Bertie Brookes", "Amelia Ashdown"]
    # The worker leaves LA B: its child is no longer theirs to see, so no longer listed (nor linked).
    Membership.objects.filter(user=worker, organisation=la_b).update(is_active=False)
    assert recent_section(client) == ["Amelia Ashdown"]
    assert f"/children/{child_b.pk}/" not in client.get("/").content.decode()


def test_at_most_the_last_ten_are_listed(client, social_worker_a, la_a):
    children = [
        factories.ChildFactory(responsible_la=la_a, first_name=f"Kid{n:02d}", last_name="Viewed") for n in range(12)
    ]
    client.force_login(social_worker_a)
    for child in children:
        client.get(f"/children/{child.pk}/")
    assert LIMIT == 10
    assert recent_section(client) == [f"Kid{n:02d} Viewed" for n in range(11, 1, -1)]


def test_households_and_panel_meetings_are_listed_by_name(client, raa):
    from datetime import date, time

    from panels.models import PanelMeeting

    manager = factories.staff(raa, Role.MANAGER, username="manager.recent")
    household = factories.HouseholdFactory(approving_agency=raa, name="Okafor household")
    meeting = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 6, 17), starts_at=time(10), place="Warwick")
    client.force_login(manager)
    assert client.get(f"/households/{household.pk}/").status_code == 200
    assert client.get(f"/panels/meetings/{meeting.pk}/").status_code == 200
    assert recent_section(client) == ["Panel on 17 June 2025, Warwick", "Okafor household"]


def test_the_queries_do_not_grow_with_the_records_read(social_worker_a, la_a):
    from adoption import audit
    from adoption.models import AuditEvent

    def read(n: int) -> None:
        for _ in range(n):
            child = factories.ChildFactory(responsible_la=la_a)
            audit.record(actor=social_worker_a, action=AuditEvent.Action.READ, obj=child, organisation_id=la_a.pk)
            group = SiblingGroup.objects.create(responsible_la=la_a, name=f"Group of {child.pk}")
            audit.record(actor=social_worker_a, action=AuditEvent.Action.READ, obj=group, organisation_id=la_a.pk)

    def fresh():  # a new user object, as each request has (tenancy caches the scope on the object)
        return type(social_worker_a).objects.get(pk=social_worker_a.pk)

    read(1)
    user = fresh()
    with CaptureQueriesContext(connection) as few:
        assert len(recently_viewed(actor=user)) == 2
    read(8)
    user = fresh()
    with CaptureQueriesContext(connection) as many:
        assert len(recently_viewed(actor=user)) == LIMIT
    assert len(many.captured_queries) == len(few.captured_queries)
