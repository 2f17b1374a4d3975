"""The demo region's adoption support (``support.demo`` through ``manage.py load_demo``): what it must contain.

Every ASF application keeps the fund's rules for its year (checked with the ``AsfLimit`` rows directly, and
with ``support.asf_rules``), statuses follow their dates, nothing happens after the reference date, and the
summary line the command prints says what is in the database. Most tests read one loaded region (a
class-scoped fixture, rolled back afterwards); two load their own (another seed and date, and the same twice).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from adoption.models import Membership, Organisation, Role, User
from adoption.working_days import working_days_between
from children.models import Child, PermanenceOutcome
from support import asf_rules
from support.models import (
    AsfApplication,
    AsfLimit,
    AssessmentOfNeed,
    LifeStoryWork,
    SupportKind,
    SupportPlan,
    SupportRequest,
    Tier,
    Topic,
)
from support.services.life_story import default_due_on
from tests.conftest import rolled_back_after

REFERENCE = date(2026, 3, 31)
SEED = 2026
DEMO_RAA = "Heart of England Adoption (demo)"
S = AsfApplication.Status
COUNTED = {S.SUBMITTED, S.APPROVED, S.INVOICED, S.PAID}  # what asf_rules counts against a child's year
SUMMARY = re.compile(
    r"Support: (?P<requests>\d+) requests \((?P<new>\d+) new on duty, (?P<allocated>\d+) allocated, "
    r"(?P<closed>\d+) closed; (?P<sg>\d+) special guardianship\), (?P<assessments>\d+) assessments of need, "
    r"(?P<plans>\d+) support plans \((?P<reviews_overdue>\d+) reviews overdue\); (?P<asf>\d+) ASF applications "
    r"over (?P<years>\d+) financial years \(£(?P<share>[\d,.]+) from the fund, £(?P<match>[\d,.]+) match funded, "
    r"(?P<rejected>\d+) rejected\); life story work for (?P<with_work>\d+) of (?P<placed>\d+) placed children "
    r"\((?P<ls_overdue>\d+) overdue; (?P<short>\d+) without both the book and the letter\)$",
    re.M,
)


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **{"seed": SEED, "reference_date": REFERENCE, **options})
    return out.getvalue()


@pytest.fixture(scope="class")
def demo_output(django_db_setup, django_db_blocker):
    """The demo loaded once for a class of read-only tests, rolled back when the class is done."""
    with rolled_back_after(django_db_blocker):
        yield load()


def la_of_children(html: str) -> set[str]:
    """The LAs of the children listed on the life story work page."""
    return set(re.findall(r'</a><br><span class="govuk-hint govuk-!-margin-bottom-0">([^<]+)</span></td>', html))


def share(application: AsfApplication) -> Decimal:
    """What the fund is asked for: the cost of the work less the LA's match funding."""
    return application.cost - application.match_funding


def placed_on(child: Child, on: date) -> bool:
    """Placed for adoption on ``on``: a placement begun by then and not ended (disrupted) by then."""
    return any(
        p.placed_on is not None and p.placed_on <= on and (p.ended_on is None or p.ended_on > on)
        for p in child.adoptive_placements.all()
    )


def adoption_order_on(child: Child) -> date | None:
    return next((o.made_on for o in child.permanence_outcomes.all() if o.kind == "adoption_order"), None)


def asf_problems(reference: date) -> list[str]:
    """Everything about the demo's ASF applications that breaks the fund's rules or the order of their dates."""
    problems: list[str] = []
    limits = list(AsfLimit.objects.order_by("effective_from"))
    applications = list(
        AsfApplication.objects.select_related("child", "request", "created_by").prefetch_related(
            "child__adoptive_placements", "child__permanence_outcomes", "child__periods_of_care"
        )
    )
    by_child_year: dict[tuple[int, int], list[AsfApplication]] = defaultdict(list)
    for a in applications:
        by_child_year[(a.child_id, a.financial_year)].append(a)
        where = f"application {a.pk} ({a.year_label}, {a.status})"
        start = a.work_starts_on
        year = start.year if start.month >= 4 else start.year - 1
        if a.financial_year != year:
            problems.append(f"{where}: financial year {a.financial_year}, but the work starts in {year}")
        # The rule in force on 1 April of the year (read from the rows, not from the code under test).
        limit = next((x for x in reversed(limits) if x.effective_from <= date(year, 4, 1)), None)
        if limit is None:
            problems.append(f"{where}: no limit for the year")
            continue
        if a.match_funding > 0 and (not limit.match_funding or year >= 2025):
            problems.append(f"{where}: match funding where the rule has none")
        if a.match_funding >= a.cost:
            problems.append(f"{where}: match funding not below the cost")
        if limit.work_within_year and a.work_ends_on > date(year + 1, 3, 31):
            problems.append(f"{where}: the work ends after the year")
        if a.specialist_assessment != (a.therapy == "specialist_assessment"):
            problems.append(f"{where}: a specialist assessment exactly when the therapy is one")
        # Dates by status: nothing after the reference date.
        dates = {
            "submitted_on": a.submitted_on,
            "decided_on": a.decided_on,
            "invoiced_on": a.invoiced_on,
            "paid_on": a.paid_on,
        }
        by_status: dict[str, set[str]] = {
            S.DRAFT: set(),
            S.SUBMITTED: {"submitted_on"},
            S.APPROVED: {"submitted_on", "decided_on"},
            S.REJECTED: {"submitted_on", "decided_on"},
            S.INVOICED: {"submitted_on", "decided_on", "invoiced_on"},
            S.PAID: {"submitted_on", "decided_on", "invoiced_on", "paid_on"},
        }
        expected = by_status[a.status]
        if {k for k, v in dates.items() if v} != expected:
            problems.append(f"{where}: dates {dates} for its status")
        if any(v and v > reference for v in dates.values()):
            problems.append(f"{where}: a date after the reference date")
        chain = [v for v in (a.submitted_on, a.decided_on) if v] + [start]
        if chain != sorted(chain):
            problems.append(f"{where}: not submitted and decided before the work starts")
        if a.invoiced_on and not a.work_ends_on <= a.invoiced_on <= (a.paid_on or a.invoiced_on):
            problems.append(f"{where}: invoiced before the work ended, or paid before invoiced")
        if bool(a.rejection_reason) != (a.status == S.REJECTED):
            problems.append(f"{where}: a reason exactly when rejected")
        # Who: a placed or adopted child of the application's LA, the basis as the record says on the day.
        child = a.child
        if child.responsible_la_id != a.la_id or (
            a.request and (a.request.child_id, a.request.la_id) != (a.child_id, a.la_id)
        ):
            problems.append(f"{where}: not the child and LA of its request")
        if a.submitted_on:
            order = adoption_order_on(child)
            basis = (
                "adopted" if order and order <= a.submitted_on else "placed" if placed_on(child, a.submitted_on) else ""
            )
            if a.basis != basis:
                problems.append(f"{where}: basis {a.basis!r}, the record says {basis!r}")
        elif a.basis:
            problems.append(f"{where}: a draft with a basis")
    # Each child's year within the limit: every application, whatever its status.
    for (child_id, year), group in by_child_year.items():
        limit = next(x for x in reversed(limits) if x.effective_from <= date(year, 4, 1))
        therapy = sum((share(a) for a in group if not a.specialist_assessment), Decimal(0))
        assessment = sum((share(a) for a in group if a.specialist_assessment), Decimal(0))
        if limit.specialist_assessment_limit is not None:
            over = therapy > limit.fair_access_limit or assessment > limit.specialist_assessment_limit
        else:
            over = therapy + assessment > limit.fair_access_limit
        if over:
            problems.append(f"child {child_id} in {year}: £{therapy} therapy and £{assessment} assessments")
    # And as the fund's rules module sees each application against the child's other counted ones.
    for group in by_child_year.values():
        for a in group:
            used = asf_rules.Used()
            for other in group:
                if other.pk != a.pk and other.status in COUNTED:
                    used = used.plus(share(other), specialist_assessment=other.specialist_assessment)
            child = a.child
            record = asf_rules.ChildRecord(
                first_name=child.first_name,
                date_of_birth=child.date_of_birth,
                adoption_order_on=adoption_order_on(child),
                placements=tuple((p.placed_on, p.ended_on) for p in child.adoptive_placements.all() if p.placed_on),
                care_started=tuple(p.started_on for p in child.periods_of_care.all()),
            )
            on = a.submitted_on or reference
            eligible = asf_rules.eligibility(record, on=on, work_starts_on=a.work_starts_on, ehc_plan=a.ehc_plan)
            proposal = asf_rules.Proposal(
                cost=a.cost,
                match_funding=a.match_funding,
                specialist_assessment=a.specialist_assessment,
                work_starts_on=a.work_starts_on,
                work_ends_on=a.work_ends_on,
            )
            refused = asf_rules.refusals(
                proposal, child_name=child.first_name, limits=limits, used=used, eligible=eligible
            )
            if refused:
                problems.append(f"application {a.pk}: {refused.by_field}")
            if a.submitted_on and eligible.basis != a.basis:
                problems.append(f"application {a.pk}: basis {a.basis!r}, the rules say {eligible.basis!r}")
    return problems


def support_dates_after(reference: date) -> list[str]:
    """Events of requests, assessments, plans and life story work after the reference date."""
    found: list[str] = []
    for model, fields in (
        (SupportRequest, ("received_on", "responded_on", "allocated_on", "closed_on")),
        (AssessmentOfNeed, ("started_on", "completed_on")),
        (SupportPlan, ("agreed_on", "reviewed_on", "ended_on")),
        (LifeStoryWork, ("started_on", "completed_on")),
    ):
        for name in fields:
            n = model.objects.filter(**{f"{name}__gt": reference}).count()
            if n:
                found.append(f"{model.__name__}.{name}: {n}")
    return found


@pytest.mark.usefixtures("demo_output")
class TestSupportDemo:
    def test_every_asf_application_passes_the_funds_rules_for_its_year(self, db):
        assert AsfApplication.objects.count() >= 30
        assert asf_problems(REFERENCE) == []

    def test_applications_span_both_funding_regimes_and_every_status(self, db):
        applications = AsfApplication.objects.all()
        years = Counter(applications.values_list("financial_year", flat=True))
        assert set(years) == {2023, 2024, 2025, 2026}, years
        assert set(applications.values_list("status", flat=True)) == set(S.values)
        # Match funding and separate specialist assessments before April 2025; assessments inside £3,000 after.
        match_years = set(applications.filter(match_funding__gt=0).values_list("financial_year", flat=True))
        assert match_years and match_years <= {2023, 2024}
        assessed = set(applications.filter(specialist_assessment=True).values_list("financial_year", flat=True))
        assert assessed & {2023, 2024} and assessed & {2025, 2026}
        rejected = applications.filter(status=S.REJECTED)
        assert 2 <= rejected.count() <= 3
        assert all(len(reason) > 40 for reason in rejected.values_list("rejection_reason", flat=True))
        assert set(applications.exclude(basis="").values_list("basis", flat=True)) == {"adopted", "placed"}

    def test_applications_follow_a_tier_3_request_an_assessment_and_a_plan(self, db):
        for a in AsfApplication.objects.select_related("request").prefetch_related("request__assessments__plan"):
            request = a.request
            assert request is not None and request.tier == Tier.SPECIALIST
            (assessment,) = request.assessments.all()
            assert assessment.outcome == AssessmentOfNeed.Outcome.SUPPORT_PLAN
            assert assessment.completed_on <= assessment.plan.agreed_on <= (a.submitted_on or REFERENCE)
            assert a.therapy in assessment.plan.therapies
            assert a.created_by == request.allocated_to

    def test_requests_on_duty_across_the_five_las(self, db):
        raa = Organisation.objects.get(name=DEMO_RAA)
        requests = SupportRequest.objects.filter(la__raa=raa)
        assert requests.count() == SupportRequest.objects.count() >= 100
        assert requests.values("la").distinct().count() == 5
        assert set(requests.values_list("topic", flat=True)) == set(Topic.values)
        assert set(requests.values_list("status", flat=True)) == set(SupportRequest.Status.values)
        assert set(requests.exclude(tier=None).values_list("tier", flat=True)) == set(Tier.values)
        statuses = Counter(requests.values_list("status", flat=True))
        assert 2 <= statuses["new"] <= 15 and statuses["allocated"] >= 10 and statuses["closed"] >= 40
        # Answered mostly within a few working days.
        days = [working_days_between(r.received_on, r.responded_on) for r in requests.exclude(responded_on=None)]
        assert sum(d <= 3 for d in days) / len(days) > 0.8 and max(days) <= 15
        assert support_dates_after(REFERENCE) == []
        # Allocated to a support social worker of the LA or its RAA; a linked child is of the request's LA.
        for request in requests.exclude(allocated_to=None).select_related("allocated_to", "la"):
            assert Membership.objects.filter(
                user=request.allocated_to,
                role=Role.SUPPORT_SOCIAL_WORKER,
                organisation__in=[request.la_id, request.la.raa_id],
            ).exists()
        assert not requests.exclude(child=None).exclude(child__responsible_la=F("la")).exists()

    def test_a_few_special_guardianship_cases_for_children_under_an_sgo(self, db):
        cases = SupportRequest.objects.filter(kind=SupportKind.SPECIAL_GUARDIANSHIP).select_related("child")
        assert 3 <= cases.count() <= 10
        for case in cases:
            assert case.requester == SupportRequest.Requester.SPECIAL_GUARDIAN
            assert PermanenceOutcome.objects.filter(
                child=case.child, kind=PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP, made_on__lte=case.received_on
            ).exists()

    def test_assessments_and_plans_with_some_reviews_overdue(self, db):
        assert AssessmentOfNeed.objects.count() >= 30
        for plan in SupportPlan.objects.select_related("assessment__request"):
            request = plan.assessment.request
            assert plan.assessment.completed_on <= plan.agreed_on < plan.review_on
            assert (plan.ended_on is not None) == (request.status == SupportRequest.Status.CLOSED), plan.pk
            assert plan.reviewed_on is None or plan.agreed_on < plan.reviewed_on < plan.review_on
        overdue = SupportPlan.objects.filter(ended_on=None, review_on__lt=REFERENCE).count()
        assert 1 <= overdue < SupportPlan.objects.filter(ended_on=None).count()

    def test_life_story_work_for_most_placed_children(self, db):
        placed = [
            c
            for c in Child.objects.filter(responsible_la__raa__name=DEMO_RAA).prefetch_related(
                "adoptive_placements", "permanence_outcomes", "life_story_work"
            )
            if placed_on(c, REFERENCE)
        ]
        assert len(placed) >= 60
        with_some = [c for c in placed if c.life_story_work.all()]
        without_both = [c for c in placed if len(c.life_story_work.all()) < 2]
        assert len(with_some) / len(placed) > 0.8 and 3 <= len(without_both) < len(placed) / 4
        overdue = [w for c in placed for w in c.life_story_work.all() if not w.completed_on and w.due_on < REFERENCE]
        assert len(overdue) >= 5
        assert LifeStoryWork.objects.count() == sum(len(c.life_story_work.all()) for c in placed)
        for child in placed:
            moved_in = max(p.placed_on for p in child.adoptive_placements.all() if p.placed_on and not p.ended_on)
            for w in child.life_story_work.all():
                # Due by the house rule; started and done in order, never after the reference date.
                assert w.due_on == default_due_on(
                    kind=w.kind, placed_on=moved_in, adoption_order_on=adoption_order_on(child)
                )
                assert w.completed_on is None or (w.started_on is not None and w.started_on <= w.completed_on)
                assert w.started_on is None or w.started_on <= REFERENCE

    def test_the_summary_line_says_what_is_in_the_database(self, demo_output, db):
        (line,) = [m.groupdict() for m in SUMMARY.finditer(demo_output)]
        requests = list(SupportRequest.objects.all())
        applications = list(AsfApplication.objects.all())
        counted = [a for a in applications if a.status != S.REJECTED]
        plans = list(SupportPlan.objects.all())
        placed = [
            c
            for c in Child.objects.prefetch_related("adoptive_placements", "life_story_work")
            if placed_on(c, REFERENCE)
        ]
        work = list(LifeStoryWork.objects.all())
        expected = {
            "requests": len(requests),
            "new": sum(r.status == "new" for r in requests),
            "allocated": sum(r.status == "allocated" for r in requests),
            "closed": sum(r.status == "closed" for r in requests),
            "sg": sum(r.kind == SupportKind.SPECIAL_GUARDIANSHIP for r in requests),
            "assessments": AssessmentOfNeed.objects.count(),
            "plans": len(plans),
            "reviews_overdue": sum(p.ended_on is None and p.review_on < REFERENCE for p in plans),
            "asf": len(applications),
            "years": len({a.financial_year for a in applications}),
            "share": f"{sum(share(a) for a in counted):,.2f}",
            "match": f"{sum(a.match_funding for a in counted):,.2f}",
            "rejected": len(applications) - len(counted),
            "with_work": sum(bool(c.life_story_work.all()) for c in placed),
            "placed": len(placed),
            "ls_overdue": sum(w.completed_on is None and w.due_on < REFERENCE for w in work),
            "short": sum(len(c.life_story_work.all()) < 2 for c in placed),
        }
        assert line == {k: str(v) for k, v in expected.items()}

    def test_a_support_worker_login_at_the_coventry_spoke_sees_coventrys_children(self, client, db):
        user = User.objects.get(username="support.coventry")
        (membership,) = user.memberships.all()
        assert (membership.role, membership.organisation.name) == (Role.SUPPORT_SOCIAL_WORKER, "Coventry")
        client.force_login(user)
        html = client.get("/support/life-story/").content.decode()
        assert la_of_children(html) == {"Coventry"}
        # The RAA's support worker sees the other LAs' placed children too.
        client.force_login(User.objects.get(username="support"))
        assert len(la_of_children(client.get("/support/life-story/").content.decode())) >= 3


def test_another_seed_and_reference_date_keep_the_rules(db):
    """Mid-year, with a seed of its own: the ASF rules and the dates still hold."""
    reference = date(2025, 7, 15)
    output = load(seed=7, reference_date=reference)
    assert SUMMARY.search(output)
    assert AsfApplication.objects.count() >= 20
    assert asf_problems(reference) == []
    assert support_dates_after(reference) == []


def digest() -> str:
    rows = [
        list(
            SupportRequest.objects.order_by(
                "la__name", "received_on", "family_name", "topic", "requested_by"
            ).values_list(
                "la__name",
                "received_on",
                "family_name",
                "topic",
                "requested_by",
                "child__la_child_id",
                "tier",
                "responded_on",
                "status",
                "allocated_to__username",
                "allocated_on",
                "closed_on",
                "closed_reason",
            )
        ),
        list(
            AsfApplication.objects.order_by("child__la_child_id", "work_starts_on", "therapy").values_list(
                "child__la_child_id", "therapy", "cost", "match_funding", "work_starts_on", "status", "paid_on"
            )
        ),
        list(
            LifeStoryWork.objects.order_by("child__la_child_id", "kind").values_list(
                "child__la_child_id", "kind", "due_on", "started_on", "completed_on", "worker__username"
            )
        ),
        list(
            SupportPlan.objects.order_by("agreed_on", "review_on").values_list("agreed_on", "review_on", "reviewed_on")
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_same_seed_and_reference_date_give_the_same_support(db):
    fingerprints = []
    for _ in range(2):
        with transaction.atomic():
            load()
            fingerprints.append(digest())
            transaction.set_rollback(True)
    assert not SupportRequest.objects.exists()
    assert fingerprints[0] == fingerprints[1]
