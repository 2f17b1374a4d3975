"""``manage.py load_demo``: what the demo region must contain, and that it is the same every time.

Most tests read one loaded region (a class-scoped fixture loads it once inside a transaction that
is rolled back afterwards); the tests that need an empty database load it themselves.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from adopters import demo as adopters_demo
from adopters.models import Applicant, Availability, Check, Household, Pause, Review
from adopters.services import check_due_on
from adopters.timeliness import State, add_months, household_timeliness
from adoption import demo as adoption_demo
from adoption.api_auth import hash_token
from adoption.models import ApiClient, Membership, Organisation, Region, Role, User
from children import demo as children_demo
from children import fees
from children.codes import ADOPTIVE_PLACEMENTS, EARLY_PERMANENCE_PLACEMENTS
from children.journey import Stage
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildPermanenceReport,
    Disruption,
    EarlyPermanencePlacement,
    Episode,
    FamilyFindingStatus,
    Featuring,
    InterAgencyFeeRate,
    LearningAction,
    Link,
    Match,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    ProceedingsTracking,
    SiblingGroup,
    SiblingGroupMember,
)
from children.selectors import child_stage, with_journey_dates
from panels import demo as panels_demo
from panels.models import PanelAppraisal, PanelAttendance, PanelMeeting, PanelMember, PanelRole
from panels.selectors import meeting_get, meeting_quorum, on_list
from reporting.measures import a1
from tests.conftest import rolled_back_after

REFERENCE = date(2026, 3, 31)
SEED = 2026
ADOPTION_ORDER = PermanenceOutcome.Kind.ADOPTION_ORDER
DEMO_LAS = {
    "E08000026": "331",  # Coventry
    "E08000029": "334",  # Solihull
    "E10000031": "937",  # Warwickshire
    "E10000034": "885",  # Worcestershire
    "E06000019": "884",  # Herefordshire
}


def load(**options) -> str:
    out = StringIO()
    options = {"seed": SEED, "reference_date": REFERENCE, **options}
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def episode_problems(
    *, started_on: date, ended_on: date | None, reason_ended: str, order_on: date | None, episodes: list
) -> list[str]:
    """What is inconsistent in one period of care's 903 episodes (works on plans and on records)."""
    problems: list[str] = []
    if not episodes:
        return ["no episodes"]
    first, last = episodes[0], episodes[-1]
    if first.started_on != started_on or first.reason_new_episode != "S":
        problems.append("the first episode is not the start of the period (RNE S)")
    if (last.ended_on, last.reason_ended) != (ended_on, reason_ended):
        problems.append(
            f"the last episode ends {last.ended_on} {last.reason_ended}, the period {ended_on} {reason_ended}"
        )
    for before, after in itertools.pairwise(episodes):
        where = f"episode of {after.started_on}"
        if before.ended_on != after.started_on or before.reason_ended != "X1":
            problems.append(f"{where}: does not follow on from the one before (X1, same day)")
        if before.started_on >= after.started_on:
            problems.append(f"{where}: lasts less than a day (rule 355)")
        status_changed = before.legal_status != after.legal_status
        fields = ("placement_type", "placement_provider", "placement_postcode", "urn")
        placement_changed = any(getattr(before, f) != getattr(after, f) for f in fields)
        expected = {(True, False): {"L"}, (False, True): {"P", "T"}, (True, True): {"B", "U"}}.get(
            (status_changed, placement_changed), set()
        )
        if after.reason_new_episode not in expected:
            problems.append(f"{where}: RNE {after.reason_new_episode} for a change of {expected or 'nothing'}")
        if placement_changed != bool(before.reason_place_change):
            problems.append(f"{where}: REASON_PLACE_CHANGE only and always when the placement changes (rule 225)")
        if before.category_of_need != after.category_of_need:
            problems.append(f"{where}: the category of need changed within the period (rule 504)")
    for episode in episodes:
        where = f"episode of {episode.started_on}"
        if episode.placement_type in ADOPTIVE_PLACEMENTS and episode.legal_status != "E1":
            problems.append(f"{where}: placed for adoption without a placement order (rule 408)")
        if episode.placement_type in {"A3", "A5"} and episode.reason_new_episode not in {"S", "T", "U"}:
            problems.append(f"{where}: placed with their foster carers but RNE {episode.reason_new_episode} (217)")
        if not (episode.home_postcode and episode.placement_postcode):
            problems.append(f"{where}: postcodes missing (rule 392b)")
        if episode.placement_type != "P1" and episode.home_postcode == episode.placement_postcode:
            problems.append(f"{where}: placed at home but not with parents (rule 392d)")
        if bool(episode.urn) == (episode.placement_type == "P1"):
            problems.append(f"{where}: URN where none is due, or none where one is (rules 218, 222)")
        if episode.legal_status == "E1" and (order_on is None or episode.started_on < order_on):
            problems.append(f"{where}: legal status E1 before the placement order")
    if reason_ended in {"E11", "E12"} and last.placement_type not in ADOPTIVE_PLACEMENTS:
        problems.append("adopted but not placed for adoption (rule 390)")
    return problems


def family_finding_problems(plan: children_demo.ChildPlan, households: dict, reference: date) -> list[str]:
    """What is inconsistent in one planned child's links, matches, application and disruption."""
    problems: list[str] = []
    adopted = [o.made_on for o in plan.outcomes if o.kind == ADOPTION_ORDER]
    for link in plan.links:
        if not households[link.household].approved_on <= link.started_on <= (link.outcome_on or reference):
            problems.append(f"link with {link.household} before the family's approval or after its outcome")
        if (link.outcome_on or reference) > reference:
            problems.append("link outcome after the reference date")
        if bool(link.decline_reason) != link.outcome.startswith("declined"):
            problems.append("a reason exactly when declined")
    opened = [link.household for link in plan.links if link.outcome == "open"]
    if len(opened) != len(set(opened)):
        problems.append("two open links with one family")
    if opened and plan.placements:
        problems.append("an open link for a child already matched")
    for p in plan.placements:
        details = p.details
        if details is None:
            problems.append(f"the match of {p.matched_on} has no details")
            continue
        links = [
            link
            for link in plan.links
            if (link.household, link.outcome, link.outcome_on) == (p.household, "matched", p.matched_on)
        ]
        if len(links) != 1 or not links[0].started_on < details.panel_on <= p.matched_on - timedelta(days=7):
            problems.append(f"the match of {p.matched_on}: a link, then the panel a week or more before it")
        applied = details.adoption_applied_on
        if applied and (p.placed_on is None or applied < p.placed_on + timedelta(days=70)):
            problems.append("adoption applied for before ten weeks living together")
        if p.ended_on is None and adopted and not (applied and applied < adopted[0]):
            problems.append("adopted without an application before the order")
        if (p.ended_on is None) != (details.disruption is None):
            problems.append("a disruption exactly when the placement ended")
        meeting = details.disruption.meeting_on if details.disruption else None
        if meeting and p.ended_on and not 14 <= (meeting - p.ended_on).days <= 42:
            problems.append("disruption meeting not two to six weeks after the end")
    return problems


S = Household.Status
# What each status implies on the standard route: x must be filled in, - must be empty, ? either.
# "approval" is what the family is approved for (children, ages, disability openness); "worker" the
# assessing social worker. Fast track has no stage 1 (FAST_TRACK_EMPTY). A household that left has
# its row of the status it left from, with the leaving date, reason and that status (and the date it
# was de-registered when it left once approved).
STATUS_COLUMNS = (
    "registered_on",
    "worker",
    "stage1_started_on",
    "training_attended_on",
    "stage1_ended_on",
    "stage2_notified_on",
    "stage2_started_on",
    "stage2_ended_on",
    "panel_on",
    "panel_recommendation",
    "approved_on",
    "approval",
)
STATUS_RULES: dict[str, str] = {
    #                      reg work s1  trn s1e ntf s2  s2e pnl rec apr approval
    S.ENQUIRY: "            -   -    -   -   -   -   -   -   -   -   -   -",
    S.REGISTERED: "         x   x    -   -   -   -   -   -   -   -   -   -",
    S.STAGE_1: "            x   x    x   ?   -   -   -   -   -   -   -   -",
    S.BETWEEN_STAGES: "     x   x    x   x   x   -   -   -   -   -   -   -",
    S.STAGE_2: "            x   x    x   x   x   x   x   -   -   -   -   -",
    S.AWAITING_PANEL: "     x   x    x   x   x   x   x   x   -   -   -   -",
    S.AWAITING_DECISION: "  x   x    x   x   x   x   x   x   x   x   -   -",
    S.APPROVED: "           x   x    x   x   x   x   x   x   x   x   x   x",
    S.MATCHED: "            x   x    x   x   x   x   x   x   x   x   x   x",
    S.PLACED: "             x   x    x   x   x   x   x   x   x   x   x   x",
    S.ADOPTED: "            x   x    x   x   x   x   x   x   x   x   x   x",
}
FAST_TRACK_EMPTY = {"stage1_started_on", "training_attended_on", "stage1_ended_on", "stage2_notified_on"}
LEAVING = ("left_on", "leaving_reason", "left_from_status")
# The steps of the journey in the order they happen (training is during stage 1).
JOURNEY_ORDER = ("enquired_on", *(name for name in STATUS_COLUMNS if name.endswith("_on")), "left_on")


def household_values(household: Household) -> dict[str, Any]:
    values = {name: getattr(household, name) for name in (*JOURNEY_ORDER, "panel_recommendation", *LEAVING)}
    values["worker"] = household.assessing_worker_id
    values["approval"] = bool(
        household.approved_children_max and household.approved_age_max is not None and household.disability_openness
    )
    values["deregistered_on"] = household.deregistered_on
    return values


def status_problems(household: Household, reference: date = REFERENCE) -> list[str]:
    """How a household's dates and details differ from what its status implies (``STATUS_RULES``)."""
    values = household_values(household)
    status = household.left_from_status if household.status == S.LEFT else household.status
    if status not in STATUS_RULES:
        return [f"left from {status!r}"]
    expected = dict(zip(STATUS_COLUMNS, STATUS_RULES[status].split(), strict=True))
    if household.route == Household.Route.FAST_TRACK:
        expected.update(dict.fromkeys(FAST_TRACK_EMPTY, "-"))
    left = household.status == S.LEFT
    expected.update(dict.fromkeys(LEAVING, "x" if left else "-"))
    expected["deregistered_on"] = "x" if left and household.left_from_status == S.APPROVED else "-"
    problems = [
        f"{name} should {'be filled in' if rule == 'x' else 'be empty'}"
        for name, rule in expected.items()
        if rule != "?" and bool(values[name]) != (rule == "x")
    ]
    dates = [(name, values[name]) for name in JOURNEY_ORDER if values[name]]
    if [day for _, day in dates] != sorted(day for _, day in dates):
        problems.append(f"steps out of order: {dates}")
    if dates[-1][1] > reference:
        problems.append("after the reference date")
    if household.deregistered_on and household.deregistered_on != household.left_on:
        problems.append("de-registered on another day than it left")
    recommendation = household.panel_recommendation
    refused = household.leaving_reason == Household.LeavingReason.REFUSED
    if recommendation and recommendation != ("not_suitable" if refused and not household.approved_on else "suitable"):
        problems.append(f"panel recommendation {recommendation}")
    return problems


def demo_raa() -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.RAA, name=adoption_demo.DEMO_RAA_NAME)


def digest() -> str:
    """A fingerprint of everything the demo generates (names and dates), independent of database ids."""
    child = ("child__responsible_la__ons_code", "child__la_child_id")
    rows = [
        list(
            Organisation.objects.filter(ons_code__in=DEMO_LAS).values_list("ons_code", "la_code", "region", "raa__name")
        ),
        list(
            Membership.objects.values_list("user__username", "user__first_name", "role", "organisation__name").order_by(
                "user__username", "role"
            )
        ),
        list(
            Household.objects.order_by("reference").values_list(
                "reference",
                "name",
                "area",
                "route",
                "status",
                "enquired_on",
                "registered_on",
                "approved_on",
                "approving_agency__name",
            )
        ),
        list(
            Applicant.objects.order_by("household__reference", "id").values_list(
                "household__reference", "first_name", "last_name", "date_of_birth"
            )
        ),
        list(
            Child.objects.order_by("responsible_la__ons_code", "la_child_id").values_list(
                "responsible_la__ons_code",
                "la_child_id",
                "child_903_id",
                "upn",
                "first_name",
                "last_name",
                "date_of_birth",
                "expected_date_of_birth",
                "sex",
                "ethnicity",
                "has_disability",
            )
        ),
        list(PeriodOfCare.objects.order_by(*child).values_list(*child, "started_on", "ended_on", "reason_ended")),
        list(
            AdoptionDecision.objects.order_by(*child).values_list(
                *child, "decided_on", "reversed_on", "reversal_reason"
            )
        ),
        list(PlacementOrder.objects.order_by(*child).values_list(*child, "made_on", "order_type", "court")),
        list(
            AdoptivePlacement.objects.order_by(*child, "matched_on").values_list(
                *child,
                "household__reference",
                "matched_on",
                "placed_on",
                "with_foster_carers",
                "moved_in_with_carers_on",
                "ended_on",
            )
        ),
        list(PermanenceOutcome.objects.order_by(*child, "made_on").values_list(*child, "kind", "made_on")),
        list(Household.objects.order_by("reference").values_list("reference", "legal_status")),
        list(Applicant.objects.order_by("household__reference", "id").values_list("household__reference", "sex")),
        list(
            Episode.objects.order_by(
                "period__child__responsible_la__ons_code", "period__child__la_child_id", "started_on"
            ).values_list(
                "period__child__la_child_id",
                "started_on",
                "reason_new_episode",
                "legal_status",
                "category_of_need",
                "placement_type",
                "placement_provider",
                "ended_on",
                "reason_ended",
                "reason_place_change",
                "home_postcode",
                "placement_postcode",
                "urn",
            )
        ),
        list(
            EarlyPermanencePlacement.objects.order_by(*child, "started_on").values_list(
                *child, "kind", "household__reference", "started_on", "ended_on"
            )
        ),
        list(
            FamilyFindingStatus.objects.order_by(*child, "status_from", "id").values_list(
                *child, "status", "status_from"
            )
        ),
        list(Featuring.objects.order_by(*child, "featured_on").values_list(*child, "channel", "featured_on")),
        list(
            ProceedingsTracking.objects.order_by(*child, "stage_from", "id").values_list(
                *child, "stage", "stage_from", "final_hearing_on"
            )
        ),
        list(
            ChildPermanenceReport.objects.order_by(*child).values_list(
                *child, "status", "started_on", "due_on", "completed_on"
            )
        ),
        list(
            SiblingGroupMember.objects.order_by(*child).values_list(
                *child, "group__name", "group__plan", "group__assessed_on", "group__assessment_outcome"
            )
        ),
        list(
            Household.objects.order_by("reference").values_list(
                "reference",
                *adopters_demo.HOUSEHOLD_FIELDS,
                "assessing_worker__username",
                "approved_children_max",
                "approved_age_max",
                "approved_for_siblings",
                "disability_openness",
                "early_permanence_approved",
            )
        ),
        list(
            Applicant.objects.order_by("household__reference", "id").values_list(
                "household__reference", "ethnicity", "disability", "sexual_orientation"
            )
        ),
        list(
            Check.objects.order_by("applicant__household__reference", "applicant_id", "id").values_list(
                "applicant__household__reference",
                "kind",
                "requested_on",
                "due_on",
                "received_on",
                "outcome",
                "delay_reason",
            )
        ),
        list(
            Pause.objects.order_by("household__reference", "started_on").values_list(
                "household__reference", "stage", "started_on", "ended_on", "reason"
            )
        ),
        list(
            Availability.objects.order_by("household__reference", "status_from").values_list(
                "household__reference", "status", "status_from"
            )
        ),
        list(
            Review.objects.order_by("household__reference", "held_on").values_list(
                "household__reference", "held_on", "outcome"
            )
        ),
        list(
            Child.objects.order_by("responsible_la__ons_code", "la_child_id").values_list(
                "la_child_id", "birth_family_area", "avoid_birth_family_area", "early_permanence_sought"
            )
        ),
        list(
            Link.objects.order_by(*child, "started_on", "household__reference").values_list(
                *child, "household__reference", "origin", "started_on", "outcome", "outcome_on", "decline_reason"
            )
        ),
        list(
            AdoptivePlacement.objects.order_by(*child, "matched_on").values_list(
                *child,
                "adoption_applied_on",
                "match__decided_on",
                "match__panel_on",
                "match__placement_report_status",
                "match__support_plan_status",
                "match__inter_agency",
                "match__fee_amount",
            )
        ),
        list(PermanenceOutcome.objects.order_by(*child, "made_on").values_list(*child, "court")),
        list(
            LearningAction.objects.order_by(
                "disruption__placement__child__la_child_id", "due_on", "action"
            ).values_list(
                "disruption__placement__child__la_child_id",
                "disruption__reason",
                "disruption__meeting_on",
                "action",
                "owner__username",
                "due_on",
                "done_on",
            )
        ),
        list(
            PanelMember.objects.order_by("name").values_list(
                "name",
                "raa__name",
                "user__username",
                "roles",
                "post_qualifying_years",
                "on_list_from",
                "off_list_on",
                "gender",
                "lived_experience",
            )
        ),
        list(
            PanelAppraisal.objects.order_by("member__name", "due_on").values_list("member__name", "due_on", "done_on")
        ),
        list(
            PanelMeeting.objects.order_by("held_on", "starts_at", "place").values_list(
                "held_on", "starts_at", "place", "attendance_recorded_at"
            )
        ),
        list(
            PanelAttendance.objects.order_by("meeting__held_on", "meeting__starts_at", "member__name").values_list(
                "meeting__held_on", "meeting__place", "member__name", "invited", "attended"
            )
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(scope="class")
def demo_output(django_db_setup, django_db_blocker):
    """The demo loaded once for a class of read-only tests, rolled back when the class is done."""
    with rolled_back_after(django_db_blocker):
        yield load()


@pytest.mark.usefixtures("demo_output")
class TestDemoRegion:
    def test_the_five_las_belong_to_the_demo_raa_with_their_dfe_codes(self, db):
        raa = demo_raa()
        assert raa.region == Region.WEST_MIDLANDS
        las = {la.ons_code: la for la in Organisation.objects.filter(raa=raa)}
        assert {code: la.la_code for code, la in las.items()} == DEMO_LAS
        assert all(la.kind == Organisation.Kind.LA and la.region == Region.WEST_MIDLANDS for la in las.values())
        assert Organisation.objects.filter(kind=Organisation.Kind.VAA, name=adoption_demo.DEMO_VAA_NAME).count() == 1
        # The LAs were the reference rows from the migration, not new ones.
        assert Organisation.objects.filter(ons_code__in=DEMO_LAS).count() == 5

    def test_every_role_has_a_login_with_the_demo_password(self, db):
        demo_orgs = Organisation.objects.filter(Q(raa=demo_raa()) | Q(name__endswith="(demo)"))
        memberships = Membership.objects.filter(organisation__in=demo_orgs, is_active=True)
        assert set(memberships.values_list("role", flat=True)) == set(Role.values)
        for ons_code in DEMO_LAS:
            assert memberships.filter(organisation__ons_code=ons_code, role=Role.SOCIAL_WORKER).exists()
        sw = User.objects.get(username="sw.coventry")
        assert sw.memberships.get().organisation.ons_code == "E08000026"
        assert sw.check_password(adoption_demo.DEMO_PASSWORD)
        assert User.objects.get(username="vaa.assessor").memberships.get().organisation.kind == Organisation.Kind.VAA
        admin = User.objects.get(username="admin")
        assert admin.is_staff and not admin.is_superuser
        assert admin.memberships.get().role == Role.ADMINISTRATOR
        assert admin.has_perm("adoption.change_organisation")
        assert not User.objects.get(username="manager").is_staff

    def test_the_printed_api_token_authenticates_the_coventry_client(self, demo_output, db):
        client = ApiClient.objects.get(name=adoption_demo.DEMO_API_CLIENT_NAME)
        assert client.organisation.ons_code == "E08000026"
        token = next(line.strip() for line in demo_output.splitlines() if line.strip().startswith("raa_"))
        assert hash_token(token) == client.token_hash
        assert client.token_prefix == token.split("_")[1]
        assert timedelta(days=364) < client.expires_at - timezone.now() <= timedelta(days=365)

    def test_the_summary_lists_counts_logins_and_the_password(self, demo_output):
        assert "Children: 250" in demo_output
        assert "Households: 150" in demo_output
        assert adoption_demo.DEMO_PASSWORD in demo_output
        for plan in adoption_demo.STAFF:
            assert plan.username in demo_output

    def test_counts_are_in_range_and_every_stage_is_present(self, db):
        raa = demo_raa()
        households = Household.objects.filter(approving_agency__name__endswith="(demo)")
        assert 140 <= households.count() <= 160
        statuses = Counter(households.values_list("status", flat=True))
        assert set(statuses) == set(Household.Status.values), set(Household.Status.values) - set(statuses)
        # Every step of the adopters' journey has a few households, and most households adopted.
        assert min(statuses.values()) >= 3
        assert statuses[S.ADOPTED] == max(statuses.values())
        assert 15 <= households.filter(approving_agency__kind=Organisation.Kind.VAA).count() <= 25
        applicants = Counter(Applicant.objects.filter(household__in=households).values_list("household", flat=True))
        assert set(applicants.values()) == {1, 2}
        assert len(applicants) == households.count()

        children = list(with_journey_dates(Child.objects.filter(responsible_la__raa=raa)))
        assert 240 <= len(children) <= 260
        stages = Counter(child_stage(child) for child in children)
        assert set(stages) == set(Stage), f"missing stages: {set(Stage) - set(stages)}"
        assert set(Child.objects.values_list("responsible_la__ons_code", flat=True)) == set(DEMO_LAS)

    def test_children_look_like_children_in_care(self, db):
        children = Child.objects.all()
        born = children.filter(date_of_birth__isnull=False)
        ages = [(REFERENCE - c.date_of_birth).days / 365.25 for c in born]
        assert sum(age < 8 for age in ages) / len(ages) > 0.8
        entry_ages = [
            (p.started_on - p.child.date_of_birth).days / 365.25 for p in PeriodOfCare.objects.select_related("child")
        ]
        # Older siblings of a younger child may be up to 12; nearly everyone else is under 8.
        assert max(entry_ages) < 13 and sum(a < 8 for a in entry_ages) / len(entry_ages) > 0.95
        assert sum(a < 1 for a in entry_ages) > len(entry_ages) / 3
        assert set(children.exclude(sex="").values_list("sex", flat=True)) == {"M", "F"}
        ethnicities = Counter(children.values_list("ethnicity", flat=True))
        assert ethnicities.most_common(1)[0][0] == "WBRI"
        assert 0.55 < ethnicities["WBRI"] / sum(ethnicities.values()) < 0.8
        assert len(ethnicities) >= 8
        assert 0 < children.filter(has_disability=True).count() < 40
        # IDs are filled in and unique within each LA (the database enforces uniqueness too).
        assert not children.filter(Q(la_child_id="") | Q(child_903_id="")).exists()
        for field in ("la_child_id", "child_903_id"):
            pairs = list(children.values_list("responsible_la", field))
            assert len(pairs) == len(set(pairs))

    def test_unique_pupil_numbers_have_valid_check_letters(self, db):
        upns = list(Child.objects.exclude(upn="").values_list("upn", "responsible_la__la_code"))
        assert upns
        for upn, la_code in upns:
            assert len(upn) == 13 and upn[1:4] == la_code
            total = sum(int(d) * w for d, w in zip(upn[1:], range(2, 14), strict=True))
            assert upn[0] == "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]

    def test_unborn_babies_have_only_an_expected_date(self, db):
        unborn = Child.objects.filter(date_of_birth__isnull=True)
        assert unborn.exists()
        assert not unborn.filter(expected_date_of_birth__isnull=True).exists()
        assert not unborn.filter(expected_date_of_birth__lte=REFERENCE).exists()
        assert not unborn.filter(periods_of_care__isnull=False).exists()

    def test_children_not_in_care_have_a_birth_date_and_no_journey_yet(self, db):
        not_in_care = Child.objects.filter(date_of_birth__isnull=False, periods_of_care__isnull=True)
        assert not_in_care.exists()
        assert not not_in_care.filter(
            Q(adoption_decisions__isnull=False)
            | Q(placement_orders__isnull=False)
            | Q(adoptive_placements__isnull=False)
            | Q(permanence_outcomes__isnull=False)
        ).exists()

    def test_nothing_happens_after_the_reference_date(self, db):
        latest = [
            Child.objects.aggregate(d=Max("date_of_birth"))["d"],
            PeriodOfCare.objects.aggregate(d=Max("started_on"))["d"],
            PeriodOfCare.objects.aggregate(d=Max("ended_on"))["d"],
            AdoptionDecision.objects.aggregate(d=Max("decided_on"))["d"],
            AdoptionDecision.objects.aggregate(d=Max("reversed_on"))["d"],
            PlacementOrder.objects.aggregate(d=Max("made_on"))["d"],
            *AdoptivePlacement.objects.aggregate(
                Max("matched_on"), Max("placed_on"), Max("ended_on"), Max("moved_in_with_carers_on")
            ).values(),
            PermanenceOutcome.objects.aggregate(d=Max("made_on"))["d"],
            *Household.objects.aggregate(*(Max(name) for name in JOURNEY_ORDER)).values(),
            *Check.objects.aggregate(Max("requested_on"), Max("received_on")).values(),
            *Pause.objects.aggregate(Max("started_on"), Max("ended_on")).values(),
            Availability.objects.aggregate(d=Max("status_from"))["d"],
            Review.objects.aggregate(d=Max("held_on"))["d"],
            *Link.objects.aggregate(Max("started_on"), Max("outcome_on")).values(),
            *Match.objects.aggregate(Max("panel_on"), Max("decided_on")).values(),
            AdoptivePlacement.objects.aggregate(d=Max("adoption_applied_on"))["d"],
            *Disruption.objects.aggregate(Max("meeting_on")).values(),
            *LearningAction.objects.aggregate(Max("done_on")).values(),
        ]
        assert all(d is not None and d <= REFERENCE for d in latest), latest

    def test_journeys_follow_the_903_date_order(self, db):
        # Date of birth <= entered care <= decision <= placement order <= match <= placement.
        assert not PeriodOfCare.objects.filter(started_on__lt=F("child__date_of_birth")).exists()
        assert not AdoptionDecision.objects.filter(decided_on__lt=F("child__periods_of_care__started_on")).exists()
        assert not PlacementOrder.objects.filter(made_on__lt=F("child__adoption_decisions__decided_on")).exists()
        assert not PlacementOrder.objects.filter(child__adoption_decisions__isnull=True).exists()
        assert not AdoptivePlacement.objects.filter(matched_on__lt=F("child__placement_orders__made_on")).exists()
        assert not AdoptivePlacement.objects.filter(matched_on__lt=F("child__adoption_decisions__decided_on")).exists()
        open_decision = AdoptionDecision.objects.filter(child=OuterRef("child"), reversed_on__isnull=True)
        order = PlacementOrder.objects.filter(child=OuterRef("child"))
        assert not AdoptivePlacement.objects.filter(~Exists(open_decision) | ~Exists(order)).exists()
        assert not AdoptivePlacement.objects.filter(placed_on__lt=F("matched_on")).exists()
        # Placement <= adoption order, which ends the period of care (903 reason E11/E12).
        adoptions = PermanenceOutcome.objects.filter(kind=ADOPTION_ORDER)
        moved_in = AdoptivePlacement.objects.filter(
            child=OuterRef("child"), ended_on__isnull=True, placed_on__lte=OuterRef("made_on")
        )
        assert adoptions.count() > 50
        assert not adoptions.filter(~Exists(moved_in)).exists()
        ended_at_order = PeriodOfCare.objects.filter(
            child__permanence_outcomes__kind=ADOPTION_ORDER,
            child__permanence_outcomes__made_on=F("ended_on"),
            reason_ended__in=["E11", "E12"],
        )
        assert ended_at_order.count() == adoptions.count()
        assert not PeriodOfCare.objects.filter(reason_ended__in=["E11", "E12"]).exclude(pk__in=ended_at_order).exists()
        # Other permanence: no open adoption decision, and the period ends on the order (or stays open).
        others = PermanenceOutcome.objects.exclude(kind=ADOPTION_ORDER)
        assert set(others.values_list("kind", flat=True)) >= {"sgo", "long_term_fostering"}
        assert not others.filter(Exists(open_decision)).exists()
        assert not PeriodOfCare.objects.filter(child__permanence_outcomes__in=others, ended_on__isnull=False).exclude(
            ended_on=F("child__permanence_outcomes__made_on")
        )

    def test_reversals_and_disruptions(self, db):
        reversed_ = AdoptionDecision.objects.filter(reversed_on__isnull=False)
        assert set(reversed_.values_list("reversal_reason", flat=True)) == {"RD1", "RD2", "RD3", "RD4"}
        # RD2: the court did not make a placement order.
        assert not reversed_.filter(reversal_reason="RD2", child__placement_orders__isnull=False).exists()
        disrupted = AdoptivePlacement.objects.filter(ended_on__isnull=False)
        assert disrupted.count() >= 3
        rematched = AdoptivePlacement.objects.filter(
            child=OuterRef("child"), ended_on__isnull=True, matched_on__gt=OuterRef("ended_on")
        )
        assert disrupted.filter(Exists(rematched)).count() == disrupted.count()
        assert set(disrupted.values_list("household__status", flat=True)) == {Household.Status.LEFT}

    def test_children_adopted_by_their_foster_carers(self, db):
        with_carers = AdoptivePlacement.objects.filter(with_foster_carers=True)
        assert with_carers.exists()
        assert not with_carers.filter(
            Q(moved_in_with_carers_on__isnull=True) | Q(moved_in_with_carers_on__gt=F("placed_on"))
        ).exists()
        assert not with_carers.filter(moved_in_with_carers_on__lt=F("child__periods_of_care__started_on")).exists()

    def test_households_dates_and_links_are_consistent(self, db):
        households = Household.objects.all()
        assert not households.filter(enquired_on__isnull=True).exists()
        assert not households.filter(registered_on__lt=F("enquired_on")).exists()
        assert not households.filter(approved_on__lt=F("registered_on")).exists()
        status = Household.Status
        not_yet_approved = [
            status.ENQUIRY,
            status.REGISTERED,
            status.STAGE_1,
            status.BETWEEN_STAGES,
            status.STAGE_2,
            status.AWAITING_PANEL,
            status.AWAITING_DECISION,
        ]
        assert not households.filter(status__in=not_yet_approved, approved_on__isnull=False).exists()
        assert not households.filter(status=status.ENQUIRY, registered_on__isnull=False).exists()
        assert not households.exclude(status__in=[*not_yet_approved, status.LEFT]).filter(approved_on=None).exists()
        # Each matched, placed or adopted household has the child (or siblings) at the same stage.
        current = AdoptivePlacement.objects.filter(ended_on__isnull=True)
        stage_for = {status.MATCHED: Stage.MATCHED, status.PLACED: Stage.PLACED, status.ADOPTED: Stage.ADOPTED}
        for household in households.filter(status__in=stage_for):
            children = with_journey_dates(
                Child.objects.filter(adoptive_placements__in=current.filter(household=household))
            )
            assert {child_stage(c) for c in children} == {stage_for[household.status]}, household.reference
        assert not current.exclude(household__status__in=stage_for).exists()
        assert not AdoptivePlacement.objects.filter(matched_on__lt=F("household__approved_on")).exists()
        assert not AdoptivePlacement.objects.filter(household__isnull=True).exists()

    # --- the adopters' journey -------------------------------------------------------------------

    def test_every_household_has_the_dates_its_status_implies_and_no_others(self, db):
        households = list(Household.objects.all())
        problems = {h.reference: p for h in households if (p := status_problems(h))}
        assert not problems, problems
        # Every step of the table is shown by some household, on both routes where the route allows it.
        assert {h.status for h in households} == set(S.values)
        fast = {h.status for h in households if h.route == Household.Route.FAST_TRACK}
        assert fast >= {S.REGISTERED, S.STAGE_2, S.AWAITING_PANEL, S.APPROVED, S.PLACED, S.ADOPTED}
        # Preparation training in stage 1: some still to go, some done.
        in_stage_1 = [h for h in households if h.status == S.STAGE_1]
        assert {h.training_attended_on is None for h in in_stage_1} == {True, False}
        for h in households:
            if h.training_attended_on:
                assert h.training_attended_on >= h.stage1_started_on
                assert h.training_attended_on <= (h.stage1_ended_on or h.left_on or REFERENCE)
        # Registration: only invited enquiries; enquiries have no assessing worker yet.
        assert not Household.objects.exclude(status=S.ENQUIRY).exclude(enquiry_outcome="invited").exists()
        assert set(Household.objects.filter(status=S.ENQUIRY).values_list("enquiry_outcome", flat=True)) >= {
            "",
            "invited",
        }
        assert not Household.objects.filter(enquiry_source="").exists()

    def test_stages_take_the_statutory_time_and_say_why_when_they_do_not(self, db):
        """Stage 1 in two months (with pauses added), stage 2 in four or six with a recorded reason, and at
        most six months between them. A stage 1 that ran late did so because a check came back late."""
        households = Household.objects.prefetch_related("pauses", "applicants__checks")
        extended = 0
        late_stage_1 = 0
        for h in households:
            timeliness = household_timeliness(h, h.pauses.all(), today=REFERENCE)
            if h.stage2_ended_on:
                assert timeliness.stage2.state == State.ON_TIME, h.reference
            if h.stage2_extension_reason:
                assert h.stage2_started_on, h.reference
                extended += 1
            if h.stage2_notified_on:
                assert h.stage2_notified_on <= add_months(h.stage1_ended_on, 6), h.reference
            if h.status == S.BETWEEN_STAGES:
                assert timeliness.between.state == State.IN_PROGRESS, h.reference
            if timeliness.stage1.state == State.LATE:
                late_stage_1 += 1
                checks = [c for a in h.applicants.all() for c in a.checks.all()]
                assert any(c.received_on > c.due_on and c.delay_reason for c in checks), h.reference
        assert 3 <= extended <= 8
        assert late_stage_1 >= 5
        extended_running = Household.objects.filter(status=S.STAGE_2).exclude(stage2_extension_reason="")
        assert extended_running.exists()
        not_started = [S.ENQUIRY, S.REGISTERED, S.STAGE_1, S.BETWEEN_STAGES]
        assert set(Household.objects.filter(status__in=not_started).values_list("par_status", flat=True)) == {
            "not_started"
        }
        assert set(Household.objects.filter(status=S.STAGE_2).values_list("par_status", flat=True)) >= {"in_progress"}
        assert not Household.objects.filter(stage2_ended_on__isnull=False).exclude(par_status="completed").exists()

    def test_fast_track_households_start_at_stage_2(self, db):
        fast = Household.objects.filter(route=Household.Route.FAST_TRACK)
        past_enquiry = Household.objects.exclude(status=S.ENQUIRY)
        assert 0.08 <= fast.count() / past_enquiry.count() <= 0.2
        assert not fast.filter(
            Q(stage1_started_on__isnull=False)
            | Q(stage1_ended_on__isnull=False)
            | Q(stage2_notified_on__isnull=False)
            | Q(training_attended_on__isnull=False)
        ).exists()
        assert not fast.filter(stage2_started_on__lt=F("registered_on")).exists()
        assert fast.filter(stage2_started_on__isnull=False).count() >= 10
        assert not Pause.objects.filter(household__in=fast, stage=Pause.Stage.STAGE_1).exists()

    def test_every_applicant_past_registration_has_the_checks(self, db):
        """DBS, medical, LA check and two references for every applicant from the start of stage 1 (fast
        track: stage 2), back by the end of that stage, each due when the configured turnaround says."""
        kinds_seen: Counter[str] = Counter()
        for h in Household.objects.prefetch_related("applicants__checks"):
            fast = h.route == Household.Route.FAST_TRACK
            start = h.stage2_started_on if fast else h.stage1_started_on
            end = h.stage2_ended_on if fast else h.stage1_ended_on
            for applicant in h.applicants.all():
                checks = list(applicant.checks.all())
                if start is None:
                    assert not checks, h.reference
                    continue
                kinds = Counter(c.kind for c in checks)
                kinds_seen.update(kinds)
                assert kinds[Check.Kind.REFERENCE] == 2, h.reference
                assert {Check.Kind.DBS, Check.Kind.MEDICAL, Check.Kind.LA_CHECK} <= set(kinds), h.reference
                for c in checks:
                    assert c.due_on == check_due_on(c.kind, c.requested_on)
                    assert start <= c.requested_on <= (end or h.left_on or REFERENCE), h.reference
                    if end is not None:
                        assert c.received_on is not None and c.received_on <= end, h.reference
                        assert c.outcome != Check.Outcome.UNSATISFACTORY, h.reference
                    if c.received_on:
                        assert c.received_on <= (h.left_on or REFERENCE)
                    if c.received_on and c.received_on > c.due_on:
                        assert c.delay_reason, (h.reference, c.kind)
        assert kinds_seen[Check.Kind.EMPLOYER] and kinds_seen[Check.Kind.EX_PARTNER]

    def test_checks_late_with_a_reason_and_overdue_in_stage_1(self, db):
        checks = Check.objects.all()
        late = checks.filter(received_on__gt=F("due_on"))
        on_time = checks.filter(received_on__lte=F("due_on"))
        assert late.exists() and on_time.count() > 8 * late.count()
        assert not late.filter(delay_reason="").exists()
        # The usual reasons in the source documents: the DBS backlog and the GP (or medical adviser).
        reasons = Counter(late.values_list("delay_reason", flat=True))
        medical = reasons[Check.DelayReason.GP] + reasons[Check.DelayReason.MEDICAL_ADVISER]
        assert reasons[Check.DelayReason.DBS_BACKLOG] and reasons[Check.DelayReason.GP]
        assert reasons[Check.DelayReason.DBS_BACKLOG] + medical > late.count() / 2
        overdue = checks.filter(received_on__isnull=True, due_on__lt=REFERENCE, applicant__household__status=S.STAGE_1)
        assert overdue.count() >= 2
        assert overdue.exclude(delay_reason="").exists()
        assert checks.filter(received_on__isnull=True, due_on__gte=REFERENCE).exists()  # out, not yet due
        assert checks.filter(outcome=Check.Outcome.CONCERNS).exists()
        # The application refused in stage 1: an unsatisfactory check.
        refused = checks.filter(
            applicant__household__leaving_reason="refused", applicant__household__left_from_status=S.STAGE_1
        )
        assert refused.filter(outcome=Check.Outcome.UNSATISFACTORY).exists()

    def test_pauses_are_inside_their_stage(self, db):
        pauses = list(Pause.objects.select_related("household"))
        for pause in pauses:
            h = pause.household
            if pause.stage == Pause.Stage.STAGE_1:
                start, end = h.stage1_started_on, h.stage1_ended_on
            else:
                start, end = h.stage2_started_on, h.stage2_ended_on
            assert start is not None and pause.reason, h.reference
            last = end or h.left_on or REFERENCE
            assert start <= pause.started_on <= (pause.ended_on or last) <= last, h.reference
            if pause.ended_on is None:
                assert h.status == {1: S.STAGE_1, 2: S.STAGE_2}[pause.stage], h.reference
        by_household: dict[int, list[Pause]] = {}
        for pause in pauses:
            by_household.setdefault(pause.household_id, []).append(pause)
        for own in by_household.values():
            for before, after in itertools.pairwise(sorted(own, key=lambda p: p.started_on)):
                assert before.ended_on is not None and before.ended_on <= after.started_on
        still_paused = [p for p in pauses if p.ended_on is None]
        assert 1 <= len(still_paused) <= 2
        assert {p.stage for p in pauses} == {1, 2}
        assert sum(p.ended_on is not None for p in pauses) >= 8
        # Put on hold, then left: the pause ended the day they left.
        on_hold = [p for p in pauses if p.household.leaving_reason == "on_hold"]
        assert on_hold and all(p.ended_on == p.household.left_on for p in on_hold)

    def test_vaa_households_at_several_statuses_and_assessing_workers(self, db):
        vaa = Household.objects.filter(approving_agency__kind=Organisation.Kind.VAA)
        statuses = set(vaa.values_list("status", flat=True))
        assert len(statuses) >= 6
        assert statuses >= {S.STAGE_1, S.STAGE_2, S.APPROVED, S.PLACED, S.ADOPTED}
        assert vaa.filter(placements__isnull=False).exists()  # children placed with VAA adopters
        assert not Household.objects.exclude(status=S.ENQUIRY).filter(assessing_worker__isnull=True).exists()
        assert not Household.objects.filter(status=S.ENQUIRY, assessing_worker__isnull=False).exists()
        for h in Household.objects.exclude(assessing_worker=None).select_related("assessing_worker"):
            # The demo's assessing social worker of the approving agency (the service's rule).
            assert Membership.objects.filter(
                user=h.assessing_worker, organisation=h.approving_agency_id, role=Role.ASSESSING_SOCIAL_WORKER
            ).exists(), h.reference
        assert set(vaa.values_list("assessing_worker__username", flat=True)) == {"vaa.assessor", None}

    def test_leavers_with_every_reason_at_several_stages(self, db):
        left = Household.objects.filter(status=S.LEFT)
        reasons = set(left.values_list("leaving_reason", flat=True))
        assert reasons >= {"withdrew", "on_hold", "refused"}
        assert len(set(left.values_list("left_from_status", flat=True))) >= 5
        assert not left.filter(Q(left_from_status="") | Q(left_on__isnull=True)).exists()
        deregistered = left.filter(deregistered_on__isnull=False)
        assert deregistered.count() >= 3
        assert not deregistered.exclude(left_from_status=S.APPROVED).exists()
        # Refused by the agency decision: the panel recommended not suitable, and they were not approved.
        refused_at_decision = left.get(left_from_status=S.AWAITING_DECISION)
        assert refused_at_decision.leaving_reason == "refused" and refused_at_decision.approved_on is None
        assert refused_at_decision.panel_recommendation == "not_suitable"

    def test_applicants_characteristics(self, db):
        applicants = Applicant.objects.all()
        ethnicities = Counter(applicants.values_list("ethnicity", flat=True))
        assert ethnicities.most_common(1)[0][0] == "WBRI" and len(ethnicities) >= 6
        assert ethnicities["NOBT"]  # not yet asked: enquiries
        assert set(applicants.values_list("disability", flat=True)) == set(Applicant.Disability.values)
        orientations = Counter(applicants.values_list("sexual_orientation", flat=True))
        assert orientations[""] and orientations["prefer_not_to_say"]
        assert {"straight", "gay_lesbian", "bisexual"} <= set(orientations)
        assert not applicants.exclude(household__status=S.ENQUIRY).filter(ethnicity="NOBT").exists()

    def test_approved_families_availability(self, db):
        """Available from approval, some on hold for a while, early permanence carers while a child is
        with them under fostering for adoption or concurrent planning, not available once matched."""
        current = AdoptivePlacement.objects.filter(ended_on__isnull=True)
        early = EarlyPermanencePlacement.objects.filter(household__isnull=False)
        statuses: Counter[str] = Counter()
        waiting = [S.APPROVED, S.MATCHED, S.PLACED, S.ADOPTED]
        for h in Household.objects.filter(status__in=waiting).prefetch_related("availability"):
            history = [(a.status, a.status_from) for a in h.availability.all()]
            assert history and history[0] == (Availability.Status.AVAILABLE, h.approved_on), h.reference
            days = [day for _, day in history]
            assert days == sorted(set(days)) and days[-1] <= REFERENCE, h.reference
            statuses.update(status for status, _ in history)
            with_them = early.filter(household=h)
            fostering = [day for status, day in history if status == Availability.Status.EARLY_PERMANENCE]
            assert fostering == [p.started_on for p in with_them], h.reference
            if fostering:
                assert h.early_permanence_approved, h.reference
            match = current.filter(household=h).values_list("matched_on", flat=True).first()
            if h.status == S.APPROVED:
                assert match is None
                assert history[-1][0] != Availability.Status.NOT_AVAILABLE
                if fostering:
                    assert history[-1][0] == Availability.Status.EARLY_PERMANENCE
                    assert with_them.get().ended_on is None
            else:
                assert history[-1] == (Availability.Status.NOT_AVAILABLE, match), h.reference
        assert statuses[Availability.Status.ON_HOLD] >= 3
        assert statuses[Availability.Status.EARLY_PERMANENCE] >= 3
        assert not Availability.objects.exclude(household__status__in=waiting).exists()
        approved_now = Household.objects.filter(status=S.APPROVED).prefetch_related("availability")
        now = Counter(max(h.availability.all(), key=lambda a: a.status_from).status for h in approved_now)
        assert now[Availability.Status.AVAILABLE] and now[Availability.Status.EARLY_PERMANENCE]
        assert not early.exclude(household__early_permanence_approved=True).exists()

    def test_families_waiting_over_a_year_have_annual_reviews(self, db):
        for h in Household.objects.filter(approved_on__isnull=False).prefetch_related("reviews"):
            held = [r.held_on for r in h.reviews.all()]
            assert all(h.approved_on < day <= REFERENCE for day in held), h.reference
            if h.status == S.APPROVED and add_months(h.approved_on, 12) + timedelta(days=21) <= REFERENCE:
                assert held, h.reference
            match = h.placements.filter(ended_on__isnull=True).values_list("matched_on", flat=True).first()
            if match:
                assert all(day < match for day in held), h.reference  # reviewed while waiting
        assert Review.objects.filter(household__status=S.APPROVED).exists()
        assert set(Review.objects.values_list("outcome", flat=True)) >= {"continue"}
        assert not Review.objects.exclude(household__status__in=[S.APPROVED, S.MATCHED, S.PLACED, S.ADOPTED]).exists()

    def test_what_was_inserted_passes_the_models_validation(self, db):
        """Choices, lengths and the date-order constraints, as a form would check them."""
        for model in (Household, Applicant, Check, Pause, Availability, Review):
            for obj in model.objects.all():
                obj.full_clean()

    def test_a1_looks_like_a_real_scorecard(self, db):
        la_ids = set(Organisation.objects.filter(raa=demo_raa()).values_list("id", flat=True))
        result = a1(la_ids=la_ids, period_end=REFERENCE)
        assert result.children >= 40 and result.excluded == 0
        assert 400 <= result.days <= 650
        moved_in = [
            (p.placed_on - p.child.periods_of_care.get().started_on).days
            for p in AdoptivePlacement.objects.filter(ended_on=None, placed_on__isnull=False).prefetch_related(
                "child__periods_of_care"
            )
        ]
        assert sum(250 <= days <= 1300 for days in moved_in) / len(moved_in) > 0.9

    def test_every_period_of_care_has_consistent_903_episodes(self, db):
        periods = PeriodOfCare.objects.prefetch_related("episodes", "child__placement_orders")
        assert periods.count() > 200
        for period in periods:
            orders = [o.made_on for o in period.child.placement_orders.all()]
            problems = episode_problems(
                started_on=period.started_on,
                ended_on=period.ended_on,
                reason_ended=period.reason_ended,
                order_on=min(orders, default=None),
                episodes=list(period.episodes.all()),
            )
            assert not problems, (period.child.la_child_id, problems)
        episodes = Episode.objects.all()
        assert set(episodes.values_list("reason_new_episode", flat=True)) >= {"S", "L", "P", "T"}
        assert set(episodes.values_list("legal_status", flat=True)) >= {"C1", "C2", "E1", "V2"}
        assert set(episodes.values_list("placement_type", flat=True)) >= {"U6", "U5", "U4", "U3", "A5", "A6", "P1"}
        assert set(episodes.exclude(reason_place_change="").values_list("reason_place_change", flat=True)) >= {
            "CARPL",
            "PLACE",
        }
        # The placement order is legal status E1 from its date; placed for adoption on the date they moved in.
        for order in PlacementOrder.objects.filter(child__periods_of_care__ended_on__isnull=True):
            assert Episode.objects.filter(
                period__child=order.child, legal_status="E1", started_on=order.made_on
            ).exists()
        for placement in AdoptivePlacement.objects.filter(placed_on__isnull=False):
            place = "A5" if placement.with_foster_carers else "A6"
            assert Episode.objects.filter(
                period__child=placement.child, placement_type=place, started_on=placement.placed_on
            ).exists(), placement.child.la_child_id

    def test_postcodes_are_real_and_in_the_childs_la(self, db):
        from children.demo import POSTCODES

        towns = POSTCODES
        known = {code for codes in towns.values() for code in codes}
        for child in Child.objects.filter(periods_of_care__isnull=False).prefetch_related("periods_of_care__episodes"):
            la_towns = next(la.towns for la in adoption_demo.DEMO_LAS if la.ons_code == child.responsible_la.ons_code)
            home_codes = {code for town in la_towns for code in towns[town]}
            for period in child.periods_of_care.all():
                for episode in period.episodes.all():
                    assert episode.home_postcode in home_codes
                    assert episode.placement_postcode in known

    def test_adopters_have_a_sex_and_a_legal_status_that_fit_together(self, db):
        assert not Applicant.objects.filter(sex="").exists()
        statuses = Counter()
        for household in Household.objects.prefetch_related("applicants"):
            sexes = sorted(a.sex for a in household.applicants.all())
            statuses[household.legal_status] += 1
            if len(sexes) == 1:
                assert household.legal_status == "L0"
            elif sexes == ["F", "M"]:
                assert household.legal_status in {"L11", "L2", "L3"}  # 903 rules 517, 519, 520
            else:
                assert household.legal_status in {"L12", "L2", "L4"}  # 903 rules 518, 519, 524
        assert set(statuses) >= {"L0", "L11", "L3"}

    def test_sibling_pairs_are_sibling_groups(self, db):
        groups = SiblingGroup.objects.prefetch_related("members__child")
        assert groups.count() >= 10
        for group in groups:
            members = [m.child for m in group.members.all()]
            assert len(members) == 2
            assert {c.responsible_la_id for c in members} == {group.responsible_la_id}
            assert group.name == f"{members[0].last_name} siblings"
            if group.assessed_on:
                assert group.assessment_outcome == "together" and group.plan == "together"
        placed_together = AdoptivePlacement.objects.filter(child__sibling_membership__isnull=False, ended_on=None)
        for placement in placed_together:
            sibling = placement.child.sibling_membership.group.members.exclude(child=placement.child).get().child
            assert sibling.adoptive_placements.filter(household=placement.household, ended_on=None).exists()

    def test_family_finding_featuring_and_early_permanence(self, db):
        decided = Child.objects.filter(adoption_decisions__isnull=False).distinct()
        assert not decided.filter(family_finding_statuses__isnull=True).exists()
        for child in decided.prefetch_related("family_finding_statuses", "adoption_decisions"):
            statuses = list(child.family_finding_statuses.all())
            assert [s.status_from for s in statuses] == sorted(s.status_from for s in statuses)
            if any(d.reversed_on for d in child.adoption_decisions.all()):
                assert statuses[-1].status == "not_sought"
        assert set(FamilyFindingStatus.objects.values_list("status", flat=True)) == set(FamilyFindingStatus.Status)
        assert Featuring.objects.filter(channel="link_maker").count() >= 10
        early = EarlyPermanencePlacement.objects.select_related("household")
        assert early.count() >= 3
        assert not early.filter(started_on__lt=F("household__approved_on")).exists()
        for placement in early:
            # Fostering for adoption or concurrent planning: carers who are also approved adopters (903 U5).
            assert Episode.objects.filter(
                period__child=placement.child,
                placement_type__in=EARLY_PERMANENCE_PLACEMENTS,
                started_on=placement.started_on,
            ).exists(), placement.child.la_child_id

    def test_proceedings_tracking_and_permanence_reports(self, db):
        tracked = ProceedingsTracking.objects
        assert set(tracked.filter(child__date_of_birth__isnull=True).values_list("stage", flat=True)) == {"pre_birth"}
        assert not Child.objects.filter(date_of_birth__isnull=True, proceedings_tracking__isnull=True).exists()
        not_in_care = Child.objects.filter(date_of_birth__isnull=False, periods_of_care__isnull=True)
        assert not not_in_care.filter(proceedings_tracking__isnull=True).exists()
        for order in PlacementOrder.objects.all():
            assert tracked.filter(child=order.child, stage="post_placement_order", stage_from=order.made_on).exists()
        assert tracked.filter(stage="care_proceedings", final_hearing_on__gt=REFERENCE).exists()
        reports = ChildPermanenceReport.objects
        assert not Child.objects.filter(adoption_decisions__isnull=False, permanence_reports__isnull=True).exists()
        assert not reports.filter(
            status="completed", completed_on__gt=F("child__adoption_decisions__decided_on")
        ).exists()
        assert reports.filter(status="in_progress").exists()

    # --- family finding and matching ---------------------------------------------------------------
    def test_every_placement_is_part_of_one_match_of_its_date(self, db):
        """One match per household and match date: the panel a week or more before the decision, which is
        every placement's match date; the reports completed once the children have moved in."""
        assert not AdoptivePlacement.objects.filter(household__isnull=False, match__isnull=True).exists()
        matches = Match.objects.prefetch_related("placements__child__placement_orders", "placements__child__links")
        assert 60 <= matches.count() < AdoptivePlacement.objects.count()
        in_progress = 0
        for match in matches:
            placements = list(match.placements.all())
            assert placements, match.pk
            assert {p.household_id for p in placements} == {match.household_id}
            assert {p.matched_on for p in placements} == {match.decided_on}
            assert match.panel_recommendation == Match.Recommendation.RECOMMENDED
            assert match.panel_on <= match.decided_on - timedelta(days=7)
            for placement in placements:
                (order,) = placement.child.placement_orders.all()
                assert order.made_on <= match.panel_on, placement.child.la_child_id
                (link,) = [
                    link
                    for link in placement.child.links.all()
                    if link.household_id == match.household_id and link.outcome == Link.Outcome.MATCHED
                ]
                assert link.started_on < match.panel_on and link.outcome_on == match.decided_on
            reports = {match.placement_report_status, match.support_plan_status}
            if any(p.placed_on for p in placements):
                assert reports == {Match.ReportStatus.COMPLETED}, match.pk
            elif reports != {Match.ReportStatus.COMPLETED}:
                in_progress += 1
        assert in_progress >= 2  # some just-matched families are still finalising the papers
        # The same household and date never make two matches.
        keys = list(matches.values_list("household", "decided_on"))
        assert len(keys) == len(set(keys))

    def test_siblings_matched_together_are_one_match(self, db):
        together = Match.objects.filter(sibling_group__isnull=False).prefetch_related(
            "placements__child__sibling_membership", "sibling_group__members"
        )
        assert together.count() >= 10
        for match in together:
            placements = list(match.placements.all())
            assert len(placements) >= 2
            assert {p.child.sibling_membership.group_id for p in placements} == {match.sibling_group_id}
            assert {p.child_id for p in placements} == {m.child_id for m in match.sibling_group.members.all()}
        singles = Match.objects.filter(sibling_group__isnull=True).prefetch_related("placements")
        assert all(len(m.placements.all()) == 1 for m in singles)

    def test_inter_agency_matches_and_their_fees(self, db):
        """Inter-agency exactly when the family's approving agency is not the child's RAA; the fee is what
        ``children.fees`` gives for the match (none where no rate is configured: the demo invents none)."""
        matches = Match.objects.select_related("household__approving_agency", "fee_rate").prefetch_related(
            "placements__child__responsible_la"
        )
        with_fee = without_fee = 0
        for match in matches:
            placements = list(match.placements.all())
            la = placements[0].child.responsible_la
            agency = match.household.approving_agency
            assert match.inter_agency == (agency.pk != la.raa_id), match.pk
            if not match.inter_agency:
                assert match.fee_rate is None and match.fee_amount is None
                continue
            fee = fees.inter_agency_fee(
                approving_agency=agency, placing_la=la, children=len(placements), on=match.decided_on
            )
            assert (match.fee_rate, match.fee_amount) == (fee.rate, fee.amount), match.pk
            with_fee += fee.amount is not None
            without_fee += fee.amount is None
        assert with_fee >= 1 and without_fee >= 1
        assert not InterAgencyFeeRate.objects.filter(effective_from__lt=date(2025, 4, 1)).exists()

    def test_links_before_matches_with_reasons_and_one_open_per_family(self, db):
        links = Link.objects.select_related("household", "child")
        assert set(links.values_list("outcome", flat=True)) == set(Link.Outcome.values)
        assert set(links.values_list("origin", flat=True)) == set(Link.Origin.values)
        declined = links.filter(outcome__in=["declined_by_adopters", "declined_by_agency"])
        assert declined.count() >= 30 and not declined.filter(decline_reason="").exists()
        assert not links.exclude(pk__in=declined).exclude(decline_reason="").exists()
        assert len(set(declined.values_list("decline_reason", flat=True))) >= 6
        open_links = list(links.filter(outcome=Link.Outcome.OPEN).values_list("child", "household"))
        assert len(open_links) >= 5 and len(open_links) == len(set(open_links))
        assert not links.filter(started_on__lt=F("household__approved_on")).exists()
        assert not links.filter(outcome_on__lt=F("started_on")).exists()
        # Every placement came from a link with its family.
        for placement in AdoptivePlacement.objects.all():
            assert placement.child.links.filter(
                household=placement.household, outcome="matched", outcome_on=placement.matched_on
            ).exists()
        assert links.filter(outcome="matched").count() == AdoptivePlacement.objects.count()
        # Still open: children not matched, with approved families (early permanence carers, or available).
        for link in links.filter(outcome=Link.Outcome.OPEN).prefetch_related("child__family_finding_statuses"):
            assert not link.child.adoptive_placements.exists()
            assert link.household.status == S.APPROVED
            assert list(link.child.family_finding_statuses.all())[-1].status == "link_identified"
        # Withdrawn when another family was matched or the plan changed; nothing stays open past a match.
        for link in links.filter(outcome=Link.Outcome.WITHDRAWN):
            ends = set(link.child.adoptive_placements.values_list("matched_on", flat=True))
            ends |= set(link.child.adoption_decisions.values_list("reversed_on", flat=True))
            assert link.outcome_on in ends, link.child.la_child_id
        first_match = AdoptivePlacement.objects.filter(child=OuterRef("child")).order_by("matched_on")
        assert not (
            links.exclude(outcome="matched")
            .filter(Exists(first_match))
            .filter(outcome_on__gt=Subquery(first_match.values("matched_on")[:1]))
            .exclude(child__adoptive_placements__ended_on__isnull=False)
            .exists()
        )
        # Siblings' links are shared: the same families, dates and outcomes for each child of the group.
        for group in SiblingGroup.objects.prefetch_related("members__child__links"):
            seen = [
                {(lk.household_id, lk.started_on, lk.outcome, lk.sibling_group_id) for lk in m.child.links.all()}
                for m in group.members.all()
            ]
            assert all(other == seen[0] for other in seen), group.name
            assert {g for *_rest, g in seen[0]} <= {group.pk}

    def test_every_disruption_has_a_meeting_and_learning_actions(self, db):
        disrupted = AdoptivePlacement.objects.filter(ended_on__isnull=False)
        assert disrupted.count() == Disruption.objects.count() >= 3
        owners = {p.username for p in adoption_demo.STAFF if p.role in {Role.FAMILY_FINDER, Role.MANAGER}}
        actions = LearningAction.objects.select_related("owner")
        for placement in disrupted.select_related("disruption").prefetch_related("disruption__actions__owner"):
            disruption = placement.disruption
            assert 14 <= (disruption.meeting_on - placement.ended_on).days <= 42
            assert 1 <= len(disruption.actions.all()) <= 3
            for action in disruption.actions.all():
                assert action.owner.username in owners
                assert action.due_on > disruption.meeting_on
                assert action.done_on is None or disruption.meeting_on <= action.done_on <= REFERENCE
        assert actions.filter(done_on__isnull=False).exists()
        assert actions.filter(done_on__isnull=True, due_on__lt=REFERENCE).exists()  # overdue
        for model in (Match, Link, Disruption, LearningAction):
            for obj in model.objects.all():
                obj.full_clean()

    def test_adoption_applications_and_the_courts_of_orders(self, db):
        """An application after ten weeks living together and before the order, for every child adopted."""
        adoptions = PermanenceOutcome.objects.filter(kind=ADOPTION_ORDER)
        assert not adoptions.filter(court="").exists()
        assert len(set(adoptions.values_list("court", flat=True))) >= 4
        applied = AdoptivePlacement.objects.filter(adoption_applied_on__isnull=False)
        assert not applied.filter(Q(placed_on__isnull=True) | Q(ended_on__isnull=False)).exists()
        assert not applied.filter(adoption_applied_on__lt=F("placed_on") + timedelta(days=70)).exists()
        for order in adoptions:
            placement = order.child.adoptive_placements.get(ended_on__isnull=True)
            assert placement.adoption_applied_on is not None and placement.adoption_applied_on < order.made_on
        placed = AdoptivePlacement.objects.filter(
            ended_on__isnull=True, placed_on__lte=REFERENCE - timedelta(days=70)
        ).exclude(child__permanence_outcomes__kind=ADOPTION_ORDER)
        assert placed.filter(adoption_applied_on__isnull=False).exists()
        assert placed.filter(adoption_applied_on__isnull=True).exists()  # some, not all

    def test_birth_family_areas_and_early_permanence_sought(self, db):
        children = Child.objects.select_related("responsible_la")
        with_area = children.exclude(birth_family_area="")
        assert with_area.count() > 0.75 * children.count()
        towns = {la.ons_code: la.towns for la in adoption_demo.DEMO_LAS}
        for child in with_area:
            assert child.birth_family_area in towns[child.responsible_la.ons_code]
        avoid = children.filter(avoid_birth_family_area=True)
        assert 10 <= avoid.count() < with_area.count() / 2
        assert not avoid.filter(birth_family_area="").exists()
        assert not avoid.filter(adoptive_placements__household__area=F("birth_family_area")).exists()
        sought = children.filter(early_permanence_sought=True)
        assert not children.filter(early_permanence_placements__isnull=False, early_permanence_sought=False).exists()
        assert sought.filter(early_permanence_placements__isnull=True).exists()  # babies in proceedings too
        assert not sought.filter(early_permanence_placements__isnull=True, adoption_decisions__isnull=False).exists()

    def test_the_summary_counts_links_matches_and_disruptions(self, demo_output, db):
        def numbers(prefix: str) -> list[int]:
            line = next(line for line in demo_output.splitlines() if line.strip().startswith(prefix))
            return [int(n.replace(",", "")) for n in re.findall(r"(?<![\d.£])\d[\d,]*(?![\d.])", line)]

        links = Counter(Link.objects.values_list("outcome", flat=True))
        assert numbers("Links:") == [sum(links.values()), *(links[o] for o in Link.Outcome)]
        matches = Match.objects.all()
        inter_agency = matches.filter(inter_agency=True)
        with_fee = inter_agency.filter(fee_amount__isnull=False)
        total = sum(m.fee_amount for m in with_fee)
        assert f"(£{total:,.2f} in all)" in demo_output
        assert numbers("Matches:")[:4] == [
            matches.count(),
            matches.filter(sibling_group__isnull=False).count(),
            inter_agency.count(),
            with_fee.count(),
        ]
        applications = AdoptivePlacement.objects.filter(adoption_applied_on__isnull=False).count()
        assert numbers("Matches:")[-1] == applications
        actions = LearningAction.objects
        assert numbers("Disruptions:") == [
            Disruption.objects.count(),
            Disruption.objects.filter(meeting_on__isnull=False).count(),
            actions.count(),
            actions.filter(done_on__isnull=False).count(),
            actions.filter(done_on__isnull=True, due_on__lt=REFERENCE).count(),
        ]

    def test_the_central_list_and_appraisals(self, db):
        members = PanelMember.objects.filter(raa=demo_raa())
        assert 14 <= members.count() <= 18
        assert members.filter(roles__contains=[PanelRole.CHAIR]).count() == 1
        assert members.filter(roles__contains=[PanelRole.VICE_CHAIR]).count() == 2
        assert not members.filter(roles__contains=[PanelRole.CHAIR]).exclude(roles__contains=["independent"]).exists()
        independent = members.filter(roles__contains=[PanelRole.INDEPENDENT])
        assert independent.filter(lived_experience=True).count() >= 3
        social_workers = members.filter(roles__contains=[PanelRole.SOCIAL_WORK])
        assert social_workers.count() >= 3
        assert all(3 <= m.post_qualifying_years <= 20 for m in social_workers)
        for role in (PanelRole.MEDICAL_ADVISER, PanelRole.ELECTED_MEMBER, PanelRole.FOSTERING):
            assert members.filter(roles__contains=[role]).exists(), role
        assert len(set(members.values_list("gender", flat=True))) >= 3
        assert members.filter(off_list_on__lte=REFERENCE).count() == 2
        linked = members.get(user__username=panels_demo.PANEL_MEMBER_USERNAME)
        assert linked.off_list_on is None
        assert Membership.objects.filter(user=linked.user, organisation=linked.raa, role=Role.PANEL_MEMBER).exists()
        appraisals = PanelAppraisal.objects.filter(member__raa=demo_raa())
        assert appraisals.filter(done_on__isnull=False).count() > appraisals.count() / 2
        assert appraisals.filter(done_on__isnull=True, due_on__lt=REFERENCE).count() == 2
        assert not appraisals.filter(done_on__gt=REFERENCE).exists()
        for member in members.filter(on_list(REFERENCE)):  # each current member has one open appraisal
            assert member.appraisals.filter(done_on__isnull=True).count() == 1, member.name
        for model in (PanelMember, PanelAppraisal, PanelMeeting, PanelAttendance):
            for obj in model.objects.all():
                obj.full_clean()

    def test_panel_meetings_attendance_and_quorum(self, db):
        meetings = PanelMeeting.objects.filter(raa=demo_raa()).prefetch_related("attendances__member")
        past = [m for m in meetings if m.held_on < REFERENCE]
        upcoming = [m for m in meetings if m.held_on >= REFERENCE]
        assert 40 <= len(past) <= 50 and len(upcoming) == 6
        assert min(m.held_on for m in past) >= REFERENCE - timedelta(days=365)
        assert {m.place for m in meetings} == {"Coventry", "Solihull", "Warwick", "Worcester", "Hereford"}
        for meeting in meetings:
            rows = list(meeting.attendances.all())
            assert 6 <= sum(a.invited for a in rows) <= 9, meeting
            # Members' dates on the list cover every meeting they are invited to or attended.
            assert all(a.member.on_list_from <= meeting.held_on for a in rows), meeting
            assert all(a.member.off_list_on is None or meeting.held_on < a.member.off_list_on for a in rows)
        for meeting in past:
            assert meeting.attendance_recorded_at is not None
            assert any(a.attended for a in meeting.attendances.all()), meeting
        for meeting in upcoming:
            assert meeting.attendance_recorded_at is None
            assert not any(a.attended for a in meeting.attendances.all())
        verdicts = {m.pk: meeting_quorum(m) for m in past}
        refused = [v.result.missing for v in verdicts.values() if not v.result.is_quorate]
        assert 2 <= len(refused) <= 3
        assert ["No independent member is attending"] in refused
        assert ["Only 4 members are attending: at least 5 are needed"] in refused
        assert all(v.on_attendance for v in verdicts.values())
        # The panel member's login sees meetings they sat on.
        linked = PanelMember.objects.get(user__username=panels_demo.PANEL_MEMBER_USERNAME)
        assert linked.attendances.filter(attended=True).exists()
        meeting = meeting_get(actor=linked.user, meeting_id=past[0].pk, record_read=False)
        assert meeting.pk == past[0].pk

    def test_the_summary_counts_the_panels(self, demo_output, db):
        line = next(line for line in demo_output.splitlines() if line.startswith("Panels:"))
        members = PanelMember.objects.all()
        appraisals = PanelAppraisal.objects.all()
        held = PanelMeeting.objects.filter(held_on__lt=REFERENCE).count()
        assert line.startswith(
            f"Panels: {members.count()} members on the central list ({members.filter(on_list(REFERENCE)).count()} "
            f"now, 2 left); {appraisals.count()} appraisals ({appraisals.filter(done_on__isnull=False).count()} done, "
            f"2 overdue); {held} meetings held ("
        )
        assert re.search(
            r"\(([23]) not quorate\) and 6 upcoming, in Coventry, Hereford, Solihull, Warwick, Worcester$", line
        )

    def test_every_family_has_a_postcode_where_its_latest_child_moved_in(self, db):
        households = list(Household.objects.all())
        assert households and all(h.postcode for h in households)
        latest = (
            AdoptivePlacement.objects.filter(placed_on__isnull=False)
            .select_related("household")
            .order_by("household_id", "-placed_on", "-id")
            .distinct("household_id")
        )
        checked = 0
        for placement in latest:
            episode = Episode.objects.filter(period__child=placement.child_id, started_on=placement.placed_on).first()
            if episode is not None and episode.placement_postcode:
                assert placement.household.postcode == episode.placement_postcode, placement.household
                checked += 1
        assert checked >= 20

    def test_panel_agendas_carry_the_years_business_on_the_records_dates(self, db):
        from adoption.working_days import add_working_days
        from panels.models import AgendaItem, MeetingMinutes

        items = list(AgendaItem.objects.select_related("meeting", "household", "match", "link"))
        assert len(items) >= 40
        by_meeting: dict[int, list[AgendaItem]] = {}
        for item in items:
            by_meeting.setdefault(item.meeting_id, []).append(item)
        for meeting_items in by_meeting.values():
            assert sorted(i.position for i in meeting_items) == list(range(1, len(meeting_items) + 1))
            assert len(meeting_items) <= 6
        minutes = {m.meeting_id: m for m in MeetingMinutes.objects.all()}
        for item in items:
            held = item.meeting.held_on < REFERENCE
            if item.kind == AgendaItem.Kind.APPROVAL and held:
                assert item.household.panel_on == item.meeting.held_on, item
            if item.kind == AgendaItem.Kind.MATCH and item.match_id:
                assert item.match.panel_on == item.meeting.held_on, item
                assert item.link.household_id == item.match.household_id
            record = minutes.get(item.meeting_id)
            if item.decided_on:
                assert record is not None and record.status == "final"
                assert record.meeting.held_on <= record.sent_to_adm_on <= item.decided_on
                assert item.decision_due_on == add_working_days(record.sent_to_adm_on, 7)
                assert item.told_due_on == add_working_days(item.decided_on, 2)
        upcoming = [i for i in items if i.meeting.held_on >= REFERENCE]
        assert upcoming and all(not i.recommendation and not i.decided_on for i in upcoming)
        assert any(i.decided_on and i.decided_on > i.decision_due_on for i in items)  # some ADM decisions late

    def test_the_agenda_pack_of_a_demo_meeting(self, db):
        from io import BytesIO

        from pypdf import PdfReader

        from adoption.models import Job
        from panels.models import AgendaPaper, PanelMeeting
        from panels.pack import agenda_pack_build

        meeting = max(
            PanelMeeting.objects.filter(held_on__gte=REFERENCE),
            key=lambda m: AgendaPaper.objects.filter(item__meeting=m).count(),
        )
        papers = list(
            AgendaPaper.objects.filter(item__meeting=meeting, replaced_at__isnull=True).order_by("item__position", "id")
        )
        assert papers
        output = agenda_pack_build(Job(kind=Job.Kind.AGENDA_PACK, params={"meeting_id": meeting.pk}))
        pack = PdfReader(BytesIO(output.content))
        texts = [" ".join(page.extract_text().split()) for page in pack.pages]
        front = len(texts) - len(papers)  # each demo paper is one page
        assert any(t.startswith("Contents") or " Contents " in f" {t} " for t in texts[:front])
        # The papers follow the front matter in agenda order, each with its title and numbered page.
        titles = [p.title for p in papers]
        for number, (title, text) in enumerate(zip(titles, texts[front:], strict=True), start=front + 1):
            assert " ".join(title.split()) in text and f"Page {number} of {len(texts)}" in text
        outline = [entry.title for entry in pack.outline if not isinstance(entry, list)]
        assert outline[:2] == ["Cover and agenda", "Contents"] and len(outline) >= 3

    def test_loading_again_without_if_empty_is_refused(self, db):
        with pytest.raises(CommandError, match="already exists"):
            load()


def test_if_empty_loads_once_and_then_does_nothing(db):
    first = load(if_empty=True)
    assert "Loaded the demo region" in first
    counts = [model.objects.count() for model in (Organisation, User, Household, Child, AdoptivePlacement, ApiClient)]
    second = load(if_empty=True)
    assert "already exists: nothing loaded" in second
    assert "raa_" not in second
    assert [m.objects.count() for m in (Organisation, User, Household, Child, AdoptivePlacement, ApiClient)] == counts


def test_same_seed_and_reference_date_give_the_same_data(db):
    fingerprints = []
    for _ in range(2):
        with transaction.atomic():
            load()
            assert Child.objects.count() == children_demo.TOTAL_CHILDREN
            fingerprints.append(digest())
            transaction.set_rollback(True)
    assert not Child.objects.exists()
    assert fingerprints[0] == fingerprints[1]


def test_plans_depend_only_on_seed_reference_date_and_check_turnarounds(db):
    """Building the plans twice gives the same plans (the check turnarounds come from the configuration)."""
    households = adopters_demo.plan_households(seed=SEED, reference_date=REFERENCE)
    assert households == adopters_demo.plan_households(seed=SEED, reference_date=REFERENCE)
    children = children_demo.plan_children(households=households, seed=SEED, reference_date=REFERENCE)
    assert children == children_demo.plan_children(households=households, seed=SEED, reference_date=REFERENCE)
    assert len(children) == children_demo.TOTAL_CHILDREN
    assert {plan.stage for plan in children} == set(Stage)

    other_households = adopters_demo.plan_households(seed=SEED + 1, reference_date=REFERENCE)
    assert other_households != households
    other_children = children_demo.plan_children(households=other_households, seed=SEED + 1, reference_date=REFERENCE)
    assert other_children != children


def _turnaround(kind: str, requested_on: date) -> date:
    """Checks due as the default configuration says (migration 0005), for plans made without a database."""
    days = {"dbs": 28, "medical": 42, "reference": 28, "la_check": 28, "employer": 21, "ex_partner": 28}
    return requested_on + timedelta(days=days[kind])


@pytest.mark.parametrize("seed", [1, 7, 99, 12345])
def test_any_seed_and_reference_date_give_consistent_plans(seed):
    """Plans for other seeds keep the date order too (checked on the plain plans, without a database)."""
    reference = date(2025, 7, 15) + timedelta(days=seed % 200)
    household_plans = adopters_demo.plan_households(seed=seed, reference_date=reference, due_on=_turnaround)
    households = {h.reference: h for h in household_plans}
    assert {h.status for h in household_plans} == set(Household.Status)
    for h in household_plans:
        record = adopters_demo.household_record(h, assessing_worker_id=1 if h.assessing_worker else None)
        assert not status_problems(record, reference), (h.reference, status_problems(record, reference))
        assert all(c.received_on <= reference for a in h.applicants for c in a.checks if c.received_on)
        assert all(p.started_on <= (p.ended_on or reference) <= reference for p in h.pauses)
        assert all(day <= reference for _, day in h.availability)
        assert all(day <= reference for day, _ in h.reviews)
    plans = children_demo.plan_children(households=household_plans, seed=seed, reference_date=reference)
    assert {plan.stage for plan in plans} == set(Stage)
    # Early permanence carers have their child from the day their plan says, and only they.
    fostering = {ep.household: ep.started_on for plan in plans for ep in plan.care.early_permanence}
    assert fostering == {h.reference: h.early_permanence_from for h in household_plans if h.early_permanence_from}
    for plan in plans:
        if plan.date_of_birth is None:
            assert plan.expected_date_of_birth > reference and not plan.periods
            continue
        if plan.stage == Stage.NOT_IN_CARE:
            assert plan.date_of_birth <= reference
            assert not (plan.periods or plan.decisions or plan.orders or plan.placements or plan.outcomes)
            continue
        (period,) = plan.periods
        chain = [plan.date_of_birth, period.started_on]
        chain += [d.decided_on for d in plan.decisions] + [o.made_on for o in plan.orders]
        for placement in plan.placements:
            household = households[placement.household]
            assert household.approved_on <= placement.matched_on
            if placement.ended_on is None:
                assert placement.matched_on == household.matched_on
            else:  # disrupted: before the household left
                assert placement.ended_on <= household.left_on
            chain += [placement.matched_on] + [placement.placed_on] * (placement.placed_on is not None)
        chain += [o.made_on for o in plan.outcomes if o.kind == ADOPTION_ORDER]
        assert chain == sorted(chain), plan
        assert max(chain) <= reference
        problems = family_finding_problems(plan, households, reference)
        assert not problems, (plan.la_child_id, problems)
        problems = episode_problems(
            started_on=period.started_on,
            ended_on=period.ended_on,
            reason_ended=period.reason_ended,
            order_on=min((o.made_on for o in plan.orders), default=None),
            episodes=list(plan.care.episodes),
        )
        assert not problems, (plan.la_child_id, problems)
        assert all(e.started_on <= reference for e in plan.care.episodes)


def test_the_reference_date_cannot_be_in_the_future(db):
    with pytest.raises(CommandError, match="future"):
        load(reference_date=timezone.localdate() + timedelta(days=1))
    assert not Organisation.objects.filter(kind=Organisation.Kind.RAA).exists()


def test_a_clashing_username_stops_the_load_and_leaves_nothing_behind(db):
    User.objects.create_user(username="admin", password="not the demo one")
    with pytest.raises(CommandError, match="admin"):
        load()
    assert not Organisation.objects.filter(kind=Organisation.Kind.RAA).exists()
    assert not Organisation.objects.filter(ons_code="E08000026", la_code="331").exists()
