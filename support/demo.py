"""Demo region, adoption support: duty, assessments, plans, ASF applications, life story work (``load_demo``).

Built after the children (it reads the placed, adopted and special guardianship children from their tables)
and the panels, as at the reference date: nothing happens after it (a due date, a review date or an ASF
application's planned work may fall later).

* **Requests on duty** across the five LAs over the eighteen months before the reference date: all topics and
  tiers, most answered within a few working days, some still new on duty, most allocated and many closed.
  Tier 3 work goes on to an assessment of need and, often, a support plan with six-monthly reviews (some
  overdue). A few **special guardianship** support cases for children who left care on an SGO.
* **ASF applications** for placed and adopted children, in the two financial years before the reference
  date's, its own and the next: each case is a tier 3 request, its assessment and plan, then one to three
  applications in the year. The money follows the ``AsfLimit`` row in force at the start of the year (never
  a literal here), as ``support.asf_rules`` reads it: an application's ``cost`` is the cost of the work and
  the fund's share is the cost less the LA's match funding. To March 2025 therapy shares within the fair
  access limit, specialist assessments within their own allowance and the LA match-funding the part of the
  cost above the limit; from April 2025 everything within the one limit, no match funding and the work
  finished within the year. The shares of all a child's applications in a year, whatever their status (even
  drafts and rejected ones), fit within the year's limit. The financial year is the year the work starts.
  Statuses follow the dates (submitted before the work starts, decided before it starts, invoiced when it
  ends, paid after); two or three are rejected, with the reason.
* **Life story work** for most placed children, due by the house rule of ``support.services.life_story``:
  mostly done when due long ago, some in progress or not started, some overdue, and some children with
  neither record (or only the book).

Deterministic: its own ``random.Random`` from the seed, so nothing the other builders draw moves.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from dateutil.relativedelta import relativedelta
from django.db.models import DateField, Exists, OuterRef, Q, Subquery

from adopters.models import Applicant
from adoption import demo as adoption_demo
from adoption.models import Membership, Organisation, Role, User
from adoption.working_days import add_working_days
from children.models import AdoptivePlacement, Child, PermanenceOutcome
from support.models import (
    AsfApplication,
    AsfLimit,
    AssessmentOfNeed,
    LifeStoryWork,
    SupportKind,
    SupportPlan,
    SupportRequest,
    TherapyType,
    Tier,
    Topic,
)
from support.services.life_story import default_due_on

Status = SupportRequest.Status
Requester = SupportRequest.Requester
Closed = SupportRequest.ClosedReason
Outcome = AssessmentOfNeed.Outcome
AsfStatus = AsfApplication.Status
Basis = AsfApplication.Basis

T = TypeVar("T")

DUTY_REQUESTS = 110
DUTY_DAYS = 540  # how far back the duty requests go
SG_CASES = 6
# ASF cases (a child's tier 3 request, assessment, plan and applications) by financial year, from two years
# before the reference date's to the next.
ASF_CASES = (12, 16, 18, 8)
REVIEW_MONTHS = 6
REJECTED = 3
REJECTION_REASONS = (
    "The provider is not registered with Ofsted or the Care Quality Commission, as the fund requires.",
    "The assessment of need does not show how the therapy asked for meets the child's needs: send the "
    "assessment with the therapist's plan.",
    "The therapist's registration and insurance details were missing: send them with a new application.",
)
PROVIDERS = (
    "Family Futures Therapy",
    "Midlands DDP Practice",
    "Theraplay West Midlands",
    "Sensory Steps Occupational Therapy",
    "Arden Child Psychotherapy",
    "Severn Attachment Service",
    "Malvern Play and Creative Therapies",
    "NVR Partnership Midlands",
)
THERAPIES = (
    TherapyType.DDP,
    TherapyType.THERAPLAY,
    TherapyType.SENSORY,
    TherapyType.NVR,
    TherapyType.THERAPEUTIC_PARENTING,
    TherapyType.LIFE_STORY,
    TherapyType.PSYCHOTHERAPY,
    TherapyType.CREATIVE,
)
TOPIC_WEIGHTS = (
    (Topic.SETTLING, 14),
    (Topic.TELLING, 14),
    (Topic.CHILD_ON_PARENT_VIOLENCE, 14),
    (Topic.EDUCATION, 16),
    (Topic.TRAUMA, 24),
    (Topic.CONTACT, 12),
    (Topic.OTHER, 6),
)
SUMMARIES: dict[str, str] = {
    Topic.SETTLING: "The family ask for advice: sleep and mealtimes have been hard since the child moved in.",
    Topic.TELLING: "The parents want help to talk with their child about their adoption story at this age.",
    Topic.CHILD_ON_PARENT_VIOLENCE: "Rising aggression at home towards the adoptive parent; the family are exhausted.",
    Topic.EDUCATION: "Difficulties at school: exclusions, and the school asks about support for transitions.",
    Topic.TRAUMA: "Behaviour rooted in early trauma; the parents ask about therapy and therapeutic parenting.",
    Topic.CONTACT: "Letterbox contact with the birth family has stalled; the family ask for help to restart it.",
    Topic.OTHER: "A question about the adoption allowance and what support the family can ask for.",
}
# Working days from a request's arrival to its first response: mostly within a few days.
RESPONSE_DAYS = ((0, 30), (1, 30), (2, 18), (3, 10), (5, 6), (8, 4), (12, 2))
TIERS = ((Tier.UNIVERSAL, 35), (Tier.TARGETED, 40), (Tier.SPECIALIST, 25))
OUTCOMES = ((Outcome.SUPPORT_PLAN, 55), (Outcome.ADVICE, 15), (Outcome.REFERRED, 20), (Outcome.NO_SUPPORT, 10))
TIER_2_ENDINGS = ((Closed.COMPLETED, 60), (Closed.WITHDRAWN, 15), (Closed.NO_CONTACT, 10), (Closed.REFERRED, 15))
UNLINKED_REQUESTERS = ((Requester.ADOPTIVE_PARENT, 45), (Requester.ADULT_ADOPTEE, 40), (Requester.OTHER, 15))
PROFESSIONALS = ("Health visitor", "CAMHS practitioner", "GP", "Virtual school head", "Family support worker")


@dataclass
class DemoSupport:
    requests: list[SupportRequest]
    assessments: list[AssessmentOfNeed]
    plans: list[SupportPlan]
    applications: list[AsfApplication]
    life_story: list[LifeStoryWork]


@dataclass(frozen=True)
class _Placed:
    """A placed child of the demo LAs, as the support builder needs them."""

    child: Child
    placed_on: date
    adoption_order_on: date | None
    household_id: int | None
    family_name: str
    parent: str  # an adoptive parent's name, for who asked


@dataclass
class _Built:
    requests: list[SupportRequest] = field(default_factory=list)
    assessments: list[AssessmentOfNeed] = field(default_factory=list)
    plans: list[SupportPlan] = field(default_factory=list)
    applications: list[AsfApplication] = field(default_factory=list)


def financial_year(day: date) -> int:
    """The financial year a day falls in, by its first year (2025 for 1 April 2025 to 31 March 2026)."""
    return day.year if day.month >= 4 else day.year - 1


def limit_for(year: int, limits: list[AsfLimit]) -> AsfLimit | None:
    """The fund's rule in force at the start of a financial year (``limits`` by ``effective_from``)."""
    start = date(year, 4, 1)
    return next((limit for limit in reversed(limits) if limit.effective_from <= start), None)


def _weighted(rng: random.Random, options: Iterable[tuple[T, int]]) -> T:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _months(day: date, months: int) -> date:
    return day + relativedelta(months=months)


# --- reading the demo's children and staff ------------------------------------------------------------------------


def _placed_children(las: list[Organisation], reference_date: date) -> list[_Placed]:
    placements = AdoptivePlacement.objects.filter(
        child=OuterRef("pk"), placed_on__isnull=False, placed_on__lte=reference_date, ended_on__isnull=True
    ).order_by("-placed_on")
    orders = PermanenceOutcome.objects.filter(
        child=OuterRef("pk"), kind=PermanenceOutcome.Kind.ADOPTION_ORDER, made_on__lte=reference_date
    )
    children = list(
        Child.objects.filter(responsible_la__in=las)
        .filter(Exists(placements))
        .annotate(
            placed_on=Subquery(placements.values("placed_on")[:1], output_field=DateField()),
            household_id=Subquery(placements.values("household_id")[:1]),
            household_name=Subquery(placements.values("household__name")[:1]),
            adoption_order_on=Subquery(orders.values("made_on")[:1], output_field=DateField()),
        )
        .select_related("responsible_la")
        .order_by("la_child_id", "id")
    )
    parents: dict[int, str] = {}
    for household_id, first, last in (
        Applicant.objects.filter(
            household_id__in=[c.household_id for c in children if c.household_id]  # type: ignore[attr-defined]
        )
        .order_by("household_id", "id")
        .values_list("household_id", "first_name", "last_name")
    ):
        parents.setdefault(household_id, f"{first} {last}")
    placed = []
    for c in children:
        name = (c.household_name or f"{c.last_name} household").removesuffix(" household")  # type: ignore[attr-defined]
        placed.append(
            _Placed(
                child=c,
                placed_on=c.placed_on,  # type: ignore[attr-defined]
                adoption_order_on=c.adoption_order_on,  # type: ignore[attr-defined]
                household_id=c.household_id,  # type: ignore[attr-defined]
                family_name=f"The {name} family",
                parent=parents.get(c.household_id, f"Parent of {c.first_name}"),  # type: ignore[attr-defined]
            )
        )
    return placed


def _sgo_children(las: list[Organisation], reference_date: date) -> list[tuple[Child, date]]:
    orders = PermanenceOutcome.objects.filter(
        child__responsible_la__in=las,
        kind=PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP,
        made_on__lte=reference_date - timedelta(days=90),
    ).select_related("child__responsible_la")
    return [(o.child, o.made_on) for o in orders.order_by("child__la_child_id", "made_on")]


def _workers(las: list[Organisation]) -> dict[int, list[User]]:
    """Each LA's support social workers: its own spoke's first, then the RAA's."""
    held = list(
        Membership.objects.filter(
            is_active=True, role=Role.SUPPORT_SOCIAL_WORKER, user__is_active=True, organisation__is_active=True
        )
        .filter(Q(organisation__in=las) | Q(organisation__in=[la.raa_id for la in las if la.raa_id]))
        .select_related("user")
        .order_by("user__username")
    )
    workers: dict[int, list[User]] = {}
    for la in las:
        own = [m.user for m in held if m.organisation_id == la.pk]
        raa = [m.user for m in held if m.organisation_id == la.raa_id]
        workers[la.pk] = own + [u for u in raa if u not in own]
        if not workers[la.pk]:
            raise adoption_demo.DemoDataError(f"No support social worker works for {la.name}.")
    return workers


# --- the builder --------------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, rng: random.Random, las: list[Organisation], reference_date: date) -> None:
        self.rng = rng
        self.las = las
        self.ref = reference_date
        self.workers = _workers(las)
        self.towns = {d.ons_code: d.towns for d in adoption_demo.DEMO_LAS}
        self.built = _Built()

    # --- people ---

    def worker(self, la: Organisation) -> User:
        pool = self.workers[la.pk]
        return pool[0] if len(pool) == 1 or self.rng.random() < 0.75 else self.rng.choice(pool[1:])

    def town(self, la: Organisation) -> str:
        return self.rng.choice(self.towns.get(la.ons_code, (la.name,)))

    def asker(self, requester: str, la: Organisation, parent: str, child: Child | None) -> str:
        rng = self.rng
        if requester in (Requester.ADOPTIVE_PARENT, Requester.SPECIAL_GUARDIAN):
            return parent
        if requester == Requester.YOUNG_PERSON and child is not None:
            return child.full_name
        if requester == Requester.SCHOOL:
            return f"Designated teacher, {self.town(la)} {rng.choice(('Primary School', 'Academy', 'High School'))}"
        if requester == Requester.PROFESSIONAL:
            return f"{rng.choice(PROFESSIONALS)}, {self.town(la)}"
        group = rng.choice(("white_british", "white_british", "black_caribbean", "indian", "white_irish"))
        kind = rng.choice(("man", "woman"))
        return f"{adoption_demo.first_name(rng, group, kind)} {adoption_demo.surname(rng, group)}"

    # --- one request's path: response, allocation, assessment, plan, closing ---

    def respond(self, received: date) -> date:
        return add_working_days(received, _weighted(self.rng, RESPONSE_DAYS))

    def request(self, *, la: Organisation, received: date, topic: str, requester: str, **fields: object):
        request = SupportRequest(la=la, received_on=received, topic=topic, requester=requester, **fields)
        request.summary = SUMMARIES[topic]
        self.built.requests.append(request)
        return request

    def allocate(self, request: SupportRequest, on: date) -> bool:
        if on > self.ref:
            return False
        request.allocated_to = self.worker(request.la)
        request.allocated_on = on
        request.status = Status.ALLOCATED
        return True

    def close(self, request: SupportRequest, on: date, reason: str) -> bool:
        if on > self.ref:
            return False
        request.closed_on = on
        request.closed_reason = reason
        request.status = Status.CLOSED
        return True

    def plan(self, assessment: AssessmentOfNeed, agreed: date, therapies: list[str], until: date) -> SupportPlan:
        """A plan agreed on ``agreed``, reviewed six-monthly up to ``until`` (some reviews missed: overdue)."""
        labels = ", ".join(TherapyType(t).label for t in therapies) or "advice and a support group"
        plan = SupportPlan(
            assessment=assessment,
            agreed_on=agreed,
            services=f"Therapy: {labels}. A support worker visits monthly; a place in the therapeutic parenting group.",
            therapies=therapies,
            review_on=_months(agreed, REVIEW_MONTHS),
        )
        while plan.review_on <= until and self.rng.random() < 0.75:
            reviewed = min(plan.review_on + timedelta(days=self.rng.randint(-10, 20)), until)
            if reviewed < (plan.reviewed_on or plan.agreed_on) or reviewed <= plan.agreed_on:
                break
            plan.reviewed_on = reviewed
            plan.review_on = _months(reviewed, REVIEW_MONTHS)
        self.built.plans.append(plan)
        return plan

    def duty_path(self, request: SupportRequest, *, tier_3_only: bool = False) -> None:
        """Answer, allocate, assess, plan and close a request as far as the dates before the reference date go."""
        rng, ref = self.rng, self.ref
        responded = self.respond(request.received_on)
        if responded > ref:
            return
        request.responded_on = responded
        request.tier = Tier.SPECIALIST if tier_3_only else _weighted(rng, TIERS)
        waiting = (ref - request.received_on).days <= 45 and rng.random() < 0.25
        if request.tier == Tier.UNIVERSAL:
            if rng.random() < 0.85:
                self.close(request, responded + timedelta(days=rng.randint(0, 5)), Closed.ADVICE)
            elif not waiting:
                self.allocate(request, responded + timedelta(days=rng.randint(0, 7)))
            return
        if waiting or not self.allocate(request, responded + timedelta(days=rng.randint(0, 10))):
            return
        allocated = request.allocated_on
        assert allocated is not None
        if request.tier == Tier.TARGETED:
            reason = _weighted(rng, TIER_2_ENDINGS)
            self.close(request, allocated + timedelta(days=rng.randint(20, 150)), reason)
            return
        started = allocated + timedelta(days=rng.randint(5, 20))
        if started > ref:
            return
        assessment = AssessmentOfNeed(request=request, assessor=request.allocated_to, started_on=started)
        self.built.assessments.append(assessment)
        completed = started + timedelta(days=rng.randint(20, 50))
        if completed > ref:
            return
        outcome = _weighted(rng, OUTCOMES)
        assessment.completed_on, assessment.outcome = completed, outcome
        need = "therapeutic support" if outcome == Outcome.SUPPORT_PLAN else "advice and information"
        assessment.needs = f"{SUMMARIES[request.topic]} Needs: {need}."
        if outcome != Outcome.SUPPORT_PLAN:
            reason = Closed.REFERRED if outcome == Outcome.REFERRED else Closed.ADVICE
            self.close(request, completed + timedelta(days=rng.randint(0, 14)), reason)
            return
        agreed = completed + timedelta(days=rng.randint(0, 10))
        if agreed > ref:
            return
        ends = agreed + timedelta(days=rng.randint(150, 420))
        therapies = rng.sample(THERAPIES, rng.randint(1, 2))
        plan = self.plan(assessment, agreed, [str(t) for t in therapies], until=min(ends, ref))
        if self.close(request, ends, Closed.COMPLETED):
            plan.ended_on = ends

    # --- duty and special guardianship ---

    def duty(self, placed: list[_Placed]) -> None:
        rng, ref = self.rng, self.ref
        topics = [t for t, _ in TOPIC_WEIGHTS]
        by_la: dict[int, list[_Placed]] = defaultdict(list)
        for p in placed:
            by_la[p.child.responsible_la_id].append(p)
        for n in range(DUTY_REQUESTS):
            la = self.las[n % len(self.las)]
            received = _weekday(ref - timedelta(days=rng.randint(0, DUTY_DAYS)))
            topic = topics[n] if n < len(topics) else _weighted(rng, TOPIC_WEIGHTS)
            families = [p for p in by_la[la.pk] if p.placed_on + timedelta(days=14) <= received]
            if families and rng.random() < 0.7:
                family = rng.choice(families)
                child: Child | None = family.child
                age = (received - child.date_of_birth).days // 365 if child and child.date_of_birth else 0
                requester = _weighted(
                    rng,
                    (
                        (Requester.ADOPTIVE_PARENT, 75),
                        (Requester.SCHOOL, 10 if age >= 4 else 0),
                        (Requester.PROFESSIONAL, 10),
                        (Requester.YOUNG_PERSON, 5 if age >= 12 else 0),
                    ),
                )
                request = self.request(
                    la=la,
                    received=received,
                    topic=topic,
                    requester=requester,
                    family_name=family.family_name,
                    child=child,
                    household_id=family.household_id,
                    requested_by=self.asker(requester, la, family.parent, child),
                )
            else:
                # A family adopted before these records began, or an adult adoptee.
                requester = _weighted(rng, UNLINKED_REQUESTERS)
                asker = self.asker(requester, la, "", None)
                if requester == Requester.ADOPTIVE_PARENT:
                    group = rng.choice(("white_british", "white_british", "pakistani", "black_african"))
                    surname = adoption_demo.surname(rng, group)
                    asker = f"{adoption_demo.first_name(rng, group, rng.choice(('man', 'woman')))} {surname}"
                    family_name = f"The {surname} family"
                else:
                    family_name = asker
                request = self.request(
                    la=la,
                    received=received,
                    topic=topic,
                    requester=requester,
                    family_name=family_name,
                    requested_by=asker,
                )
            self.duty_path(request)

    def special_guardianship(self, sgo_children: list[tuple[Child, date]]) -> None:
        rng, ref = self.rng, self.ref
        for child, order_on in rng.sample(sgo_children, min(SG_CASES, len(sgo_children))):
            earliest = max(order_on + timedelta(days=60), ref - timedelta(days=DUTY_DAYS))
            if earliest > ref:
                continue
            received = _weekday(earliest + timedelta(days=rng.randint(0, (ref - earliest).days)))
            if received < order_on:
                continue
            guardian = (
                f"{adoption_demo.first_name(rng, 'white_british', rng.choice(('man', 'woman')))} {child.last_name}"
            )
            request = self.request(
                la=child.responsible_la,
                received=received,
                topic=str(rng.choice((Topic.CONTACT, Topic.TRAUMA, Topic.SETTLING, Topic.EDUCATION))),
                requester=Requester.SPECIAL_GUARDIAN,
                kind=SupportKind.SPECIAL_GUARDIANSHIP,
                family_name=f"The {child.last_name} family (special guardians)",
                child=child,
                requested_by=guardian,
            )
            self.duty_path(request)

    # --- ASF cases ---

    def asf(self, placed: list[_Placed], limits: list[AsfLimit]) -> None:
        rng, ref = self.rng, self.ref
        first_year = financial_year(ref) - 2
        ehc = {p.child.pk for p in placed if rng.random() < 0.15}
        for year, cases in zip(range(first_year, first_year + len(ASF_CASES)), ASF_CASES, strict=True):
            limit = limit_for(year, limits)
            if limit is None:
                continue
            candidates = [p for p in placed if p.placed_on <= date(year, 4, 1) + timedelta(days=60)]
            for family in rng.sample(candidates, min(cases, len(candidates))):
                self.asf_case(family, year, limit, ehc=family.child.pk in ehc)
        self.reject()

    def asf_case(self, family: _Placed, year: int, limit: AsfLimit, *, ehc: bool) -> None:
        """A child's tier 3 request, assessment and plan, then one to three applications in ``year``."""
        rng, ref = self.rng, self.ref
        year_start, year_end = date(year, 4, 1), date(year + 1, 3, 31)
        if year_start > ref:  # next year's work, applied for in the last weeks
            submitted = ref - timedelta(days=rng.randint(0, 35))
            start = max(year_start, submitted + timedelta(days=rng.randint(14, 42))) + timedelta(
                days=rng.randint(0, 30)
            )
        else:
            start = year_start + timedelta(days=rng.randint(0, 240 if year_end < ref else 320))
            submitted = start - timedelta(days=rng.randint(14, 42))
        agreed = submitted - timedelta(days=rng.randint(3, 20))
        completed = agreed - timedelta(days=rng.randint(0, 10))
        assessed = completed - timedelta(days=rng.randint(14, 40))
        allocated = assessed - timedelta(days=rng.randint(3, 14))
        responded = _weekday(allocated - timedelta(days=rng.randint(0, 7)))
        received = _weekday(responded - timedelta(days=rng.randint(0, 3)))
        if received < family.placed_on + timedelta(days=30) or agreed > ref:
            return  # too soon after the child moved in, or the plan is not agreed yet
        child, la = family.child, family.child.responsible_la
        worker = self.worker(la)
        request = self.request(
            la=la,
            received=received,
            topic=str(rng.choice((Topic.TRAUMA, Topic.TRAUMA, Topic.CHILD_ON_PARENT_VIOLENCE, Topic.TELLING))),
            requester=Requester.ADOPTIVE_PARENT,
            family_name=family.family_name,
            child=child,
            household_id=family.household_id,
            requested_by=family.parent,
            responded_on=responded,
            tier=Tier.SPECIALIST,
            status=Status.ALLOCATED,
            allocated_to=worker,
            allocated_on=allocated,
        )
        assessment = AssessmentOfNeed(
            request=request,
            assessor=worker,
            started_on=assessed,
            completed_on=completed,
            outcome=Outcome.SUPPORT_PLAN,
            needs="Needs arising from early trauma: the family ask for therapy paid for by the Adoption Support Fund.",
        )
        self.built.assessments.append(assessment)

        used_therapy = used_assessment = Decimal("0")
        applications: list[AsfApplication] = []
        for n in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if n:
                start = applications[-1].work_ends_on + timedelta(days=rng.randint(7, 60))
                submitted = max(start - timedelta(days=rng.randint(14, 42)), applications[-1].submitted_on or start)
            if financial_year(start) != year or (limit.work_within_year and start > year_end - timedelta(days=28)):
                break
            assessment_first = n == 0 and rng.random() < 0.3
            money = self.money(limit, used_therapy, used_assessment, specialist=assessment_first)
            if money is None:
                break
            therapy, sessions, cost, match = money
            if assessment_first:
                used_assessment += cost - match
            else:
                used_therapy += cost - match
            ends = start + timedelta(days=7 * sessions)
            if limit.work_within_year:
                ends = min(ends, year_end)
            draft = submitted > ref or ((ref - submitted).days <= 7 and rng.random() < 0.5)
            application = AsfApplication(
                la=la,
                request=request,
                child=child,
                ehc_plan=ehc,
                therapy=therapy,
                specialist_assessment=therapy == TherapyType.SPECIALIST_ASSESSMENT,
                provider=rng.choice(PROVIDERS),
                sessions=sessions,
                cost=cost,
                match_funding=match,
                work_starts_on=start,
                work_ends_on=ends,
                financial_year=financial_year(start),
                created_by=worker,
            )
            if not draft:
                self.decide(application, submitted, family)
            applications.append(application)
        if not applications:
            self.built.requests.remove(request)
            self.built.assessments.remove(assessment)
            return
        self.built.applications.extend(applications)
        therapies = sorted({a.therapy for a in applications})
        last_end = max(a.work_ends_on for a in applications)
        plan = self.plan(assessment, agreed, therapies, until=min(last_end, ref))
        closing = last_end + timedelta(days=rng.randint(20, 90))
        if all(a.status in (AsfStatus.PAID, AsfStatus.REJECTED) for a in applications) and self.close(
            request, closing, Closed.COMPLETED
        ):
            plan.ended_on = closing

    def money(
        self, limit: AsfLimit, used_therapy: Decimal, used_assessment: Decimal, *, specialist: bool
    ) -> tuple[str, int, Decimal, Decimal] | None:
        """Therapy, sessions, the cost of the work and the LA's match funding for the next application, the fund's
        share (cost less match funding) within the year's rule: None when the limit leaves too little for another.

        ``used_therapy`` and ``used_assessment`` are the shares the child's earlier applications of the year ask for.
        """
        rng = self.rng
        separate = limit.specialist_assessment_limit is not None
        if specialist:
            allowance = limit.specialist_assessment_limit if separate else limit.fair_access_limit - used_therapy
            assert allowance is not None
            cost = min(Decimal(rng.randrange(1200, 2550, 50)), allowance - used_assessment)
            if cost < Decimal("500"):
                return None
            return str(TherapyType.SPECIALIST_ASSESSMENT), rng.randint(2, 4), cost, Decimal("0.00")
        rate = Decimal(rng.randrange(90, 155, 5))
        left = limit.fair_access_limit - used_therapy - (Decimal("0") if separate else used_assessment)
        therapy = str(rng.choice(THERAPIES))
        if limit.match_funding:
            sessions = rng.randint(35, 50) if rng.random() < 0.3 else rng.randint(10, 30)
            total = rate * sessions
            if left < Decimal("500"):
                return None
            return therapy, sessions, total, total - min(total, left)  # the LA pays what is above the limit
        most = int(left // rate)
        if most < 4:
            return None
        sessions = min(rng.randint(6, 24), most)
        return therapy, sessions, rate * sessions, Decimal("0.00")

    def decide(self, application: AsfApplication, submitted: date, family: _Placed) -> None:
        """Submit, and take the application as far as the dates go: decided before the work starts, invoiced when
        it ends, paid after."""
        rng, ref = self.rng, self.ref
        application.status = AsfStatus.SUBMITTED
        application.submitted_on = submitted
        adopted = family.adoption_order_on is not None and family.adoption_order_on <= submitted
        application.basis = Basis.ADOPTED if adopted else Basis.PLACED
        gap = (application.work_starts_on - submitted).days  # decided before the work starts
        decided = submitted + timedelta(days=rng.randint(min(7, gap), min(30, gap)))
        if decided > ref:
            return
        application.status, application.decided_on = AsfStatus.APPROVED, decided
        invoiced = application.work_ends_on + timedelta(days=rng.randint(0, 21))
        if invoiced > ref:
            return
        application.status, application.invoiced_on = AsfStatus.INVOICED, invoiced
        paid = invoiced + timedelta(days=rng.randint(10, 45))
        if paid <= ref:
            application.status, application.paid_on = AsfStatus.PAID, paid

    def reject(self) -> None:
        """A few decided applications were rejected, with the reason (nothing invoiced or paid on them)."""
        decided = [a for a in self.built.applications if a.decided_on is not None]
        chosen = self.rng.sample(decided, min(REJECTED, len(decided)))
        for application, reason in zip(chosen, REJECTION_REASONS, strict=False):
            application.status = AsfStatus.REJECTED
            application.rejection_reason = reason
            application.invoiced_on = application.paid_on = None

    # --- life story work ---

    def life_story(self, placed: list[_Placed]) -> list[LifeStoryWork]:
        rng, ref = self.rng, self.ref
        records: list[LifeStoryWork] = []
        for family in placed:
            roll = rng.random()
            if roll < 0.1:
                continue  # neither scheduled yet
            kinds = [LifeStoryWork.Kind.LIFE_STORY_BOOK]
            if roll >= 0.17:
                kinds.append(LifeStoryWork.Kind.LATER_LIFE_LETTER)
            la = family.child.responsible_la
            for kind in kinds:
                due = default_due_on(kind=kind, placed_on=family.placed_on, adoption_order_on=family.adoption_order_on)
                work = LifeStoryWork(child=family.child, kind=kind, due_on=due, worker=self.worker(la))
                days_left = (due - ref).days
                state = rng.random()
                if days_left < -60:
                    started = state < 0.93
                    done = state < 0.85
                elif days_left < 0:
                    started = state < 0.7
                    done = state < 0.45
                else:
                    started = state < 0.5
                    done = state < 0.1
                if started:
                    begun = max(family.placed_on, due - timedelta(days=rng.randint(30, 150)))
                    work.started_on = min(begun, ref)
                    if done:
                        finished = work.started_on + timedelta(days=rng.randint(20, 150))
                        work.completed_on = min(max(finished, work.started_on), ref)
                records.append(work)
        return records


def build(*, las: Iterable[Organisation], seed: int, reference_date: date) -> DemoSupport:
    """Insert the demo LAs' support: requests, assessments, plans, ASF applications and life story work."""
    rng = random.Random(f"support:{seed}")
    las = sorted(las, key=lambda la: la.ons_code or la.name)
    builder = _Builder(rng, las, reference_date)
    placed = _placed_children(las, reference_date)
    limits = list(AsfLimit.objects.order_by("effective_from"))
    builder.duty(placed)
    builder.special_guardianship(_sgo_children(las, reference_date))
    builder.asf(placed, limits)
    life_story = builder.life_story(placed)

    built = builder.built
    SupportRequest.objects.bulk_create(built.requests)
    AssessmentOfNeed.objects.bulk_create(built.assessments)
    SupportPlan.objects.bulk_create(built.plans)
    AsfApplication.objects.bulk_create(built.applications)
    LifeStoryWork.objects.bulk_create(life_story)
    return DemoSupport(
        requests=built.requests,
        assessments=built.assessments,
        plans=built.plans,
        applications=built.applications,
        life_story=life_story,
    )
