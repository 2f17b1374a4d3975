"""Pages, in-process through the Django test client (the real middleware stack, a signed-in session).

Each page is timed against the floor of a trivial view on the same stack, fetched by the same client in turn with
the page (one fetch of each, round after round, so both see the same machine): for a page, the accessibility
statement (static text in the product's layout, with the signed-in user's navigation: every middleware, the
session, the template engine and the layout, and no data); for the API, the list of code lists with the same token
(authentication, throttling, the renderer, and no data). So the ratio is what the page's own work costs. Each page
is also fetched for two subjects of different size (a small LA's list and the largest LA's, a child with few records
and one with many...) and the SQL statements of each counted: equal counts are the evidence that the page's queries
do not grow with the data.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from adoption.models import ApiClient, Role, User
from adoption.services import api_client_create, api_client_revoke
from children.models import Child
from children.selectors.dates import stage_expression, with_journey_dates
from panels.models import PanelMeeting
from reporting.bench.subjects import NoSubject, Region, smallest_and_largest, staff
from reporting.bench.timing import Item, Timings, count_queries, time_rounds
from reporting.figure_versions import log_change
from reporting.forms import last_quarter_end

PAGE_TARGET = 3.0
PAGE_FLOOR_URL = "/accessibility/"
API_FLOOR_URL = "/api/v1/codes/"


class PageError(Exception):
    """A page did not answer 200: its timing would measure an error page, not the page."""


@dataclass(frozen=True)
class Subject:
    label: str  # what this subject is, for the report (no names: ids and sizes)
    url: str
    size: int  # how much data is behind it (rows, records, items...), for the report


@dataclass(frozen=True)
class PageSpec:
    name: str
    description: str
    client: Client
    small: Subject
    large: Subject  # the subject timed: the larger one
    headers: dict[str, str]
    # The API's small subject is another LA, so another token: its own client and headers.
    small_client: Client | None = None
    small_headers: dict[str, str] | None = None
    floor_url: str = PAGE_FLOOR_URL
    # For a page whose figures are kept in the cache while its records are unchanged: a change logged to its
    # records (``reporting.figure_versions``), so the next fetch computes them afresh. Timed too, and reported.
    changed: Callable[[], None] | None = None


def _fetch(client: Client, url: str, headers: dict[str, str]) -> Callable[[], Any]:
    def get() -> Any:
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise PageError(f"GET {url} answered {response.status_code}")
        if getattr(response, "streaming", False):
            b"".join(getattr(response, "streaming_content", ()))
        else:
            _ = response.content
        return response

    return get


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _child_list(region: Region) -> PageSpec:
    user = staff(region.raa, Role.FAMILY_FINDER, Role.MANAGER, Role.SOCIAL_WORKER)
    large_la, small_la = region.largest_la, region.smallest_la
    stages = (
        with_journey_dates(Child.objects.filter(responsible_la=large_la))
        .annotate(bench_stage=stage_expression())
        .values("bench_stage")
        .annotate(n=Count("id"))
        .order_by("-n", "bench_stage")
    )
    top = stages.first()
    if top is None:
        raise NoSubject(f"{large_la.name} has no children.")
    stage = top["bench_stage"]

    def subject(la: Any) -> Subject:
        count = (
            with_journey_dates(Child.objects.filter(responsible_la=la))
            .annotate(bench_stage=stage_expression())
            .filter(bench_stage=stage)
            .count()
        )
        url = reverse("children:list") + "?" + urlencode({"la": la.pk, "stage": stage})
        return Subject(f"LA {la.pk}, stage {stage}: {count} children", url, count)

    return PageSpec(
        "page.child_list",
        "Children list filtered by LA and stage (the first page)",
        _signed_in(user),
        subject(small_la),
        subject(large_la),
        {},
    )


def _child_detail(region: Region) -> PageSpec:
    user = staff(region.raa, Role.FAMILY_FINDER, Role.MANAGER, Role.SOCIAL_WORKER)
    children = (
        with_journey_dates(Child.objects.filter(responsible_la__in=region.la_ids))
        .annotate(bench_stage=stage_expression())
        .annotate(
            bench_records=Count("periods_of_care__episodes", distinct=True)
            + Count("links", distinct=True)
            + Count("adoption_decisions", distinct=True)
            + Count("adoptive_placements", distinct=True)
        )
    )
    small, large = smallest_and_largest(
        children.filter(periods_of_care__isnull=False).distinct(), "bench_records", alike=("bench_stage",)
    )

    def subject(child: Any) -> Subject:
        url = reverse("children:detail", kwargs={"child_id": child.pk})
        return Subject(f"child {child.pk}: {child.bench_records} records", url, child.bench_records)

    return PageSpec("page.child_detail", "A child's page", _signed_in(user), subject(small), subject(large), {})


def _family_finding(region: Region) -> PageSpec:
    user = staff(region.raa, Role.FAMILY_FINDER, Role.MANAGER, Role.SOCIAL_WORKER)
    children = (
        with_journey_dates(Child.objects.filter(responsible_la__in=region.la_ids, placement_orders__isnull=False))
        .annotate(bench_stage=stage_expression())
        .annotate(bench_links=Count("links", distinct=True))
    )
    small, large = smallest_and_largest(children, "bench_links", alike=("bench_stage", "avoid_birth_family_area"))

    def subject(child: Any) -> Subject:
        url = reverse("children:suggested-families", kwargs={"child_id": child.pk})
        return Subject(f"child {child.pk} (placement order): {child.bench_links} links", url, child.bench_links)

    return PageSpec(
        "page.family_finding",
        "Suggested families for a child with a placement order",
        _signed_in(user),
        subject(small),
        subject(large),
        {},
    )


def _panel_agenda(region: Region) -> PageSpec:
    user = staff(region.raa, Role.PANEL_ADVISER, Role.MANAGER)
    meetings = PanelMeeting.objects.filter(raa=region.raa).annotate(bench_items=Count("items"))
    small, large = smallest_and_largest(meetings, "bench_items")

    def subject(meeting: Any) -> Subject:
        url = reverse("panels:meeting", kwargs={"meeting_id": meeting.pk})
        return Subject(f"meeting {meeting.pk}: {meeting.bench_items} agenda items", url, meeting.bench_items)

    return PageSpec(
        "page.panel_agenda", "A panel meeting's page (its agenda)", _signed_in(user), subject(small), subject(large), {}
    )


def _dashboard(region: Region, today: date) -> PageSpec:
    user = staff(region.raa, Role.MANAGER, Role.ADM, Role.ADMINISTRATOR)
    period_end = last_quarter_end(today)
    period = {
        "period_end_day": period_end.day,
        "period_end_month": period_end.month,
        "period_end_year": period_end.year,
    }
    small_la = region.smallest_la
    total = sum(count for _la, count in region.las)
    # The RAA's LAs together, when there are several (the page offers that area then), else the one LA.
    area = f"raa-{region.raa.pk}" if len(region.las) > 1 else f"la-{region.largest_la.pk}"
    small_count = {la.pk: count for la, count in region.las}[small_la.pk]
    url = reverse("reporting:dashboard") + "?"
    return PageSpec(
        "page.dashboard",
        "The managers' dashboard (the RAA's LAs together; the smallest LA alone)",
        _signed_in(user),
        Subject(
            f"LA {small_la.pk}: {small_count} children",
            url + urlencode({"area": f"la-{small_la.pk}", **period}),
            small_count,
        ),
        Subject(f"{area}: {total} children", url + urlencode({"area": area, **period}), total),
        {},
        # The largest LA's records changed (a row in the log the triggers keep): the area's figures computed again.
        changed=lambda: log_change(region.largest_la.pk),
    )


def _api_children(region: Region, clients: list[ApiClient]) -> PageSpec:
    """The API's children list, once with a token of the smallest LA and once of the largest: a client sees
    its own LA only, so the two subjects need two API clients (and two test clients, one per token)."""
    specs = []
    for la in (region.smallest_la, region.largest_la):
        client, token = api_client_create(actor=None, organisation=la, name="Benchmark (manage.py bench)", days=1)
        clients.append(client)
        count = Child.objects.filter(responsible_la=la).count()
        subject = Subject(f"LA {la.pk} token: {count} children", reverse("api-children-list"), count)
        headers = {"Authorization": f"Bearer {token}"}
        specs.append((subject, headers))
    (small, small_headers), (large, large_headers) = specs
    return PageSpec(
        "page.api_children",
        "API: the children list (first page) with an LA's token",
        Client(),
        small,
        large,
        large_headers,
        small_client=Client(),
        small_headers=small_headers,
        floor_url=API_FLOOR_URL,
    )


def _measure(spec: PageSpec, *, repeat: int) -> Item:
    large_fetch = _fetch(spec.client, spec.large.url, spec.headers)
    small_fetch = _fetch(spec.small_client or spec.client, spec.small.url, spec.small_headers or spec.headers)
    floor_fetch = _fetch(spec.client, spec.floor_url, spec.headers)
    small_fetch()  # warm: the first fetch of a page pays for loading its templates and code
    large_fetch()
    small_queries = count_queries(small_fetch)
    large_queries = count_queries(large_fetch)
    # The page and its floor in turn, round after round: both see the same machine.
    timings, floor = time_rounds(large_fetch, floor_fetch, repeat=repeat, warmup=3)
    constant = small_queries == large_queries
    extra: dict[str, Any] = {}
    if spec.changed is not None:
        extra["after_a_change"] = _after_a_change(spec.changed, large_fetch, floor=floor, repeat=repeat)
    return Item(
        name=spec.name,
        description=spec.description,
        target=PAGE_TARGET,
        timings=timings,
        floor=floor,
        conditions={"queries_constant": constant},
        extra={
            "url": spec.large.url,
            "subject": spec.large.label,
            "queries": large_queries,
            "queries_subjects": {
                "small": {"subject": spec.small.label, "size": spec.small.size, "queries": small_queries},
                "large": {"subject": spec.large.label, "size": spec.large.size, "queries": large_queries},
            },
            "queries_constant": constant,
            **extra,
        },
    )


def _after_a_change(changed: Callable[[], None], fetch: Callable[[], Any], *, floor: Timings, repeat: int) -> dict:
    """The page fetched just after a change to its records each time (the change itself not timed): its figures
    computed afresh, as the first manager to look after a change gets them."""
    changed()
    queries = count_queries(fetch)
    samples = []
    for _ in range(max(1, repeat)):
        changed()
        gc.collect()
        started = time.perf_counter()
        fetch()
        samples.append((time.perf_counter() - started) * 1000)
    timings = Timings(tuple(samples))
    return {
        "median_ms": round(timings.median, 2),
        "p95_ms": round(timings.p95, 2),
        "ratio": round(timings.median / floor.median, 3) if floor.median else None,
        "queries": queries,
    }


def page_items(region: Region, *, repeat: int, wanted: Callable[[str], bool]) -> list[Item]:
    """Every page item ``wanted`` (by name), each against the floor measured for it just before."""
    today = timezone.localdate()
    builders: list[tuple[str, Callable[[], Any]]] = [
        ("page.child_list", lambda: _child_list(region)),
        ("page.child_detail", lambda: _child_detail(region)),
        ("page.family_finding", lambda: _family_finding(region)),
        ("page.panel_agenda", lambda: _panel_agenda(region)),
        ("page.dashboard", lambda: _dashboard(region, today)),
    ]
    items: list[Item] = []
    api_clients: list[ApiClient] = []
    try:
        for name, build in [*builders, ("page.api_children", lambda: _api_children(region, api_clients))]:
            if not wanted(name):
                continue
            try:
                built = build()
            except NoSubject as exc:
                items.append(Item(name=name, description="", target=PAGE_TARGET, skipped=f"no subject: {exc}"))
                continue
            try:
                items.append(_measure(built, repeat=repeat))
            except PageError as exc:  # e.g. REQUIRE_MFA on: the signed-in client is sent to two-factor sign-in
                items.append(Item(name=name, description=built.description, target=PAGE_TARGET, skipped=str(exc)))
    finally:
        for api_client in api_clients:  # the benchmark's tokens never outlive it
            api_client_revoke(actor=None, client=api_client)
    return items
