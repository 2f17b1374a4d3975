"""Global search: children, sibling groups, households and panel meetings, among what the actor may see.

Every group starts from the tenancy scope of its records (``adoption.tenancy``; the panels' own scope for
meetings), so a search never finds, nor counts, a record the actor could not open. Exact identifiers come first
(a child's LA child ID, 903 child ID or UPN; a household's reference; a meeting's date), then names, those that
start with the words typed before those that only contain them. PostgreSQL has no trigram extension here, so names
are matched with ``icontains`` on each word: a few thousand rows per LA, well within a page's time.

A search records no audit event (the audit module has no action for one, and a search reads no record: opening a
result does, through that record's own selector) and the words searched for are kept nowhere: not in the audit
trail, and not in the logs (``adoption.log_privacy`` removes query strings from every log line).

This module reads the children's, the households', the panels' and support's records: it lives in ``reporting``, the
app that may read every other app's (DESIGN.md's one-way dependencies), as search is the one page across them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When, Window
from django.urls import reverse

from adopters.models import Applicant, Household
from adoption import tenancy
from adoption.dates import in_words
from children.models import Child, SiblingGroup
from panels.models import PanelMeeting
from panels.selectors import PANEL_READERS, scope_panels

# Shorter than this (after trimming) is not searched: one letter would match most of the records.
MIN_LENGTH = 2
# Each group shows at most this many results; the rest are counted ("N more: refine your search").
GROUP_LIMIT = 20
# Words beyond this many are ignored (each is one more condition on every row).
MAX_WORDS = 5

EXACT, STARTS, CONTAINS = 0, 1, 2


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""
    exact: bool = False  # matched an identifier exactly (or a meeting's date)


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    hits: list[Hit]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


@dataclass(frozen=True)
class Results:
    query: str
    problem: str = ""  # why nothing was searched (an empty or too short query); "" when searched
    groups: list[Group] = field(default_factory=list)

    @property
    def searched(self) -> bool:
        return not self.problem

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


def _words(query: str) -> list[str]:
    return query.split()[:MAX_WORDS]


def _all_words(words: list[str], fields: tuple[str, ...], extra: Any = None) -> Q:
    """Every word is in one of ``fields`` (or meets ``extra(word)``)."""
    condition = Q()
    for word in words:
        either = Q()
        for name in fields:
            either |= Q(**{f"{name}__icontains": word})
        if extra is not None:
            either |= extra(word)
        condition &= either
    return condition


def _first_word_starts(words: list[str], fields: tuple[str, ...]) -> Q:
    either = Q()
    for name in fields:
        either |= Q(**{f"{name}__istartswith": words[0]})
    return either


def _ranked(queryset: QuerySet, exact: Q, starts: Q, *order: str) -> QuerySet:
    """Rank (exact, starts, contains), the total as a window count (one query per group), then ``order``."""
    rank = Case(
        When(exact, then=Value(EXACT)),
        When(starts, then=Value(STARTS)),
        default=Value(CONTAINS),
        output_field=IntegerField(),
    )
    return queryset.annotate(rank=rank, found=Window(Count("pk"))).order_by("rank", *order)


def _group(key: str, title: str, rows: list[Any], make: Any) -> Group:
    total = rows[0].found if rows else 0
    return Group(key, title, [make(row) for row in rows], total)


# --- children ----------------------------------------------------------------------------------------------


_CHILD_IDS = ("la_child_id", "child_903_id", "upn")


def _child_ids_match(query: str) -> Q:
    condition = Q()
    for name in _CHILD_IDS:
        condition |= Q(**{f"{name}__iexact": query})
    return condition


def _child_hit(child: Child) -> Hit:
    born = child.date_of_birth or child.expected_date_of_birth
    born_words = ("Born " if child.date_of_birth else "Expected ") + in_words(born) if born else ""
    ids = [
        f"{label} {value}"
        for label, value in (
            ("LA child ID", child.la_child_id),
            ("903 child ID", child.child_903_id),
            ("UPN", child.upn),
        )
        if value
    ]
    detail = "; ".join(part for part in (child.responsible_la.name, born_words, *ids) if part)
    return Hit(child.full_name, reverse("children:detail", args=[child.pk]), detail, child.rank == EXACT)  # type: ignore[attr-defined]


def search_children(*, actor: Any, query: str) -> Group:
    words = _words(query)
    names = ("first_name", "last_name")
    exact = _child_ids_match(query)
    children = tenancy.scope_children(Child.objects.select_related("responsible_la"), actor).filter(
        exact | _all_words(words, names)
    )
    rows = list(
        _ranked(children, exact, _first_word_starts(words, names), "last_name", "first_name", "pk")[:GROUP_LIMIT]
    )
    return _group("children", "Children", rows, _child_hit)


# --- sibling groups ----------------------------------------------------------------------------------------


def search_sibling_groups(*, actor: Any, query: str) -> Group:
    words = _words(query)
    groups = tenancy.scope_children(SiblingGroup.objects.select_related("responsible_la"), actor).filter(
        _all_words(words, ("name",))
    )
    rows = list(
        _ranked(groups, Q(name__iexact=query), _first_word_starts(words, ("name",)), "name", "pk")[:GROUP_LIMIT]
    )

    def hit(group: SiblingGroup) -> Hit:
        return Hit(
            group.name,
            reverse("children:sibling-group", args=[group.pk]),
            group.responsible_la.name,
            group.rank == EXACT,  # type: ignore[attr-defined]
        )

    return _group("sibling-groups", "Sibling groups", rows, hit)


# --- households --------------------------------------------------------------------------------------------


def _applicant_named(word: str) -> Q:
    applicants = Applicant.objects.filter(household=OuterRef("pk")).filter(
        Q(first_name__icontains=word) | Q(last_name__icontains=word)
    )
    return Q(Exists(applicants))


def search_households(*, actor: Any, query: str) -> Group:
    words = _words(query)
    exact = Q(reference__iexact=query)
    households = tenancy.scope_households(Household.objects.select_related("approving_agency"), actor).filter(
        exact | _all_words(words, ("name",), _applicant_named)
    )
    rows = list(_ranked(households, exact, _first_word_starts(words, ("name",)), "name", "pk")[:GROUP_LIMIT])

    def hit(household: Household) -> Hit:
        detail = f"{household.reference}; {household.get_status_display()}; {household.approving_agency.name}"
        return Hit(
            household.name,
            reverse("adopters:detail", args=[household.pk]),
            detail,
            household.rank == EXACT,  # type: ignore[attr-defined]
        )

    return _group("households", "Households", rows, hit)


# --- panel meetings ----------------------------------------------------------------------------------------

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d.%m.%Y")
_MONTH_FORMATS = ("%B %Y", "%b %Y", "%m/%Y")


def parse_day(text: str) -> date | None:
    """A date as people type it: 17/6/2025, 2025-06-17, 17 June 2025, 17 Jun 2025."""
    cleaned = re.sub(r"\s+", " ", text.strip())
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def parse_month(text: str) -> tuple[int, int] | None:
    """A month as people type it: June 2025, Jun 2025, 6/2025 -> (year, month)."""
    cleaned = re.sub(r"\s+", " ", text.strip())
    for pattern in _MONTH_FORMATS:
        try:
            parsed = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        return parsed.year, parsed.month
    return None


def search_meetings(*, actor: Any, query: str) -> Group:
    """Meetings of the panels the actor works with: on a date typed (or in a month), or at a place named."""
    meetings = scope_panels(PanelMeeting.objects.select_related("raa"), actor)
    day, month = parse_day(query), parse_month(query)
    if day is not None:
        exact = Q(held_on=day)
        condition = exact
    elif month is not None:
        exact = Q(held_on__year=month[0], held_on__month=month[1])
        condition = exact
    else:
        exact = Q(pk__in=[])
        condition = _all_words(_words(query), ("place",))
    rows = list(
        _ranked(meetings.filter(condition), exact, Q(place__istartswith=query), "-held_on", "-starts_at", "-pk")[
            :GROUP_LIMIT
        ]
    )

    def hit(meeting: PanelMeeting) -> Hit:
        title = f"Panel on {in_words(meeting.held_on)}"
        detail = f"{meeting.starts_at:%H:%M}, {meeting.place}; {meeting.raa.name}"
        return Hit(title, reverse("panels:meeting", args=[meeting.pk]), detail, meeting.rank == EXACT)  # type: ignore[attr-defined]

    return _group("panel-meetings", "Panel meetings", rows, hit)


# --- the search ----------------------------------------------------------------------------------------------


def search(*, actor: Any, query: str) -> Results:
    """Every group the actor has records of, in a fixed order; a group is left out when its scope is empty.

    ``problem`` says why nothing was searched: an empty query, or one shorter than ``MIN_LENGTH`` characters.
    """
    query = " ".join(query.split())[:100]
    if not query:
        return Results(query, "Enter a name, an ID or a date to search for")
    if len(query) < MIN_LENGTH:
        return Results(query, f"Enter at least {MIN_LENGTH} characters to search for")
    scope = tenancy.scope_for(actor)
    groups: list[Group] = []
    if scope.la_ids:
        groups.append(search_children(actor=actor, query=query))
        groups.append(search_sibling_groups(actor=actor, query=query))
    if scope.household_org_ids:
        groups.append(search_households(actor=actor, query=query))
    if tenancy.raa_ids_with_roles(actor, PANEL_READERS):
        groups.append(search_meetings(actor=actor, query=query))
    return Results(query, "", groups)
