"""The records the page walks fill in (``tests/test_role_matrix.py``, ``tests/adoption/test_downloads_audited.py``):
LA A's and its RAA's records, one fixture each, and the nine users, one per role. A walk takes them all with
``from tests.walk_records import *``.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile

from adoption.models import Job, Role
from tests import factories
from tests.test_permission_matrix import (
    adoptive_placement_a,
    applicant_raa,
    asf_application_a,
    assessment_a,
    check_raa,
    child_a_waiting,
    disposal_request_a,
    disruption_a,
    early_permanence_a,
    household_raa,
    import_job_a,
    job_a,
    learning_action_a,
    legal_hold_a,
    life_story_work_a,
    link_a,
    match_a,
    panel_business_a,
    panel_item_raa,
    panel_meeting_raa,
    panel_member_raa,
    panel_paper_raa,
    sibling_group_a,
    support_plan_a,
    support_request_a,
)

__all__ = [
    "adoptive_placement_a",
    "api_client_record_a",
    "applicant_raa",
    "asf_application_a",
    "assessment_a",
    "check_raa",
    "child_a_waiting",
    "disposal_request_a",
    "disruption_a",
    "early_permanence_a",
    "household_raa",
    "import_job_a",
    "job_a",
    "learning_action_a",
    "legal_hold_a",
    "life_story_work_a",
    "link_a",
    "match_a",
    "panel_business_a",
    "panel_item_raa",
    "panel_meeting_raa",
    "panel_meeting_with_pack",
    "panel_member_raa",
    "panel_paper_raa",
    "quarterly_return_a",
    "role_users",
    "scorecard_job_a",
    "sibling_group_a",
    "support_plan_a",
    "support_request_a",
]


@pytest.fixture
def quarterly_return_a(la_a):
    from reporting.models import QuarterlyReturn

    made = QuarterlyReturn(
        organisation=la_a, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30), version=1, summary={}
    )
    for field in ("xlsx", "children_csv", "families_csv", "summary_pdf"):
        getattr(made, field).save(f"return-{field}", ContentFile(b"return"), save=False)
    made.save()
    return made


@pytest.fixture
def scorecard_job_a(la_a):
    job = Job.objects.create(
        kind=Job.Kind.SCORECARD,
        organisation=la_a,
        status=Job.Status.QUEUED,
        params={"la_ids": [la_a.pk], "period_end": "2025-03-31"},
    )
    job.file.save("scorecard.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    job.status = Job.Status.SUCCEEDED
    job.save()
    return job


@pytest.fixture
def panel_meeting_with_pack(request):
    meeting = request.getfixturevalue("panel_meeting_raa")
    job = Job.objects.create(kind=Job.Kind.AGENDA_PACK, organisation=meeting.raa, status=Job.Status.QUEUED)
    job.file.save("pack.pdf", ContentFile(b"%PDF-1.4 pack"), save=False)
    job.status = Job.Status.SUCCEEDED
    job.save()
    meeting.pack_job = job
    meeting.save(update_fields=["pack_job"])
    return meeting


@pytest.fixture
def api_client_record_a(api_client_a):
    return api_client_a[0]


@pytest.fixture
def role_users(la_a, raa) -> dict[Role, object]:
    users = {}
    for role in Role:
        user = factories.staff(la_a, role, username=f"{role.value}.walk")
        factories.MembershipFactory(user=user, organisation=raa, role=role)
        users[role] = user
    return users
