"""Ofsted Annex A list 11 (adopters): who is on it, what each row says, and who may ask for it.

A hand-built RAA with one household at each kind of stage, on and around the edges of the
12 months before the date of the request (31 March 2025: the window is 31 March 2024 to 31 March 2025).
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.http import Http404
from openpyxl import load_workbook

from adopters.models import Applicant, Household
from adoption.models import AuditEvent, Job, Role
from children.models import AdoptivePlacement, EarlyPermanencePlacement, PermanenceOutcome
from reporting.annex_a_list_11 import annex_a_list_11_request, list_11_adopters
from tests import factories

AS_AT = date(2025, 3, 31)
FIRST_DAY = date(2024, 3, 31)  # the first day of the 12 months before AS_AT
URL = "/reports/annex-a/list-11/"
HEADERS = [
    "Individual adopter identifier",
    "Family identifier",
    "Gender",
    "Ethnicity",
    "Disability",
    "Is the (prospective) adopter fostering for adoption?",
    "Date enquiry received",
    "Date Stage 1 started",
    "Date Stage 1 ended",
    "Date Stage 2 started",
    "Date Stage 2 ended",
    "Date application submitted",
    "Date application approved",
    "Date adopter matched with child(ren)",
    "Date child/children placed with adopter(s)",
    "No. of children placed",
    "Date of Adoption Order",
    "Date of leaving adoption process",
    "Reason for leaving adoption process",
]


def _dt(*parts: int) -> datetime:
    return datetime(*parts)  # openpyxl reads spreadsheet dates back as naive datetimes


def _household(agency, reference: str, **fields) -> Household:
    """A household of ``agency`` with only the dates given (the factory's own dates are cleared)."""
    dates = {"enquired_on": None, "registered_on": None, "approved_on": None}
    return factories.HouseholdFactory(approving_agency=agency, reference=reference, **{**dates, **fields})


def _applicant(household: Household, first_name: str, **fields) -> Applicant:
    return Applicant.objects.create(household=household, first_name=first_name, last_name="Adopter", **fields)


def _placed(household: Household, agency_la, *, matched_on: date, placed_on: date | None, adopted_on=None):
    child = factories.ChildFactory(responsible_la=agency_la)
    AdoptivePlacement.objects.create(child=child, household=household, matched_on=matched_on, placed_on=placed_on)
    if adopted_on:
        PermanenceOutcome.objects.create(child=child, kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on=adopted_on)
    return child


@pytest.fixture
def adopters(raa, la_a, vaa, la_other):
    """One household at each kind of stage, plus households outside the window and of other agencies."""
    made = {}
    # A couple who enquired in the window; the household reference looks like a formula.
    enquiry = _household(raa, '=HYPERLINK("x")', status=Household.Status.ENQUIRY, enquired_on=date(2025, 1, 5))
    made["mina"] = _applicant(enquiry, "=Mina", sex="F", ethnicity="AIND", disability="no")
    made["raj"] = _applicant(enquiry, "Raj", sex="M", ethnicity="APKN", disability="yes")
    # In stage 2 since before the window and still there on the day: in the process, so on the list.
    # Stage 2 ended after the day of the request, which the list must not know.
    stage2 = _household(
        raa,
        "STAGE2",
        status=Household.Status.AWAITING_PANEL,
        enquired_on=date(2023, 11, 1),
        registered_on=date(2023, 11, 20),
        stage1_started_on=date(2023, 12, 1),
        stage1_ended_on=date(2024, 2, 1),
        stage2_started_on=date(2024, 3, 1),
        stage2_ended_on=date(2025, 4, 10),
    )
    made["sam"] = _applicant(stage2, "Sam", sex="M", ethnicity="WBRI", disability="no")
    # Approved before the window, then matched with and placed two children in it; one adopted.
    placed = _household(
        raa,
        "PLACED",
        status=Household.Status.PLACED,
        enquired_on=date(2023, 1, 10),
        registered_on=date(2023, 2, 1),
        stage1_started_on=date(2023, 2, 15),
        stage1_ended_on=date(2023, 4, 14),
        stage2_started_on=date(2023, 5, 1),
        stage2_ended_on=date(2023, 8, 20),
        panel_on=date(2023, 9, 10),
        approved_on=date(2023, 9, 20),
    )
    made["pat"] = _applicant(placed, "Pat")  # sex, ethnicity and disability not recorded
    _placed(placed, la_a, matched_on=date(2024, 5, 1), placed_on=date(2024, 6, 10), adopted_on=date(2025, 1, 20))
    _placed(placed, la_a, matched_on=date(2024, 5, 1), placed_on=date(2024, 6, 3))
    # Approved long ago and still waiting, caring for a baby under fostering for adoption.
    waiting = _household(
        raa, "WAITING", enquired_on=date(2021, 9, 1), registered_on=date(2021, 10, 1), approved_on=date(2022, 5, 1)
    )
    made["wren"] = _applicant(waiting, "Wren", sex="F", ethnicity="BAFR", disability="no")
    baby = factories.ChildFactory(responsible_la=la_a)
    EarlyPermanencePlacement.objects.create(child=baby, kind="ffa", household=waiting, started_on=date(2024, 9, 1))
    # Left in the window, for each reason.
    for reference, reason in (
        ("WITHDREW", "withdrew"),
        ("HOLD", "on_hold"),
        ("REFUSED", "refused"),
        ("OTHER", "other"),
    ):
        left = _household(
            raa,
            reference,
            status=Household.Status.LEFT,
            enquired_on=date(2024, 1, 1),
            registered_on=date(2024, 1, 15),
            stage1_started_on=date(2024, 2, 1),
            left_on=date(2024, 5, 10),
            leaving_reason=reason,
        )
        made[reference] = _applicant(left, reference.title())
    # The edges of the window: leaving on its first day is in, the day before is out; an enquiry
    # on the day of the request is in, the day after is out.
    for reference, left_on in (("LEFT-FIRST-DAY", FIRST_DAY), ("LEFT-DAY-BEFORE", date(2024, 3, 30))):
        left = _household(
            raa,
            reference,
            status=Household.Status.LEFT,
            enquired_on=date(2023, 6, 1),
            left_on=left_on,
            leaving_reason="withdrew",
        )
        _applicant(left, reference)
    _applicant(_household(raa, "ENQ-LAST-DAY", status=Household.Status.ENQUIRY, enquired_on=AS_AT), "Last")
    _applicant(_household(raa, "ENQ-DAY-AFTER", status=Household.Status.ENQUIRY, enquired_on=date(2025, 4, 1)), "Late")
    # Adopted: the adoption order on the window's first day is in, the day before is out.
    for reference, order in (("ADOPTED-FIRST-DAY", FIRST_DAY), ("ADOPTED-DAY-BEFORE", date(2024, 3, 30))):
        adopted = _household(
            raa,
            reference,
            status=Household.Status.ADOPTED,
            enquired_on=date(2021, 1, 4),
            registered_on=date(2021, 2, 1),
            approved_on=date(2021, 9, 1),
        )
        _applicant(adopted, reference)
        _placed(adopted, la_a, matched_on=date(2022, 6, 1), placed_on=date(2022, 7, 1), adopted_on=order)
    # Other agencies' households, busy in the window: never on the RAA's list.
    made["vaa"] = _applicant(
        _household(vaa, "VAA-1", status=Household.Status.ENQUIRY, enquired_on=date(2025, 2, 1)), "Vera"
    )
    other_raa = la_other.raa
    _applicant(_household(other_raa, "COAST-1", status=Household.Status.ENQUIRY, enquired_on=date(2025, 2, 1)), "Col")
    return made


def _sheet(job: Job):
    with job.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames == ["List 11 - Adopters"]
    return workbook["List 11 - Adopters"]


def _rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _run(actor, agency, django_capture_on_commit_callbacks, as_at: date = AS_AT) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = annex_a_list_11_request(actor=actor, agency_id=agency.pk, as_at=as_at)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    return job


def test_the_spreadsheet_has_the_published_headings_and_a_row_per_adopter(
    adopters, raa, manager, django_capture_on_commit_callbacks
):
    job = _run(manager, raa, django_capture_on_commit_callbacks)
    sheet = _sheet(job)
    rows = _rows(sheet)
    assert rows[0] == HEADERS
    by_id = {row[0]: row for row in rows[1:]}
    assert len(by_id) == len(rows) - 1  # one row per adopter
    families = sorted(row[1] for row in rows[1:])
    assert families == sorted(
        [
            '\'=HYPERLINK("x")',
            '\'=HYPERLINK("x")',  # the couple: two rows, one family
            "STAGE2",
            "PLACED",
            "WAITING",
            "WITHDREW",
            "HOLD",
            "REFUSED",
            "OTHER",
            "LEFT-FIRST-DAY",
            "ENQ-LAST-DAY",
            "ADOPTED-FIRST-DAY",
        ]
    )
    assert job.result == {"agency_id": raa.pk, "date_of_request": "2025-03-31", "adopters": 12}

    # The couple at enquiry: each adopter's own characteristics, nothing else known yet.
    mina, raj = by_id[adopters["mina"].pk], by_id[adopters["raj"].pk]
    assert (
        mina
        == [adopters["mina"].pk, '\'=HYPERLINK("x")', "b) Female", "j) AIND", "b) No", "b) No"]
        + [_dt(2025, 1, 5)]
        + [None] * 12
    )
    assert raj[:7] == [
        adopters["raj"].pk,
        '\'=HYPERLINK("x")',
        "a) Male",
        "k) APKN",
        "a) Yes",
        "b) No",
        _dt(2025, 1, 5),
    ]
    # In stage 2 on the day: the end of stage 2 came later, so it is not on the list.
    assert (
        by_id[adopters["sam"].pk][2:]
        == [
            "a) Male",
            "a) WBRI",
            "b) No",
            "b) No",
            _dt(2023, 11, 1),
            _dt(2023, 12, 1),
            _dt(2024, 2, 1),
            _dt(2024, 3, 1),
        ]
        + [None] * 9
    )
    # Approved, then two children matched and placed, one adopted: the earliest match and placement,
    # two children, the application submitted when stage 2 ended (the PAR went to panel).
    assert by_id[adopters["pat"].pk][2:] == [
        "c) Not stated/recorded",
        "t) NOBT",
        None,  # disability not known is left empty: list 11 has only a) Yes and b) No
        "b) No",
        _dt(2023, 1, 10),
        _dt(2023, 2, 15),
        _dt(2023, 4, 14),
        _dt(2023, 5, 1),
        _dt(2023, 8, 20),
        _dt(2023, 8, 20),
        _dt(2023, 9, 20),
        _dt(2024, 5, 1),
        _dt(2024, 6, 3),
        2,
        _dt(2025, 1, 20),
        None,
        None,
    ]
    # Waiting since 2022 with a fostering for adoption placement.
    wren = by_id[adopters["wren"].pk]
    assert wren[2:7] == ["b) Female", "o) BAFR", "b) No", "a) Yes", _dt(2021, 9, 1)]
    assert wren[12:] == [_dt(2022, 5, 1), None, None, None, None, None, None]
    # Leaving: the date, and the reason's code; "other" has no code in the template, so it is empty.
    reasons = {ref: by_id[adopters[ref].pk][17:] for ref in ("WITHDREW", "HOLD", "REFUSED", "OTHER")}
    assert reasons == {
        "WITHDREW": [_dt(2024, 5, 10), "1 - Adopter withdrew from process"],
        "HOLD": [_dt(2024, 5, 10), "2 - Process put on hold"],
        "REFUSED": [_dt(2024, 5, 10), "3 - Application refused"],
        "OTHER": [_dt(2024, 5, 10), None],
    }
    # Dates are real dates shown day first; the formula-like reference is text, not a formula.
    assert sheet.cell(row=2, column=7).number_format == "dd/mm/yyyy"
    cell = next(c for c in sheet["B"] if str(c.value).startswith("'="))
    assert cell.data_type == "s"
    # Names are not part of list 11, so the formula-like first name is nowhere in the file.
    assert not any("Mina" in str(value) for row in rows for value in row)
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_id=str(job.pk))
    assert export.actor == manager and export.organisation == raa


def test_the_window_is_the_12_months_to_the_day_of_the_request(adopters, raa):
    families = {row.cells[1] for row in list_11_adopters(agency=raa, as_at=AS_AT)}
    assert {"LEFT-FIRST-DAY", "ENQ-LAST-DAY", "ADOPTED-FIRST-DAY"} <= families
    assert families.isdisjoint({"LEFT-DAY-BEFORE", "ENQ-DAY-AFTER", "ADOPTED-DAY-BEFORE"})
    # A day later, the first day has left the window; the enquiry of 1 April has come in.
    families = {row.cells[1] for row in list_11_adopters(agency=raa, as_at=date(2025, 4, 1))}
    assert families.isdisjoint({"LEFT-FIRST-DAY", "ADOPTED-FIRST-DAY"})
    assert {"ENQ-LAST-DAY", "ENQ-DAY-AFTER"} <= families


def test_the_rows_come_from_one_query_however_many_households(adopters, raa, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list_11_adopters(agency=raa, as_at=AS_AT)
    assert len(rows) == 12


def test_another_agencys_households_never_appear_and_it_cannot_be_chosen(
    client, adopters, raa, vaa, la_other, manager, django_capture_on_commit_callbacks
):
    job = _run(manager, raa, django_capture_on_commit_callbacks)
    families = {row[1] for row in _rows(_sheet(job))[1:]}
    assert families.isdisjoint({"VAA-1", "COAST-1"})

    client.force_login(manager)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert raa.name in body and vaa.name not in body and la_other.raa.name not in body
    for agency in (vaa, la_other.raa):
        response = client.post(URL, {"agency": agency.pk, "as_at_day": "31", "as_at_month": "3", "as_at_year": "2025"})
        assert response.status_code == 400
        assert "Choose an adoption agency" in response.content.decode()
        assert not Job.objects.filter(organisation=agency).exists()
        with pytest.raises(Http404):
            annex_a_list_11_request(actor=manager, agency_id=agency.pk, as_at=AS_AT)
    assert not Job.objects.exclude(pk=job.pk).exists()


def test_the_page_queues_the_job_and_the_job_page_offers_the_download(
    client, adopters, raa, assessing_social_worker, django_capture_on_commit_callbacks
):
    client.force_login(assessing_social_worker)
    future = client.post(URL, {"agency": raa.pk, "as_at_day": "1", "as_at_month": "1", "as_at_year": "2100"})
    assert future.status_code == 400 and "must be today or in the past" in future.content.decode()
    assert not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"agency": raa.pk, "as_at_day": "31", "as_at_month": "3", "as_at_year": "2025"})
    job = Job.objects.get(kind=Job.Kind.ANNEX_A_LIST_11)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.params == {"agency_id": raa.pk, "as_at": "2025-03-31"}
    assert job.organisation == raa and job.requested_by == assessing_social_worker
    # The task ran (eagerly) once the request's transaction committed: the job has finished.
    assert job.status == Job.Status.SUCCEEDED, job.error
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Ofsted Annex A list 11 (XLSX)" in page and f"/jobs/{job.pk}/download/" in page
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert [c.value for c in workbook["List 11 - Adopters"][1]] == HEADERS


def test_a_vaa_worker_can_only_export_their_vaa(
    client, adopters, raa, vaa, vaa_worker, django_capture_on_commit_callbacks
):
    client.force_login(vaa_worker)
    body = client.get(URL).content.decode()
    assert vaa.name in body and raa.name not in body
    refused = client.post(URL, {"agency": raa.pk, "as_at_day": "31", "as_at_month": "3", "as_at_year": "2025"})
    assert refused.status_code == 400
    assert not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"agency": vaa.pk, "as_at_day": "31", "as_at_month": "3", "as_at_year": "2025"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.organisation == vaa and job.status == Job.Status.SUCCEEDED
    rows = _rows(_sheet(job))
    assert [row[:2] for row in rows[1:]] == [[adopters["vaa"].pk, "VAA-1"]]


@pytest.mark.parametrize("persona", ["social_worker_a", "manager_a", "family_finder"])
def test_only_an_agencys_managers_and_assessing_social_workers_may_ask(client, adopters, raa, persona, request):
    """LA staff have no adopters to export; an RAA family finder is not one of the roles that may."""
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(URL).status_code in {403, 404}
    response = client.post(URL, {"agency": raa.pk, "as_at_day": "31", "as_at_month": "3", "as_at_year": "2025"})
    assert response.status_code in {403, 404}
    assert not Job.objects.exists()


def test_a_manager_of_two_agencies_chooses_between_them(client, raa, vaa, manager):
    factories.MembershipFactory(user=manager, organisation=vaa, role=Role.MANAGER)
    client.force_login(manager)
    body = client.get(URL).content.decode()
    assert raa.name in body and vaa.name in body
