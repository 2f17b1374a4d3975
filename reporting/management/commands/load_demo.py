"""``manage.py load_demo``: a deterministic, realistic demo region for trying the product.

Builds, in one transaction, the demo RAA of five real West Midlands LAs with a VAA and staff for
every role (``adoption.demo``), about 150 households (``adopters.demo``) and about 250 children
with their journeys (``children.demo``). The same ``--seed`` and ``--reference-date`` always give
the same data; only the API token and password hashes differ between runs.

``--scale national`` adds every other English LA in RAAs with ten years of synthetic history
(about 40,000 children): see ``reporting.national``.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from adopters import demo as adopters_demo
from adopters.models import Check, Household, Pause
from adoption import demo as adoption_demo
from adoption.models import Role, User
from children import demo as children_demo
from children.journey import Stage
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    Disruption,
    LearningAction,
    Link,
    Match,
    PermanenceOutcome,
)
from children.selectors import stage_expression, with_journey_dates
from panels import demo as panels_demo
from panels.models import AgendaItem, AgendaPaper, PanelAppraisal, PanelMeeting, PanelMember
from panels.selectors import meeting_quorum, on_list, quorum_rules
from reporting import national
from support import demo as support_demo
from support.models import AsfApplication, AssessmentOfNeed, LifeStoryWork, SupportPlan, SupportRequest
from support.selectors.life_story import placed

DEFAULT_SEED = 2026
# Any constant: makes two concurrent loads (e.g. two `make run`s) take turns instead of both loading.
_ADVISORY_LOCK = 0x10AD_DE30


@dataclass
class DemoLoaded:
    agencies: adoption_demo.DemoAgencies
    households: adopters_demo.DemoHouseholds
    children: children_demo.DemoChildren
    panels: panels_demo.DemoPanels
    support: support_demo.DemoSupport


def load(*, seed: int, reference_date: date) -> DemoLoaded:
    """Build the whole demo region. Call inside a transaction, on a database without it."""
    agencies = adoption_demo.build()
    organisations = agencies.organisations
    households = adopters_demo.build(
        raa=organisations.raa, vaa=organisations.vaa, seed=seed, reference_date=reference_date
    )
    children = children_demo.build(
        households=households.plans,
        las=organisations.las_by_ons_code,
        household_records=households.by_reference,
        seed=seed,
        reference_date=reference_date,
    )
    panels = panels_demo.build(raa=organisations.raa, seed=seed, reference_date=reference_date)
    adviser = User.objects.get(username="panel.adviser")
    panels_demo.build_agenda(raa=organisations.raa, seed=seed, reference_date=reference_date, uploader=adviser)
    support = support_demo.build(las=organisations.las.values(), seed=seed, reference_date=reference_date)
    return DemoLoaded(agencies=agencies, households=households, children=children, panels=panels, support=support)


class Command(BaseCommand):
    help = (
        "Load the demo region (Heart of England Adoption: five West Midlands LAs, a VAA, staff for every "
        "role, about 150 households and 250 children) and print its logins and an API token."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing (and say so) when the demo region already exists."
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Seed for the generated data (default {DEFAULT_SEED})."
        )
        parser.add_argument(
            "--scale",
            choices=("region", "national"),
            default="region",
            help="region (default): the demo region only. national: the demo region and every other English LA "
            "in RAAs, with ten years of history (about 40,000 children; takes minutes).",
        )
        # For tests: a national load with every count scaled down (e.g. 0.01).
        parser.add_argument("--national-fraction", type=float, default=1.0, help=argparse.SUPPRESS)
        parser.add_argument(
            "--reference-date",
            type=date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="The day the data is as at: nothing happens after it (default today).",
        )

    def handle(
        self,
        *args,
        if_empty: bool,
        seed: int,
        reference_date: date | None,
        scale: str = "region",
        national_fraction: float = 1.0,
        **options,
    ) -> None:
        today = timezone.localdate()
        reference_date = reference_date or today
        if reference_date > today:
            raise CommandError(f"The reference date {reference_date:%d %B %Y} is in the future.")
        if scale == "national":
            self._national(if_empty=if_empty, seed=seed, reference_date=reference_date, fraction=national_fraction)
            return
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
            if adoption_demo.demo_exists():
                if if_empty:
                    self.stdout.write(
                        f"The demo region ({adoption_demo.DEMO_RAA_NAME}) already exists: nothing loaded."
                    )
                    self._print_logins(adoption_demo.existing_logins())
                    self.stdout.write(
                        "The demo API token was shown when the region was loaded. For a new one: "
                        "manage.py create_api_client E08000026 --name 'Coventry case system'"
                    )
                    return
                raise CommandError(
                    f"The demo region ({adoption_demo.DEMO_RAA_NAME}) already exists. Use --if-empty to skip "
                    "loading it, or load it into a fresh database."
                )
            try:
                loaded = load(seed=seed, reference_date=reference_date)
            except adoption_demo.DemoDataError as exc:
                raise CommandError(str(exc)) from exc
        self._report(loaded, seed=seed, reference_date=reference_date)

    def _national(self, *, if_empty: bool, seed: int, reference_date: date, fraction: float) -> None:
        """The demo region (unless it is there already) and the national RAAs, in one transaction."""
        if not 0 < fraction <= 1:
            raise CommandError("The national fraction must be more than 0 and at most 1.")
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
            if national.national_exists():
                if if_empty:
                    self.stdout.write("The national demo data already exists: nothing loaded.")
                    return
                raise CommandError(
                    "The national demo data already exists. Use --if-empty to skip loading it, or load it into a "
                    "fresh database."
                )
            try:
                region = None if adoption_demo.demo_exists() else load(seed=seed, reference_date=reference_date)
                loaded = national.build(seed=seed, reference_date=reference_date, fraction=fraction)
            except adoption_demo.DemoDataError as exc:
                raise CommandError(str(exc)) from exc
        # A million rows arrived at once: they are vacuumed and the planner's statistics brought up to date now, as
        # autovacuum would do on a live server over the next minutes (since PostgreSQL 13 inserts alone start it), so
        # the first queries are planned on the data as it is and index-only scans need not visit the table's rows.
        # (Inside a caller's transaction, as in tests, VACUUM cannot run: the statistics alone are brought up to date.)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        self._report_national(
            loaded, region, seed=seed, reference_date=reference_date, seconds=time.monotonic() - started
        )

    def _report_national(
        self,
        loaded: national.NationalLoaded,
        region: DemoLoaded | None,
        *,
        seed: int,
        reference_date: date,
        seconds: float,
    ) -> None:
        """A short summary: the national report would take longer than the load."""
        out = self.stdout.write
        out(
            self.style.SUCCESS(
                f"Loaded the national demo (seed {seed}, as at {reference_date:%d %B %Y}) in {seconds:.0f} seconds."
            )
        )
        las = sum(len(raa.ons_codes) for raa in loaded.raas)
        vaas = len(national.VAAS)
        out(f"Organisations: {len(loaded.raas)} national RAAs with {las} LAs, {vaas} VAAs and the demo region")
        out(f"Largest LA: {loaded.largest_la[0]} with {loaded.largest_la[1]} children")
        out("Rows written:")
        for label, count in sorted(loaded.counts.items()):
            out(f"  {label:<36} {count:>9,}")
        out("")
        out(f"Staff logins for each national RAA (password for all: {adoption_demo.DEMO_PASSWORD}): <raa>.<role>")
        out("  RAAs: " + ", ".join(raa.slug for raa in loaded.raas))
        out("  roles: " + ", ".join(role.value for role in Role))
        out(f"  e.g. {loaded.raas[0].slug}.manager, {loaded.raas[0].slug}.social_worker")
        if region is not None:
            self._print_logins(region.agencies.logins)
            client = region.agencies.api_client
            out("")
            out(f"API token for {client.name} ({client.organisation.name}). It is shown only now:")
            out(f"  {region.agencies.api_token}")

    def _report(self, loaded: DemoLoaded, *, seed: int, reference_date: date) -> None:
        out = self.stdout.write
        organisations = loaded.agencies.organisations
        raa = organisations.raa
        out(self.style.SUCCESS(f"Loaded the demo region {raa.name} (seed {seed}, as at {reference_date:%d %B %Y})."))
        out("")
        out(f"Organisations: 1 RAA, {len(organisations.las)} local authorities, 1 VAA ({organisations.vaa.name})")
        out(f"Staff logins: {len(loaded.agencies.logins)}")

        households = Household.objects.filter(approving_agency__in=[raa, organisations.vaa])
        by_status = dict(households.order_by().values_list("status").annotate(n=Count("id")))
        at_vaa = households.filter(approving_agency=organisations.vaa).count()
        out(f"Households: {households.count()} ({at_vaa} approved by the VAA)")
        out("  " + ", ".join(f"{s.label} {by_status.get(s.value, 0)}" for s in Household.Status))
        journeys = households.aggregate(
            fast_track=Count("id", filter=Q(route=Household.Route.FAST_TRACK)),
            extended=Count("id", filter=~Q(stage2_extension_reason="")),
            deregistered=Count("id", filter=Q(deregistered_on__isnull=False)),
        )
        pauses = Pause.objects.filter(household__in=households).aggregate(
            all=Count("id"), open=Count("id", filter=Q(ended_on__isnull=True))
        )
        checks = Check.objects.filter(applicant__household__in=households).aggregate(
            all=Count("id"),
            late=Count("id", filter=Q(received_on__gt=F("due_on"))),
            overdue=Count("id", filter=Q(received_on__isnull=True, due_on__lt=reference_date)),
        )
        left = dict(
            households.filter(status=Household.Status.LEFT)
            .order_by()
            .values_list("leaving_reason")
            .annotate(n=Count("id"))
        )
        out(
            f"  {journeys['fast_track']} fast track, {journeys['extended']} with stage 2 extended; "
            f"{pauses['all']} pauses ({pauses['open']} still paused); {checks['all']} checks "
            f"({checks['late']} back late, {checks['overdue']} overdue and still out)"
        )
        out(
            "  Left: "
            + ", ".join(f"{r.label.lower()} {left.get(r.value, 0)}" for r in Household.LeavingReason)
            + f" ({journeys['deregistered']} de-registered after approval)"
        )

        children = with_journey_dates(Child.objects.filter(responsible_la__raa=raa))
        # Counted in the database: the stage is the same CASE the child list filters on.
        by_stage = dict(
            children.annotate(stage=stage_expression()).order_by().values_list("stage").annotate(n=Count("id"))
        )
        by_la = dict(
            Child.objects.filter(responsible_la__raa=raa)
            .order_by()
            .values_list("responsible_la__name")
            .annotate(n=Count("id"))
        )
        out(f"Children: {sum(by_stage.values())}")
        out("  by stage: " + ", ".join(f"{stage.label} {by_stage.get(stage.value, 0)}" for stage in Stage))
        out("  by LA: " + ", ".join(f"{name} {count}" for name, count in sorted(by_la.items())))

        of_raa = {"child__responsible_la__raa": raa}
        placements = AdoptivePlacement.objects.filter(**of_raa)
        outcomes = PermanenceOutcome.objects.filter(**of_raa)
        adoption_orders = outcomes.filter(kind=PermanenceOutcome.Kind.ADOPTION_ORDER).count()
        out(
            f"Journeys: {AdoptionDecision.objects.filter(**of_raa).count()} adoption decisions "
            f"({AdoptionDecision.objects.filter(**of_raa, reversed_on__isnull=False).count()} reversed), "
            f"{placements.count()} adoptive placements ({placements.filter(ended_on__isnull=False).count()} "
            f"disrupted, {placements.filter(with_foster_carers=True).count()} with foster carers), "
            f"{adoption_orders} adoption orders, {outcomes.count() - adoption_orders} other permanence outcomes"
        )
        self._report_family_finding(raa, reference_date)
        self._report_panels(raa, reference_date)
        self._report_support(raa, reference_date)

        self._print_logins(loaded.agencies.logins)

        client = loaded.agencies.api_client
        out("")
        out(
            f"API token for {client.name} ({client.organisation.name}), expires {client.expires_at:%d %B %Y}. "
            "It is shown only now:"
        )
        out(f"  {loaded.agencies.api_token}")

    def _report_family_finding(self, raa, reference_date: date) -> None:
        """Birth family areas, links, matches (panels, reports, inter-agency fees), applications, disruptions."""
        out = self.stdout.write
        children = Child.objects.filter(responsible_la__raa=raa).aggregate(
            area=Count("id", filter=~Q(birth_family_area="")),
            avoid=Count("id", filter=Q(avoid_birth_family_area=True)),
            early=Count("id", filter=Q(early_permanence_sought=True)),
        )
        out(
            f"  birth family area recorded for {children['area']} ({children['avoid']} not to be placed there); "
            f"early permanence sought for {children['early']}"
        )
        links = dict(
            Link.objects.filter(child__responsible_la__raa=raa)
            .order_by()
            .values_list("outcome")
            .annotate(n=Count("id"))
        )
        out(
            f"Links: {sum(links.values())} ("
            + ", ".join(f"{o.label.split(' (')[0].lower()} {links.get(o.value, 0)}" for o in Link.Outcome)
            + ")"
        )
        matches = Match.objects.filter(placements__child__responsible_la__raa=raa).distinct()
        sizes = Counter(matches.annotate(n=Count("placements")).values_list("n", flat=True))
        inter_agency = matches.filter(inter_agency=True)
        fees = Match.objects.filter(pk__in=inter_agency.filter(fee_amount__isnull=False).values("pk")).aggregate(
            n=Count("id"), total=Sum("fee_amount")
        )
        in_progress = ~Q(placement_report_status=Match.ReportStatus.COMPLETED) | ~Q(
            support_plan_status=Match.ReportStatus.COMPLETED
        )
        applied = AdoptivePlacement.objects.filter(child__responsible_la__raa=raa, adoption_applied_on__isnull=False)
        out(
            f"Matches: {matches.count()} ({sum(n for size, n in sizes.items() if size > 1)} of siblings together); "
            f"{inter_agency.count()} inter-agency, {fees['n']} with a fee (£{fees['total'] or 0:,.2f} in all), "
            f"{inter_agency.count() - fees['n']} with no rate configured for their date or number of children; "
            f"{matches.filter(in_progress).count()} with the placement report or support plan in progress; "
            f"{applied.count()} adoption applications"
        )
        disruptions = Disruption.objects.filter(placement__child__responsible_la__raa=raa)
        actions = LearningAction.objects.filter(disruption__in=disruptions).aggregate(
            all=Count("id"),
            done=Count("id", filter=Q(done_on__isnull=False)),
            overdue=Count("id", filter=Q(done_on__isnull=True, due_on__lt=reference_date)),
        )
        out(
            f"Disruptions: {disruptions.count()} ({disruptions.filter(meeting_on__isnull=False).count()} meetings "
            f"held), {actions['all']} learning actions ({actions['done']} done, {actions['overdue']} overdue)"
        )

    def _report_panels(self, raa, reference_date: date) -> None:
        """The central list, appraisals and panel meetings, with how many held were not quorate."""
        members = PanelMember.objects.filter(raa=raa)
        appraisals = PanelAppraisal.objects.filter(member__raa=raa).aggregate(
            all=Count("id"),
            done=Count("id", filter=Q(done_on__isnull=False)),
            overdue=Count("id", filter=Q(done_on__isnull=True, due_on__lt=reference_date)),
        )
        meetings = PanelMeeting.objects.filter(raa=raa).prefetch_related("attendances__member", "items")
        held = [m for m in meetings if m.held_on < reference_date]
        rules = quorum_rules()
        not_quorate = sum(not meeting_quorum(m, rules).result.is_quorate for m in held)
        places = ", ".join(sorted({m.place for m in meetings}))
        self.stdout.write(
            f"Panels: {members.count()} members on the central list ({members.filter(on_list(reference_date)).count()} "
            f"now, {members.filter(off_list_on__lte=reference_date).count()} left); {appraisals['all']} appraisals "
            f"({appraisals['done']} done, {appraisals['overdue']} overdue); {len(held)} meetings held "
            f"({not_quorate} not quorate) and {len(meetings) - len(held)} upcoming, in {places}"
        )
        items = AgendaItem.objects.filter(meeting__raa=raa)
        counts = items.aggregate(
            all=Count("id"),
            upcoming=Count("id", filter=Q(meeting__held_on__gte=reference_date)),
            decided=Count("id", filter=Q(decided_on__isnull=False)),
            awaiting=Count("id", filter=Q(decision_due_on__isnull=False, decided_on__isnull=True)),
            late=Count("id", filter=Q(decided_on__gt=F("decision_due_on"))),
        )
        papers = AgendaPaper.objects.filter(item__meeting__raa=raa).count()
        self.stdout.write(
            f"  agendas: {counts['all']} items ({counts['upcoming']} at the coming meetings), {papers} papers; "
            f"{counts['decided']} ADM decisions ({counts['late']} after their due date), {counts['awaiting']} awaited"
        )

    def _report_support(self, raa, reference_date: date) -> None:
        """Requests on duty, assessments and plans, ASF applications and life story work, in one line."""
        requests = SupportRequest.objects.filter(la__raa=raa).aggregate(
            all=Count("id"),
            new=Count("id", filter=Q(status=SupportRequest.Status.NEW)),
            allocated=Count("id", filter=Q(status=SupportRequest.Status.ALLOCATED)),
            closed=Count("id", filter=Q(status=SupportRequest.Status.CLOSED)),
            sg=Count("id", filter=Q(kind="special_guardianship")),
        )
        assessments = AssessmentOfNeed.objects.filter(request__la__raa=raa).count()
        plans = SupportPlan.objects.filter(assessment__request__la__raa=raa).aggregate(
            all=Count("id"), overdue=Count("id", filter=Q(ended_on__isnull=True, review_on__lt=reference_date))
        )
        asf = AsfApplication.objects.filter(la__raa=raa).aggregate(
            all=Count("id"),
            years=Count("financial_year", distinct=True),
            rejected=Count("id", filter=Q(status=AsfApplication.Status.REJECTED)),
            share=Sum(F("cost") - F("match_funding"), filter=~Q(status=AsfApplication.Status.REJECTED)),
            match=Sum("match_funding", filter=~Q(status=AsfApplication.Status.REJECTED)),
        )
        work = LifeStoryWork.objects.filter(child__responsible_la__raa=raa)
        overdue = work.filter(completed_on__isnull=True, due_on__lt=reference_date).count()
        placed_children = Child.objects.filter(responsible_la__raa=raa).filter(placed())
        records = placed_children.annotate(n=Count("life_story_work")).aggregate(
            some=Count("id", filter=Q(n__gt=0)), short=Count("id", filter=Q(n__lt=2))
        )
        self.stdout.write(
            f"Support: {requests['all']} requests ({requests['new']} new on duty, {requests['allocated']} allocated, "
            f"{requests['closed']} closed; {requests['sg']} special guardianship), {assessments} assessments "
            f"of need, {plans['all']} support plans ({plans['overdue']} reviews overdue); "
            f"{asf['all']} ASF applications over {asf['years']} financial years (£{asf['share'] or 0:,.2f} from the "
            f"fund, £{asf['match'] or 0:,.2f} match funded, {asf['rejected']} rejected); life story work for "
            f"{records['some']} of {placed_children.count()} placed children ({overdue} overdue; {records['short']} "
            "without both the book and the letter)"
        )

    def _print_logins(self, logins: list[adoption_demo.DemoLogin]) -> None:
        out = self.stdout.write
        out("")
        out(f"Demo logins (password for all: {adoption_demo.DEMO_PASSWORD})")
        widths = [max(len(heading), *(len(value) for value in column)) for heading, column in _login_columns(logins)]
        headings = [heading for heading, _ in _login_columns(logins)]
        out("  " + "  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)).rstrip())
        out("  " + "  ".join("-" * w for w in widths))
        for login in logins:
            values = (login.username, login.name, login.role, login.organisation)
            out("  " + "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip())


def _login_columns(logins: list[adoption_demo.DemoLogin]) -> list[tuple[str, list[str]]]:
    return [
        ("Username", [login.username for login in logins]),
        ("Name", [login.name for login in logins]),
        ("Role", [login.role for login in logins]),
        ("Organisation", [login.organisation for login in logins]),
    ]
