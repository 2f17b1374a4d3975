"""Recently viewed: the records a user last opened, from their own audit trail (no table of its own).

Every page of a record audits its read (``adoption.audit.record`` with ``AuditEvent.Action.READ``), so the user's
latest READ events name what they looked at and when. Each record is looked up again through its tenancy scope
before it is listed: one the user can no longer see (they moved LA, lost a role, the record was disposed of) is
left out, as if it did not exist. A fixed number of queries: one for the events, one per kind of record.

Like ``reporting.search``, this lives in ``reporting``, the app that may read every other app's records: it is the one
list of records across every app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse

from adopters.models import Household
from adoption import tenancy
from adoption.dates import in_words
from adoption.models import AuditEvent, User
from children.models import Child, SiblingGroup
from panels.models import PanelMeeting
from panels.selectors import scope_panels
from support import access as support_access
from support.models import SupportRequest

LIMIT = 10
# How many of the user's latest reads are looked at to find LIMIT distinct records still in scope.
EVENTS_READ = 200


@dataclass(frozen=True)
class Kind:
    label: str  # what the record is, in words
    scoped: Callable[[Any], QuerySet]  # the actor's records of this kind
    name: Callable[[Any], str]
    url: Callable[[Any], str]


def _meeting_name(meeting: PanelMeeting) -> str:
    return f"Panel on {in_words(meeting.held_on)}, {meeting.place}"


KINDS: dict[str, Kind] = {
    "children.child": Kind(
        "Child",
        lambda actor: tenancy.scope_children(Child.objects.all(), actor),
        lambda child: child.full_name,
        lambda child: reverse("children:detail", args=[child.pk]),
    ),
    "children.siblinggroup": Kind(
        "Sibling group",
        lambda actor: tenancy.scope_children(SiblingGroup.objects.all(), actor),
        lambda group: group.name,
        lambda group: reverse("children:sibling-group", args=[group.pk]),
    ),
    "adopters.household": Kind(
        "Household",
        lambda actor: tenancy.scope_households(Household.objects.all(), actor),
        lambda household: household.name,
        lambda household: reverse("adopters:detail", args=[household.pk]),
    ),
    "panels.panelmeeting": Kind(
        "Panel meeting",
        lambda actor: scope_panels(PanelMeeting.objects.all(), actor),
        _meeting_name,
        lambda meeting: reverse("panels:meeting", args=[meeting.pk]),
    ),
    "support.supportrequest": Kind(
        "Support request",
        lambda actor: support_access.scope_support(SupportRequest.objects.all(), actor),
        lambda request: request.family_name,
        lambda request: reverse("support:request", args=[request.pk]),
    ),
}


@dataclass(frozen=True)
class Viewed:
    kind: str  # the record's kind in words ("Child")
    name: str
    url: str
    viewed_at: datetime


def recently_viewed(*, actor: Any, limit: int = LIMIT) -> list[Viewed]:
    """The user's last ``limit`` distinct records read, newest first, each still in the user's scope."""
    if not isinstance(actor, User) or not actor.pk:
        return []
    events = (
        AuditEvent.objects.filter(actor=actor, action=AuditEvent.Action.READ, object_type__in=list(KINDS))
        .order_by("-occurred_at", "-id")
        .values_list("object_type", "object_id", "occurred_at")[:EVENTS_READ]
    )
    latest: dict[tuple[str, str], datetime] = {}
    for object_type, object_id, occurred_at in events:
        latest.setdefault((object_type, object_id), occurred_at)
    wanted: dict[str, set[int]] = {}
    for object_type, object_id in latest:
        if object_id.isdigit():
            wanted.setdefault(object_type, set()).add(int(object_id))
    found: dict[tuple[str, str], Model] = {}
    for object_type, ids in wanted.items():
        for record in KINDS[object_type].scoped(actor).filter(pk__in=ids):
            found[(object_type, str(record.pk))] = record
    viewed = []
    for key, occurred_at in latest.items():  # newest first: the events were read newest first
        record = found.get(key)
        if record is None:
            continue
        kind = KINDS[key[0]]
        viewed.append(Viewed(kind.label, kind.name(record), kind.url(record), occurred_at))
        if len(viewed) == limit:
            break
    return viewed
