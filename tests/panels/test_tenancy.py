"""Who sees the panels: the RAA's panel advisers, panel members, ADMs and managers; advisers and managers change them.

LA staff and other RAAs' staff get 403 for the list pages and 404 for a member or meeting, exactly as
if it did not exist. (tests/test_permission_matrix.py walks every panels URL the same way.)
"""

from __future__ import annotations

from datetime import date

import pytest

from adoption.models import AuditEvent, Role
from panels import selectors
from panels.models import PanelMember, PanelRole
from tests import factories
from tests.panels.conftest import date_fields, invite, meeting, member

pytestmark = pytest.mark.django_db
R = PanelRole
LIST_PAGES = ("/panels/", "/panels/make-up/", "/panels/appraisals/", "/panels/meetings/")
NEW_PAGES = ("/panels/members/new/", "/panels/meetings/new/")


@pytest.fixture
def records(raa):
    someone = member(raa, "Rosa Raa-Member", R.CHAIR)
    panel = meeting(raa, date(2025, 6, 10), place="Kenilworth")
    invite(panel, someone)
    return someone, panel


def _read_pages(someone, panel) -> list[str]:
    return [f"/panels/members/{someone.pk}/", f"/panels/meetings/{panel.pk}/"]


def _write_pages(someone, panel) -> list[str]:
    return [
        f"/panels/members/{someone.pk}/edit/",
        f"/panels/members/{someone.pk}/appraisal/",
        f"/panels/meetings/{panel.pk}/edit/",
        f"/panels/meetings/{panel.pk}/invite/",
        f"/panels/meetings/{panel.pk}/attendance/",
    ]


def _record_pages(someone, panel) -> list[str]:
    return [*_read_pages(someone, panel), *_write_pages(someone, panel)]


def test_an_la_social_worker_cannot_see_the_panels(client, social_worker_a, records):
    client.force_login(social_worker_a)
    for url in (*LIST_PAGES, *NEW_PAGES):
        assert client.get(url).status_code == 403, url
    for url in _record_pages(*records):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert "Panels" not in client.get("/").content.decode()


def test_an_la_manager_is_not_offered_the_panels(client, manager_a, manager):
    """Managers read panels, but only an RAA's: an LA's manager has no link that would answer 403."""
    client.force_login(manager_a)
    assert 'href="/panels/"' not in client.get("/").content.decode()
    assert client.get("/panels/").status_code == 403
    client.force_login(manager)
    assert 'href="/panels/"' in client.get("/").content.decode()


def test_another_raas_panel_adviser_gets_404_for_this_raas_records(client, panel_adviser_other, records, la_other):
    member(la_other.raa, "Coastal Chair", R.CHAIR)
    client.force_login(panel_adviser_other)
    for url in _record_pages(*records):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    for url in LIST_PAGES:
        response = client.get(url)
        assert response.status_code == 200
        assert "Rosa Raa-Member" not in response.content.decode()
        assert "Kenilworth" not in response.content.decode()
    assert "Coastal Chair" in client.get("/panels/").content.decode()


def test_a_panel_member_reads_but_cannot_change(client, panel_member_user, records):
    someone, panel = records
    client.force_login(panel_member_user)
    for url in (*LIST_PAGES, *_read_pages(someone, panel)):
        # Members' appraisals are the panel staff's business, not the other members'.
        assert client.get(url).status_code == (403 if url == "/panels/appraisals/" else 200), url
    body = client.get(f"/panels/meetings/{panel.pk}/").content.decode()
    assert "Rosa Raa-Member" in body and "Change who is invited" not in body
    assert "Add a member" not in client.get("/panels/").content.decode()
    for url in (*NEW_PAGES, *_write_pages(someone, panel)):
        assert client.get(url).status_code == 403, url
    data = {"name": "Renamed", "roles": [R.CHAIR], **date_fields("on_list_from", date(2024, 1, 1))}
    assert client.post(f"/panels/members/{someone.pk}/edit/", data).status_code == 403
    assert PanelMember.objects.get(pk=someone.pk).name == "Rosa Raa-Member"


def test_an_adm_reads_and_a_manager_changes(client, adm, manager, records):
    someone, _ = records
    client.force_login(adm)
    assert client.get(f"/panels/members/{someone.pk}/").status_code == 200
    assert client.get(f"/panels/members/{someone.pk}/edit/").status_code == 403
    client.force_login(manager)
    assert client.get(f"/panels/members/{someone.pk}/edit/").status_code == 200


def test_roles_are_paired_with_their_organisation(raa, vaa, la_other, records):
    """A VAA's manager who is a family finder at the RAA holds 'manager' somewhere, but not at the RAA."""
    user = factories.staff(vaa, Role.MANAGER, username="vaa.manager")
    factories.MembershipFactory(user=user, organisation=raa, role=Role.FAMILY_FINDER)
    assert selectors.panel_raa_ids(user) == frozenset()
    assert not selectors.member_list(actor=user, today=date(2025, 6, 30)).exists()
    both = factories.staff(raa, Role.PANEL_ADVISER, username="two.raas")
    factories.MembershipFactory(user=both, organisation=la_other.raa, role=Role.PANEL_MEMBER)
    assert selectors.panel_raa_ids(both) == {raa.pk, la_other.raa_id}
    assert selectors.panel_raa_ids(both, selectors.PANEL_WRITERS) == {raa.pk}


def test_reading_a_member_or_meeting_is_audited(client, panel_adviser, records, raa):
    someone, panel = records
    client.force_login(panel_adviser)
    client.get(f"/panels/members/{someone.pk}/")
    client.get(f"/panels/meetings/{panel.pk}/")
    reads = AuditEvent.objects.filter(action="read", actor=panel_adviser, organisation=raa)
    assert set(reads.values_list("object_type", "object_id")) == {
        ("panels.panelmember", str(someone.pk)),
        ("panels.panelmeeting", str(panel.pk)),
    }


def _navigation(client, user) -> list[str]:
    client.force_login(user)
    response = client.get("/")
    return [item["text"] for item in response.context["navigation"]]


def test_panels_are_in_the_navigation_only_for_someone_with_a_panel_role_at_an_raa(
    client, raa, vaa, la_a, panel_adviser, manager_a
):
    assert "Panels" in _navigation(client, panel_adviser)
    assert "Panels" not in _navigation(client, manager_a)  # an LA's manager
    # A VAA's manager who is also the RAA's family finder: a manager, and at an RAA, but not a manager there.
    both = factories.staff(vaa, Role.MANAGER, username="both")
    factories.MembershipFactory(user=both, organisation=raa, role=Role.FAMILY_FINDER)
    assert "Panels" not in _navigation(client, both)
    assert client.get("/panels/").status_code == 403
