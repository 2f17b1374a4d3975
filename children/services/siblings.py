"""Sibling groups: create, change the plan and assessment, rename, add and remove brothers and sisters."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from adoption import audit, concurrency, tenancy
from adoption.models import AuditEvent
from children.models import (
    Child,
    SiblingGroup,
    SiblingGroupMember,
)
from children.services.base import _child_for_write, _require_writer


@transaction.atomic
def sibling_group_create(
    *, actor: Any, name: str, child_ids: list[int], plan: str = SiblingGroup.Plan.UNDECIDED
) -> SiblingGroup:
    """Group brothers and sisters (all of one LA the actor may write to)."""
    if len(set(child_ids)) < 2:
        raise ValidationError({"child_ids": "A sibling group needs at least two children"})
    children = [_child_for_write(actor, child_id) for child_id in sorted(set(child_ids))]
    las = {child.responsible_la_id for child in children}
    if len(las) > 1:
        raise ValidationError({"child_ids": "Siblings in a group must have the same responsible LA"})
    taken = [str(c) for c in children if SiblingGroupMember.objects.filter(child=c).exists()]
    if taken:
        raise ValidationError({"child_ids": f"Already in a sibling group: {', '.join(taken)}"})
    group = SiblingGroup(responsible_la_id=las.pop(), name=name, plan=plan)
    group.full_clean()
    group.save()
    SiblingGroupMember.objects.bulk_create([SiblingGroupMember(group=group, child=child) for child in children])
    for child in children:
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=child, organisation_id=child.responsible_la_id)
    return group


def _group_for_write(actor: Any, group_id: int) -> SiblingGroup:
    """The sibling group, locked so its membership changes queue; 404 outside the actor's scope, 403 for a reader."""
    group = (
        tenancy.scope_children(
            SiblingGroup.objects.select_for_update(of=("self",)).select_related("responsible_la"), actor
        )
        .filter(pk=group_id)
        .first()
    )
    if group is None:
        raise Http404("No such sibling group.")
    _require_writer(actor)
    return group


def _group_name(name: str) -> str:
    name = name.strip()
    limit = SiblingGroup._meta.get_field("name").max_length
    if not name:
        raise ValidationError({"name": "Enter the name of the group"})
    if limit and len(name) > limit:
        raise ValidationError({"name": f"The name of the group must be {limit} characters or fewer"})
    return name


def _audit_membership(actor: Any, group: SiblingGroup, child: Child) -> None:
    """Membership rows have no change history (pghistory does not track them): the audit log is their record."""
    for obj in (child, group):
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=obj, organisation_id=group.responsible_la_id)


@transaction.atomic
def sibling_group_update(
    *,
    actor: Any,
    group_id: int,
    plan: str,
    assessed_on: date | None = None,
    assessment_outcome: str = "",
    name: str | None = None,
    expected_version: str | None = None,
) -> SiblingGroup:
    """Change the plan and sibling assessment, and the name when ``name`` is given (``None`` keeps it); refused if
    the group is no longer ``expected_version`` (``adoption.concurrency``)."""
    group = _group_for_write(actor, group_id)
    concurrency.check_unchanged(expected_version, group)
    if name is not None:
        group.name = _group_name(name)
    if assessed_on and assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The date must be today or in the past"})
    if bool(assessed_on) != bool(assessment_outcome):
        raise ValidationError({"assessment_outcome": "Enter both the date and the outcome of the sibling assessment"})
    group.plan, group.assessed_on, group.assessment_outcome = plan, assessed_on, assessment_outcome
    group.full_clean()
    group.save()
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=group, organisation_id=group.responsible_la_id)
    return group


@transaction.atomic
def sibling_group_add_member(*, actor: Any, group_id: int, child_id: int) -> SiblingGroup:
    """Add a brother or sister to a group: a child of the group's LA who is in no group yet."""
    group = _group_for_write(actor, group_id)
    child = _child_for_write(actor, child_id)
    if child.responsible_la_id != group.responsible_la_id:
        raise ValidationError(
            {
                "child_id": f"{child.full_name} cannot join this group: the children in a sibling group must all "
                f"have the group's responsible LA ({group.responsible_la.name})"
            }
        )
    current = SiblingGroupMember.objects.filter(child=child).select_related("group").first()
    if current and current.group_id == group.pk:
        raise ValidationError({"child_id": f"{child.full_name} is already in this group"})
    if current:
        raise ValidationError(
            {"child_id": f"{child.full_name} is already in another sibling group: {current.group.name}"}
        )
    member = SiblingGroupMember(group=group, child=child)
    member.full_clean()
    member.save()
    _audit_membership(actor, group, child)
    return group


@transaction.atomic
def sibling_group_remove_member(*, actor: Any, group_id: int, child_id: int) -> SiblingGroup:
    """Take a child out of a group that keeps at least two children (ending a group is another matter)."""
    group = _group_for_write(actor, group_id)
    child = _child_for_write(actor, child_id)
    member = group.members.filter(child=child).first()
    if member is None:
        raise ValidationError({"child_id": f"{child.full_name} is not in this group"})
    # The group row is locked above, so two removals at once cannot both see three children.
    if group.members.count() <= 2:
        raise ValidationError(
            {
                "child_id": f"{child.full_name} cannot be removed: a sibling group needs at least two children, "
                "and this group has two"
            }
        )
    member.delete()
    _audit_membership(actor, group, child)
    return group
