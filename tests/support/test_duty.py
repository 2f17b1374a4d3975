"""The duty service: a request from duty to a reviewed support plan through the pages, refusals, response times,
caseloads, and who sees what (a spoke's support worker sees their LA's families only, the RAA's manager all)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adoption.models import AuditEvent, Role
from support.models import (
    AsfApplication,
    AssessmentOfNeed,
    SupportKind,
    SupportPlan,
    SupportRequest,
    TherapyType,
    Topic,
)
from support.selectors import duty as selectors
from tests import factories
from tests.support.conftest import date_fields

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)
Status = SupportRequest.Status


def a_request(la, family: str = "the Okafors", **fields: Any) -> SupportRequest:
    """A request straight into the database (the pages are exercised in the flow test)."""
    values: dict[str, Any] = {
        "kind": SupportKind.ADOPTION,
        "requested_by": "A parent",
        "requester": SupportRequest.Requester.ADOPTIVE_PARENT,
        "received_on": date(2025, 6, 2),
        "topic": Topic.SETTLING,
    }
    values.update(fields)
    return SupportRequest.objects.create(la=la, family_name=family, **values)


def allocated(la, worker, family: str, **fields: Any) -> SupportRequest:
    return a_request(la, family, status=Status.ALLOCATED, allocated_to=worker, allocated_on=date(2025, 6, 3), **fields)


def with_plan(request: SupportRequest, *, review_on: date, ended_on: date | None = None) -> SupportPlan:
    assessment = AssessmentOfNeed.objects.create(
        request=request,
        started_on=date(2025, 6, 4),
        completed_on=date(2025, 6, 5),
        outcome=AssessmentOfNeed.Outcome.SUPPORT_PLAN,
        needs="Help with settling",
    )
    return SupportPlan.objects.create(
        assessment=assessment,
        agreed_on=date(2025, 6, 6),
        services="Therapeutic parenting course",
        review_on=review_on,
        ended_on=ended_on,
    )


def text(response) -> str:
    return response.content.decode()


# --- from duty to a reviewed support plan, through the pages -----------------------------------------------------


def test_a_request_goes_from_duty_to_a_reviewed_support_plan(client, support_a, child_a, frozen_today):
    client.force_login(support_a)
    duty = client.get(reverse("support:duty"))
    assert duty.status_code == 200
    assert "There are no open support requests." in text(duty)
    assert reverse("support:request-create") in text(duty)

    form = client.get(reverse("support:request-create"))
    assert "Amelia Ashdown" in text(form)  # a child of LA A the worker may choose
    assert 'name="la"' not in text(form)  # one LA: not asked
    response = client.post(
        reverse("support:request-create"),
        {
            "kind": SupportKind.SPECIAL_GUARDIANSHIP,
            "family_name": "the Okafors",
            "child": child_a.pk,
            "household": "",
            "requested_by": "Grace Okafor",
            "requester": SupportRequest.Requester.SPECIAL_GUARDIAN,
            **date_fields("received_on", date(2025, 6, 20)),
            "topic": Topic.TRAUMA,
            "summary": "Amelia is struggling at bedtime.",
        },
    )
    request = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("support:request", args=[request.pk])
    assert (request.la, request.kind, request.child, request.status) == (
        child_a.responsible_la,
        SupportKind.SPECIAL_GUARDIANSHIP,
        child_a,
        Status.NEW,
    )

    page = text(client.get(reverse("support:request", args=[request.pk])))
    assert "Special guardianship support" in page
    assert "Not recorded yet" in page
    assert "waiting 10 days" in page
    duty_page = text(client.get(reverse("support:duty")))
    assert "the Okafors" in duty_page
    assert "Special guardianship support" in duty_page
    assert "No response yet" in duty_page

    step = reverse("support:request-respond", args=[request.pk])
    assert "Special guardianship support" in text(client.get(step))  # the kind is on every page
    response = client.post(step, {**date_fields("responded_on", date(2025, 6, 23)), "tier": "2"})
    assert response.status_code == 302
    assert "a response time of 3 days" in text(client.get(reverse("support:request", args=[request.pk])))

    response = client.post(
        reverse("support:request-allocate", args=[request.pk]),
        {"worker": support_a.pk, **date_fields("allocated_on", date(2025, 6, 24))},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("support:assessment-start", args=[request.pk]), date_fields("started_on", date(2025, 6, 25))
    )
    assert response.status_code == 302
    assessment = AssessmentOfNeed.objects.get()
    assert assessment.assessor == support_a
    response = client.post(
        reverse("support:assessment-complete", args=[assessment.pk]),
        {
            **date_fields("completed_on", date(2025, 6, 27)),
            "outcome": AssessmentOfNeed.Outcome.SUPPORT_PLAN,
            "needs": "Regulation at bedtime; school transitions.",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("support:plan-agree", args=[assessment.pk]),
        {
            **date_fields("agreed_on", date(2025, 6, 28)),
            "services": "Theraplay sessions and a parenting group.",
            "therapies": [TherapyType.THERAPLAY, TherapyType.DDP],
            **date_fields("review_on", date(2025, 9, 28)),
        },
    )
    assert response.status_code == 302
    plan = SupportPlan.objects.get()
    assert plan.therapies == [TherapyType.DDP, TherapyType.THERAPLAY]
    page = text(client.get(reverse("support:request", args=[request.pk])))
    assert "Dyadic developmental psychotherapy (DDP), Theraplay" in page
    assert "28 September 2025" in page

    response = client.post(
        reverse("support:plan-review", args=[plan.pk]),
        {**date_fields("reviewed_on", date(2025, 6, 30)), **date_fields("next_review_on", date(2025, 12, 30))},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.reviewed_on, plan.review_on) == (date(2025, 6, 30), date(2025, 12, 30))
    page = text(client.get(reverse("support:request", args=[request.pk])))
    assert "30 December 2025" in page

    request.refresh_from_db()
    assert (request.responded_on, request.tier, request.allocated_to, request.allocated_on, request.status) == (
        date(2025, 6, 23),
        2,
        support_a,
        date(2025, 6, 24),
        Status.ALLOCATED,
    )
    history = text(client.get(reverse("support:child-history", args=[child_a.pk])))
    assert "the Okafors: trauma and therapeutic parenting" in history
    assert "Theraplay sessions and a parenting group." in history
    assert "No application to the fund has been made for Amelia Ashdown." in history

    # One audit event per change, each naming LA A; and the reads of the request page.
    events = AuditEvent.objects.filter(organisation=child_a.responsible_la, actor=support_a)
    changes = list(events.exclude(action=AuditEvent.Action.READ).order_by("id").values_list("action", "object_type"))
    assert changes == [
        ("create", "support.supportrequest"),
        ("update", "support.supportrequest"),  # first response
        ("update", "support.supportrequest"),  # allocated
        ("create", "support.assessmentofneed"),
        ("update", "support.assessmentofneed"),  # completed
        ("create", "support.supportplan"),
        ("update", "support.supportplan"),  # reviewed
    ]
    assert events.filter(action="read", object_type="support.supportrequest", object_id=str(request.pk)).exists()
    assert events.filter(action="read", object_type="children.child", object_id=str(child_a.pk)).exists()


def test_closing_a_request_after_its_plan_has_ended(client, support_a, la_a, frozen_today):
    request = allocated(la_a, support_a, "the Patels")
    plan = with_plan(request, review_on=date(2025, 9, 1))
    client.force_login(support_a)
    close = reverse("support:request-close", args=[request.pk])
    response = client.post(close, {**date_fields("closed_on", TODAY), "closed_reason": "completed"})
    assert "End the support plan before closing the request" in text(response)
    response = client.post(reverse("support:plan-end", args=[plan.pk]), date_fields("ended_on", TODAY))
    assert response.status_code == 302
    response = client.post(close, {**date_fields("closed_on", TODAY), "closed_reason": "completed"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.closed_on, request.closed_reason) == (Status.CLOSED, TODAY, "completed")
    page = text(client.get(reverse("support:request", args=[request.pk])))
    assert "30 June 2025: support completed" in page
    assert reverse("support:request-allocate", args=[request.pk]) not in page  # no actions on a closed request
    assert "the Patels" not in text(client.get(reverse("support:duty")))  # open requests by default
    assert "the Patels" in text(client.get(reverse("support:duty"), {"status": "closed"}))


# --- refusals ------------------------------------------------------------------------------------------------------


def test_a_request_received_in_the_future_is_refused_and_what_was_typed_is_kept(client, support_a, frozen_today):
    client.force_login(support_a)
    response = client.post(
        reverse("support:request-create"),
        {
            "kind": SupportKind.ADOPTION,
            "family_name": "the Nguyens",
            "requested_by": "Linh Nguyen",
            "requester": SupportRequest.Requester.ADOPTIVE_PARENT,
            **date_fields("received_on", date(2025, 7, 1)),
            "topic": Topic.EDUCATION,
            "summary": "Exclusions at school.",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "The date received must be today or in the past" in page
    assert 'value="the Nguyens"' in page
    assert "Exclusions at school." in page
    assert not SupportRequest.objects.exists()


def test_a_child_of_another_la_cannot_be_named(client, support_a, child_b, frozen_today):
    client.force_login(support_a)
    assert "Bertie Brookes" not in text(client.get(reverse("support:request-create")))
    response = client.post(
        reverse("support:request-create"),
        {
            "kind": SupportKind.ADOPTION,
            "family_name": "the Nguyens",
            "child": child_b.pk,
            "requested_by": "Linh Nguyen",
            "requester": SupportRequest.Requester.ADOPTIVE_PARENT,
            **date_fields("received_on", TODAY),
            "topic": Topic.EDUCATION,
        },
    )
    assert response.status_code == 200
    assert not SupportRequest.objects.exists()


def test_an_assessment_needs_an_allocated_request(client, support_a, la_a, frozen_today):
    request = a_request(la_a)
    client.force_login(support_a)
    response = client.post(
        reverse("support:assessment-start", args=[request.pk]), date_fields("started_on", date(2025, 6, 25))
    )
    page = text(response)
    assert response.status_code == 200
    assert "Allocate the request before starting an assessment" in page
    assert 'value="25"' in page  # the date typed is kept
    assert not AssessmentOfNeed.objects.exists()


def test_a_first_response_before_the_request_was_received_is_refused(client, support_a, la_a, frozen_today):
    request = a_request(la_a, received_on=date(2025, 6, 10))
    client.force_login(support_a)
    response = client.post(
        reverse("support:request-respond", args=[request.pk]),
        {**date_fields("responded_on", date(2025, 6, 9)), "tier": "1"},
    )
    assert "The first response must be on or after the date the request was received, 10 June 2025" in text(response)
    request.refresh_from_db()
    assert request.responded_on is None and request.tier is None


def test_a_plan_needs_an_assessment_whose_outcome_is_a_plan(client, support_a, la_a, frozen_today):
    request = allocated(la_a, support_a, "the Greens")
    assessment = AssessmentOfNeed.objects.create(
        request=request,
        started_on=date(2025, 6, 4),
        completed_on=date(2025, 6, 5),
        outcome=AssessmentOfNeed.Outcome.ADVICE,
        needs="Advice on school",
    )
    client.force_login(support_a)
    response = client.post(
        reverse("support:plan-agree", args=[assessment.pk]),
        {
            **date_fields("agreed_on", date(2025, 6, 10)),
            "services": "Parenting group",
            **date_fields("review_on", date(2025, 9, 10)),
        },
    )
    page = text(response)
    assert "a support plan follows only an assessment whose outcome is support to be provided" in page
    assert "Parenting group" in page
    assert not SupportPlan.objects.exists()


def test_a_request_cannot_be_closed_while_its_assessment_is_open(client, support_a, la_a, frozen_today):
    request = allocated(la_a, support_a, "the Greens")
    AssessmentOfNeed.objects.create(request=request, started_on=date(2025, 6, 4))
    client.force_login(support_a)
    response = client.post(
        reverse("support:request-close", args=[request.pk]),
        {**date_fields("closed_on", TODAY), "closed_reason": "advice"},
    )
    assert "Complete the assessment of need before closing the request" in text(response)
    request.refresh_from_db()
    assert request.status == Status.ALLOCATED


def test_only_support_workers_of_the_la_or_its_raa_can_be_allocated(
    client, support_a, support_b, social_worker_a, manager, la_a, frozen_today
):
    request = a_request(la_a)
    client.force_login(support_a)
    page = text(client.get(reverse("support:request-allocate", args=[request.pk])))
    assert "Sally Ash" in page
    assert manager.display_name in page  # the RAA's manager
    assert "Bea Birch" not in page  # LA B's support worker
    assert social_worker_a.display_name not in page  # not a support role
    response = client.post(
        reverse("support:request-allocate", args=[request.pk]),
        {"worker": support_b.pk, **date_fields("allocated_on", TODAY)},
    )
    assert "Choose a support social worker or manager of this LA or its RAA" in text(response)
    request.refresh_from_db()
    assert request.allocated_to is None


# --- response times ------------------------------------------------------------------------------------------------


def test_response_times_are_counted_in_days_from_the_request(client, support_a, la_a, frozen_today):
    a_request(la_a, "the Adams", received_on=date(2025, 6, 1), responded_on=date(2025, 6, 3), tier=1)
    a_request(la_a, "the Browns", received_on=date(2025, 6, 10), responded_on=date(2025, 6, 15), tier=2)
    a_request(la_a, "the Clarks", received_on=date(2025, 6, 20))
    allocated(la_a, support_a, "the Dixons", received_on=date(2025, 5, 1), responded_on=date(2025, 5, 2))

    rows = {r.family_name: r for r in selectors.request_list(actor=support_a, today=TODAY)}
    assert {name: r.response_days for name, r in rows.items()} == {
        "the Adams": 2,
        "the Browns": 5,
        "the Clarks": None,
        "the Dixons": 1,
    }
    # Days waiting are counted for requests not yet allocated.
    assert {name: r.days_waiting for name, r in rows.items()} == {
        "the Adams": 29,
        "the Browns": 20,
        "the Clarks": 10,
        "the Dixons": None,
    }
    figures = selectors.response_figures(selectors.request_list(actor=support_a, today=TODAY))
    assert (figures.requests, figures.responded, figures.waiting_for_response) == (4, 3, 1)
    assert (figures.average_days, figures.longest_days) == (round((2 + 5 + 1) / 3, 1), 5)

    client.force_login(support_a)
    page = text(client.get(reverse("support:duty")))
    # New requests first, longest waiting first, then the allocated one.
    positions = [page.index(name) for name in ("the Adams", "the Browns", "the Clarks", "the Dixons")]
    assert positions == sorted(positions)
    assert "waiting 10 days" in page
    assert "after 5 days" in page
    assert "2.7 (longest 5, over 3 answered)" in page


# --- the duty list: filters, search, pagination ---------------------------------------------------------------------


def test_the_duty_list_filters_searches_and_pages(client, manager, la_a, la_b, frozen_today):
    for n in range(26):
        a_request(la_a, f"the Family{n:02d}", received_on=date(2025, 5, 1) + timedelta(days=n))
    a_request(la_b, "the Brookfields", kind=SupportKind.SPECIAL_GUARDIANSHIP, topic=Topic.EDUCATION)
    client.force_login(manager)
    first = text(client.get(reverse("support:duty")))
    assert "27 requests, page 1 of 2" in first
    second = text(client.get(reverse("support:duty"), {"page": 2}))
    assert "page 2 of 2" in second

    by_kind = text(client.get(reverse("support:duty"), {"kind": SupportKind.SPECIAL_GUARDIANSHIP}))
    assert "the Brookfields" in by_kind and "the Family00" not in by_kind
    by_la = text(client.get(reverse("support:duty"), {"la": la_b.pk}))
    assert "1 request." in by_la and "the Brookfields" in by_la
    by_topic = text(client.get(reverse("support:duty"), {"topic": Topic.EDUCATION}))
    assert "the Brookfields" in by_topic and "the Family01" not in by_topic
    search = text(client.get(reverse("support:duty"), {"q": "family07"}))
    assert "1 request." in search and "the Family07" in search
    nothing = text(client.get(reverse("support:duty"), {"q": "Zebedee"}))
    assert "No requests match your search and filters." in nothing


# --- caseloads ------------------------------------------------------------------------------------------------------


def test_caseloads_count_open_requests_and_plans_due_for_review(client, support_a, la_a, frozen_today):
    second = factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER, username="support.a2", first_name="Tom", last_name="Tay")
    allocated(la_a, support_a, "the Adams")
    overdue = allocated(la_a, support_a, "the Browns")
    with_plan(overdue, review_on=date(2025, 6, 20))
    due = allocated(la_a, support_a, "the Clarks")
    with_plan(due, review_on=date(2025, 8, 1))
    ended = allocated(la_a, support_a, "the Dixons")
    with_plan(ended, review_on=date(2025, 6, 10), ended_on=date(2025, 6, 15))  # ended: not due
    a_request(la_a, "the Evans", status=Status.CLOSED, closed_on=date(2025, 6, 4), closed_reason="advice",
              allocated_to=second, allocated_on=date(2025, 6, 3))  # fmt: skip
    a_request(la_a, "the Fords")  # not allocated

    loads = selectors.caseloads(actor=support_a, today=TODAY)
    counts = {w.username: (w.open_requests, w.open_plans, w.reviews_overdue, w.next_review_on) for w in loads.workers}
    assert counts == {"support.a": (4, 2, 1, date(2025, 6, 20)), "support.a2": (0, 0, 0, None)}
    assert [(p.assessment.request.family_name, p.overdue) for p in loads.reviews] == [
        ("the Browns", True),
        ("the Clarks", False),
    ]

    client.force_login(support_a)
    page = text(client.get(reverse("support:caseloads")))
    assert 'data-worker="support.a"' in page and 'data-worker="support.a2"' in page
    assert "Overdue" in page


def test_caseloads_take_the_same_number_of_queries_however_many_workers(support_a, la_a, frozen_today):
    def queries() -> int:
        actor = type(support_a).objects.get(pk=support_a.pk)  # a fresh actor: no cached scope
        with CaptureQueriesContext(connection) as captured:
            selectors.caseloads(actor=actor, today=TODAY)  # the counts are columns of the workers' one query
        return len(captured)

    with_plan(allocated(la_a, support_a, "the Adams"), review_on=date(2025, 7, 1))
    one = queries()
    for n in range(4):
        worker = factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER)
        with_plan(allocated(la_a, worker, f"the Family{n}"), review_on=date(2025, 7, 1))
    assert len(selectors.caseloads(actor=support_a, today=TODAY).workers) == 5
    assert queries() == one


# --- who sees what -------------------------------------------------------------------------------------------------


def test_a_support_worker_of_la_a_sees_la_a_requests_only(client, support_a, la_a, la_b, child_b, frozen_today):
    mine = a_request(la_a, "the Ashbys")
    theirs = a_request(la_b, "the Brookfields")
    assessment = AssessmentOfNeed.objects.create(request=theirs, started_on=date(2025, 6, 4))
    client.force_login(support_a)
    duty = text(client.get(reverse("support:duty")))
    assert "the Ashbys" in duty and "the Brookfields" not in duty
    assert client.get(reverse("support:request", args=[mine.pk])).status_code == 200
    for url in (
        reverse("support:request", args=[theirs.pk]),
        reverse("support:request-respond", args=[theirs.pk]),
        reverse("support:request-allocate", args=[theirs.pk]),
        reverse("support:request-close", args=[theirs.pk]),
        reverse("support:assessment-start", args=[theirs.pk]),
        reverse("support:assessment-complete", args=[assessment.pk]),
        reverse("support:plan-agree", args=[assessment.pk]),
        reverse("support:child-history", args=[child_b.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("support:request-respond", args=[theirs.pk]), {**date_fields("responded_on", TODAY), "tier": "1"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.responded_on is None


def test_the_raa_manager_sees_both_las(client, manager, la_a, la_b, frozen_today):
    mine = a_request(la_a, "the Ashbys")
    theirs = a_request(la_b, "the Brookfields")
    client.force_login(manager)
    duty = text(client.get(reverse("support:duty")))
    assert "the Ashbys" in duty and "the Brookfields" in duty
    assert "Ashby Borough" in duty and "Brookfield County" in duty  # several LAs: each row says which
    assert client.get(reverse("support:request", args=[mine.pk])).status_code == 200
    assert client.get(reverse("support:request", args=[theirs.pk])).status_code == 200
    form = text(client.get(reverse("support:request-create")))
    assert 'name="la"' in form  # two LAs: the LA is asked


def test_an_la_social_worker_has_no_support_pages(client, social_worker_a, la_a, child_a, frozen_today):
    request = a_request(la_a, "the Ashbys", child=child_a)
    client.force_login(social_worker_a)
    assert client.get(reverse("support:duty")).status_code == 403
    assert client.get(reverse("support:caseloads")).status_code == 403
    assert client.get(reverse("support:request-create")).status_code == 403
    assert client.get(reverse("support:request", args=[request.pk])).status_code == 404
    assert client.get(reverse("support:request-respond", args=[request.pk])).status_code == 404
    assert client.get(reverse("support:child-history", args=[child_a.pk])).status_code == 404


def test_an_administrator_reads_but_does_not_change(client, la_a, frozen_today):
    admin = factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")
    request = a_request(la_a, "the Ashbys")
    client.force_login(admin)
    duty = text(client.get(reverse("support:duty")))
    assert "the Ashbys" in duty
    assert reverse("support:request-create") not in duty
    assert client.get(reverse("support:request", args=[request.pk])).status_code == 200
    assert client.get(reverse("support:request-create")).status_code == 403
    response = client.post(
        reverse("support:request-respond", args=[request.pk]), {**date_fields("responded_on", TODAY), "tier": "1"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.responded_on is None


# --- a child's support history --------------------------------------------------------------------------------------


def test_a_childs_history_lists_requests_plans_and_asf_applications(client, support_a, la_a, child_a, frozen_today):
    request = allocated(la_a, support_a, "the Ashdowns", child=child_a, kind=SupportKind.SPECIAL_GUARDIANSHIP)
    with_plan(request, review_on=date(2025, 9, 1))
    a_request(la_a, "the Others")  # about no child
    AsfApplication.objects.create(
        la=la_a,
        request=request,
        child=child_a,
        therapy=TherapyType.THERAPLAY,
        provider="Playful Minds Ltd",
        sessions=10,
        cost="2500.00",
        work_starts_on=date(2025, 7, 1),
        work_ends_on=date(2025, 12, 31),
        financial_year=2025,
        created_by=support_a,
    )
    client.force_login(support_a)
    page = text(client.get(reverse("support:child-history", args=[child_a.pk])))
    assert "Amelia Ashdown" in page
    assert "the Ashdowns: settling in" in page
    assert "Special guardianship support" in page
    assert "Therapeutic parenting course" in page
    assert "the Others" not in page
    assert "Playful Minds Ltd" in page and "£2,500.00" in page and "2025-26" in page and "Draft" in page
