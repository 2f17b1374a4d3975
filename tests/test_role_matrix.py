"""Every role sees only what its role allows: one table of pages and the roles that may use them.

Nine users, one per role, each holding their role at LA A and at LA A's RAA, so tenancy never refuses them:
only their role does. Every URL pattern of the project (pages and the API operations staff call with their
session) is filled with records of LA A and the RAA and requested by each of the nine. A role in the page's row
must be let in (the page, or the form's answer); every other role is refused (403, or 404 where the record does
not exist for them) and cannot post to it either. A page missing from the table fails the walk, so a new page is
decided here the day it is added.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from adoption.models import Role
from tests.test_permission_matrix import ROUTES, Route
from tests.walk_records import *  # noqa: F403  (the records the walk fills in, and the nine users)

SW = Role.SOCIAL_WORKER
FF = Role.FAMILY_FINDER
ASW = Role.ASSESSING_SOCIAL_WORKER
PA = Role.PANEL_ADVISER
PM = Role.PANEL_MEMBER
ADM = Role.ADM
SSW = Role.SUPPORT_SOCIAL_WORKER
MGR = Role.MANAGER
ADMIN = Role.ADMINISTRATOR

# Who does what (docs: DOMAIN.md's users; the roles' rules in adoption/tenancy.py and the apps' services).
# Everyone in the organisation reads its children's and its RAA's families' records (tenancy decides which).
EVERYONE = frozenset({SW, FF, ASW, PA, PM, ADM, SSW, MGR, ADMIN})
# The child's social worker, the RAA's family finder, the ADM, managers and administrators record the journey.
JOURNEY = frozenset({SW, FF, ADM, MGR, ADMIN})
# The assessing social worker (and a manager) takes a household from enquiry to panel.
ASSESSORS = frozenset({ASW, MGR})
# ... and the family finder also keeps a waiting family's availability for family finding.
AVAILABILITY = ASSESSORS | {FF}
# The panel adviser (and a manager) runs the panel: members, meetings, agendas, papers, minutes.
PANEL_STAFF = frozenset({PA, MGR})
# Panel members and the ADM read the panel's pages; they change nothing there.
PANEL_READERS = PANEL_STAFF | {PM, ADM}
# The agency decision maker's decision is recorded by the ADM, or by the panel adviser on their behalf.
DECIDERS = frozenset({ADM, PA})
# Telling the family of the decision: the decision's recorders and a manager.
TOLD = DECIDERS | {MGR}
# Deregistering an approved family is a decision too, or the assessors' step.
DEREGISTER = DECIDERS | ASSESSORS
# Adoption support is run by each LA's spoke; its administrators read it too.
SUPPORT_WRITERS = frozenset({SSW, MGR})
SUPPORT_READERS = SUPPORT_WRITERS | {ADMIN}
# Returns, scorecards and packs: managers, ADMs and administrators.
REPORTERS = frozenset({MGR, ADM, ADMIN})
# Keeping and disposing of records: managers and administrators.
RECORDS_KEEPERS = frozenset({MGR, ADMIN})
# API clients are an LA's administrators' business.
ADMINISTRATORS = frozenset({ADMIN})

# --- the table: page (URL name) -> the roles that may use it ----------------------------------------------------
ALLOWED: dict[str, frozenset[Role]] = {
    # Shared pages
    "home": EVERYONE,
    # The fixture job is a 903 export: read by those who may ask for one (every kind:
    # tests/adoption/test_job_readers.py).
    "job-detail": JOURNEY,
    "job-download": JOURNEY,
    "api-docs": EVERYONE,
    # Search finds only what tenancy lets each role see (tests/adoption/test_search.py); anyone signed in may search.
    "search": EVERYONE,
    # The child's timeline to print: the child's page laid out for paper, for everyone who reads the child.
    "child-timeline-print": EVERYONE,
    # API clients of the LA
    "api-client-create": ADMINISTRATORS,
    "api-client-detail": ADMINISTRATORS,
    "api-client-revoke": ADMINISTRATORS,
    "api-client-rotate": ADMINISTRATORS,
    "api-clients": ADMINISTRATORS,
    # Children: everyone reads, the journey roles record
    "children:adoption-application": JOURNEY,
    "children:create": JOURNEY,
    "children:decision": JOURNEY,
    "children:detail": EVERYONE,
    "children:disruption": EVERYONE,
    "children:disruption-meeting": JOURNEY,
    "children:disruption-record": JOURNEY,
    "children:disruptions": EVERYONE,
    "children:early-permanence": JOURNEY,
    "children:early-permanence-end": JOURNEY,
    "children:entered-care": JOURNEY,
    "children:episode": JOURNEY,
    "children:export": EVERYONE,
    "children:family-finding": JOURNEY,
    "children:family-finding-figures": EVERYONE,
    "children:featuring": JOURNEY,
    "children:group-link-create": JOURNEY,
    "children:group-links": EVERYONE,
    "children:group-match-create": JOURNEY,
    "children:group-suggested-families": EVERYONE,
    "children:learning-action-add": JOURNEY,
    "children:learning-action-done": JOURNEY,
    "children:left-care": JOURNEY,
    "children:link-create": JOURNEY,
    "children:link-match": JOURNEY,
    "children:link-outcome": JOURNEY,
    "children:links": EVERYONE,
    "children:list": EVERYONE,
    "children:match": JOURNEY,
    "children:match-create": JOURNEY,
    "children:match-decision": JOURNEY,
    "children:match-detail": EVERYONE,
    "children:match-panel": JOURNEY,
    "children:match-update": JOURNEY,
    "children:permanence-outcome": JOURNEY,
    "children:permanence-report": JOURNEY,
    "children:placement-order": JOURNEY,
    "children:placement-record": JOURNEY,
    "children:placements": EVERYONE,
    "children:proceedings": JOURNEY,
    "children:reverse-decision": JOURNEY,
    "children:sibling-group": EVERYONE,
    "children:sibling-group-add-member": JOURNEY,
    "children:sibling-group-create": JOURNEY,
    "children:sibling-group-remove-member": JOURNEY,
    "children:sibling-group-update": JOURNEY,
    "children:suggested-families": EVERYONE,
    "children:tracker": EVERYONE,
    "children:update": JOURNEY,
    "children:waiting": EVERYONE,
    # SSDA903 export, import and Annex A list 10: the journey roles
    "ssda903:annex-a-list-10": JOURNEY,
    "ssda903:export": JOURNEY,
    "ssda903:import-detail": JOURNEY,
    "ssda903:import-upload": JOURNEY,
    # Households: everyone at the approving agency reads; each step is for the roles the transition table gives it
    "adopters:accept-registration": ASSESSORS,
    "adopters:applicant-add": ASSESSORS,
    "adopters:applicant-edit": ASSESSORS,
    "adopters:availability": AVAILABILITY,
    "adopters:check-delay": ASSESSORS,
    "adopters:check-receive": ASSESSORS,
    "adopters:check-request": ASSESSORS,
    "adopters:checks": EVERYONE,
    "adopters:complete-stage-1": ASSESSORS,
    "adopters:complete-stage-2": ASSESSORS,
    "adopters:create": ASSESSORS,
    "adopters:deregister": DEREGISTER,
    "adopters:detail": EVERYONE,
    "adopters:edit": ASSESSORS,
    "adopters:export": EVERYONE,
    "adopters:extension": ASSESSORS,
    "adopters:leave": ASSESSORS,
    "adopters:list": EVERYONE,
    "adopters:par": ASSESSORS,
    "adopters:pause": ASSESSORS,
    "adopters:pipeline": EVERYONE,
    "adopters:record-decision": DECIDERS,
    "adopters:record-panel": PANEL_STAFF,
    "adopters:resume": ASSESSORS,
    "adopters:review": ASSESSORS,
    "adopters:start-stage-1": ASSESSORS,
    "adopters:start-stage-2": ASSESSORS,
    "adopters:waiting": EVERYONE,
    # Panels
    "panels:appraisal": PANEL_STAFF,
    "panels:appraisals": PANEL_STAFF,
    "panels:attendance": PANEL_STAFF,
    "panels:confirm": PANEL_STAFF,
    "panels:dashboard": PANEL_READERS,
    "panels:decision": DECIDERS,
    "panels:feedback-invite": PANEL_STAFF,
    "panels:invite": PANEL_STAFF,
    "panels:item": PANEL_READERS,
    "panels:item-add": PANEL_STAFF,
    "panels:item-edit": PANEL_STAFF,
    "panels:item-minutes": PANEL_STAFF,
    "panels:item-move": PANEL_STAFF,
    "panels:item-ratings": PANEL_STAFF,
    "panels:item-remove": PANEL_STAFF,
    "panels:make-up": PANEL_READERS,
    "panels:meeting": PANEL_READERS,
    "panels:meeting-create": PANEL_STAFF,
    "panels:meeting-edit": PANEL_STAFF,
    "panels:meetings": PANEL_READERS,
    "panels:member": PANEL_READERS,
    "panels:member-create": PANEL_STAFF,
    "panels:member-edit": PANEL_STAFF,
    "panels:members": PANEL_READERS,
    "panels:minutes-check": PANEL_STAFF,
    "panels:minutes-draft": PANEL_STAFF,
    "panels:minutes-final": PANEL_STAFF,
    "panels:pack": PANEL_STAFF,
    "panels:pack-build": PANEL_STAFF,
    "panels:pack-download": PANEL_STAFF,
    "panels:panel-report": PANEL_READERS,
    "panels:paper": PANEL_STAFF,
    "panels:paper-upload": PANEL_STAFF,
    "panels:quality-report": PANEL_READERS,
    "panels:recommendation": PANEL_STAFF,
    "panels:told": TOLD,
    # Retention: legal holds and disposals
    "retention": RECORDS_KEEPERS,
    "retention-hold-place": RECORDS_KEEPERS,
    "retention-hold-release": RECORDS_KEEPERS,
    "retention-disposal-request": RECORDS_KEEPERS,
    "retention-disposal-approve": RECORDS_KEEPERS,
    "retention-disposal-refuse": RECORDS_KEEPERS,
    # Adoption support
    "support:asf": SUPPORT_READERS,
    "support:asf-application": SUPPORT_READERS,
    "support:asf-create": SUPPORT_WRITERS,
    "support:asf-deadlines": SUPPORT_READERS,
    "support:asf-decide": SUPPORT_WRITERS,
    "support:asf-invoice": SUPPORT_WRITERS,
    "support:asf-paid": SUPPORT_WRITERS,
    "support:asf-submit": SUPPORT_WRITERS,
    "support:asf-update": SUPPORT_WRITERS,
    "support:assessment-complete": SUPPORT_WRITERS,
    "support:assessment-start": SUPPORT_WRITERS,
    "support:caseloads": SUPPORT_READERS,
    "support:child-history": SUPPORT_READERS,
    "support:duty": SUPPORT_READERS,
    "support:life-story": SUPPORT_READERS,
    "support:life-story-child": SUPPORT_READERS,
    "support:life-story-complete": SUPPORT_WRITERS,
    "support:life-story-schedule-book": SUPPORT_WRITERS,
    "support:life-story-schedule-letter": SUPPORT_WRITERS,
    "support:life-story-start": SUPPORT_WRITERS,
    "support:life-story-worker": SUPPORT_WRITERS,
    "support:plan-agree": SUPPORT_WRITERS,
    "support:plan-end": SUPPORT_WRITERS,
    "support:plan-review": SUPPORT_WRITERS,
    "support:request": SUPPORT_READERS,
    "support:request-allocate": SUPPORT_WRITERS,
    "support:request-close": SUPPORT_WRITERS,
    "support:request-create": SUPPORT_WRITERS,
    "support:request-respond": SUPPORT_WRITERS,
    # Reports
    "reporting:a1": REPORTERS,
    "reporting:annex-a-list-11": ASSESSORS,
    "reporting:board": REPORTERS,
    "reporting:dashboard": REPORTERS,
    "reporting:data-pack": REPORTERS,
    "reporting:return-children-csv": REPORTERS,
    "reporting:return-families-csv": REPORTERS,
    "reporting:return-pdf": REPORTERS,
    "reporting:return-xlsx": REPORTERS,
    "reporting:returns": REPORTERS,
    "reporting:runs": REPORTERS,
    "reporting:scorecard": REPORTERS,
    "reporting:scorecard-drilldown": REPORTERS,
    "reporting:scorecard-pdf": REPORTERS,
    "reporting:sufficiency": REPORTERS,
    # The API, called with a session: the same roles as the pages (an ASF list is empty for other roles)
    "api-asf-applications-detail": SUPPORT_READERS,
    "api-asf-applications-list": SUPPORT_READERS,
    "api-asf-applications-submit": SUPPORT_WRITERS,
    "api-children-detail": EVERYONE,
    "api-children-events": EVERYONE,
    "api-children-list": EVERYONE,
    "api-codes-detail": EVERYONE,
    "api-codes-list": EVERYONE,
    "api-households-checks": EVERYONE,
    "api-households-detail": EVERYONE,
    "api-households-list": EVERYONE,
    "api-households-pauses": ASSESSORS,
    "api-households-pauses-end": ASSESSORS,
    "api-households-transitions": ASSESSORS | PANEL_STAFF | DECIDERS,
    "api-matches-detail": EVERYONE,
    "api-matches-list": EVERYONE,
    "api-panel-items-detail": EVERYONE,
    "api-panel-items-list": EVERYONE,
    "api-placements-detail": EVERYONE,
    "api-placements-list": EVERYONE,
    "api-returns-detail": REPORTERS,
    "api-returns-file": REPORTERS,
    "api-returns-list": REPORTERS,
    "api-scorecards-detail": REPORTERS,
    "api-scorecards-list": REPORTERS,
    "api-scorecards-pdf": REPORTERS,
    "api-sibling-groups-detail": EVERYONE,
    "api-sibling-groups-list": EVERYONE,
    "api-ssda903-import-detail": JOURNEY,
    "api-ssda903-imports": JOURNEY,
}

# Pages that are not role pages, and why they are left out of the walk.
NOT_ROLE_PAGES: dict[str, str] = {
    "sign-in": "Signing in comes before any role.",
    "sign-out": "Everyone signed in may sign out.",
    "mfa-setup": "Two-factor set-up is part of signing in (tests/adoption/test_mfa.py).",
    "mfa-verify": "Two-factor verification is part of signing in (tests/adoption/test_mfa.py).",
    "session-extend": "Anyone signed in may keep their own session (tests/adoption/test_session.py).",
    "accessibility": "The accessibility statement is public (tests/test_anonymous.py).",
    "health": "The health check is public and shows no records (tests/test_anonymous.py).",
    "api-schema": "The OpenAPI schema describes operations and holds no records (tests/test_anonymous.py).",
    "panels:feedback-form": "Adopters open the feedback form from a one-off link, without an account.",
    "panels:feedback-link": "The one-off link itself, which leads to the feedback form.",
}
NOT_ROLE_PREFIXES: dict[str, str] = {
    "admin/": "The Django admin is for is_staff support staff, not for a role (test_permission_matrix.py).",
    "favicon.ico": "The browser's icon, public.",
}

# --- the records each parameter names (LA A's or the RAA's own), and literal values --------------------------------
RECORDS: dict[str, str] = {
    "child_id": "child_a_waiting",
    "group_id": "sibling_group_a",
    "placement_id": "early_permanence_a",
    "job_id": "job_a",
    "household_id": "household_raa",
    "link_id": "link_a",
    "match_id": "match_a",
    "disruption_id": "disruption_a",
    "action_id": "learning_action_a",
    "item_id": "panel_item_raa",
    "application_id": "asf_application_a",
    "member_id": "panel_member_raa",
    "meeting_id": "panel_meeting_raa",
    "paper_id": "panel_paper_raa",
    "request_id": "support_request_a",
    "assessment_id": "assessment_a",
    "plan_id": "support_plan_a",
    "work_id": "life_story_work_a",
    "applicant_id": "applicant_raa",
    "check_id": "check_raa",
    "return_id": "quarterly_return_a",
    "client_id": "api_client_record_a",
    "hold_id": "legal_hold_a",
}
ROUTE_RECORDS: dict[str, dict[str, str]] = {
    "ssda903/imports/": {"job_id": "import_job_a"},
    "api/v1/ssda903/imports/": {"job_id": "import_job_a"},
    "api/v1/placements/": {"placement_id": "adoptive_placement_a"},
    "api/v1/panel-items/": {"item_id": "panel_business_a"},
    "api/v1/scorecards/": {"job_id": "scorecard_job_a"},
    "retention/disposals/": {"request_id": "disposal_request_a"},
    # The agenda pack is downloaded once it is built.
    "panels/meetings/<int:meeting_id>/pack/download/": {"meeting_id": "panel_meeting_with_pack"},
}
LITERALS: dict[str, str] = {"measure": "a1", "name": "sex", "file": "xlsx"}


def _record_for(route: Route, parameter: str) -> str:
    prefixes = sorted((p for p in ROUTE_RECORDS if route.route.startswith(p)), key=len, reverse=True)
    for prefix in prefixes:
        if parameter in ROUTE_RECORDS[prefix]:
            return ROUTE_RECORDS[prefix][parameter]
    return RECORDS[parameter]


def _left_out(route: Route) -> str | None:
    if route.name in NOT_ROLE_PAGES:
        return NOT_ROLE_PAGES[route.name]
    return next((why for prefix, why in NOT_ROLE_PREFIXES.items() if route.route.startswith(prefix)), None)


WALKED = [r for r in ROUTES if _left_out(r) is None]
REFUSED = {401, 403, 404}


def _post(client, url: str, is_api: bool):
    """An empty post: JSON to the API, a form to a page."""
    return client.post(url, json.dumps({}), content_type="application/json") if is_api else client.post(url)


def _visit(client, url: str, is_api: bool):
    """GET the page; a button that only posts is posted to (empty: a form answers with its errors). Nothing it
    changes outlives the visit, so each role finds the records as they were."""
    with transaction.atomic():
        response = client.get(url)
        method = "GET"
        if response.status_code == 405:
            method = "POST"
            response = _post(client, url, is_api)
        transaction.set_rollback(True)
    return method, response


def _let_in(response) -> bool:
    if response.status_code in REFUSED:
        return False
    assert response.status_code < 500
    if response.status_code == 302:
        assert "/sign-in" not in response["Location"]
    return True


@pytest.mark.parametrize("route", WALKED, ids=[r.name for r in WALKED])
def test_every_role_sees_only_what_its_role_allows(route, client, role_users, request):
    assert route.name, f"{route.route} has no name: name it so the table can list it"
    values = {}
    for parameter in route.parameters:
        if parameter in LITERALS:
            values[parameter] = LITERALS[parameter]
        else:
            values[parameter] = request.getfixturevalue(_record_for(route, parameter)).pk
    url = route.url(values)
    is_api = route.route.startswith("api/")
    seen: set[Role] = set()
    for role, user in role_users.items():
        client.force_login(user)
        method, response = _visit(client, url, is_api)
        if _let_in(response):
            seen.add(role)
        elif method == "GET":
            with transaction.atomic():
                posted = (
                    client.post(url, json.dumps({}), content_type="application/json") if is_api else client.post(url)
                )
                transaction.set_rollback(True)
            assert posted.status_code in REFUSED | {405}, f"{role} may post to {url} though refused the page"
    assert route.name in ALLOWED, f"{route.name} ({route.route}) is not in the table; observed {sorted(seen)}"
    assert seen == ALLOWED[route.name], (
        f"{route.name}: let in {sorted(seen)}, the table says {sorted(ALLOWED[route.name])}"
    )
