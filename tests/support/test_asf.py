"""ASF applications: what is left for fixture children in both financial years, submission and its refusals, the
status table, spend and deadlines, the pages, and who sees what (LA A's support worker never sees LA B's)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from adoption.models import AuditEvent, Role
from children.models import PeriodOfCare, PermanenceOutcome
from support.models import AsfApplication, SupportRequest
from support.selectors import asf as selectors
from support.services import asf as services
from tests import factories
from tests.support.conftest import date_fields

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)
S = AsfApplication.Status
D = Decimal


# --- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_a(la_a):
    """An administrator of LA A: reads adoption support, changes nothing."""
    return factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")


def adopted(la, first: str, last: str, *, born: date | None = None):
    """A child adopted from care: in care from 2015, placed in 2017, adopted in 2018."""
    child = factories.adopted_child(
        la,
        entered_care=date(2015, 9, 1),
        moved_in=date(2017, 9, 1),
        adoption_order=date(2018, 6, 1),
        first_name=first,
        last_name=last,
    )
    if born is not None:
        child.date_of_birth = born
        child.save()
    return child


@pytest.fixture
def amelia(la_a):
    return adopted(la_a, "Amelia", "Ashdown")


@pytest.fixture
def bertie(la_b):
    return adopted(la_b, "Bertie", "Brookes")


def under_order(la, first: str, *, kind: str = "sgo", looked_after: bool):
    child = factories.ChildFactory(
        responsible_la=la, first_name=first, last_name="Guardian", date_of_birth=date(2016, 2, 2)
    )
    if looked_after:
        PeriodOfCare.objects.create(
            child=child, started_on=date(2019, 8, 1), ended_on=date(2021, 3, 1), reason_ended="E45"
        )
    PermanenceOutcome.objects.create(child=child, kind=kind, made_on=date(2021, 3, 1))
    return child


def application(
    child,
    by,
    *,
    la=None,
    status: str = S.DRAFT,
    cost: str = "1000",
    match: str = "0",
    starts: date = date(2025, 5, 6),
    ends: date = date(2025, 12, 16),
    assessment: bool = False,
    provider: str = "Family Futures Therapy",
    **fields: Any,
) -> AsfApplication:
    """An application straight into the database, its dates consistent with its status."""
    on = min(starts, TODAY)
    counted = status != S.DRAFT
    decided = status in (S.APPROVED, S.REJECTED, S.INVOICED, S.PAID)
    return AsfApplication.objects.create(
        la=la or child.responsible_la,
        child=child,
        therapy="specialist_assessment" if assessment else "theraplay",
        specialist_assessment=assessment,
        provider=provider,
        sessions=10,
        cost=D(cost),
        match_funding=D(match),
        work_starts_on=starts,
        work_ends_on=ends,
        financial_year=starts.year if starts.month >= 4 else starts.year - 1,
        status=status,
        basis="adopted" if counted else "",
        submitted_on=on if counted else None,
        decided_on=on if decided else None,
        rejection_reason="Not a therapy the fund pays for" if status == S.REJECTED else "",
        invoiced_on=on if status in (S.INVOICED, S.PAID) else None,
        paid_on=on if status == S.PAID else None,
        created_by=by,
        **fields,
    )


def draft_fields(child, **changes: Any) -> dict[str, Any]:
    """What a support worker gives for a new draft (the services' arguments)."""
    fields: dict[str, Any] = {
        "la_id": child.responsible_la_id,
        "child_id": child.pk,
        "therapy": "theraplay",
        "provider": "Family Futures Therapy",
        "sessions": 12,
        "cost": D("1500"),
        "work_starts_on": date(2025, 7, 7),
        "work_ends_on": date(2026, 1, 30),
    }
    fields.update(changes)
    return fields


def form_post(child, **changes: str) -> dict[str, str]:
    data = {
        "child": str(child.pk),
        "therapy": "theraplay",
        "specialist_assessment": "no",
        "provider": "Calm Minds Therapy",
        "sessions": "12",
        "cost": "1500",
        "match_funding": "",
        **date_fields("work_starts_on", date(2025, 7, 7)),
        **date_fields("work_ends_on", date(2026, 1, 30)),
        "ehc_plan": "no",
        "intercountry": "no",
    }
    data.update(changes)
    return data


# --- what is left for a child --------------------------------------------------------------------------------


def test_what_is_left_counts_what_the_fund_was_asked_for_not_drafts_or_rejections(frozen_today, amelia, support_a):
    application(amelia, support_a, status=S.APPROVED, cost="1000")
    application(amelia, support_a, status=S.SUBMITTED, cost="500")
    application(amelia, support_a, status=S.INVOICED, cost="200")
    application(amelia, support_a, status=S.PAID, cost="300")
    application(amelia, support_a, status=S.DRAFT, cost="700")
    application(amelia, support_a, status=S.REJECTED, cost="900")
    # 2024-25 spending is that year's, not 2025-26's.
    application(amelia, support_a, status=S.PAID, cost="4000", starts=date(2025, 3, 3), ends=date(2025, 9, 1))

    left = selectors.child_year_left(child_id=amelia.pk, year=2025)
    assert left is not None
    assert (left.total, left.assessment) == (D("1000.00"), None)
    old = selectors.child_year_left(child_id=amelia.pk, year=2024)
    assert old is not None
    assert (old.therapy, old.assessment) == (D("1000.00"), D("2500.00"))


def test_2024_25_keeps_assessments_apart_and_counts_only_the_funds_share(frozen_today, amelia, support_a):
    old_year = {"starts": date(2024, 9, 2), "ends": date(2025, 7, 31)}
    application(amelia, support_a, status=S.PAID, cost="4500", match="500", **old_year)  # the fund paid £4,000
    application(amelia, support_a, status=S.APPROVED, cost="2000", assessment=True, **old_year)
    left = selectors.child_year_left(child_id=amelia.pk, year=2024)
    assert left is not None
    assert (left.therapy, left.assessment) == (D("1000.00"), D("500.00"))
    assert left.words == "£1,000 for therapy and £500 for a specialist assessment"


def test_a_child_with_2000_approved_in_2025_26_is_refused_a_1500_application(frozen_today, amelia, support_a):
    application(amelia, support_a, status=S.APPROVED, cost="2000")
    draft = services.asf_application_create(actor=support_a, **draft_fields(amelia))
    assert (draft.status, draft.financial_year, draft.year_label) == (S.DRAFT, 2025, "2025-26")
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.asf_application_submit(actor=support_a, application_id=draft.pk)
    assert refused.value.message_dict == {
        "cost": [
            "£1,000 is left for Amelia in 2025-26 and this application asks the fund for £1,500: the limit is £3,000 "
            "a year, specialist assessments included (from April 2025)"
        ]
    }
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_on, draft.basis) == (S.DRAFT, None, "")
    assert AuditEvent.objects.count() == events

    # £1,000 fits exactly; then nothing is left.
    services.asf_application_update(actor=support_a, application_id=draft.pk, cost=D("1000"))
    submitted = services.asf_application_submit(actor=support_a, application_id=draft.pk)
    assert (submitted.status, submitted.submitted_on, submitted.basis) == (S.SUBMITTED, TODAY, "adopted")
    left = selectors.child_year_left(child_id=amelia.pk, year=2025)
    assert left is not None and left.total == D("0")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(draft.pk)).count() == 2


def test_2024_25_allows_match_funding_above_the_limit_and_2025_26_does_not(frozen_today, amelia, support_a):
    application(amelia, support_a, status=S.PAID, cost="4000", starts=date(2024, 9, 2), ends=date(2025, 2, 28))
    old = services.asf_application_create(
        actor=support_a,
        **draft_fields(
            amelia,
            cost=D("1500"),
            match_funding=D("500"),
            work_starts_on=date(2025, 3, 3),
            work_ends_on=date(2025, 9, 1),
        ),
    )
    assert old.financial_year == 2024
    assert services.asf_application_submit(actor=support_a, application_id=old.pk).status == S.SUBMITTED

    new = services.asf_application_create(actor=support_a, **draft_fields(amelia, match_funding=D("500")))
    with pytest.raises(ValidationError) as refused:
        services.asf_application_submit(actor=support_a, application_id=new.pk)
    assert refused.value.message_dict == {
        "match_funding": [
            "There is no match funding for work in 2025-26 (the fund's rule from April 2025): remove the LA's £500"
        ]
    }


def test_2025_26_work_must_end_by_31_march_2026(frozen_today, amelia, support_a):
    draft = services.asf_application_create(
        actor=support_a, **draft_fields(amelia, cost=D("900"), work_ends_on=date(2026, 4, 17))
    )
    with pytest.raises(ValidationError) as refused:
        services.asf_application_submit(actor=support_a, application_id=draft.pk)
    assert list(refused.value.message_dict) == ["work_ends_on"]
    assert "must be finished by 31 March 2026" in refused.value.message_dict["work_ends_on"][0]


def test_the_limit_is_the_childs_whichever_la_applied(frozen_today, amelia, support_a, la_b, manager):
    """A family that moved: LA B's spoke applied for Amelia earlier in the year; it counts against her £3,000."""
    application(amelia, manager, la=la_b, status=S.APPROVED, cost="2500")
    draft = services.asf_application_create(actor=support_a, **draft_fields(amelia, cost=D("600")))
    with pytest.raises(ValidationError) as refused:
        services.asf_application_submit(actor=support_a, application_id=draft.pk)
    assert refused.value.message_dict["cost"][0].startswith("£500 is left for Amelia in 2025-26")


# --- eligibility from the child's record ---------------------------------------------------------------------


def test_special_guardianship_for_a_previously_looked_after_child_is_eligible(frozen_today, la_a, support_a):
    sam = under_order(la_a, "Sam", looked_after=True)
    draft = services.asf_application_create(actor=support_a, **draft_fields(sam, cost=D("800")))
    submitted = services.asf_application_submit(actor=support_a, application_id=draft.pk)
    assert submitted.basis == AsfApplication.Basis.SPECIAL_GUARDIANSHIP


def test_special_guardianship_for_a_child_never_looked_after_is_refused(frozen_today, la_a, support_a):
    nina = under_order(la_a, "Nina", looked_after=False)
    draft = services.asf_application_create(actor=support_a, **draft_fields(nina, cost=D("800")))
    with pytest.raises(ValidationError) as refused:
        services.asf_application_submit(actor=support_a, application_id=draft.pk)
    assert refused.value.message_dict == {
        "child": [
            "Nina's special guardianship order of 1 March 2021 was not made after a period of care: the fund helps "
            "children under such an order only if they were looked after before it"
        ]
    }


def test_a_child_arrangements_order_after_care_is_eligible(frozen_today, la_a, support_a):
    cai = under_order(la_a, "Cai", kind="cao", looked_after=True)
    draft = services.asf_application_create(actor=support_a, **draft_fields(cai, cost=D("800")))
    assert services.asf_application_submit(actor=support_a, application_id=draft.pk).basis == "cao"


def test_over_21_an_ehc_plan_is_needed(frozen_today, la_a, support_a):
    olly = adopted(la_a, "Olly", "Oakes", born=date(2004, 5, 3))  # 21 on 3 May 2025
    draft = services.asf_application_create(actor=support_a, **draft_fields(olly, cost=D("800")))
    with pytest.raises(ValidationError) as refused:
        services.asf_application_submit(actor=support_a, application_id=draft.pk)
    assert refused.value.message_dict == {
        "child": [
            "Olly is 21 on 3 May 2025, before the work starts: over 21 the fund needs an education, health and care "
            "plan"
        ]
    }
    services.asf_application_update(actor=support_a, application_id=draft.pk, ehc_plan=True)
    assert services.asf_application_submit(actor=support_a, application_id=draft.pk).status == S.SUBMITTED


# --- the status table ----------------------------------------------------------------------------------------


def test_an_application_goes_from_draft_to_paid_and_only_that_way(frozen_today, amelia, support_a):
    draft = services.asf_application_create(actor=support_a, **draft_fields(amelia, cost=D("900")))
    with pytest.raises(ValidationError) as refused:
        services.asf_application_decide(actor=support_a, application_id=draft.pk, approved=True, decided_on=TODAY)
    assert refused.value.message_dict == {
        "status": ["This application is draft: only a submitted application can be approved"]
    }
    with pytest.raises(ValidationError):
        services.asf_application_invoice(actor=support_a, application_id=draft.pk, invoiced_on=TODAY)

    services.asf_application_submit(actor=support_a, application_id=draft.pk)
    with pytest.raises(ValidationError) as refused:
        services.asf_application_update(actor=support_a, application_id=draft.pk, cost=D("100"))
    assert refused.value.message_dict == {"status": ["This application is submitted: only a draft can be changed"]}
    with pytest.raises(ValidationError) as refused:
        services.asf_application_decide(actor=support_a, application_id=draft.pk, approved=False, decided_on=TODAY)
    assert refused.value.message_dict == {"rejection_reason": ["Enter the fund's reason for rejecting the application"]}
    with pytest.raises(ValidationError) as refused:
        services.asf_application_decide(
            actor=support_a, application_id=draft.pk, approved=True, decided_on=date(2025, 6, 29)
        )
    assert refused.value.message_dict == {
        "decided_on": ["The decision must be on or after the day it was submitted (30 June 2025)"]
    }

    approved = services.asf_application_decide(
        actor=support_a, application_id=draft.pk, approved=True, decided_on=TODAY
    )
    assert (approved.status, approved.decided_on) == (S.APPROVED, TODAY)
    with pytest.raises(ValidationError):
        services.asf_application_paid(actor=support_a, application_id=draft.pk, paid_on=TODAY)
    assert services.asf_application_invoice(actor=support_a, application_id=draft.pk, invoiced_on=TODAY).status == (
        S.INVOICED
    )
    paid = services.asf_application_paid(actor=support_a, application_id=draft.pk, paid_on=TODAY)
    assert (paid.status, paid.paid_on) == (S.PAID, TODAY)
    with pytest.raises(ValidationError) as refused:
        services.asf_application_submit(actor=support_a, application_id=draft.pk)
    assert refused.value.message_dict == {
        "status": ["This application is paid: only a draft application can be submitted"]
    }


def test_a_rejection_keeps_its_reason_and_uses_none_of_the_limit(frozen_today, amelia, support_a):
    submitted = application(amelia, support_a, status=S.SUBMITTED, cost="2500")
    rejected = services.asf_application_decide(
        actor=support_a,
        application_id=submitted.pk,
        approved=False,
        decided_on=TODAY,
        rejection_reason="  The provider is not registered with Ofsted  ",
    )
    assert (rejected.status, rejected.rejection_reason) == (S.REJECTED, "The provider is not registered with Ofsted")
    left = selectors.child_year_left(child_id=amelia.pk, year=2025)
    assert left is not None and left.total == D("3000")


def test_the_decision_cannot_be_in_the_future(frozen_today, amelia, support_a):
    submitted = application(amelia, support_a, status=S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        services.asf_application_decide(
            actor=support_a, application_id=submitted.pk, approved=True, decided_on=date(2025, 7, 1)
        )
    assert refused.value.message_dict == {"decided_on": ["The date of the decision must be today or earlier"]}


# --- who may write -------------------------------------------------------------------------------------------


def test_a_draft_must_be_for_the_workers_la_and_a_child_they_can_see(frozen_today, amelia, bertie, support_a, la_b):
    with pytest.raises(ValidationError) as refused:
        services.asf_application_create(actor=support_a, **draft_fields(amelia, la_id=la_b.pk))
    assert refused.value.message_dict == {"la": ["Choose an LA whose adoption support you work on"]}
    with pytest.raises(ValidationError) as refused:
        services.asf_application_create(actor=support_a, **draft_fields(bertie, la_id=amelia.responsible_la_id))
    assert refused.value.message_dict == {"child": ["Choose a child whose record you can see"]}
    assert not AsfApplication.objects.exists()


def test_another_las_application_does_not_exist_for_la_as_worker(frozen_today, bertie, support_a, support_b):
    theirs = application(bertie, support_b)
    with pytest.raises(Http404):
        services.asf_application_submit(actor=support_a, application_id=theirs.pk)
    with pytest.raises(Http404):
        selectors.asf_application_get(actor=support_a, application_id=theirs.pk)
    assert not selectors.asf_application_list(actor=support_a).exists()


def test_an_administrator_reads_but_does_not_write(frozen_today, amelia, support_a, admin_a):
    ours = application(amelia, support_a)
    assert selectors.asf_application_get(actor=admin_a, application_id=ours.pk) == ours
    with pytest.raises(PermissionDenied):
        services.asf_application_submit(actor=admin_a, application_id=ours.pk)
    with pytest.raises(PermissionDenied):
        services.asf_application_create(actor=admin_a, **draft_fields(amelia))


# --- spend and deadlines -------------------------------------------------------------------------------------


def test_spend_per_child_and_per_la_this_year(frozen_today, amelia, bertie, support_a, manager, la_a):
    sam = under_order(la_a, "Sam", looked_after=True)
    application(amelia, support_a, status=S.APPROVED, cost="1000")
    application(amelia, support_a, status=S.INVOICED, cost="200")
    application(amelia, support_a, status=S.PAID, cost="300")
    application(amelia, support_a, status=S.SUBMITTED, cost="500")
    application(amelia, support_a, status=S.PAID, cost="4000", starts=date(2025, 3, 3), ends=date(2025, 9, 1))
    application(sam, support_a, status=S.REJECTED, cost="800")
    application(bertie, manager, status=S.PAID, cost="2750")

    rows = {row.name: row for row in selectors.spend_by_child(actor=support_a, year=2025)}
    assert set(rows) == {"Amelia Ashdown", "Sam Guardian"}
    amelia_row = rows["Amelia Ashdown"]
    assert (amelia_row.applications, amelia_row.spent, amelia_row.asked) == (4, D("1500"), D("500"))
    assert amelia_row.left is not None and amelia_row.left.total == D("1000")
    assert rows["Sam Guardian"].spent == D("0") and rows["Sam Guardian"].left.total == D("3000")  # type: ignore[union-attr]

    by_la = selectors.spend_by_la(actor=manager, year=2025)
    assert [(row["la__name"], row["approved"], row["spent"]) for row in by_la] == [
        ("Ashby Borough", 3, D("1500")),
        ("Brookfield County", 1, D("2750")),
    ]
    assert [row["la__name"] for row in selectors.spend_by_la(actor=support_a, year=2025)] == ["Ashby Borough"]


def test_deadlines_list_applications_not_invoiced_whose_work_ends_within_30_days(frozen_today, amelia, support_a):
    application(amelia, support_a, status=S.APPROVED, provider="Ends in ten days", ends=date(2025, 7, 10))
    application(amelia, support_a, status=S.INVOICED, provider="Already invoiced", ends=date(2025, 7, 5))
    application(amelia, support_a, status=S.REJECTED, provider="Rejected", ends=date(2025, 7, 5))
    application(amelia, support_a, status=S.DRAFT, provider="Ends at the end of July", ends=date(2025, 7, 30))
    application(amelia, support_a, status=S.DRAFT, provider="Ends in August", ends=date(2025, 8, 1))
    application(
        amelia,
        support_a,
        status=S.APPROVED,
        provider="Ended last week",
        starts=date(2024, 11, 4),
        ends=date(2025, 6, 20),
    )
    found = [a.provider for a in selectors.deadlines(actor=support_a, today=TODAY)]
    assert found == ["Ended last week", "Ends in ten days", "Ends at the end of July"]


def test_under_the_2025_rule_the_work_must_end_by_31_march(amelia, support_a):
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        application(amelia, support_a, status=S.DRAFT, provider="Planned past March", ends=date(2026, 6, 1))
        application(
            amelia,
            support_a,
            status=S.APPROVED,
            provider="Old rule, runs on",
            starts=date(2025, 3, 3),
            ends=date(2026, 6, 1),
        )
        rows = list(selectors.deadlines(actor=support_a, today=date(2026, 3, 10)))
    assert [(a.provider, a.must_end_on) for a in rows] == [("Planned past March", date(2026, 3, 31))]  # type: ignore[attr-defined]


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_list_shows_applications_and_this_years_spend(client, frozen_today, amelia, bertie, support_a, support_b):
    application(amelia, support_a, status=S.APPROVED, cost="2000", provider="Calm Minds Therapy")
    application(amelia, support_a, status=S.DRAFT, cost="750", provider="Draft Provider")
    application(bertie, support_b, status=S.PAID, cost="999", provider="Brookfield Therapy")
    client.force_login(support_a)
    response = client.get(reverse("support:asf"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Calm Minds Therapy" in body and "Draft Provider" in body
    assert "Bertie" not in body and "Brookfield" not in body
    assert "Spend in 2025-26" in body
    assert "£3,000 per child, specialist assessments included; no match funding" in body
    assert "£2,000" in body  # Amelia's and LA A's spend
    assert "£1,000" in body  # left for Amelia

    filtered = client.get(reverse("support:asf"), {"status": "draft"}).content.decode()
    assert "Draft Provider" in filtered and "Calm Minds Therapy" not in filtered
    old_year = client.get(reverse("support:asf"), {"financial_year": "2024"}).content.decode()
    assert "Spend in 2024-25" in old_year
    assert "£5,000 per child for therapy and £2,500 for a specialist assessment" in old_year


def test_the_list_is_refused_to_someone_who_does_not_work_on_support(client, social_worker_a):
    client.force_login(social_worker_a)
    assert client.get(reverse("support:asf")).status_code == 403
    assert client.get(reverse("support:asf-deadlines")).status_code == 403


def test_the_deadlines_page_shows_the_soonest_first(client, frozen_today, amelia, support_a):
    application(amelia, support_a, status=S.APPROVED, provider="Later one", ends=date(2025, 7, 20))
    application(amelia, support_a, status=S.APPROVED, provider="Sooner one", ends=date(2025, 7, 2))
    client.force_login(support_a)
    body = client.get(reverse("support:asf-deadlines")).content.decode()
    assert body.index("Sooner one") < body.index("Later one")
    assert "In 2 days" in body and "In 20 days" in body


def test_the_application_page_shows_eligibility_the_limit_what_is_left_and_the_history(
    client, frozen_today, amelia, support_a
):
    application(amelia, support_a, status=S.APPROVED, cost="2000")
    ours = application(amelia, support_a, status=S.SUBMITTED, cost="600")
    client.force_login(support_a)
    response = client.get(reverse("support:asf-application", args=[ours.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Eligible" in body and "Amelia is adopted from care" in body
    assert (
        "£3,000, specialist assessments included; no match funding; the work must be finished within the year" in body
    )
    assert "£1,000 without this application; £400 after it" in body
    assert "Submitted to the fund" in body and "Draft created" in body
    assert "Record the fund&#x27;s decision" in body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_id=str(ours.pk)).count() == 1


def test_a_draft_over_the_limit_is_flagged_on_its_page(client, frozen_today, amelia, support_a):
    application(amelia, support_a, status=S.APPROVED, cost="2000")
    ours = application(amelia, support_a, status=S.DRAFT, cost="1500", starts=date(2025, 7, 7))
    client.force_login(support_a)
    body = client.get(reverse("support:asf-application", args=[ours.pk])).content.decode()
    assert "The fund's rules would refuse this application as it stands" in body
    assert "£1,000 is left for Amelia in 2025-26" in body
    assert "£1,000: this application asks the fund for £500 more than is left" in body


def test_saving_and_submitting_over_the_limit_keeps_what_was_typed_and_saves_nothing(
    client, frozen_today, amelia, support_a
):
    application(amelia, support_a, status=S.APPROVED, cost="2000")
    client.force_login(support_a)
    response = client.post(reverse("support:asf-create"), {**form_post(amelia), "action": "submit"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "£1,000 is left for Amelia in 2025-26 and this application asks the fund for £1,500" in body
    assert 'value="Calm Minds Therapy"' in body and 'value="1500"' in body
    assert AsfApplication.objects.count() == 1  # only the approved one

    saved = client.post(reverse("support:asf-create"), {**form_post(amelia, cost="1000"), "action": "submit"})
    created = AsfApplication.objects.get(provider="Calm Minds Therapy")
    assert saved.status_code == 302 and saved["Location"] == reverse("support:asf-application", args=[created.pk])
    assert (created.status, created.cost, created.created_by, created.la_id) == (
        S.SUBMITTED,
        D("1000"),
        support_a,
        amelia.responsible_la_id,
    )


def test_a_draft_saved_from_the_page(client, frozen_today, amelia, support_a):
    client.force_login(support_a)
    page = client.get(reverse("support:asf-create"), {"child": amelia.pk}).content.decode()
    assert f'<option value="{amelia.pk}" selected>' in page
    response = client.post(
        reverse("support:asf-create"),
        {**form_post(amelia, match_funding="250", ehc_plan="yes"), "action": "draft"},
    )
    assert response.status_code == 302
    draft = AsfApplication.objects.get()
    assert (draft.status, draft.match_funding, draft.ehc_plan, draft.financial_year) == (S.DRAFT, D("250"), True, 2025)


def test_a_refusal_on_the_submit_page_shows_the_reasons_and_changes_nothing(client, frozen_today, amelia, support_a):
    application(amelia, support_a, status=S.APPROVED, cost="2000")
    draft = application(amelia, support_a, status=S.DRAFT, cost="1500", starts=date(2025, 7, 7))
    client.force_login(support_a)
    url = reverse("support:asf-submit", args=[draft.pk])
    assert "£1,000: this application asks the fund for £500 more than is left" in client.get(url).content.decode()
    response = client.post(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "£1,000 is left for Amelia in 2025-26 and this application asks the fund for £1,500" in body
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.submitted_on is None


def test_the_fund_s_decision_invoice_and_payment_through_the_pages(client, frozen_today, amelia, support_a):
    submitted = application(amelia, support_a, status=S.SUBMITTED, cost="900")
    client.force_login(support_a)
    refused = client.post(
        reverse("support:asf-decide", args=[submitted.pk]), {"decision": "reject", **date_fields("decided_on", TODAY)}
    )
    assert "Enter the fund&#x27;s reason for rejecting the application" in refused.content.decode()
    response = client.post(
        reverse("support:asf-decide", args=[submitted.pk]), {"decision": "approve", **date_fields("decided_on", TODAY)}
    )
    assert response.status_code == 302
    client.post(reverse("support:asf-invoice", args=[submitted.pk]), date_fields("invoiced_on", TODAY))
    client.post(reverse("support:asf-paid", args=[submitted.pk]), date_fields("paid_on", TODAY))
    submitted.refresh_from_db()
    assert (submitted.status, submitted.decided_on, submitted.invoiced_on, submitted.paid_on) == (
        S.PAID,
        TODAY,
        TODAY,
        TODAY,
    )
    body = client.get(reverse("support:asf-application", args=[submitted.pk])).content.decode()
    for step in ("Approved", "Invoiced", "Paid"):
        assert f'<td class="govuk-table__cell">{step}</td>' in body


def test_a_step_the_status_does_not_allow_is_explained(client, frozen_today, amelia, support_a):
    draft = application(amelia, support_a, status=S.DRAFT)
    client.force_login(support_a)
    body = client.get(reverse("support:asf-invoice", args=[draft.pk])).content.decode()
    assert "This application is draft: only an approved application can be marked as invoiced" in body


def test_la_as_worker_gets_404_for_la_bs_application(client, frozen_today, bertie, support_a, support_b, manager):
    theirs = application(bertie, support_b)
    client.force_login(support_a)
    for name in ("asf-application", "asf-update", "asf-submit", "asf-decide", "asf-invoice", "asf-paid"):
        url = reverse(f"support:{name}", args=[theirs.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.status == S.DRAFT
    client.force_login(manager)
    assert client.get(reverse("support:asf-application", args=[theirs.pk])).status_code == 200


def test_an_application_from_a_support_request_is_linked_to_it(client, frozen_today, amelia, support_a):
    asked = SupportRequest.objects.create(
        la=amelia.responsible_la,
        family_name="the Ashdowns",
        child=amelia,
        requested_by="Mrs Ashdown",
        requester=SupportRequest.Requester.ADOPTIVE_PARENT,
        received_on=date(2025, 6, 2),
        topic="trauma",
    )
    client.force_login(support_a)
    url = reverse("support:asf-create") + f"?request={asked.pk}"
    page = client.get(url).content.decode()
    assert "For the support request from the Ashdowns" in page
    assert f'<option value="{amelia.pk}" selected>' in page
    assert client.post(url, {**form_post(amelia), "action": "draft"}).status_code == 302
    assert AsfApplication.objects.get().request == asked


def test_a_draft_changed_and_submitted_from_its_edit_page(client, frozen_today, amelia, support_a):
    draft = application(amelia, support_a, status=S.DRAFT, cost="4000", starts=date(2025, 7, 7))
    client.force_login(support_a)
    url = reverse("support:asf-update", args=[draft.pk])
    assert 'value="4000.00"' in client.get(url).content.decode()
    refused = client.post(url, {**form_post(amelia, cost="3200"), "action": "submit"})
    assert refused.status_code == 200
    assert "£3,000 is left for Amelia in 2025-26 and this application asks the fund for £3,200" in (
        refused.content.decode()
    )
    draft.refresh_from_db()
    assert (draft.status, draft.cost, draft.provider) == (S.DRAFT, D("4000"), "Family Futures Therapy")

    assert client.post(url, {**form_post(amelia, cost="2900"), "action": "submit"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.cost, draft.provider) == (S.SUBMITTED, D("2900"), "Calm Minds Therapy")
    body = client.get(url).content.decode()
    assert "This application is submitted: only a draft can be changed" in body
