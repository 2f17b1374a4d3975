"""A job's page and file are for the roles that may ask for that kind of job, not for every role of the LA.

A scorecard or an Annex A list is built for a manager; a social worker of the same LA must not read it by
guessing its address. Each kind is checked with the nine roles, each held at the job's LA and its RAA, so tenancy
never refuses them and only the role does (404: the job does not exist for them, as for another LA's).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from adoption import tenancy
from adoption.models import Job, Role
from tests import factories

pytestmark = pytest.mark.django_db

REPORTERS = {Role.MANAGER, Role.ADM, Role.ADMINISTRATOR}
JOURNEY = {Role.SOCIAL_WORKER, Role.FAMILY_FINDER, Role.ADM, Role.MANAGER, Role.ADMINISTRATOR}
# Who may read each kind: what the services that queue the job let ask for it.
EXPECTED = {
    Job.Kind.A1_REPORT: REPORTERS,
    Job.Kind.QUARTERLY_RETURN: REPORTERS,
    Job.Kind.SCORECARD: REPORTERS,
    Job.Kind.BOARD_REPORT: REPORTERS,
    Job.Kind.DATA_PACK: REPORTERS,
    Job.Kind.SSDA903_IMPORT: JOURNEY,
    Job.Kind.SSDA903_EXPORT: JOURNEY,
    Job.Kind.ANNEX_A_LIST_10: JOURNEY,
    Job.Kind.ANNEX_A_LIST_11: {Role.MANAGER, Role.ASSESSING_SOCIAL_WORKER},
}


@pytest.fixture
def role_users(la_a, raa):
    users = {}
    for role in Role:
        user = factories.staff(la_a, role, username=f"{role.value}.jobs")
        factories.MembershipFactory(user=user, organisation=raa, role=role)
        users[role] = user
    return users


def _finished(kind: str, organisation) -> Job:
    job = Job.objects.create(kind=kind, organisation=organisation, status=Job.Status.QUEUED)
    job.file.save(f"{kind}.bin", ContentFile(b"built for its readers"), save=False)
    job.status = Job.Status.SUCCEEDED
    job.save()
    return job


def test_every_kind_of_job_has_its_readers():
    assert set(tenancy.JOB_READERS) == set(Job.Kind.values)
    assert tenancy.JOB_READERS[Job.Kind.AGENDA_PACK] == frozenset()  # read through the meeting's pages only


def test_the_readers_are_the_roles_that_may_ask_for_the_job():
    from children.services.base import JOURNEY_WRITERS
    from reporting.annex_a_list_11 import REQUESTERS
    from reporting.services import REPORT_ROLES

    assert tenancy.JOB_READERS[Job.Kind.SCORECARD] == frozenset(REPORT_ROLES)
    assert tenancy.JOB_READERS[Job.Kind.SSDA903_EXPORT] == frozenset(JOURNEY_WRITERS)
    assert tenancy.JOB_READERS[Job.Kind.ANNEX_A_LIST_11] == frozenset(REQUESTERS)


@pytest.mark.parametrize("kind", list(EXPECTED), ids=[str(k) for k in EXPECTED])
def test_a_job_is_read_and_downloaded_only_by_its_kinds_roles(kind, client, la_a, raa, role_users):
    organisation = raa if kind == Job.Kind.ANNEX_A_LIST_11 else la_a  # adopters' list: the approving agency's
    job = _finished(kind, organisation)
    readers = set()
    for role, user in role_users.items():
        client.force_login(user)
        page = client.get(reverse("job-detail", args=[job.pk]))
        download = client.get(reverse("job-download", args=[job.pk]))
        if page.status_code == 200:
            assert download.status_code == 200, f"{role} reads the job's page but not its file"
            assert b"".join(download.streaming_content) == b"built for its readers"
            readers.add(role)
        else:
            assert page.status_code == 404, f"{role}: {page.status_code}"
            assert download.status_code == 404, f"{role} downloads a job it cannot see"
    assert readers == EXPECTED[kind]


def test_an_la_api_client_still_follows_its_own_import(la_a, api_client_a):
    """The API's 903 import answers its client (which has no role) as before."""
    from children.ssda903.importer.requests import import_job_list

    client_record, _token = api_client_a
    job = Job.objects.create(
        kind=Job.Kind.SSDA903_IMPORT,
        organisation=la_a,
        status=Job.Status.SUCCEEDED,
        params={"phase": "preview", "year": date(2025, 4, 1).year},
    )
    assert list(import_job_list(actor=client_record)) == [job]
