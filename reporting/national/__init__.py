"""``manage.py load_demo --scale national``: a deterministic synthetic England.

On top of the demo region (built exactly as ``--scale region`` builds it, so its logins work), every
other English LA of the reference data is grouped with its neighbours into RAAs (``geography``), and
ten years of adoption work up to the reference date are generated for them: about 40,000 children
with adoption decisions and their periods of care, 903 episodes, placement orders, matches,
placements, orders and disruptions (``children``); 25,000 households with applicants, checks, pauses
and statuses across the journey (``households``); 5,000 panel meetings with attendance and agendas
(``panels``); 20,000 ASF applications, support requests and plans and life story work (``support``).

The rows are planned in Python from generators seeded with the seed and each RAA's name, and
written with ``COPY`` (``bulk``): the same seed, reference date and fraction always give the same
data (only ids, password hashes and the API token differ). ``fraction`` scales every count, for
tests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Q

from adopters.models import CheckTurnaround, Household
from adoption.demo import DEMO_PASSWORD, DemoDataError, DemoLa
from adoption.models import Membership, Organisation, Role, User
from reporting import figure_versions
from reporting.national.bulk import CopyWriter
from reporting.national.children import ChildrenOut, ChildrenPlanner, LaTarget, NationalCarePlanner
from reporting.national.geography import RaaPlan, places, plan_raas, postcodes, share
from reporting.national.households import STATUS_WEIGHTS, Agency, HouseholdPlanner, HouseholdRow, weighted
from reporting.national.panels import PanelPlanner
from reporting.national.support import SupportPlanner

NATIONAL_SUFFIX = "(national demo)"
# Full-size counts; ``fraction`` scales them.
CHILDREN = 40_000
HOUSEHOLDS = 25_000
MEETINGS = 5_000
ASF_APPLICATIONS = 20_000
SUPPORT_REQUESTS = 8_000
VAA_SHARE = 0.15
DISRUPTION_CHANCE = 0.03
# The VAAs, each working with the RAAs of some regions.
VAAS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("northern", "Northern Adoption Partners", ("north_east", "north_west", "yorkshire_humber")),
    ("midlands", "Midlands Adoption Trust", ("east_midlands", "west_midlands")),
    ("london", "London Families Adoption Society", ("london",)),
    ("southern", "Southern Counties Adoption", ("south_east", "south_west", "east_of_england")),
)


@dataclass
class NationalLoaded:
    raas: list[RaaPlan]
    counts: dict[str, int] = field(default_factory=dict)  # rows written, by model label
    usernames: list[str] = field(default_factory=list)
    largest_la: tuple[str, int] = ("", 0)  # name and number of children


def national_exists() -> bool:
    return Organisation.objects.filter(kind=Organisation.Kind.RAA, name__endswith=NATIONAL_SUFFIX).exists()


def _prefix(raa: RaaPlan) -> str:
    region, _, number = raa.slug.rpartition("-")
    return "".join(word[0] for word in region.split("-")).upper() + number


def build(*, seed: int, reference_date: date, fraction: float = 1.0) -> NationalLoaded:
    """Build the national RAAs and their data. Call inside a transaction, after the demo region is built."""
    if national_exists():
        raise DemoDataError("The national demo data already exists.")
    raas = plan_raas()
    where = places()
    las = {la.ons_code: la for la in Organisation.objects.filter(kind=Organisation.Kind.LA, ons_code__in=list(where))}
    missing = sorted(set(where) - set(las))
    if missing:
        raise DemoDataError(f"The local authorities {', '.join(missing)} are missing: run `manage.py migrate`.")
    taken = Organisation.objects.filter(raa__isnull=False, ons_code__in=[c for r in raas for c in r.ons_codes])
    if taken.exists():
        raise DemoDataError(f"Local authorities already in an RAA: {', '.join(taken.values_list('name', flat=True))}.")

    # --- organisations and staff -----------------------------------------------------------------
    raa_orgs = Organisation.objects.bulk_create(
        [Organisation(kind=Organisation.Kind.RAA, name=r.name, region=r.region) for r in raas]
    )
    vaa_orgs = Organisation.objects.bulk_create(
        [Organisation(kind=Organisation.Kind.VAA, name=f"{name} {NATIONAL_SUFFIX}") for _, name, _ in VAAS]
    )
    for raa, org in zip(raas, raa_orgs, strict=True):
        for code in raa.ons_codes:
            la = las[code]
            la.raa, la.region, la.is_active = org, raa.region, True
    Organisation.objects.bulk_update([las[c] for r in raas for c in r.ons_codes], ["raa", "region", "is_active"])

    password = make_password(DEMO_PASSWORD)  # hashed once: every demo login shares it
    weight = {code: where[code].weight for r in raas for code in r.ons_codes}
    users: dict[str, User] = {}
    memberships: list[tuple[str, Organisation, str]] = []
    for raa, org in zip(raas, raa_orgs, strict=True):
        largest = max(raa.ons_codes, key=lambda c: (weight[c], c))
        for role in Role:
            username = f"{raa.slug}.{role.value}"
            users[username] = User(
                username=username,
                first_name=role.label,
                last_name=raa.name.replace(f" {NATIONAL_SUFFIX}", ""),
                email=f"{username}@example.org",
                password=password,
                is_staff=role == Role.ADMINISTRATOR,
            )
            memberships.append((username, las[largest] if role == Role.SOCIAL_WORKER else org, role.value))
    for (slug, _, _), org in zip(VAAS, vaa_orgs, strict=True):
        username = f"vaa-{slug}.assessing_social_worker"
        users[username] = User(
            username=username,
            first_name="Assessing social worker",
            last_name=org.name,
            email=f"{username}@example.org",
            password=password,
        )
        memberships.append((username, org, Role.ASSESSING_SOCIAL_WORKER.value))
    clash = User.objects.filter(username__in=list(users)).values_list("username", flat=True)
    if clash:
        raise DemoDataError(f"These usernames already exist: {', '.join(sorted(clash))}.")
    User.objects.bulk_create(users.values())
    Membership.objects.bulk_create(
        [Membership(user=users[username], organisation=org, role=role) for username, org, role in memberships]
    )

    # --- sizes --------------------------------------------------------------------------------
    raa_weight = {r.slug: sum(weight[c] for c in r.ons_codes) for r in raas}
    turnarounds: dict[str, list[tuple[date, int]]] = {}
    for row in CheckTurnaround.objects.order_by("effective_from"):
        turnarounds.setdefault(row.kind, []).append((row.effective_from, row.days))
    numbers = {code: 100 + i for i, code in enumerate(where)}
    writer = CopyWriter(stamp=datetime.combine(reference_date, time(12, 0), tzinfo=UTC))
    shared = _Shared(
        seed=seed,
        today=reference_date,
        writer=writer,
        las=las,
        weight=weight,
        user_id={name: user.pk for name, user in users.items()},
        turnarounds=turnarounds,
        pools=postcodes(),
        numbers=numbers,
        urns={code: f"SC8{number:05d}" for code, number in numbers.items()},
        children=share(round(CHILDREN * fraction), weight),
        households=share(round(HOUSEHOLDS * fraction), raa_weight),
        meetings=share(round(MEETINGS * fraction), raa_weight),
        asf=share(round(ASF_APPLICATIONS * fraction), raa_weight),
        requests=share(round(SUPPORT_REQUESTS * fraction), raa_weight),
    )
    writer.skip_triggers()
    children_by_la: dict[str, int] = {}
    for raa, org in zip(raas, raa_orgs, strict=True):
        vaa_slug = next(slug for slug, _, regions in VAAS if raa.region in regions)
        vaa = vaa_orgs[[v[0] for v in VAAS].index(vaa_slug)]
        children_by_la.update(_RaaBuilder(shared, raa, org, vaa, vaa_slug).build())
        writer.flush()
    writer.restore_triggers()
    # COPY under ``session_replication_role = replica`` skipped the triggers that keep each adopted child's dates
    # (``children.ChildAdoptionDates``): the same function fills the rows of the children just loaded, in one
    # statement (a refresh: right too when the triggers did fire, the rows replaced rather than doubled).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT children_adoption_dates_refresh(ARRAY(SELECT o.child_id FROM children_permanenceoutcome o "
            "JOIN children_child c ON c.id = o.child_id WHERE o.kind = 'adoption_order' "
            "AND c.responsible_la_id = ANY(%s)))",
            [sorted(la.pk for la in las.values())],
        )
    # Nor did they log the changes figures are kept in the cache by: every figure is computed afresh.
    figure_versions.log_reference_change()
    return NationalLoaded(
        raas=raas,
        counts=dict(writer.written),
        usernames=list(users),
        largest_la=max(children_by_la.items(), key=lambda item: (item[1], item[0])),
    )


@dataclass
class _Shared:
    """What every RAA's builder uses: the writer, the LAs, logins, reference data and the sizes."""

    seed: int
    today: date
    writer: CopyWriter
    las: dict[str, Organisation]  # by ONS code
    weight: dict[str, float]  # by ONS code
    user_id: dict[str, int]  # by username
    turnarounds: dict[str, list[tuple[date, int]]]
    pools: dict[str, tuple[str, ...]]  # postcodes by ONS code
    numbers: dict[str, int]  # three-digit stand-ins for DfE LA numbers
    urns: dict[str, str]  # each LA's fostering service
    children: dict[str, int]  # by ONS code
    households: dict[str, int]  # by RAA slug (and the rest too)
    meetings: dict[str, int]
    asf: dict[str, int]
    requests: dict[str, int]


class _RaaBuilder:
    """One national RAA: its panel, households, children, agendas and support, from its own generator."""

    def __init__(self, shared: _Shared, raa: RaaPlan, org: Organisation, vaa: Organisation, vaa_slug: str) -> None:
        self.shared = shared
        self.raa = raa
        self.rng = rng = random.Random(f"national:{shared.seed}:{raa.slug}")
        self.names = {code: shared.las[code].name for code in raa.ons_codes}
        self.panel = PanelPlanner(
            rng=rng, today=shared.today, raa_id=org.pk, places=[self.short(c) for c in raa.ons_codes]
        )
        user = shared.user_id
        self.agencies = (
            Agency(org.pk, _prefix(raa), user[f"{raa.slug}.assessing_social_worker"]),
            Agency(vaa.pk, "V" + _prefix(raa), user[f"vaa-{vaa_slug}.assessing_social_worker"], at_vaa=True),
        )
        self.households = HouseholdPlanner(
            rng=rng, today=shared.today, turnarounds=shared.turnarounds, snap=self.panel.snap
        )
        self.rows: list[HouseholdRow] = []

    def short(self, code: str) -> str:
        """The LA's name without ", City of" or ", County of"."""
        return self.names[code].split(",")[0]

    def build(self) -> dict[str, int]:
        """Everything of the RAA, queued on the writer; returns the number of children of each LA by name."""
        shared, raa, rng, writer = self.shared, self.raa, self.rng, self.shared.writer
        user = shared.user_id
        self.panel.schedule(writer, shared.meetings[raa.slug])
        self.panel.write_members_and_meetings(writer, member_user_id=user[f"{raa.slug}.panel_member"])
        targets = [
            LaTarget(
                org_id=shared.las[c].pk,
                name=self.names[c],
                demo=DemoLa(c, c, "", f"Family Court at {self.short(c)}", (c,)),
                number=shared.numbers[c],
                target=shared.children[c],
            )
            for c in raa.ons_codes
        ]
        care = NationalCarePlanner(rng=rng, today=shared.today, pools=shared.pools, urns=shared.urns)
        children = ChildrenPlanner(
            rng=rng, care=care, today=shared.today, las=targets, snap=self.panel.snap, court=lambda la: la.demo.court
        )
        self.households.begin()
        for _ in range(shared.households[raa.slug]):
            row = self.household(weighted(rng, STATUS_WEIGHTS))
            if row.matched_on is not None and row.status != Household.Status.LEFT:
                disrupt = row.status != Household.Status.MATCHED and rng.random() < DISRUPTION_CHANCE
                children.linked(row, self.disrupted if disrupt else None)
        children.fill()
        self.households.write_details(writer)
        out = ChildrenOut()
        adm = user[f"{raa.slug}.adm"]
        children.write(writer, out, adm_worker=adm)
        self.agendas(out, adm)
        support = SupportPlanner(rng=rng, today=shared.today)
        worker = user[f"{raa.slug}.support_social_worker"]
        support.asf(writer, adopted=out.adopted, count=shared.asf[raa.slug], user_id=worker)
        support.requests(writer, adopted=out.adopted, count=shared.requests[raa.slug], worker_id=worker)
        support.life_story(writer, adopted=out.adopted, worker_id=worker)
        return {target.name: target.planned for target in targets}

    def household(self, status: str, **extra) -> HouseholdRow:
        """A household of the RAA (or, for some, the VAA it works with), living in one of its LAs."""
        rng, shared = self.rng, self.shared
        agency = self.agencies[1] if rng.random() < VAA_SHARE else self.agencies[0]
        code = rng.choices(self.raa.ons_codes, weights=[shared.weight[c] for c in self.raa.ons_codes])[0]
        row = self.households.household(
            shared.writer,
            agency=agency,
            area=self.short(code),
            postcodes=shared.pools.get(code, ()),
            status=status,
            **extra,
        )
        self.rows.append(row)
        return row

    def disrupted(self, first_matched: date, left_on: date) -> HouseholdRow:
        """The family a placement disrupted with: placed, then left the process."""
        return self.household(
            Household.Status.LEFT, left_from=Household.Status.PLACED, matched=first_matched, left_on=left_on
        )

    def agendas(self, out: ChildrenOut, adm: int) -> None:
        """Every approval and match at the meeting of its panel date."""
        writer = self.shared.writer
        presenter = "Assessing social worker"
        for row in self.rows:
            if row.panel_on is not None:
                self.panel.item(
                    writer,
                    panel_on=row.panel_on,
                    decided_on=row.approved_on,
                    adm_id=adm,
                    worker=presenter,
                    kind="approval",
                    household_id=row.id,
                )
        for match, link, panel_on, decided in out.matches:
            self.panel.item(
                writer,
                panel_on=panel_on,
                decided_on=decided,
                adm_id=adm,
                worker="Child's social worker",
                kind="match",
                link_id=link,
                match_id=match,
            )


def national_q() -> Q:
    """The national RAAs (not the demo region's)."""
    return Q(kind=Organisation.Kind.RAA, name__endswith=NATIONAL_SUFFIX)
