"""Ending an early permanence placement, and renaming a sibling group and changing its children.

What a social worker sees on the pages, what the data must be afterwards, and that a refused
change (or a user of another LA) changes nothing.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from adoption.models import AuditEvent, Role
from children import services
from children.models import EarlyPermanencePlacement, SiblingGroup, SiblingGroupMember
from tests import factories
from tests.children.conftest import date_fields
from tests.children.test_pages import text_of, timeline, url
from tests.children.test_services import refused

pytestmark = pytest.mark.django_db

STARTED = date(2022, 2, 1)  # the child entered care on 10 January 2022 (tests/children/conftest.py)


def end_url(placement) -> str:
    return reverse(
        "children:early-permanence-end", kwargs={"child_id": placement.child_id, "placement_id": placement.pk}
    )


def updates_of(obj) -> int:
    """Audit events recording a change to ``obj``."""
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).count()


def error_summary(response) -> str:
    body = html.unescape(response.content.decode())
    found = re.search(r'<div class="govuk-error-summary".*?</ul>', body, re.S)
    assert found, "the page shows no error summary"
    return found.group(0)


# --- ending an early permanence placement ---------------------------------------------------------------------


def end_refused(actor, child, placement, ended_on: date) -> dict[str, list[str]]:
    """Ending ``placement`` through ``child`` is refused and changes nothing: the messages by field."""
    return refused(
        services.early_permanence_end, actor=actor, child_id=child.pk, placement_id=placement.pk, ended_on=ended_on
    )


@pytest.fixture
def placement(social_worker_a, child_in_care):
    return services.early_permanence_record(
        actor=social_worker_a, child_id=child_in_care.pk, kind="ffa", started_on=STARTED
    )


def test_ending_a_placement_shows_on_the_timeline(client, social_worker_a, child_in_care, placement):
    client.force_login(social_worker_a)
    page = client.get(url("detail", child_in_care)).content.decode()
    assert f'href="{end_url(placement)}"' in page
    assert "End this placement" in page

    form = text_of(client.get(end_url(placement)))
    assert "Record that the early permanence placement ended" in form
    assert "Fostering for adoption placement, from 1 February 2022." in form

    audits = updates_of(child_in_care)
    response = client.post(end_url(placement), date_fields("ended_on", date(2022, 5, 3)))
    assert response.status_code == 302
    assert response["Location"] == url("detail", child_in_care)

    detail = client.get(url("detail", child_in_care))
    assert ("Fostering for adoption placement began", "2022-02-01") in timeline(detail)
    assert ("Fostering for adoption placement ended", "2022-05-03") in timeline(detail)
    assert "The end of the early permanence placement was recorded" in text_of(detail)
    assert f'href="{end_url(placement)}"' not in detail.content.decode()  # an ended placement is not offered again
    placement.refresh_from_db()
    assert placement.ended_on == date(2022, 5, 3)
    assert updates_of(child_in_care) == audits + 1


@pytest.mark.parametrize(
    ("ended_on", "message"),
    [
        (STARTED - timedelta(days=1), "The placement cannot end before it began (01/02/2022)"),
        (None, "The date must be today or in the past"),  # None: tomorrow
    ],
    ids=["before-start", "future"],
)
def test_an_impossible_end_date_is_refused(client, social_worker_a, child_in_care, placement, ended_on, message):
    ended_on = ended_on or timezone.localdate() + timedelta(days=1)
    errors = end_refused(social_worker_a, child_in_care, placement, ended_on)
    assert errors == {"ended_on": [message]}

    client.force_login(social_worker_a)
    response = client.post(end_url(placement), date_fields("ended_on", ended_on))
    assert response.status_code == 200
    summary = error_summary(response)
    assert f'<a href="#id_ended_on_0">{message}</a>' in summary  # linked to the first box of the date
    assert f'name="ended_on_day" value="{ended_on.day}"' in response.content.decode()  # what was typed is kept
    placement.refresh_from_db()
    assert placement.ended_on is None
    assert all(
        title != "Fostering for adoption placement ended"
        for title, _ in timeline(client.get(url("detail", child_in_care)))
    )


def test_a_placement_ends_only_once(client, social_worker_a, child_in_care, placement):
    services.early_permanence_end(
        actor=social_worker_a, child_id=child_in_care.pk, placement_id=placement.pk, ended_on=date(2022, 5, 3)
    )
    errors = end_refused(social_worker_a, child_in_care, placement, date(2022, 6, 1))
    assert errors == {"ended_on": ["This placement already ended on 03/05/2022"]}

    client.force_login(social_worker_a)
    assert "It ended on 3 May 2022." in text_of(client.get(end_url(placement)))
    response = client.post(end_url(placement), date_fields("ended_on", date(2022, 6, 1)))
    assert "This placement already ended on 03/05/2022" in error_summary(response)
    placement.refresh_from_db()
    assert placement.ended_on == date(2022, 5, 3)
    assert EarlyPermanencePlacement.objects.filter(child=child_in_care).count() == 1


def test_a_placement_of_another_child_cannot_be_ended_through_this_child(
    client, social_worker_a, child_in_care, placement, la_a
):
    other = factories.ChildFactory(responsible_la=la_a)
    errors = end_refused(social_worker_a, other, placement, date(2022, 5, 3))
    assert errors == {"placement_id": ["This early permanence placement is not recorded for this child"]}
    client.force_login(social_worker_a)
    wrong = reverse("children:early-permanence-end", kwargs={"child_id": other.pk, "placement_id": placement.pk})
    assert client.get(wrong).status_code == 404


def test_only_writers_of_the_childs_la_may_end_a_placement(
    client, assessing_social_worker, social_worker_b, child_in_care, placement
):
    client.force_login(assessing_social_worker)  # sees the RAA's children, may not change them
    page = client.get(url("detail", child_in_care)).content.decode()
    assert ("Fostering for adoption placement began", "2022-02-01") in timeline(
        client.get(url("detail", child_in_care))
    )
    assert end_url(placement) not in page
    assert "End this placement" not in page
    assert client.get(end_url(placement)).status_code == 403
    assert client.post(end_url(placement), date_fields("ended_on", date(2022, 5, 3))).status_code == 403

    client.force_login(social_worker_b)
    assert client.get(end_url(placement)).status_code == 404
    assert client.post(end_url(placement), date_fields("ended_on", date(2022, 5, 3))).status_code == 404
    placement.refresh_from_db()
    assert placement.ended_on is None


# --- sibling groups: rename, add and remove ----------------------------------------------------------------------


def group_url(name: str, group, **kwargs) -> str:
    return reverse(f"children:{name}", kwargs={"group_id": group.pk, **kwargs})


def listed_members(response) -> set[str]:
    """The names in the group page's table of brothers and sisters."""
    table = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', response.content.decode(), re.S)
    assert table, "the page shows no table of children"
    return {html.unescape(name) for name in re.findall(r'<a class="govuk-link" href="[^"]+">([^<]+)</a>', table[1])}


def members_of(group) -> set[int]:
    return set(SiblingGroupMember.objects.filter(group=group).values_list("child_id", flat=True))


@pytest.fixture
def sister(la_a):
    return factories.ChildFactory(
        responsible_la=la_a, first_name="Ada", last_name="Ashdown", date_of_birth=date(2022, 9, 1)
    )


@pytest.fixture
def brother(la_a):
    return factories.ChildFactory(
        responsible_la=la_a, first_name="Alfie", last_name="Ashdown", date_of_birth=date(2020, 4, 2)
    )


@pytest.fixture
def group(social_worker_a, child_a, sister):
    return services.sibling_group_create(
        actor=social_worker_a, name="Ashdown siblings", child_ids=[child_a.pk, sister.pk]
    )


@pytest.fixture
def other_group(social_worker_a, la_a):
    """Another family of LA A, already grouped."""
    cousins = [factories.ChildFactory(responsible_la=la_a, first_name=n, last_name="Baker") for n in ("Cara", "Dan")]
    return services.sibling_group_create(
        actor=social_worker_a, name="Baker siblings", child_ids=[c.pk for c in cousins]
    )


def test_renaming_a_group_shows_the_new_name(client, social_worker_a, group, child_a):
    client.force_login(social_worker_a)
    form = client.get(group_url("sibling-group-update", group)).content.decode()
    assert 'value="Ashdown siblings"' in form

    data = {"name": "  Ashdown and Hill siblings ", "plan": "together", **date_fields("assessed_on")}
    response = client.post(group_url("sibling-group-update", group), data)
    assert response.status_code == 302
    page = client.get(group_url("sibling-group", group))
    assert '<h1 class="govuk-heading-xl">Ashdown and Hill siblings</h1>' in page.content.decode()
    assert "Place together" in text_of(page)
    assert "Ashdown and Hill siblings" in text_of(client.get(url("detail", child_a)))
    group.refresh_from_db()
    assert group.name == "Ashdown and Hill siblings"  # trimmed


@pytest.mark.parametrize(
    ("name", "page_message"),
    [("   ", "Enter the name of the group"), ("x" * 201, "The name of the group is too long")],
    ids=["blank", "too-long"],
)
def test_a_group_keeps_a_name(client, social_worker_a, group, name, page_message):
    client.force_login(social_worker_a)
    response = client.post(group_url("sibling-group-update", group), {"name": name, "plan": "apart"})
    assert response.status_code == 200
    assert page_message in error_summary(response)
    group.refresh_from_db()
    assert (group.name, group.plan) == ("Ashdown siblings", "undecided")


def test_the_service_trims_and_checks_the_name(social_worker_a, group):
    errors = refused(services.sibling_group_update, actor=social_worker_a, group_id=group.pk, plan="apart", name=" ")
    assert errors == {"name": ["Enter the name of the group"]}
    errors = refused(
        services.sibling_group_update, actor=social_worker_a, group_id=group.pk, plan="apart", name="x" * 201
    )
    assert errors == {"name": ["The name of the group must be 200 characters or fewer"]}
    kept = services.sibling_group_update(actor=social_worker_a, group_id=group.pk, plan="apart")
    assert kept.name == "Ashdown siblings"  # no name given: the name is not changed


def test_adding_a_brother_to_the_group(client, social_worker_a, group, child_a, sister, brother, child_b, other_group):
    client.force_login(social_worker_a)
    page = client.get(group_url("sibling-group", group)).content.decode()
    assert "Add a child" in page
    assert f'<option value="{brother.pk}">Alfie Ashdown (born 2 April 2020)</option>' in page
    assert "Bertie Brookes" not in page  # another LA's child
    assert "Cara Baker" not in page  # already in a group
    assert f'action="{group_url("sibling-group-add-member", group)}"' in page

    child_audits, group_audits = updates_of(brother), updates_of(group)
    response = client.post(group_url("sibling-group-add-member", group), {"child": brother.pk})
    assert response.status_code == 302
    assert response["Location"] == group_url("sibling-group", group)
    page = client.get(group_url("sibling-group", group))
    assert listed_members(page) == {"Amelia Ashdown", "Ada Ashdown", "Alfie Ashdown"}
    assert "The child was added to the sibling group" in text_of(page)
    assert members_of(group) == {child_a.pk, sister.pk, brother.pk}
    assert "Ashdown siblings" in text_of(client.get(url("detail", brother)))
    assert (updates_of(brother), updates_of(group)) == (child_audits + 1, group_audits + 1)


def test_a_child_already_in_a_group_is_not_added(client, social_worker_a, group, other_group, child_a, sister):
    cara = other_group.members.get(child__first_name="Cara").child
    errors = refused(services.sibling_group_add_member, actor=social_worker_a, group_id=group.pk, child_id=cara.pk)
    assert errors == {"child_id": ["Cara Baker is already in another sibling group: Baker siblings"]}
    errors = refused(services.sibling_group_add_member, actor=social_worker_a, group_id=group.pk, child_id=sister.pk)
    assert errors == {"child_id": ["Ada Ashdown is already in this group"]}

    # Chosen on a page shown before Cara joined her group: the page gives the service's reason.
    client.force_login(social_worker_a)
    response = client.post(group_url("sibling-group-add-member", group), {"child": cara.pk})
    assert response.status_code == 200
    assert '<a href="#id_child">Cara Baker is already in another sibling group: Baker siblings</a>' in error_summary(
        response
    )
    assert f'<option value="{cara.pk}"' not in response.content.decode()  # not offered, now that she is grouped
    assert members_of(group) == {child_a.pk, sister.pk}
    assert len(members_of(other_group)) == 2 and cara.pk in members_of(other_group)


def test_a_child_of_another_la_is_not_added(client, family_finder, social_worker_a, group, child_a, sister, child_b):
    # The RAA's family finder sees both LAs' children, but a group is one LA's.
    errors = refused(services.sibling_group_add_member, actor=family_finder, group_id=group.pk, child_id=child_b.pk)
    assert errors == {
        "child_id": [
            "Bertie Brookes cannot join this group: the children in a sibling group must all have the group's "
            "responsible LA (Ashby Borough)"
        ]
    }
    # LA A's social worker cannot see LA B's child at all: as if the child did not exist.
    client.force_login(social_worker_a)
    assert client.post(group_url("sibling-group-add-member", group), {"child": child_b.pk}).status_code == 404
    response = client.post(group_url("sibling-group-add-member", group), {"child": ""})
    assert "Choose the child to add" in error_summary(response)
    assert members_of(group) == {child_a.pk, sister.pk}
    assert not SiblingGroupMember.objects.filter(child=child_b).exists()


def test_removing_a_child_from_a_group_of_three(client, social_worker_a, group, child_a, sister, brother):
    services.sibling_group_add_member(actor=social_worker_a, group_id=group.pk, child_id=brother.pk)
    remove = group_url("sibling-group-remove-member", group, child_id=brother.pk)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(social_worker_a)
    page = csrf_client.get(group_url("sibling-group", group)).content.decode()
    form = re.search(rf'<form method="post" action="{remove}".*?</form>', page, re.S)
    assert form, "no Remove button for Alfie"
    assert 'Remove<span class="govuk-visually-hidden"> Alfie Ashdown from the group</span>' in form.group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0))
    assert token
    assert csrf_client.post(remove).status_code == 403  # without the form's token

    child_audits, group_audits = updates_of(brother), updates_of(group)
    response = csrf_client.post(remove, {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    page = csrf_client.get(group_url("sibling-group", group))
    assert "Alfie Ashdown was removed from the sibling group" in text_of(page)
    assert listed_members(page) == {"Amelia Ashdown", "Ada Ashdown"}
    assert f'<option value="{brother.pk}">' in page.content.decode()  # he may be added again
    assert members_of(group) == {child_a.pk, sister.pk}
    assert (updates_of(brother), updates_of(group)) == (child_audits + 1, group_audits + 1)
    assert "None" in text_of(csrf_client.get(url("detail", brother)))  # no sibling group now


def test_a_group_keeps_at_least_two_children(client, social_worker_a, group, child_a, sister):
    message = "Ada Ashdown cannot be removed: a sibling group needs at least two children, and this group has two"
    errors = refused(services.sibling_group_remove_member, actor=social_worker_a, group_id=group.pk, child_id=sister.pk)
    assert errors == {"child_id": [message]}

    client.force_login(social_worker_a)
    page = client.get(group_url("sibling-group", group))
    assert "sibling-group-remove" not in page.content.decode() and "/remove/" not in page.content.decode()
    assert "A sibling group needs at least two children" in text_of(page)
    response = client.post(group_url("sibling-group-remove-member", group, child_id=sister.pk))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert members_of(group) == {child_a.pk, sister.pk}


def test_another_las_user_cannot_see_or_change_the_group(client, social_worker_b, group, child_a, sister, brother):
    client.force_login(social_worker_b)
    assert client.get(group_url("sibling-group", group)).status_code == 404
    pages = {
        group_url("sibling-group-update", group): {"name": "Renamed", "plan": "apart"},
        group_url("sibling-group-add-member", group): {"child": brother.pk},
        group_url("sibling-group-remove-member", group, child_id=sister.pk): {},
    }
    for address, data in pages.items():
        assert client.get(address).status_code == 404, address
        assert client.post(address, data).status_code == 404, address
    group.refresh_from_db()
    assert (group.name, group.plan) == ("Ashdown siblings", "undecided")
    assert members_of(group) == {child_a.pk, sister.pk}


def test_a_reader_sees_the_group_but_no_way_to_change_its_children(client, la_a, social_worker_a, group, brother):
    services.sibling_group_add_member(actor=social_worker_a, group_id=group.pk, child_id=brother.pk)
    reader = factories.staff(la_a, Role.PANEL_ADVISER, username="reader.a")
    client.force_login(reader)
    page = client.get(group_url("sibling-group", group))
    assert page.status_code == 200
    assert "Alfie Ashdown" in listed_members(page)
    assert "Add a child" not in text_of(page)
    assert "/remove/" not in page.content.decode()
    assert client.get(group_url("sibling-group-add-member", group)).status_code == 403
    remove = group_url("sibling-group-remove-member", group, child_id=brother.pk)
    assert client.post(remove).status_code == 403
    assert len(members_of(group)) == 3
    assert SiblingGroup.objects.get(pk=group.pk).name == "Ashdown siblings"
