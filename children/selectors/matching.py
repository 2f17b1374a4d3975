"""Family finding: suggested families for a child or a sibling group.

Suggestions are explainable, not a verdict: each criterion a family's approval is checked against
is shown with whether it is met and why, and the family finder and the child's social worker decide.
Nothing here links or matches anyone.
The children waiting for a match, by time since the placement order, are in ``match_figures``.

Who sees them. Suggestions list the approved families of the child's RAA, so only people who may
see that RAA's households (its family finders and other RAA staff: ``tenancy``'s household scope)
get them. An LA's social worker sees the child but not the RAA's households, and is not given a
way round that here: the page tells them who can see the suggestions instead.

How they are ranked. One SQL query: every criterion is an annotation (a CASE over the family's
approval), the score is their sum, then the days the family has waited since approval, then the
name. :func:`explain` turns each annotated row into sentences and does not decide anything again.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Lower, Trim

from adopters.models import Availability, Household
from adopters.selectors import _current_availability, household_list
from adoption import tenancy
from adoption.db import DaysBetween
from adoption.models import Organisation
from children.journey import age_in_years
from children.models import Child, Link, SiblingGroup
from children.selectors.records import child_get, sibling_group_children, sibling_group_get

PAGE_SIZE = 25

# A family open to any disability or additional needs: every recorded openness except "none".
OPEN_TO_DISABILITY = (
    Household.Openness.MILD,
    Household.Openness.MODERATE,
    Household.Openness.SIGNIFICANT,
)
# A condition no row meets (a primary key is never null), for a criterion that cannot be met by anyone.
NEVER = Q(pk__isnull=True)


# --- what the child or the group needs (pure) -------------------------------------------------------------------


@dataclass(frozen=True)
class ChildNeeds:
    name: str  # the first name, as the reasons say it
    age: int  # whole years on the day; an unborn baby counts as 0
    unborn: bool
    has_disability: bool
    early_permanence_sought: bool
    avoid_birth_family_area: bool
    birth_family_area: str


@dataclass(frozen=True)
class Needs:
    """What a family must be approved for to take these children together."""

    children: tuple[ChildNeeds, ...]

    @property
    def size(self) -> int:
        return len(self.children)

    @property
    def youngest(self) -> int:
        return min(c.age for c in self.children)

    @property
    def oldest(self) -> int:
        return max(c.age for c in self.children)

    @property
    def disabled(self) -> list[str]:
        return [c.name for c in self.children if c.has_disability]

    @property
    def early_permanence(self) -> list[str]:
        return [c.name for c in self.children if c.early_permanence_sought]

    @property
    def restricted(self) -> list[ChildNeeds]:
        """The children who must not be placed in their birth family's area."""
        return [c for c in self.children if c.avoid_birth_family_area]

    @property
    def avoid_areas(self) -> list[str]:
        """The birth families' areas to avoid, as first written, once each however they are spelt."""
        areas: dict[str, str] = {}
        for child in self.restricted:
            if child.birth_family_area.strip():
                areas.setdefault(area_key(child.birth_family_area), child.birth_family_area.strip())
        return list(areas.values())

    @property
    def area_unknown(self) -> list[str]:
        """Children who must not be placed in their birth family's area, when that area is not recorded."""
        return [c.name for c in self.restricted if not c.birth_family_area.strip()]

    def applies(self, key: str) -> bool:
        """Whether a criterion says anything about these children (age and number always do)."""
        return self._applying.get(key, True)

    @functools.cached_property
    def _applying(self) -> dict[str, bool]:
        # Worked out once: every family's card asks of every criterion.
        return {
            "siblings": self.size > 1,
            "disability": bool(self.disabled),
            "early_permanence": bool(self.early_permanence),
            "area": bool(self.restricted),
        }


def area_key(area: str) -> str:
    """Areas are free text: compared whole, ignoring case and surrounding spaces (as the query does)."""
    return area.strip().lower()


def needs_of(children: Iterable[Child], today: date) -> Needs:
    return Needs(
        tuple(
            ChildNeeds(
                name=child.first_name,
                # An unborn baby counts as 0: families approved from birth can take them.
                age=age_in_years(child.date_of_birth, today) if child.date_of_birth else 0,
                unborn=child.date_of_birth is None,
                has_disability=child.has_disability,
                early_permanence_sought=child.early_permanence_sought,
                avoid_birth_family_area=child.avoid_birth_family_area,
                birth_family_area=child.birth_family_area,
            )
            for child in children
        )
    )


# --- the criteria, in the order the page shows them ----------------------------------------------------------

CRITERIA: tuple[tuple[str, str], ...] = (
    ("age", "Age"),
    ("children", "Number of children"),
    ("siblings", "Sibling group"),
    ("disability", "Disability"),
    ("early_permanence", "Early permanence"),
    ("area", "Birth family's area"),
)


def _conditions(needs: Needs) -> dict[str, Q]:
    """Each criterion that applies, as the condition a family meets (NULLs, i.e. not recorded, never meet it)."""
    n = needs.size
    conditions = {
        # Every child's age within the range: the youngest at or above its start, the oldest at or below its end.
        # No start recorded means from birth; no end recorded means the range is not recorded.
        "age": Q(approved_age_max__gte=needs.oldest)
        & (Q(approved_age_min__isnull=True) | Q(approved_age_min__lte=needs.youngest)),
        "children": Q(approved_children_max__gte=n)
        & (Q(approved_children_min__isnull=True) | Q(approved_children_min__lte=n)),
    }
    if needs.applies("siblings"):
        conditions["siblings"] = Q(approved_for_siblings=True)
    if needs.applies("disability"):
        conditions["disability"] = Q(disability_openness__in=OPEN_TO_DISABILITY)
    if needs.applies("early_permanence"):
        conditions["early_permanence"] = Q(early_permanence_approved=True)
    if needs.applies("area"):
        # Families in the birth family's area are left out altogether (see _available); of the rest, only
        # those whose own area is recorded are known to be elsewhere. With the birth family's area not
        # recorded, nobody can be shown to be elsewhere.
        conditions["area"] = NEVER if needs.area_unknown else ~Q(area_key="")
    return conditions


def _met(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _available(households: QuerySet[Household], needs: Needs) -> QuerySet[Household]:
    """Approved families whose current availability is "available", never in a birth family's area to avoid."""
    households = (
        households.filter(status=Household.Status.APPROVED)
        # Aliases, not annotations: filtered on, never read (selected, the subquery would run again per row).
        .alias(availability_now=_current_availability(), area_key=Lower(Trim("area")))
        .filter(availability_now=Availability.Status.AVAILABLE)
    )
    keys = [area_key(area) for area in needs.avoid_areas]
    return households.exclude(area_key__in=keys) if keys else households


def may_find_families(actor: Any, raa_id: int | None) -> bool:
    """Whether ``actor`` may see the households of the RAA ``raa_id`` (whose families the suggestions rank)."""
    return raa_id is not None and raa_id in tenancy.scope_for(actor).household_org_ids


# What a family's card shows (and :func:`explain` reads): the rest of the household is not fetched.
CARD_FIELDS = (
    "name",
    "reference",
    "area",
    "approved_on",
    "approved_age_min",
    "approved_age_max",
    "approved_children_min",
    "approved_children_max",
    "approved_for_siblings",
    "disability_openness",
    "early_permanence_approved",
)


def ranked_families(
    *, actor: Any, needs: Needs, raa_id: int, child_ids: Sequence[int], today: date
) -> QuerySet[Household]:
    """The RAA's available families, each criterion, the score, the days waiting and any open link annotated;
    best first. One query, however many families."""
    conditions = _conditions(needs)
    met = {f"met_{key}": _met(q) for key, q in conditions.items()}
    # The score counts the criteria met, read from their annotations (each condition built once, not twice).
    score = functools.reduce(operator.add, (Cast(F(name), IntegerField()) for name in met))
    # The page shows nothing of the agency (it is the RAA, named once): no join to it; and of the family, only
    # what its card says.
    households = _available(
        household_list(actor=actor).select_related(None).only(*CARD_FIELDS).filter(approving_agency_id=raa_id), needs
    )
    return (
        households.annotate(**met)
        .annotate(
            score=score,
            days_waiting=DaysBetween(Value(today), F("approved_on")),
            linked=Exists(
                Link.objects.filter(household=OuterRef("pk"), child_id__in=child_ids, outcome=Link.Outcome.OPEN)
            ),
        )
        .order_by(F("score").desc(), F("days_waiting").desc(nulls_last=True), "name", "id")
    )


@dataclass(frozen=True)
class Counts:
    listed: int  # the RAA's available families, ranked on the page
    excluded_by_area: int  # the RAA's available families left out as they live in a birth family's area
    vaa: int  # available families at voluntary adoption agencies
    vaa_meeting_all: int  # of those, the ones meeting every criterion that applies


def _counts(*, actor: Any, needs: Needs, raa_id: int) -> Counts:
    """The page's four counts in one aggregate: one pass over the RAA's and the VAAs' approved families."""
    keys = [area_key(area) for area in needs.avoid_areas]
    in_area = Q(area_key__in=keys) if keys else NEVER
    # The RAA's families as ``household_list`` scopes them (the actor may see them: ``may_find_families``).
    # Families approved by voluntary adoption agencies are not the RAA's: the issue asks for them to be
    # counted, not ranked ("and N more at VAAs"). A family finder may still choose one for a link or a
    # match (tenancy's "families for matching"), without seeing its record.
    agencies = Organisation.objects.filter(
        Q(pk=raa_id, pk__in=tenancy.scope_for(actor).household_org_ids) | Q(kind=Organisation.Kind.VAA, is_active=True)
    )
    # One agency list (a semi-join the planner walks agency by agency on the agency and status index).
    raa = Q(approving_agency_id=raa_id)  # the RAA is not a VAA: every other family here is a VAA's
    every = functools.reduce(operator.and_, _conditions(needs).values())
    # Grouped by three flags rather than four filtered counts: the counts are sums of at most eight groups, and
    # the query is a third as long for Django to build (it took longer to build than to run).
    groups = (
        Household.objects.order_by()
        .filter(approving_agency__in=agencies.values("pk"), status=Household.Status.APPROVED)
        .alias(availability_now=_current_availability(), area_key=Lower(Trim("area")))
        .filter(availability_now=Availability.Status.AVAILABLE)
        .values(is_raa=_met(raa), in_area=_met(in_area), meets_all=_met(every))
        .annotate(n=Count("id"))
    )
    counts = {"listed": 0, "excluded": 0, "vaa": 0, "vaa_meeting_all": 0}
    for group in groups:
        if group["is_raa"]:
            counts["excluded" if group["in_area"] else "listed"] += group["n"]
        elif not group["in_area"]:
            counts["vaa"] += group["n"]
            counts["vaa_meeting_all"] += group["n"] if group["meets_all"] else 0
    return Counts(counts["listed"], counts["excluded"], counts["vaa"], counts["vaa_meeting_all"])


# --- a family, explained (pure) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    name: str
    met: bool
    why: str
    applies: bool = True  # False: nothing about these children for the family to meet (shown as such)


@dataclass(frozen=True)
class FamilySuggestion:
    household: Household
    criteria: tuple[Criterion, ...]
    score: int  # criteria met, of those that apply
    out_of: int  # criteria that apply
    days_waiting: int | None
    linked: bool  # an open link between this family and the child (or one of the group)
    why_here: str


def _and(words: Sequence[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _age_of(child: ChildNeeds) -> str:
    if child.unborn:
        return f"{child.name} is not born yet (counted as 0)"
    return f"{child.name} is {'under 1' if child.age == 0 else child.age}"


def _age(h: Any, needs: Needs) -> str:
    ages = _and([_age_of(c) for c in needs.children])
    if h.approved_age_max is None:
        return f"The age range approved is not recorded; {ages}"
    youngest = h.approved_age_min or 0
    span = f"{youngest} years" if youngest == h.approved_age_max else f"{youngest} to {h.approved_age_max} years"
    return f"Approved for {span}; {ages}"


def _number(h: Any, needs: Needs) -> str:
    group = "this is one child" if needs.size == 1 else f"this is a group of {needs.size}"
    if h.approved_children_max is None:
        return f"The number of children approved is not recorded; {group}"
    fewest = h.approved_children_min or 1
    if fewest == h.approved_children_max:
        span = _plural(fewest, "child", "children")
    else:
        span = f"{fewest} to {h.approved_children_max} children"
    return f"Approved for {span}; {group}"


def _siblings(h: Any, needs: Needs) -> str:
    if not needs.applies("siblings"):
        return f"Not needed: {needs.children[0].name} is one child, not a sibling group"
    approved = "Approved" if h.approved_for_siblings else "Not approved"
    return f"{approved} for a sibling group; this is a group of {needs.size}"


OPENNESS_TEXT = {
    Household.Openness.NONE: "Approved for children with no disability",
    Household.Openness.MILD: "Open to mild or uncertain needs",
    Household.Openness.MODERATE: "Open to moderate needs",
    Household.Openness.SIGNIFICANT: "Open to significant or complex needs",
}


def _disability(h: Any, needs: Needs) -> str:
    if not needs.applies("disability"):
        return f"Not needed: no disability is recorded for {_and([c.name for c in needs.children])}"
    openness = OPENNESS_TEXT.get(h.disability_openness, "Openness to disability is not recorded")
    names = needs.disabled
    return f"{openness}; {_and(names)} {'is' if len(names) == 1 else 'are'} disabled"


def _early_permanence(h: Any, needs: Needs) -> str:
    if not needs.applies("early_permanence"):
        return "Not needed: early permanence is not sought"
    approved = "Approved" if h.early_permanence_approved else "Not approved"
    return f"{approved} for early permanence; it is sought for {_and(needs.early_permanence)}"


def _area(h: Any, needs: Needs) -> str:
    if not needs.applies("area"):
        return f"Not needed: {_and([c.name for c in needs.children])} may live in any area"
    if needs.area_unknown:
        return (
            f"{_and(needs.area_unknown)} must not live in the birth family's area, which is not recorded: "
            "check before a link"
        )
    where = _and(needs.avoid_areas)
    if not h.area.strip():
        return f"The family's area is not recorded; the birth family lives in {where}"
    return f"Lives in {h.area.strip()}, not {where} where the birth family lives"


REASONS = {
    "age": _age,
    "children": _number,
    "siblings": _siblings,
    "disability": _disability,
    "early_permanence": _early_permanence,
    "area": _area,
}


def explain(household: Household, needs: Needs) -> FamilySuggestion:
    """One family from :func:`ranked_families`, in sentences. Whether each criterion is met comes from the query."""
    h: Any = household
    criteria = []
    for key, name in CRITERIA:
        applies = needs.applies(key)
        met = bool(getattr(h, f"met_{key}")) if applies else True
        criteria.append(Criterion(name, met, REASONS[key](h, needs), applies))
    out_of = sum(1 for c in criteria if c.applies)
    days = h.days_waiting
    waiting = f"waiting {_plural(days, 'day', 'days')}" if days is not None else "approval date not recorded"
    why = f"Meets {h.score} of {out_of} criteria; {waiting}"
    if h.linked:
        why += "; already linked"
    return FamilySuggestion(
        household=household,
        criteria=tuple(criteria),
        score=h.score,
        out_of=out_of,
        days_waiting=days,
        linked=bool(h.linked),
        why_here=why,
    )


def needs_summary(needs: Needs) -> list[tuple[str, str]]:
    """What a family needs to be approved for, as (criterion, sentence) rows for the page."""
    rows = [
        ("Age", _and([_age_of(c) for c in needs.children])),
        (
            "Number of children",
            "One child" if needs.size == 1 else f"{needs.size} children, to be placed together (a sibling group)",
        ),
    ]
    if needs.disabled:
        rows.append(("Disability", f"{_and(needs.disabled)}: a family open to disability"))
    if needs.early_permanence:
        rows.append(("Early permanence", f"Sought for {_and(needs.early_permanence)}"))
    if needs.restricted:
        where = _and(needs.avoid_areas) if needs.avoid_areas else "an area not recorded"
        rows.append(("Birth family's area", f"Not to live in the birth family's area ({where})"))
    return rows


# --- the suggestions for a child or a group -----------------------------------------------------------------


@dataclass(frozen=True)
class OpenLink:
    link: Link
    household_visible: bool  # the actor may open the household's page


@dataclass(frozen=True)
class Suggestions:
    children: list[Child]
    group: SiblingGroup | None  # the group asked about, or None for one child
    member_of: SiblingGroup | None  # for one child: the sibling group they are in, if any
    needs: Needs
    raa: Organisation | None  # the child's RAA, whose approved families are ranked
    may_find: bool  # the actor may see the RAA's households, so is shown the suggestions
    families: list[FamilySuggestion]  # this page of the ranked families, best first
    page: Page | None
    excluded_by_area: int  # the RAA's available families left out: they live in a birth family's area
    vaa_count: int  # available families at voluntary adoption agencies (counted, not listed)
    vaa_meeting_all: int  # of those, the ones meeting every criterion that applies
    open_links: list[OpenLink]


def suggestions(
    *,
    actor: Any,
    child_id: int | None = None,
    group_id: int | None = None,
    today: date,
    page: int | str | None = 1,
) -> Suggestions:
    """Suggested families for one child (``child_id``) or a sibling group (``group_id``); 404 outside scope.

    The families are approved by the RAA of the child's LA, available now, and never in a birth family's
    area the child must not live in; those at VAAs are only counted.
    """
    group: SiblingGroup | None = None
    member_of: SiblingGroup | None = None
    if group_id is not None:
        group = sibling_group_get(actor=actor, group_id=group_id)
        children = list(sibling_group_children(actor=actor, group=group))
        la = group.responsible_la
    elif child_id is not None:
        # The page shows the child's own fields (the needs), never the journey: no dates nor records to fetch.
        child = child_get(actor=actor, child_id=child_id, with_journey=False)
        children = [child]
        la = child.responsible_la
        # Their sibling group, read with them, if the actor sees its LA.
        membership = getattr(child, "sibling_membership", None)
        if membership is not None and tenancy.scope_for(actor).sees_la(membership.group.responsible_la_id):
            member_of = membership.group
    else:
        raise ValueError("Give a child_id or a group_id")
    raa = la.raa if la.raa_id else None  # fetched with the child or the group
    needs = needs_of(children, today)
    empty = Suggestions(children, group, member_of, needs, raa, False, [], None, 0, 0, 0, [])
    if raa is None or not children or not may_find_families(actor, raa.pk):
        return empty
    child_ids = [c.pk for c in children]
    ranked = ranked_families(actor=actor, needs=needs, raa_id=raa.pk, child_ids=child_ids, today=today)
    counts = _counts(actor=actor, needs=needs, raa_id=raa.pk)
    paginator = Paginator(ranked, PAGE_SIZE)
    paginator.count = counts.listed  # counted with the others above: the same families as ``ranked``
    current = paginator.get_page(page)
    household_orgs = tenancy.scope_for(actor).household_org_ids
    links = Link.objects.filter(child_id__in=child_ids, outcome=Link.Outcome.OPEN).select_related("child", "household")
    return Suggestions(
        children=children,
        group=group,
        member_of=member_of,
        needs=needs,
        raa=raa,
        may_find=True,
        families=[explain(h, needs) for h in current.object_list],
        page=current,
        excluded_by_area=counts.excluded_by_area,
        vaa_count=counts.vaa,
        vaa_meeting_all=counts.vaa_meeting_all,
        open_links=[
            OpenLink(link, link.household.approving_agency_id in household_orgs)
            for link in links.order_by("started_on", "id")
        ],
    )
