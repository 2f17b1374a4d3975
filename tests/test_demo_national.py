"""``manage.py load_demo --scale national``: a synthetic England, checked at a hundredth of its size.

The full load (about 40,000 children) takes minutes and is not run here: ``make national`` does it.
At ``--national-fraction 0.01`` the same code builds every RAA with a hundredth of the children,
households, meetings and ASF applications; a class-scoped fixture loads it once inside a transaction
that is rolled back afterwards.
"""

from __future__ import annotations

import hashlib
from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction

from adopters.models import Check, Household
from adoption import demo as adoption_demo
from adoption.models import Membership, Organisation, Role, User
from adoption.reference import english_local_authorities
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    Episode,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
)
from children.ssda903.export import build_tables
from children.ssda903.validation import ADOPTION_TABLES, collection_year_of, validate_tables
from panels.models import AgendaItem, PanelMeeting
from reporting import national
from reporting.national.geography import places, plan_raas, share
from support.models import AsfApplication
from tests.conftest import rolled_back_after
from tests.test_demo import episode_problems, status_problems

REFERENCE = date(2026, 3, 31)
SEED = 2026
FRACTION = 0.01


def load(**options) -> str:
    out = StringIO()
    options = {
        "seed": SEED,
        "reference_date": REFERENCE,
        "scale": "national",
        "national_fraction": FRACTION,
        **options,
    }
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def national_raas():
    return Organisation.objects.filter(national.national_q())


def digest() -> str:
    """A fingerprint of the national data (names, dates, codes, amounts), independent of database ids."""
    las = {"child__responsible_la__raa__in": national_raas()}
    rows = [
        list(national_raas().order_by("name").values_list("name", "region")),
        list(
            Organisation.objects.filter(raa__in=national_raas())
            .order_by("ons_code")
            .values_list("ons_code", "raa__name", "region")
        ),
        list(
            Child.objects.filter(responsible_la__raa__in=national_raas())
            .order_by("responsible_la__ons_code", "la_child_id")
            .values_list(
                "responsible_la__ons_code", "la_child_id", "first_name", "last_name", "date_of_birth", "sex", "upn"
            )
        ),
        list(
            Episode.objects.filter(period__child__responsible_la__raa__in=national_raas())
            .order_by("period__child__responsible_la__ons_code", "period__child__la_child_id", "started_on")
            .values_list(
                "period__child__la_child_id",
                "started_on",
                "reason_new_episode",
                "legal_status",
                "placement_type",
                "placement_postcode",
                "ended_on",
                "reason_ended",
            )
        ),
        list(
            AdoptivePlacement.objects.filter(**las)
            .order_by("child__responsible_la__ons_code", "child__la_child_id", "matched_on")
            .values_list("child__la_child_id", "household__reference", "matched_on", "placed_on", "ended_on")
        ),
        list(
            Household.objects.filter(reference__regex=r"^V?[A-Z]+[0-9]+-")
            .order_by("reference")
            .values_list("reference", "name", "status", "enquired_on", "approved_on", "left_on", "postcode")
        ),
        list(
            Check.objects.filter(applicant__household__reference__regex=r"^V?[A-Z]+[0-9]+-")
            .order_by("applicant__household__reference", "applicant__first_name", "kind", "requested_on", "due_on")
            .values_list("applicant__household__reference", "kind", "requested_on", "received_on")
        ),
        list(
            AgendaItem.objects.filter(meeting__raa__in=national_raas())
            .order_by("meeting__raa__name", "meeting__held_on", "position")
            .values_list("meeting__held_on", "position", "kind", "household__reference", "decided_on")
        ),
        list(
            AsfApplication.objects.filter(la__raa__in=national_raas())
            .order_by("la__ons_code", "child__la_child_id", "financial_year")
            .values_list("child__la_child_id", "therapy", "cost", "status", "submitted_on", "paid_on")
        ),
        sorted(User.objects.values_list("username", "first_name", "last_name")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(scope="class")
def national_output(django_db_setup, django_db_blocker):
    """The national demo at a hundredth of its size, loaded once for a class and rolled back afterwards."""
    with rolled_back_after(django_db_blocker):
        yield load()


@pytest.mark.usefixtures("national_output")
class TestNationalDemo:
    def test_every_english_la_belongs_to_an_raa_of_its_region(self, db):
        codes = {code for code, _ in english_local_authorities()}
        las = Organisation.objects.filter(kind=Organisation.Kind.LA, ons_code__in=codes)
        assert las.count() == len(codes) == 152
        assert not las.filter(raa__isnull=True).exists()
        assert all(la.region == la.raa.region for la in las.select_related("raa"))
        sizes = [raa.member_las.count() for raa in national_raas()]
        assert len(sizes) == len(plan_raas()) and 25 <= len(sizes) <= 32
        assert min(sizes) >= 3 and max(sizes) <= 8
        demo = Organisation.objects.get(name=adoption_demo.DEMO_RAA_NAME)
        assert demo.member_las.count() == 5

    def test_counts_scale_to_the_fraction(self, db):
        children = Child.objects.filter(responsible_la__raa__in=national_raas())
        expected = round(national.CHILDREN * FRACTION)
        assert expected * 0.97 <= children.count() <= expected * 1.05
        # Every national child has an adoption decision, a period of care and its 903 episodes.
        assert not children.exclude(adoption_decisions__isnull=False).exists()
        assert not children.exclude(periods_of_care__isnull=False).exists()
        # The national RAAs' and VAAs' households (a few more: the families whose placement disrupted).
        households = Household.objects.filter(approving_agency__name__endswith=national.NATIONAL_SUFFIX)
        expected = round(national.HOUSEHOLDS * FRACTION)
        assert expected <= households.count() <= expected * 1.05
        assert households.filter(approving_agency__kind=Organisation.Kind.VAA).count() > expected * 0.08
        meetings = PanelMeeting.objects.filter(raa__in=national_raas())
        # Two upcoming meetings an RAA on top of the ten years' share.
        assert meetings.count() == round(national.MEETINGS * FRACTION) + 2 * national_raas().count()
        asf = AsfApplication.objects.filter(la__raa__in=national_raas()).count()
        assert round(national.ASF_APPLICATIONS * FRACTION) * 0.8 <= asf <= round(national.ASF_APPLICATIONS * FRACTION)

    def test_statuses_across_the_journey_with_the_dates_they_imply(self, db):
        households = list(Household.objects.filter(reference__regex=r"^V?[A-Z]+[0-9]+-"))
        assert {h.status for h in households} == set(Household.Status)
        problems = {h.reference: p for h in households if (p := status_problems(h, REFERENCE))}
        assert problems == {}

    def test_journeys_in_realistic_proportions_and_consistent_903_episodes(self, db):
        of_national = {"child__responsible_la__raa__in": national_raas()}
        decisions = AdoptionDecision.objects.filter(**of_national)
        adopted = PermanenceOutcome.objects.filter(kind="adoption_order", **of_national).count()
        placements = AdoptivePlacement.objects.filter(**of_national)
        assert 0.4 <= adopted / decisions.count() <= 0.7
        assert 0.1 <= decisions.filter(reversed_on__isnull=False).count() / decisions.count() <= 0.35
        assert 0 < placements.filter(ended_on__isnull=False).count() < placements.count() * 0.1
        periods = PeriodOfCare.objects.filter(**of_national).prefetch_related("episodes")
        problems = {}
        for period in periods.select_related("child"):
            order = period.child.placement_orders.order_by("made_on").first()
            found = episode_problems(
                started_on=period.started_on,
                ended_on=period.ended_on,
                reason_ended=period.reason_ended,
                order_on=order.made_on if order else None,
                episodes=sorted(period.episodes.all(), key=lambda e: e.started_on),
            )
            if found:
                problems[period.child.la_child_id] = found
        assert problems == {}

    def test_nothing_points_at_a_missing_row_and_the_history_has_every_insert(self, db):
        """Written with the row triggers off: the foreign keys and history are checked here instead."""
        orphans = {}
        with connection.cursor() as cursor:
            for model in apps.get_models():
                if model._meta.app_label not in {"adopters", "children", "panels", "support"}:
                    continue
                for field in model._meta.concrete_fields:
                    if not isinstance(field, models.ForeignKey):
                        continue
                    target = field.related_model._meta
                    cursor.execute(
                        f'SELECT count(*) FROM "{model._meta.db_table}" t WHERE t."{field.column}" IS NOT NULL '
                        f'AND NOT EXISTS (SELECT 1 FROM "{target.db_table}" r WHERE r."{target.pk.column}" = '
                        f't."{field.column}")'
                    )
                    if count := cursor.fetchone()[0]:
                        orphans[f"{model._meta.label}.{field.name}"] = count
        assert orphans == {}
        child_events = apps.get_model("children", "ChildEvent")
        children = Child.objects.filter(responsible_la__raa__in=national_raas())
        assert child_events.objects.filter(pgh_obj__in=children, pgh_label="insert").count() == children.count()

    def test_nothing_happens_after_the_reference_date(self, db):
        national_children = {"child__responsible_la__raa__in": national_raas()}
        latest = [
            Episode.objects.filter(period__child__responsible_la__raa__in=national_raas())
            .order_by("-started_on")
            .first()
            .started_on,
            AdoptionDecision.objects.filter(**national_children).order_by("-decided_on").first().decided_on,
            PlacementOrder.objects.filter(**national_children).order_by("-made_on").first().made_on,
            PermanenceOutcome.objects.filter(**national_children).order_by("-made_on").first().made_on,
            Household.objects.filter(approving_agency__name__endswith=national.NATIONAL_SUFFIX)
            .order_by("-enquired_on")
            .first()
            .enquired_on,
            AdoptivePlacement.objects.filter(**national_children, placed_on__isnull=False)
            .order_by("-placed_on")
            .first()
            .placed_on,
            AsfApplication.objects.filter(la__raa__in=national_raas(), submitted_on__isnull=False)
            .order_by("-submitted_on")
            .first()
            .submitted_on,
        ]
        assert max(latest) <= REFERENCE
        first_decision = AdoptionDecision.objects.filter(**national_children).order_by("decided_on").first()
        assert (REFERENCE - first_decision.decided_on).days > 365 * 8  # ten years of history

    def test_demo_region_logins_and_a_login_for_every_role_of_each_national_raa(self, db):
        for plan in adoption_demo.STAFF:
            user = User.objects.get(username=plan.username)
            assert user.check_password(adoption_demo.DEMO_PASSWORD)
            assert Membership.objects.filter(user=user, role=plan.role).exists()
        for raa in plan_raas():
            for role in Role:
                user = User.objects.get(username=f"{raa.slug}.{role.value}")
                membership = Membership.objects.select_related("organisation").get(user=user)
                assert membership.role == role
                organisation = membership.organisation
                assert (organisation.raa if role == Role.SOCIAL_WORKER else organisation).name == raa.name
        assert User.objects.get(username="london-1.manager").check_password(adoption_demo.DEMO_PASSWORD)

    def test_one_las_903_passes_the_dfe_validator(self, db):
        la = Organisation.objects.get(ons_code="E08000025")  # Birmingham, the largest
        year = collection_year_of(REFERENCE) - 1
        tables = build_tables(la=la, year_start=year)
        result = validate_tables(tables.csv(), year_start=year, la_ons_code=la.ons_code)
        findings = result.for_tables(*ADOPTION_TABLES)
        assert findings == [], [(f.table, f.row, f.child, f.rule, f.message) for f in findings]
        assert len(result.rules_run) > 150
        assert tables.counts()["Header"] >= 5 and tables.counts()["Episodes"] > tables.counts()["Header"]

    def test_the_summary_gives_counts_and_logins(self, national_output):
        assert "Loaded the national demo" in national_output
        assert "children.Child" in national_output and "Staff logins for each national RAA" in national_output
        assert "sw.coventry" in national_output

    def test_loading_again_is_refused_or_skipped(self, db):
        with pytest.raises(CommandError, match="already exists"):
            load()
        assert "nothing loaded" in load(if_empty=True)


def test_same_seed_and_reference_date_give_the_same_data(db):
    fingerprints = []
    for seed in (SEED, SEED, SEED + 1):
        with transaction.atomic():
            load(seed=seed)
            fingerprints.append(digest())
            transaction.set_rollback(True)
    assert fingerprints[0] == fingerprints[1]
    assert fingerprints[2] != fingerprints[0]


def test_the_largest_la_has_over_2000_children_at_full_size():
    """The 903 import benchmark needs a large LA: its share of the full 40,000."""
    raas = plan_raas()
    weights = {code: places()[code].weight for raa in raas for code in raa.ons_codes}
    targets = share(national.CHILDREN, weights)
    assert sum(targets.values()) == national.CHILDREN
    assert targets["E08000025"] >= 2000  # Birmingham
    assert targets["E06000017"] < targets["E10000016"] / 10  # Rutland is far smaller than Kent
