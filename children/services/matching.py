"""Family finding to a match: links and expressions of interest, the match, its reports, panel and decision.

A link is a possible family for a child (or a sibling group: one link per child, sharing the group).
A match joins one approved household with one or more children: one ``Match``, and for each child an
``AdoptivePlacement`` whose ``matched_on`` is the match decision date (903 AD1 DATE_MATCH). Recording
it closes the children's open links: the one with this family as matched, the others as withdrawn.

A child placed with a family approved by another agency (a VAA, or an RAA other than the child's) is
an inter-agency placement, and a fee is due: the rate in force on the date of the match for the
agency's type and the number of children, from the configured rates table, plus the London uplift
when the child's LA is in London. No rate configured: the match is saved without a fee, and the
match page says which rate is missing; no figure is invented.

Which families. A link or a match names a family from ``adopters.selectors.families_for_matching``: the
user's own agencies' approved families, and, under tenancy's family-for-matching rule, the approved and
available families of other agencies (an RAA's staff recording an inter-agency link or match). Choosing a
family is not seeing its record: nothing is said about another agency's family the user may not choose.

Locks are taken children first (in id order), then the household, then links: the order of the placement
services (each child, then ``adopters.services.household_follow_placements``), so two writers queue rather
than deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from adopters.models import Availability, Household
from adopters.selectors import families_for_matching, household_list
from adoption import audit, concurrency, tenancy
from adoption.dates import in_words as _fmt
from adoption.models import AuditEvent, Organisation
from children import fees
from children.models import AdoptivePlacement, Child, Link, Match, SiblingGroup
from children.services.base import (
    DECISION_WRITERS,
    JOURNEY_WRITERS,
    PANEL_WRITERS,
    _check,
    _child_for_write,
    _require_writer,
    _save,
)
from children.services.siblings import _group_for_write

DECLINED = (Link.Outcome.DECLINED_BY_ADOPTERS, Link.Outcome.DECLINED_BY_AGENCY)
# What a user records on a link; "matched" comes only from recording the match itself.
OUTCOMES_TO_RECORD = (*DECLINED, Link.Outcome.WITHDRAWN)


def _write(actor: Any, obj: Link | Match, la_id: int, action: AuditEvent.Action = AuditEvent.Action.CREATE):
    """Save a link or a match and audit it (under the children's LA)."""
    obj.full_clean()
    obj.save()
    audit.record(actor=actor, action=action, obj=obj, organisation_id=la_id)
    return obj


# --- the inter-agency fee ------------------------------------------------------------------------------------


def _set_fee(match: Match, household: Household, la: Organisation, children: int, on: date) -> None:
    """The inter-agency flag, and the fee from the rate in force on ``on`` (none when no rate is configured)."""
    match.inter_agency = fees.is_inter_agency(approving_agency=household.approving_agency, placing_la=la)
    match.fee_rate, match.fee_amount = None, None
    if match.inter_agency:
        fee = fees.inter_agency_fee(
            approving_agency=household.approving_agency, placing_la=la, children=children, on=on
        )
        match.fee_rate, match.fee_amount = fee.rate, fee.amount


# --- who, which family, which children -------------------------------------------------------------------------


def _household_for_write(actor: Any, household_id: int, *, to_match: bool = False) -> Household:
    """A family the actor may choose (``families_for_matching``), locked; for a match it must also be available.

    Lock it after the children (see the module docstring). The actor's own agencies' families are explained
    (not approved, on hold); another agency's family the actor may not choose is not described at all.
    """
    household = families_for_matching(actor=actor).select_for_update(of=("self",)).filter(pk=household_id).first()
    if household is None:
        own = household_list(actor=actor).filter(pk=household_id).first()
        if own is None:
            raise ValidationError(
                {
                    "household_id": "Choose an approved family from the list: another agency's family can be "
                    "chosen while it is approved and available for family finding"
                }
            )
        raise ValidationError(
            {
                "household_id": f"{own.name} is not an approved family waiting for a child "
                f"({own.get_status_display().lower()})"
            }
        )
    if to_match:
        latest = household.availability.order_by("-status_from", "-id").first()
        if latest and latest.status != Availability.Status.AVAILABLE:
            raise ValidationError(
                {
                    "household_id": f"{household.name} is not available for family finding: "
                    f"{latest.get_status_display().lower()} from {_fmt(latest.status_from)}"
                }
            )
    return household


def _children_for_write(
    actor: Any, *, child_id: int | None, group_id: int | None
) -> tuple[list[Child], SiblingGroup | None]:
    """The child, or every child of the sibling group, locked in id order; 404 outside the actor's scope."""
    if (child_id is None) == (group_id is None):
        raise ValueError("Give either a child or a sibling group")
    if group_id is None:
        return [_child_for_write(actor, child_id)], None  # type: ignore[arg-type]
    group = _group_for_write(actor, group_id)
    ids = sorted(group.members.values_list("child_id", flat=True))
    return [_child_for_write(actor, pk) for pk in ids], group


def _link_for_write(actor: Any, link_id: int) -> Link:
    link = (
        tenancy.scope_children(Link.objects.select_related("household"), actor, la_field="child__responsible_la")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise Http404("No such link.")
    _require_writer(actor)
    return link


def _match_for_write(actor: Any, match_id: int, roles: Iterable[str] = JOURNEY_WRITERS) -> Match:
    """The match, locked; 404 unless the actor may see its children, 403 unless they hold one of ``roles``."""
    la_ids = tenancy.scope_for(actor).la_ids
    match = (
        Match.objects.select_for_update(of=("self",))
        .filter(pk=match_id, placements__child__responsible_la__in=la_ids)
        .select_related("household__approving_agency")
        .first()
    )
    if match is None:
        raise Http404("No such match.")
    _require_writer(actor, roles)
    return match


def _named(child: Child, error: ValidationError, several: bool) -> ValidationError:
    """For a sibling group, say which child a refusal is about."""
    if not several or not hasattr(error, "error_dict"):
        return error
    return ValidationError({key: [f"{child.full_name}: {m}" for m in msgs] for key, msgs in error.message_dict.items()})


# --- links ------------------------------------------------------------------------------------------------------


@transaction.atomic
def link_record(
    *,
    actor: Any,
    household_id: int,
    started_on: date,
    origin: str,
    child_id: int | None = None,
    group_id: int | None = None,
) -> list[Link]:
    """A link with an approved family (the agency's, or the adopters' expression of interest).

    For a sibling group, one link per child, sharing the group. Returns the links made.
    """
    # Children first, then the family: the lock order of every write here (see the module docstring).
    children, group = _children_for_write(actor, child_id=child_id, group_id=group_id)
    household = _household_for_write(actor, household_id)
    if household.approved_on and started_on < household.approved_on:
        raise ValidationError(
            {
                "started_on": f"The link must be on or after {household.name} was approved "
                f"({_fmt(household.approved_on)})"
            }
        )
    links = []
    for child in children:
        if child.links.filter(household=household, outcome=Link.Outcome.OPEN).exists():
            raise ValidationError(
                {
                    "household_id": f"{child.full_name} already has an open link with {household.name}: "
                    "record its outcome before linking them again"
                }
            )
        try:
            _check(child, fields={"link_on": "started_on"}, link_on=started_on)
        except ValidationError as error:
            raise _named(child, error, len(children) > 1) from error
        link = Link(child=child, sibling_group=group, household=household, origin=origin, started_on=started_on)
        links.append(_write(actor, link, child.responsible_la_id))
    return links


@transaction.atomic
def link_outcome_record(
    *, actor: Any, link_id: int, outcome: str, outcome_on: date, decline_reason: str = ""
) -> list[Link]:
    """What became of a link: declined (with a reason from the list, so the family can be told) or withdrawn.

    A sibling group's link is one decision: the outcome applies to every child's link of that group and
    family. Returns the links closed.
    """
    link = _link_for_write(actor, link_id)
    if link.outcome != Link.Outcome.OPEN:
        raise ValidationError({"outcome": f"This link already has an outcome: {link.get_outcome_display().lower()}"})
    if outcome == Link.Outcome.MATCHED:
        raise ValidationError({"outcome": "Record the match itself: the links with the family close when it is"})
    if outcome not in OUTCOMES_TO_RECORD:
        raise ValidationError({"outcome": "Choose what happened to the link"})
    if outcome in DECLINED and not decline_reason:
        raise ValidationError({"decline_reason": "Choose why the link was declined, so the family can be told"})
    if outcome_on < link.started_on:
        raise ValidationError({"outcome_on": f"The outcome must be on or after the link ({_fmt(link.started_on)})"})
    if link.sibling_group_id:
        children, _group = _children_for_write(actor, child_id=None, group_id=link.sibling_group_id)
    else:
        children = [_child_for_write(actor, link.child_id)]
    by_child = {child.pk: child for child in children}
    closing = Link.objects.select_for_update().filter(
        household=link.household, outcome=Link.Outcome.OPEN, child__in=by_child
    )
    if link.sibling_group_id:
        closing = closing.filter(sibling_group=link.sibling_group_id)
    else:
        closing = closing.filter(pk=link.pk)
    closed = []
    for item in closing.order_by("child_id"):
        child = by_child[item.child_id]
        _check(child, fields={"link_outcome_on": "outcome_on"}, link_outcome_on=outcome_on)
        item.outcome, item.outcome_on = outcome, outcome_on
        item.decline_reason = decline_reason if outcome in DECLINED else ""
        closed.append(_write(actor, item, child.responsible_la_id, AuditEvent.Action.UPDATE))
    return closed


# --- the match --------------------------------------------------------------------------------------------------


@transaction.atomic
def match_record(
    *,
    actor: Any,
    household_id: int,
    matched_on: date,
    child_id: int | None = None,
    group_id: int | None = None,
    link_id: int | None = None,
) -> Match:
    """Match an approved, available family with a child, a sibling group, or the children of a link.

    One match, and one adoptive placement per child dated ``matched_on`` (the match decision: 903 AD1
    DATE_MATCH). Each child must have a decision that they should be placed for adoption on or before
    it (903 rule 333) and no current match. The children's open links close on that date: the one with
    this family as matched, the others as withdrawn. The inter-agency flag and fee are worked out here.
    """
    if link_id is not None:
        link = _link_for_write(actor, link_id)
        if link.outcome != Link.Outcome.OPEN:
            raise ValidationError({"link_id": f"This link is closed: {link.get_outcome_display().lower()}"})
        if link.household_id != household_id:
            raise ValidationError({"household_id": f"The link is with {link.household.name}: match with that family"})
        if child_id is None and group_id is None:
            child_id, group_id = (None, link.sibling_group_id) if link.sibling_group_id else (link.child_id, None)
    # Lock the children (in id order) before the family, as the placement services do (each child, then
    # household_follow_placements locks the family): taken the other way round, a match and a placement
    # recorded at once for the same family could each hold what the other waits for, and deadlock.
    children, group = _children_for_write(actor, child_id=child_id, group_id=group_id)
    household = _household_for_write(actor, household_id, to_match=True)
    if link_id is not None and link.child_id not in {child.pk for child in children}:
        raise ValidationError({"link_id": "The link is not with these children"})
    for child in children:
        if child.adoptive_placements.filter(ended_on__isnull=True).exists():
            raise ValidationError(
                {"child_id": f"{child.full_name} already has a current match: end it before recording another"}
            )
    la = children[0].responsible_la
    match = Match(household=household, sibling_group=group, decided_on=matched_on)
    _set_fee(match, household, la, len(children), matched_on)
    _write(actor, match, la.pk)
    for child in children:
        try:
            placement = _placement_for(actor, child, household, matched_on)
        except ValidationError as error:
            raise _named(child, error, len(children) > 1) from error
        AdoptivePlacement.objects.filter(pk=placement.pk).update(match=match)
        _close_links(actor, child, household, matched_on)
    return match


def _placement_for(actor: Any, child: Child, household: Household, matched_on: date) -> AdoptivePlacement:
    # The per-child journey rules (decision before the match, dates not in the future) are those of
    # recording a placement on its own, so the placement is recorded through that service.
    from children.services import adoptive_placement_record

    return adoptive_placement_record(actor=actor, child_id=child.pk, matched_on=matched_on, household_id=household.pk)


def _close_links(actor: Any, child: Child, household: Household, matched_on: date) -> None:
    for link in child.links.select_for_update().filter(outcome=Link.Outcome.OPEN).order_by("id"):
        matched = link.household_id == household.pk
        if matched and link.started_on > matched_on:
            raise ValidationError(
                {
                    "matched_on": f"The match must be on or after the link with {household.name} "
                    f"({_fmt(link.started_on)})"
                }
            )
        # Another family's link started after the match date (recorded late) closes on its own start.
        link.outcome = Link.Outcome.MATCHED if matched else Link.Outcome.WITHDRAWN
        link.outcome_on = max(matched_on, link.started_on)
        _write(actor, link, child.responsible_la_id, AuditEvent.Action.UPDATE)


@transaction.atomic
def match_update(
    *,
    actor: Any,
    match_id: int,
    placement_report_status: str,
    support_plan_status: str,
    expected_version: str | None = None,
) -> Match:
    """Where the Adoption Placement Report and the adoption support plan have got to; refused if the match is no
    longer ``expected_version`` (``adoption.concurrency``)."""
    match = _match_for_write(actor, match_id)
    concurrency.check_unchanged(expected_version, match)
    match.placement_report_status, match.support_plan_status = placement_report_status, support_plan_status
    return _write(actor, match, _la_id(match), AuditEvent.Action.UPDATE)


# The panel and the decision: a clean seam for the panels app. When a matching panel's recommendation
# and the agency decision maker's decision are recorded there, the panels app calls these two services,
# so the match, its placements' 903 dates and the fee stay consistent whichever page recorded them.


@transaction.atomic
def match_panel_record(
    *, actor: Any, match_id: int, panel_on: date, panel_recommendation: str, expected_version: str | None = None
) -> Match:
    """The matching panel's date and recommendation, recorded by the panel's staff (the panels app calls this).
    Refused if the match is no longer ``expected_version`` (``adoption.concurrency``)."""
    match = _match_for_write(actor, match_id, PANEL_WRITERS)
    concurrency.check_unchanged(expected_version, match)
    if panel_on > timezone.localdate():
        raise ValidationError({"panel_on": "The date must be today or in the past"})
    if not panel_recommendation:
        raise ValidationError({"panel_recommendation": "Choose the panel's recommendation"})
    if match.decided_on and panel_on > match.decided_on:
        raise ValidationError(
            {"panel_on": f"The panel must be on or before the agency decision ({_fmt(match.decided_on)})"}
        )
    match.panel_on, match.panel_recommendation = panel_on, panel_recommendation
    return _write(actor, match, _la_id(match), AuditEvent.Action.UPDATE)


@transaction.atomic
def match_decision_record(*, actor: Any, match_id: int, decided_on: date, expected_version: str | None = None) -> Match:
    """The agency decision maker's decision on the match (the panels app calls this when the ADM decides).

    The decision date is the match date: every child's placement takes it as ``matched_on`` (903 AD1
    DATE_MATCH; rule 333 the decision that the child should be placed for adoption is on or before it,
    rule 331 the placement is on or after it), and the fee is the rate in force on it. Refused if the match is no
    longer ``expected_version`` (``adoption.concurrency``).
    """
    match = _match_for_write(actor, match_id, DECISION_WRITERS)
    concurrency.check_unchanged(expected_version, match)
    if match.panel_on and decided_on < match.panel_on:
        raise ValidationError({"decided_on": f"The decision must be on or after the panel ({_fmt(match.panel_on)})"})
    placements = list(match.placements.order_by("child_id"))
    children = [_child_for_write(actor, placement.child_id, DECISION_WRITERS) for placement in placements]
    for placement, child in zip(placements, children, strict=True):
        if placement.placed_on and decided_on > placement.placed_on:
            raise _named(
                child,
                ValidationError(
                    {
                        "decided_on": f"The match must be on or before the child was placed "
                        f"({_fmt(placement.placed_on)}) (903 rule 331)"
                    }
                ),
                len(children) > 1,
            )
        try:
            _check(child, fields={"matched_on": "decided_on", "placed_on": "decided_on"}, matched_on=decided_on)
        except ValidationError as error:
            raise _named(child, error, len(children) > 1) from error
        placement.matched_on = decided_on
        _save(actor, placement, child, AuditEvent.Action.UPDATE)
    match.decided_on = decided_on
    la = children[0].responsible_la
    _set_fee(match, match.household, la, len(children), decided_on)
    return _write(actor, match, la.pk, AuditEvent.Action.UPDATE)


def _la_id(match: Match) -> int:
    return match.placements.values_list("child__responsible_la_id", flat=True).first()  # type: ignore[return-value]
