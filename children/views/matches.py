"""Links and matches: a child's (or sibling group's) links and matches, recording them, and the match page.

The reads are ``children.selectors.matches`` (a link or a match is seen through its children, so a user of
another LA gets 404 for the page and for every form posted to it) and, for the families a link or a match may
name, ``adopters.selectors.families_for_matching``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format

from adopters.selectors import families_for_matching
from adoption.concurrency import VERSION_FIELD, with_version
from adoption.forms import VersionedForm
from children import fees, selectors, services
from children.forms.base import GovukForm
from children.forms.matching import (
    LinkForm,
    LinkOutcomeForm,
    MatchDecisionForm,
    MatchFromLinkForm,
    MatchPanelForm,
    MatchRecordForm,
    MatchReportsForm,
)
from children.models import AdoptivePlacement, Child, Link, Match, SiblingGroup
from children.selectors import matches as reads
from children.views.common import GET_POST, _can_write, _form_data, _require_writer, _service_form_page

# --- what the pages show ----------------------------------------------------------------------------------------


def _day(day: date | None) -> str:
    return date_format(day, "j F Y") if day else ""


@dataclass
class LinkRow:
    """One link as the table shows it: a sibling group's link is one row for all its children."""

    link: Link
    children: list[Child] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.link.outcome == Link.Outcome.OPEN


def _rows(links: QuerySet[Link]) -> list[LinkRow]:
    rows: dict[tuple[Any, ...], LinkRow] = {}
    for link in links:
        key: tuple[Any, ...] = (link.pk,)
        if link.sibling_group_id:
            key = (link.sibling_group_id, link.household_id, link.started_on, link.outcome, link.outcome_on)
        rows.setdefault(key, LinkRow(link)).children.append(link.child)
    return list(rows.values())


def _fee(match: Match, placements: list[AdoptivePlacement]) -> dict[str, Any] | None:
    """The inter-agency fee as the match page explains it: the figure and rate stored on the match."""
    if not match.inter_agency:
        return None
    la = placements[0].child.responsible_la
    on = match.decided_on or min(p.matched_on for p in placements)
    basis = fees.inter_agency_fee(
        approving_agency=match.household.approving_agency, placing_la=la, children=len(placements), on=on
    )
    # The rate used when the match was recorded, even if the rates table has been edited since.
    fee = replace(basis, rate=match.fee_rate, amount=match.fee_amount)
    return {"fee": fee, "on": on, "london_uplift": bool(fee.rate and fee.london and fee.rate.london_uplift_percent)}


# --- a child's or a group's links and matches ------------------------------------------------------------------


def _links_page(
    request: HttpRequest, *, child: Child | None, group: SiblingGroup | None, children: list[Child]
) -> HttpResponse:
    actor = request.user
    if group is not None:
        links = reads.link_list(actor=actor, sibling_group=group)
        matches = reads.match_list(actor=actor, children=children)
    else:
        links = reads.link_list(actor=actor, child=child)
        matches = reads.match_list(actor=actor, child=child)
    can_write = _can_write(request)
    dates = [selectors.journey_dates(c) for c in children]
    # A match needs every child's decision that they should be placed for adoption, and no current match.
    can_match = can_write and all(d.decision_on and not d.matched_on for d in dates)
    membership = selectors.sibling_membership(child) if child is not None else None
    return render(
        request,
        "children/link_list.html",
        {
            "child": child,
            "group": group,
            "children": children,
            "sibling_group": membership.group if membership else None,
            "rows": _rows(links),
            "matches": list(matches),
            "can_write": can_write,
            "can_match": can_match,
        },
    )


@login_required
def child_links(request: HttpRequest, child_id: int) -> HttpResponse:
    child = selectors.child_get(actor=request.user, child_id=child_id)
    return _links_page(request, child=child, group=None, children=[child])


@login_required
def group_links(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.sibling_group_get(actor=request.user, group_id=group_id)
    children = list(selectors.sibling_group_children(actor=request.user, group=group))
    return _links_page(request, child=None, group=group, children=children)


# --- recording a link or a match for a child or a group --------------------------------------------------------


def _subject(request: HttpRequest, child_id: int | None, group_id: int | None) -> tuple[dict[str, Any], str, str]:
    """The child or group a page is about: the service's argument, its name, and its links page."""
    if group_id is not None:
        group = selectors.sibling_group_get(actor=request.user, group_id=group_id)
        return {"group_id": group.pk}, group.name, reverse("children:group-links", kwargs={"group_id": group.pk})
    child = selectors.child_get(actor=request.user, child_id=child_id)  # type: ignore[arg-type]
    return {"child_id": child.pk}, child.full_name, reverse("children:links", kwargs={"child_id": child.pk})


def _household_asked_for(request: HttpRequest) -> dict[str, Any]:
    """``?household=<id>``: the family chosen on the family-finding suggestions page, preselected."""
    asked = request.GET.get("household", "")
    return {"household": int(asked)} if asked.isdigit() else {}


def _no_families(form: LinkForm | MatchRecordForm) -> str:
    if form.has_families:
        return ""
    return "There are no approved families waiting that you can see. The RAA's family finders record links and matches."


def _match_url(match: Match) -> str:
    return reverse("children:match-detail", kwargs={"match_id": match.pk})


@dataclass(frozen=True)
class FamilyPage:
    """Recording a link or a match for a child or a sibling group, with a family chosen from the approved ones."""

    form: type[LinkForm | MatchRecordForm]
    service: Callable[..., Any]
    title: str
    group_intro: str
    done: str
    button: str
    goes_to_match: bool = False  # afterwards: the match's page, else the links page


def _family_page(spec: FamilyPage, request: HttpRequest, child_id: int | None, group_id: int | None) -> HttpResponse:
    subject, name, links_url = _subject(request, child_id, group_id)
    _require_writer(request)
    households = families_for_matching(actor=request.user)
    form = spec.form(_form_data(request), households=households, initial=_household_asked_for(request))
    return _service_form_page(
        request,
        form,
        lambda **kwargs: spec.service(actor=request.user, **subject, **kwargs),
        done=spec.done,
        then=_match_url if spec.goes_to_match else links_url,
        page={"title": spec.title, "intro": _no_families(form) or (spec.group_intro if group_id else "")},
        back=links_url,
        caption=name,
        button=spec.button,
    )


LINK_PAGE = FamilyPage(
    LinkForm,
    services.link_record,
    "Record a link",
    "For a sibling group, the link is recorded for every child in the group.",
    "The link was recorded",
    "Record the link",
)
MATCH_PAGE = FamilyPage(
    MatchRecordForm,
    services.match_record,
    "Record a match",
    "One match with the family for every child in the group: each child's placement has the date of the match.",
    "The match was recorded",
    "Record the match",
    goes_to_match=True,
)


@login_required
@GET_POST
def link_create(request: HttpRequest, child_id: int) -> HttpResponse:
    return _family_page(LINK_PAGE, request, child_id, None)


@login_required
@GET_POST
def group_link_create(request: HttpRequest, group_id: int) -> HttpResponse:
    return _family_page(LINK_PAGE, request, None, group_id)


@login_required
@GET_POST
def match_create(request: HttpRequest, child_id: int) -> HttpResponse:
    return _family_page(MATCH_PAGE, request, child_id, None)


@login_required
@GET_POST
def group_match_create(request: HttpRequest, group_id: int) -> HttpResponse:
    return _family_page(MATCH_PAGE, request, None, group_id)


# --- one link ---------------------------------------------------------------------------------------------------


def _link_context(link: Link) -> tuple[str, str, str]:
    """The link's links page, the child's or group's name, and what the page says about the link."""
    if link.sibling_group_id:
        group = link.sibling_group
        back = reverse("children:group-links", kwargs={"group_id": link.sibling_group_id})
        name = group.name if group else ""
    else:
        back = reverse("children:links", kwargs={"child_id": link.child_id})
        name = link.child.full_name
    about = f"{link.get_origin_display()} with {link.household.name}, from {_day(link.started_on)}."
    if link.outcome != Link.Outcome.OPEN:
        about += f" {link.get_outcome_display()} on {_day(link.outcome_on)}."
    return back, name, about


@login_required
@GET_POST
def link_outcome(request: HttpRequest, link_id: int) -> HttpResponse:
    link = reads.link_get(actor=request.user, link_id=link_id)
    _require_writer(request)
    back, name, about = _link_context(link)
    intro = "The outcome is recorded for every child in the group." if link.sibling_group_id else ""
    return _service_form_page(
        request,
        LinkOutcomeForm(_form_data(request)),
        lambda **kwargs: services.link_outcome_record(actor=request.user, link_id=link.pk, **kwargs),
        done="The outcome of the link was recorded",
        then=back,
        page={"title": "Record the outcome of the link", "intro": intro},
        back=back,
        caption=name,
        about=about,
        button="Record the outcome",
    )


@login_required
@GET_POST
def link_match(request: HttpRequest, link_id: int) -> HttpResponse:
    link = reads.link_get(actor=request.user, link_id=link_id)
    _require_writer(request)
    back, name, about = _link_context(link)
    return _service_form_page(
        request,
        MatchFromLinkForm(_form_data(request)),
        lambda **kwargs: services.match_record(
            actor=request.user, household_id=link.household_id, link_id=link.pk, **kwargs
        ),
        done="The match was recorded",
        then=_match_url,
        page={"title": f"Record the match with {link.household.name}", "intro": ""},
        back=back,
        caption=name,
        about=about,
        button="Record the match",
    )


# --- the match ------------------------------------------------------------------------------------------------


@login_required
def match_detail(request: HttpRequest, match_id: int) -> HttpResponse:
    match = reads.match_get(actor=request.user, match_id=match_id)
    placements = list(match.placements.all())
    children = [p.child for p in placements]
    led_to_it = reads.link_list(
        actor=request.user, children=children, household=match.household, outcome=Link.Outcome.MATCHED
    )
    return render(
        request,
        "children/match_detail.html",
        {
            "match": match,
            "placements": placements,
            "children": children,
            "la": children[0].responsible_la,
            "fee": _fee(match, placements),
            "links": _rows(led_to_it),
            "can_write": _can_write(request),
        },
    )


def _match_form_view(
    form_class: type[GovukForm], service: Callable[..., Match], *, title: str, intro: str, done: str
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A page changing one part of a match through ``service``, then back to the match page."""

    @login_required
    @GET_POST
    def view(request: HttpRequest, match_id: int) -> HttpResponse:
        match = reads.match_get(actor=request.user, match_id=match_id)
        _require_writer(request)
        initial = {name: getattr(match, name) for name in form_class.base_fields if name != VERSION_FIELD}
        if issubclass(form_class, VersionedForm):
            initial = with_version(initial, match)
        names = ", ".join(p.child.full_name for p in match.placements.all())
        return _service_form_page(
            request,
            form_class(_form_data(request), initial=initial),
            lambda **kwargs: service(actor=request.user, match_id=match.pk, **kwargs),
            done=done,
            then=_match_url,
            page={"title": title, "intro": intro},
            back=_match_url(match),
            caption=f"Match of {names} with {match.household.name}",
        )

    return view


match_update = _match_form_view(
    MatchReportsForm,
    services.match_update,
    title="Change the report statuses",
    intro="The Adoption Placement Report and the adoption support plan go to the matching panel.",
    done="The report statuses were saved",
)
match_panel = _match_form_view(
    MatchPanelForm,
    services.match_panel_record,
    title="Record the matching panel",
    intro="",
    done="The panel's recommendation was recorded",
)
match_decision = _match_form_view(
    MatchDecisionForm,
    services.match_decision_record,
    title="Record the agency decision",
    intro="This is the date of the match for every child. An inter-agency fee is the rate in force on it.",
    done="The agency decision was recorded",
)
