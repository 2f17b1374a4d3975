"""Every file the service hands out is an audit event: who downloaded or exported what, for which LA.

Every URL pattern is requested, with LA A's or the RAA's own records, by a role the role matrix lets in
(``tests/test_role_matrix.py``); any answer that is a file (``Content-Disposition``: a CSV, XLSX, PDF or ZIP)
must have written exactly one ``download`` or ``export`` event in that request, naming the record and its
organisation. A new download is found the day it is added, and fails here until it audits.
"""

from __future__ import annotations

import pytest

from adoption.models import AuditEvent, Role
from tests.test_role_matrix import ALLOWED, LITERALS, WALKED, _record_for
from tests.walk_records import *  # noqa: F403  (the records the walk fills in, and the nine users)

FILE_ACTIONS = {AuditEvent.Action.DOWNLOAD, AuditEvent.Action.EXPORT}
# The role a page is walked as: the first of these the table lets in.
PREFERENCE = (Role.MANAGER, Role.ADMINISTRATOR, Role.PANEL_ADVISER, Role.SUPPORT_SOCIAL_WORKER, *Role)
WALKED_HERE = [r for r in WALKED if ALLOWED.get(r.name)]
# The files the walk must find (a guard on the walk itself: if these stopped being files, it would find nothing).
KNOWN_DOWNLOADS = {
    "panels:quality-report?format=csv",
    "reporting:sufficiency?format=csv",
    "job-download",
    "children:export",
    "adopters:export",
    "panels:paper",
    "panels:pack-download",
    "reporting:return-xlsx",
    "reporting:return-children-csv",
    "reporting:return-families-csv",
    "reporting:return-pdf",
    "api-returns-file",
    "api-scorecards-pdf",
}


def _is_file(response) -> bool:
    disposition = response.get("Content-Disposition", "")
    return "attachment" in disposition or "filename" in disposition


def _download(route, client, request, query: str = ""):
    """As a role the table lets in, GET the route filled with LA A's or the RAA's own records (and ``query``)."""
    role = next(r for r in PREFERENCE if r in ALLOWED[route.name])
    records = {
        p: LITERALS[p] if p in LITERALS else request.getfixturevalue(_record_for(route, p)) for p in route.parameters
    }
    client.force_login(request.getfixturevalue("role_users")[role])
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(route.url({p: getattr(v, "pk", v) for p, v in records.items()}) + query)
    events = list(AuditEvent.objects.filter(id__gt=before, action__in=FILE_ACTIONS))
    return response, records, events


def test_the_walk_finds_the_known_downloads():
    assert {f"{r.name}{q}" for r, q in ASKED} >= KNOWN_DOWNLOADS


# Pages that offer their table as a file with ``?format=csv`` (a report's figures, say) are asked for it too.
ASKED = [(route, query) for route in WALKED_HERE for query in ("", "?format=csv")]


@pytest.mark.parametrize(("route", "query"), ASKED, ids=[f"{r.name}{q}" for r, q in ASKED])
def test_every_download_is_audited(route, query, client, la_a, raa, request):
    """A file is one event naming the record it came from and its organisation; a list's export, one event per LA
    (or agency) whose records are in it. Anything that is not a file writes no download or export event."""
    for fixture in ("child_a_waiting", "household_raa"):  # so that a list's export has rows
        request.getfixturevalue(fixture)
    response, records, events = _download(route, client, request, query)
    url = response.request["PATH_INFO"]
    if not _is_file(response):
        assert f"{route.name}{query}" not in KNOWN_DOWNLOADS, f"{url} is no longer a file ({response.status_code})"
        assert events == [], f"{url} is not a file but wrote {[e.action for e in events]}"
        return
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body, f"{url} sent an empty file"
    ours = {la_a.pk, raa.pk}
    if records:
        assert len(events) == 1, f"{url} ({response['Content-Disposition']}) wrote {len(events)} events"
        event = events[0]
        named = {str(v.pk) for v in records.values() if hasattr(v, "pk")}
        assert event.object_id in named, f"{url}'s event names {event.object_type}:{event.object_id}"
        assert event.organisation_id in ours, f"{url}'s event is filed under organisation {event.organisation_id}"
    else:
        assert events, f"{url} ({response['Content-Disposition']}) wrote no export event"
        organisations = [e.organisation_id for e in events]
        assert len(organisations) == len(set(organisations)), f"{url} wrote the same LA twice"
        assert set(organisations) <= ours and None not in organisations, f"{url} filed its export under {organisations}"
    for event in events:
        assert event.actor is not None
        assert event.object_type


def test_an_export_names_every_la_in_the_file(client, family_finder, la_a, la_b, request):
    """An RAA's family finder exports both LAs' children: one event for each, and one only."""
    from tests.test_permission_matrix import _waiting_child

    request.getfixturevalue("child_a_waiting")
    _waiting_child(la_b, first_name="Bertie", last_name="Brookes")
    client.force_login(family_finder)
    response = client.get("/children/export/")
    assert "Bertie" in response.content.decode("utf-8-sig")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="children.child")
    assert sorted(e.organisation_id for e in events) == sorted([la_a.pk, la_b.pk])
