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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, overload

from django.core.paginator import Page, Paginator
from django.db import connection

from adopters.models import Availability, Household
from adoption import tenancy
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


# --- the ranking and the counts, in SQL ------------------------------------------------------------------------
# Two statements: one page of the ranked families, and the page's four counts. They are written here as SQL, from
# the needs (which criteria apply) and never from input: every value is a parameter. Built with the ORM, the two
# took three times as long to build and compile as PostgreSQL took to run them (about 10 ms against 3, on national
# data), so the page spent most of its time writing SQL.


def _criteria_sql(needs: Needs) -> dict[str, str]:
    """Each criterion that applies, as the SQL condition a family ``h`` meets. A NULL (not recorded) never meets
    one: each is read through ``coalesce(..., false)``."""
    conditions = {
        # Every child's age within the range: the youngest at or above its start, the oldest at or below its end.
        # No start recorded means from birth; no end recorded means the range is not recorded.
        "age": (
            "h.approved_age_max >= %(oldest)s AND (h.approved_age_min IS NULL OR h.approved_age_min <= %(youngest)s)"
        ),
        "children": (
            "h.approved_children_max >= %(size)s "
            "AND (h.approved_children_min IS NULL OR h.approved_children_min <= %(size)s)"
        ),
    }
    if needs.applies("siblings"):
        conditions["siblings"] = "h.approved_for_siblings"
    if needs.applies("disability"):
        conditions["disability"] = "h.disability_openness = ANY(%(open_to_disability)s::text[])"
    if needs.applies("early_permanence"):
        conditions["early_permanence"] = "h.early_permanence_approved"
    if needs.applies("area"):
        # Families in the birth family's area are left out altogether (``in_area``); of the rest, only those whose
        # own area is recorded are known to be elsewhere. With the birth family's area not recorded, nobody can be
        # shown to be elsewhere.
        conditions["area"] = "false" if needs.area_unknown else "lower(trim(h.area)) <> ''"
    return conditions


# What a family's card shows (and :func:`explain` reads): the rest of the household is not fetched.
CARD_FIELDS = (
    "id",
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

# The families of the RAA's (when the actor may see its households) and, for the counts, of the active VAAs;
# approved, and available now: their latest availability, as ``adopters.selectors._current_availability`` reads it.
# Each with its criteria (``met_<key>``), whether it is the RAA's and whether it is in a birth family's area to avoid.
_FAMILIES_SQL = """
SELECT {columns}, {criteria},
       h.approving_agency_id = %(raa)s AS is_raa,
       lower(trim(h.area)) = ANY(%(avoid_areas)s::text[]) AS in_area
  FROM adopters_household h
 WHERE h.status = %(approved)s
   AND h.approving_agency_id IN (SELECT o.id FROM adoption_organisation o
                                  WHERE (o.id = %(raa)s AND o.id = ANY(%(household_orgs)s::bigint[])){vaas})
   AND (SELECT a.status FROM adopters_availability a
         WHERE a.household_id = h.id ORDER BY a.status_from DESC, a.id DESC LIMIT 1) = %(available)s
"""
# Families approved by voluntary adoption agencies are not the RAA's: they are counted, not ranked ("and N more at
# VAAs"). A family finder may still choose one for a link or a match (tenancy's "families for matching"), without
# seeing its record.
_VAAS_SQL = " OR (o.kind = %(vaa)s AND o.is_active)"

# One page of the RAA's families outside the birth families' areas, best first: most criteria met, then the longest
# wait since approval, then the name.
_RANKED_SQL = """
SELECT f.*, {score} AS score, %(today)s::date - f.approved_on AS days_waiting,
       EXISTS (SELECT 1 FROM children_link l
                WHERE l.household_id = f.id AND l.child_id = ANY(%(child_ids)s::bigint[]) AND l.outcome = %(open)s)
         AS linked
  FROM ({families}) f
 WHERE NOT f.in_area
 ORDER BY score DESC, days_waiting DESC NULLS LAST, f.name, f.id
 LIMIT %(limit)s OFFSET %(offset)s
"""

# The page's four counts in one pass over the RAA's and the VAAs' families.
_COUNTS_SQL = """
SELECT count(*) FILTER (WHERE f.is_raa AND NOT f.in_area),
       count(*) FILTER (WHERE f.is_raa AND f.in_area),
       count(*) FILTER (WHERE NOT f.is_raa AND NOT f.in_area),
       count(*) FILTER (WHERE NOT f.is_raa AND NOT f.in_area AND {meets_all})
  FROM ({families}) f
"""


@functools.cache
def _card_fields() -> tuple[tuple[str, str], ...]:
    """``CARD_FIELDS`` as (attribute, column), in the model's order, as ``Model.from_db`` takes a row's values."""
    return tuple((f.attname, str(f.column)) for f in Household._meta.concrete_fields if f.name in CARD_FIELDS)


def _families_sql(criteria: dict[str, str], *, with_vaas: bool) -> str:
    return _FAMILIES_SQL.format(
        columns=", ".join(f"h.{column}" for _attname, column in _card_fields()),
        criteria=", ".join(f"coalesce({sql}, false) AS met_{key}" for key, sql in criteria.items()),
        vaas=_VAAS_SQL if with_vaas else "",
    )


def _params(*, actor: Any, needs: Needs, raa_id: int, **more: Any) -> dict[str, Any]:
    return {
        "raa": raa_id,
        # The RAA's families only when the actor may see its households (``household_list``'s scope).
        "household_orgs": sorted(tenancy.scope_for(actor).household_org_ids),
        "approved": Household.Status.APPROVED,
        "available": Availability.Status.AVAILABLE,
        "vaa": Organisation.Kind.VAA,
        "avoid_areas": [area_key(area) for area in needs.avoid_areas],
        "oldest": needs.oldest,
        "youngest": needs.youngest,
        "size": needs.size,
        "open_to_disability": list(OPEN_TO_DISABILITY),
        **more,
    }


class RankedFamilies:
    """The RAA's available families outside the birth families' areas, each criterion, the score, the days waiting
    and any open link read with them; best first. What the paginator slices: a slice is one query, however many
    families. It has no length: the suggestions count the families with the others (``_counts``), in one query."""

    def __init__(self, *, actor: Any, needs: Needs, raa_id: int, child_ids: Sequence[int], today: date) -> None:
        criteria = _criteria_sql(needs)
        score = " + ".join(f"f.met_{key}::integer" for key in criteria)
        self._sql = _RANKED_SQL.format(families=_families_sql(criteria, with_vaas=False), score=score)
        self._params = _params(
            actor=actor,
            needs=needs,
            raa_id=raa_id,
            today=today,
            child_ids=list(child_ids),
            open=Link.Outcome.OPEN,
        )

    @overload
    def __getitem__(self, index: int) -> Household: ...

    @overload
    def __getitem__(self, index: slice) -> list[Household]: ...

    def __getitem__(self, index: int | slice) -> Household | list[Household]:
        if isinstance(index, int):
            if index < 0:
                raise IndexError("Ranked families are counted from the first.")
            found = self[index : index + 1]
            if not found:
                raise IndexError("No family ranked there.")
            return found[0]
        if index.step is not None or (index.start or 0) < 0 or (index.stop or 0) < 0:
            raise IndexError("Ranked families are read in slices counted from the first.")
        start = index.start or 0
        limit = None if index.stop is None else max(0, index.stop - start)
        with connection.cursor() as cursor:
            cursor.execute(self._sql, {**self._params, "limit": limit, "offset": start})
            names = [column.name for column in cursor.description]
            rows = cursor.fetchall()
        attnames = tuple(attname for attname, _column in _card_fields())
        fields = len(attnames)
        households = []
        for row in rows:
            household = Household.from_db(connection.alias, attnames, row[:fields])
            for name, value in zip(names[fields:], row[fields:], strict=True):
                setattr(household, name, value)  # met_<key>, score, days_waiting, linked
            households.append(household)
        return households

    def __iter__(self) -> Iterator[Household]:
        return iter(self[0:None])


def ranked_families(*, actor: Any, needs: Needs, raa_id: int, child_ids: Sequence[int], today: date) -> RankedFamilies:
    """The RAA's available families, ranked (:class:`RankedFamilies`)."""
    return RankedFamilies(actor=actor, needs=needs, raa_id=raa_id, child_ids=child_ids, today=today)


def may_find_families(actor: Any, raa_id: int | None) -> bool:
    """Whether ``actor`` may see the households of the RAA ``raa_id`` (whose families the suggestions rank)."""
    return raa_id is not None and raa_id in tenancy.scope_for(actor).household_org_ids


@dataclass(frozen=True)
class Counts:
    listed: int  # the RAA's available families, ranked on the page
    excluded_by_area: int  # the RAA's available families left out as they live in a birth family's area
    vaa: int  # available families at voluntary adoption agencies
    vaa_meeting_all: int  # of those, the ones meeting every criterion that applies


def _counts(*, actor: Any, needs: Needs, raa_id: int) -> Counts:
    """The page's four counts in one aggregate: one pass over the RAA's and the VAAs' approved families."""
    criteria = _criteria_sql(needs)
    meets_all = " AND ".join(f"f.met_{key}" for key in criteria)
    sql = _COUNTS_SQL.format(families=_families_sql(criteria, with_vaas=True), meets_all=meets_all)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(actor=actor, needs=needs, raa_id=raa_id))
        listed, excluded, vaa, vaa_meeting_all = cursor.fetchone()
    return Counts(listed, excluded, vaa, vaa_meeting_all)


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
    # Counted with the others above (the same families as ``ranked``), so the paginator is given the count.
    paginator: Paginator[Household] = Paginator(ranked, PAGE_SIZE)  # type: ignore[arg-type]
    paginator.count = counts.listed
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
