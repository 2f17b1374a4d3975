"""SSDA903 import: from an LA's 903 tables to the children's journeys, all or nothing.

The steps, each its own function so pages, the API, jobs and tests share them:

1. :func:`children.ssda903.reader.read_upload` reads the files into the four tables and reports
   file-level problems (unreadable, unknown file, missing column, bad date, unknown code, a child
   missing from Header).
2. :func:`dfe_findings` runs the DfE's own rules (``csc-validator-be-903``, via
   :func:`children.ssda903.validation.validate_tables`) on the same tables.
3. :func:`plan_import` turns the tables into a plan per child and diffs it against the record, so
   the plan holds only what would change; importing the same files again plans nothing.
4. :func:`execute` carries out the plan through ``children.services`` (the same rules, messages and
   audit as the pages), one savepoint per child inside one transaction: a preview rolls everything
   back at the end, an apply rolls everything back if any child is refused.

What the import maps (everything else in the 903 is left alone):

* Header CHILD/DOB/SEX/ETHNIC/UPN (and UASC from the XML form) -> the child, found by its 903 ID
  within the LA; a new child is named "Child <903 ID>" because the 903 carries no names.
* Episodes -> periods of care and episodes (RNE S starts a period; REC other than X1 ends it).
  Recorded episodes are never rewritten: the file may only end the open episode and add later
  ones. A file that disagrees with a recorded episode is refused with the difference named.
* PlacedAdoption DATE_PLACED / DATE_PLACED_CEASED / REASON_PLACED_CEASED -> decisions that the
  child should be placed for adoption and their reversals; AD1 DATE_INT too.
* An episode whose LS becomes E1 or D1 -> a placement order (E1 placement, D1 freeing order).
* A run of A3-A6 episodes -> an adoptive placement (placed on its first day; A3/A5 = with their
  foster carers, who they moved in with at the start of the episodes with RNE L/U/B before it);
  AD1 DATE_MATCH is the match. A run that ends without adoption is a disruption.
  The 903 has DATE_MATCH only for adopted children: a child placed but not adopted gets the
  placement date as the match date, with a warning.
* REC E11/E12 -> the adoption order (on DEC) and the end of the period of care.
* REC E41 -> a child arrangements order, E45 to E48 -> a special guardianship order (on DEC).

Which DfE findings block the import (:data:`BLOCKING_DFE_RULES`): the validity of every code and
date; the order of the adoption dates (331, 333, 334, 554, 1003 and the other rules on the AD1 and
PlacedAdoption tables); the episode sequence the import relies on (142, 388, 501); and the DfE's
integrity checks (INT..). Everything else the DfE checks (postcodes, URNs, providers, UPN format,
mothers, respite, collection-year bounds) is shown as a warning: it is the LA's return to correct,
and nothing the import stores depends on it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.http import Http404
from django.utils import timezone

from adoption import audit, jobs, tenancy
from adoption.models import ApiClient, AuditEvent, Job, JobInput, Organisation
from children import rules, services
from children.codes import (
    ADOPTION_REASONS,
    ADOPTIVE_PLACEMENTS,
    SPECIAL_GUARDIANSHIP_REASONS,
    WITH_CURRENT_FOSTER_CARERS,
)
from children.models import Child, Episode, PermanenceOutcome, PlacementOrder
from children.ssda903 import reader
from children.ssda903.reader import Problem, Row, Tables
from children.ssda903.validation import ADOPTION_TABLES, collection_year_label, collection_year_of, validate_tables

logger = logging.getLogger(__name__)

# DfE rules whose findings stop the import (see the module docstring); the others are warnings.
BLOCKING_DFE_RULES = frozenset(
    {
        # codes and dates that are not valid
        *("101", "102", "103", "112", "113", "114", "115", "116", "119", "120", "141", "143", "144", "145"),
        *("146", "147", "148", "149", "151", "168", "171", "175", "176", "177", "178", "356", "1009"),
        # the order and consistency of the adoption dates (AD1, PlacedAdoption and the episodes)
        *("184", "302", "331", "333", "334", "390", "522", "523", "525", "551", "552", "553", "554"),
        *("558", "563", "579", "583", "1003"),
        # the episode sequence the import turns into periods of care
        *("142", "388", "501"),
        # the DfE's integrity checks between the tables
        *("INT01", "INT02", "INT03", "INT11", "INT12", "INT31", "INT32"),
    }
)

# Problem codes of the import's own planning (the reader's are in children.ssda903.reader).
CONFLICT = "IMP-CONFLICT"
EPISODES = "IMP-EPISODES"
PERIOD = "IMP-PERIOD"
MATCH_DATE = "IMP-MATCH"
ORDER_DATE = "IMP-ORDER"
JOURNEY = "IMP-JOURNEY"
REFUSED = "IMP-REFUSED"
STALE = "IMP-STALE"
DFE_NOT_RUN = "IMP-DFE"

PHASE_PREVIEW = "preview"  # validate and preview; nothing is written
PHASE_APPLY = "apply"  # apply a preview the user confirmed
PHASE_IMPORT = "import"  # validate and, when nothing blocks, apply (the API without dry_run)

LETTER_SEX_FROM = 2024  # the first collection year whose SEX codes are M, F and U
MAX_PROBLEMS_KEPT = 2000  # in a job's result; the count says how many there were
NEW_CHILD_FIRST_NAME = "Child"  # the 903 has no names: "Child 1001" until someone enters them

_RULE_IN_MESSAGE = re.compile(r"\s*\(903 rule (\w+)\)$")
_UPN_UNKNOWN = re.compile(r"^UN\d{1,2}$")
_SAME_CARERS = frozenset({"L", "T", "U"})  # RNE: the child stayed with the same carers (DfE meanings)
_ORDER_STATUSES = frozenset({"E1", "D1"})


def _d(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "none"


# --- the file's data for one child -----------------------------------------------------------------


@dataclass
class Ep:
    """One episode on the child's timeline: from the file (``row``), the record (``db``), or both."""

    started_on: date
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    ended_on: date | None
    rec: str
    rpc: str
    home_post: str
    pl_post: str
    urn: str
    row: Row | None = None
    db: Episode | None = None

    @classmethod
    def from_row(cls, row: Row) -> Ep:
        v = row.values
        decom = row.dates.get("DECOM")
        assert decom is not None  # rows without a valid DECOM stop the import before planning
        return cls(
            started_on=decom,
            rne=v["RNE"],
            ls=v["LS"],
            cin=v["CIN"],
            place=v["PLACE"],
            provider=v["PLACE_PROVIDER"],
            ended_on=row.dates.get("DEC"),
            rec=v["REC"],
            rpc=v["REASON_PLACE_CHANGE"],
            home_post=_postcode(v["HOME_POST"]),
            pl_post=_postcode(v["PL_POST"]),
            urn=v["URN"],
            row=row,
        )

    @classmethod
    def from_db(cls, episode: Episode) -> Ep:
        return cls(
            started_on=episode.started_on,
            rne=episode.reason_new_episode,
            ls=episode.legal_status,
            cin=episode.category_of_need,
            place=episode.placement_type,
            provider=episode.placement_provider,
            ended_on=episode.ended_on,
            rec=episode.reason_ended,
            rpc=episode.reason_place_change,
            home_post=episode.home_postcode,
            pl_post=episode.placement_postcode,
            urn=episode.urn,
            db=episode,
        )

    @property
    def ends_period(self) -> bool:
        return self.ended_on is not None and self.rec not in ("", "X1")


def _postcode(text: str) -> str:
    return " ".join(text.upper().split())


def _same_postcode(a: str, b: str) -> bool:
    return a.replace(" ", "").upper() == b.replace(" ", "").upper()


@dataclass
class Decision:
    decided_on: date
    reversed_on: date | None
    reason: str
    row: Row


@dataclass
class ChildIn:
    child: str
    header: Row
    episodes: list[Ep] = field(default_factory=list)
    decisions: dict[date, Decision] = field(default_factory=dict)
    ad1: Row | None = None


def _children_in(tables: Tables) -> dict[str, ChildIn]:
    found = {row.child: ChildIn(row.child, row) for row in tables.rows["Header"]}
    for row in tables.rows["Episodes"]:
        found[row.child].episodes.append(Ep.from_row(row))
    for row in tables.rows["PlacedAdoption"]:
        decided = row.dates["DATE_PLACED"]
        assert decided is not None
        found[row.child].decisions[decided] = Decision(
            decided, row.dates.get("DATE_PLACED_CEASED"), row.values["REASON_PLACED_CEASED"], row
        )
    for row in tables.rows["AD1"]:
        item = found[row.child]
        item.ad1 = row
        decided = row.dates["DATE_INT"]
        if decided and decided not in item.decisions:
            item.decisions[decided] = Decision(decided, None, "", row)
    for item in found.values():
        item.episodes.sort(key=lambda e: e.started_on)
    return found


# --- the plan ----------------------------------------------------------------------------------------

# Same-day order of the steps: a period starts before anything that needs it, an adoption order
# before the period of care it ends.
RANK = {
    "child_create": 0,
    "child_update": 1,
    "period_start": 10,
    "episode": 20,
    "decision": 30,
    "placement_order": 40,
    "adoptive_placement": 50,
    "match_correction": 55,
    "placement_end": 60,
    "reversal": 70,
    "adoption_order": 80,
    "permanence_outcome": 80,
    "period_end": 90,
}


@dataclass
class Step:
    on: date
    action: str
    kwargs: dict[str, Any]
    text: str
    row: Row | None = None

    @property
    def key(self) -> tuple[date, int]:
        return self.on, RANK[self.action]


@dataclass
class ChildPlan:
    child: str  # the 903 CHILD id
    child_id: int | None  # None for a child the import creates
    header: Row
    created_id: int | None = None  # the child the import created, once it is saved
    # The latest date in the files: what the record says happened after it (an episode ending, a
    # reversal) is news the files could not have, not a disagreement, so an older return is "no change".
    as_at: date = date.max
    steps: list[Step] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.child_id is None:
            return "new"
        return "changed" if self.steps else "unchanged"

    def add(self, on: date, action: str, text: str, row: Row | None = None, **kwargs: Any) -> None:
        self.steps.append(Step(on, action, kwargs, text, row))

    def refuse(self, rule: str, message: str, row: Row | None = None) -> None:
        self.problems.append(Problem(rule, message, **(row or self.header).where()))

    def warn(self, rule: str, message: str, row: Row | None = None) -> None:
        self.warnings.append(Problem(rule, message, blocking=False, **(row or self.header).where()))

    def ordered(self) -> list[Step]:
        return sorted(self.steps, key=lambda s: s.key)


def _existing_children(*, actor: Any, la: Organisation, ids: Sequence[str]) -> dict[str, Child]:
    """The LA's children with these 903 IDs, with everything the diff compares."""
    # Matched without regard to case (the DfE's own checks upper-case the IDs), the exact spelling first.
    wanted = {child_id.upper() for child_id in ids}
    children = tenancy.scope_children(
        Child.objects.filter(responsible_la=la).annotate(id_upper=Upper("child_903_id")).filter(id_upper__in=wanted),
        actor,
    ).prefetch_related(
        "periods_of_care__episodes",
        "adoption_decisions",
        "placement_orders",
        "adoptive_placements",
        "permanence_outcomes",
    )
    by_upper: dict[str, Child] = {}
    for child in sorted(children, key=lambda c: c.child_903_id not in ids):
        by_upper.setdefault(child.child_903_id.upper(), child)
    return {child_id: by_upper[child_id.upper()] for child_id in ids if child_id.upper() in by_upper}


def plan_import(*, actor: Any, la: Organisation, tables: Tables) -> list[ChildPlan]:
    """A plan per child in Header: what would change in the record. Call only on tables without blocking problems."""
    incoming = _children_in(tables)
    existing = _existing_children(actor=actor, la=la, ids=list(incoming))
    as_at = tables.latest_date() or date.max
    return [_plan_child(item, existing.get(item.child), as_at) for item in incoming.values()]


def _plan_child(item: ChildIn, child: Child | None, as_at: date = date.max) -> ChildPlan:
    plan = ChildPlan(item.child, child.pk if child else None, item.header, as_at=as_at)
    _plan_details(plan, item, child)
    timeline = _plan_episodes(plan, item, child)
    _plan_decisions(plan, item, child)
    orders = _plan_orders(plan, timeline, child)
    placements = _plan_placements(plan, item, timeline, child)
    adoption = _plan_adoption_order(plan, timeline, child)
    _plan_other_outcomes(plan, timeline, child)
    if plan.steps and not plan.problems:
        _check_journey(plan, item, child, timeline, orders, placements, adoption)
    return plan


def _plan_details(plan: ChildPlan, item: ChildIn, child: Child | None) -> None:
    v, row = item.header.values, item.header
    fields: dict[str, Any] = {}
    dob = row.dates.get("DOB")
    if dob:
        fields["date_of_birth"] = dob
    if v.get("SEX"):
        fields["sex"] = reader.SEX_CODES[v["SEX"]]
    if v.get("ETHNIC"):
        fields["ethnicity"] = v["ETHNIC"]
    if v.get("UPN") and not _UPN_UNKNOWN.match(v["UPN"]):
        fields["upn"] = v["UPN"]  # UN1 to UN10 say why there is no UPN: nothing to store
    uasc = v.get("UASC", "").upper()
    if uasc in {"1", "TRUE", "Y", "YES"}:
        fields["is_uasc"] = True
    elif uasc in {"0", "FALSE", "N", "NO"}:
        fields["is_uasc"] = False
    if child is None:
        plan.add(
            date.min,
            "child_create",
            f"New child, 903 ID {item.child}: born {_d(dob)}"
            + (f", sex {fields['sex']}" if "sex" in fields else "")
            + (f", ethnicity {fields['ethnicity']}" if "ethnicity" in fields else "")
            + f" (named '{NEW_CHILD_FIRST_NAME} {item.child}' until their names are entered)",
            row,
            child_903_id=item.child,
            first_name=NEW_CHILD_FIRST_NAME,
            last_name=item.child,
            **fields,
        )
        return
    changed = {name: value for name, value in fields.items() if getattr(child, name) != value}
    if changed:
        labels = {"date_of_birth": "date of birth", "sex": "sex", "ethnicity": "ethnicity", "upn": "UPN"}
        text = "; ".join(
            f"{labels.get(name, name.replace('_', ' '))} "
            f"{_d(getattr(child, name)) if isinstance(value, date) else getattr(child, name) or 'blank'}"
            f" -> {_d(value) if isinstance(value, date) else value}"
            for name, value in changed.items()
        )
        plan.add(date.min, "child_update", f"Details: {text}", row, **changed)


def _plan_episodes(plan: ChildPlan, item: ChildIn, child: Child | None) -> list[Ep]:
    """The child's episodes as they would be (recorded ones before the file's, then the file's); plans the changes."""
    recorded = sorted(
        (Ep.from_db(e) for period in (child.periods_of_care.all() if child else []) for e in period.episodes.all()),
        key=lambda e: e.started_on,
    )
    incoming = item.episodes
    if not incoming:
        return recorded
    first = incoming[0].started_on
    in_file = {e.started_on for e in incoming}
    by_start = {e.started_on: e for e in recorded}
    latest_recorded = recorded[-1].started_on if recorded else None
    for ep in recorded:
        if ep.started_on >= first and ep.started_on not in in_file and ep.started_on <= plan.as_at:
            plan.refuse(
                CONFLICT,
                f"The record has an episode from {_d(ep.started_on)} ({ep.ls}, {ep.place}) that is not in the file. "
                "The import does not remove episodes: correct the file or the record",
                incoming[0].row,
            )
    for ep in incoming:
        ended_only = bool(ep.ended_on) != bool(ep.rec)
        if ended_only:
            plan.refuse(EPISODES, "DEC and REC must both be given (the episode ended) or both blank", ep.row)
        old = by_start.get(ep.started_on)
        if old is None:
            if latest_recorded and ep.started_on <= latest_recorded:
                plan.refuse(
                    CONFLICT,
                    f"The episode from {_d(ep.started_on)} is earlier than the latest recorded episode "
                    f"({_d(latest_recorded)}) and is not in the record: the import can only add later episodes",
                    ep.row,
                )
            continue
        ep.db = old.db
        _compare_episode(plan, ep, old)
    timeline = [e for e in recorded if e.started_on < first] + incoming
    if latest_recorded and latest_recorded > incoming[-1].started_on:
        return timeline  # an older return than the record: it can only agree or disagree, not add
    for index, ep in enumerate(timeline):
        previous = timeline[index - 1] if index else None
        following = timeline[index + 1] if index + 1 < len(timeline) else None
        if ep.row is None:
            continue
        if ep.db is None:
            _plan_new_episode(plan, ep, previous)
        if ep.ended_on and ep.rec and (ep.db is None or ep.db.ended_on is None):
            if ep.rec == "X1":
                if following is None:
                    plan.refuse(
                        EPISODES,
                        f"The episode ended on {_d(ep.ended_on)} with REC X1 (the period of care continues) "
                        "but the file has no next episode",
                        ep.row,
                    )
            else:
                plan.add(
                    ep.ended_on,
                    "period_end",
                    f"Left care on {_d(ep.ended_on)} (REC {ep.rec})",
                    ep.row,
                    ended_on=ep.ended_on,
                    reason_ended=ep.rec,
                )
    return timeline


def _compare_episode(plan: ChildPlan, new: Ep, old: Ep) -> None:
    """The same episode in the file and the record: only its end may be added."""
    fields = [
        ("RNE", new.rne, old.rne),
        ("LS", new.ls, old.ls),
        ("CIN", new.cin, old.cin),
        ("PLACE", new.place, old.place),
        ("PLACE_PROVIDER", new.provider, old.provider),
        ("URN", new.urn, old.urn),
    ]
    differences = [
        f"{name} {was or 'blank'} in the record, {now or 'blank'} in the file"
        for name, now, was in fields
        if now != was
    ]
    for name, now, was in (("HOME_POST", new.home_post, old.home_post), ("PL_POST", new.pl_post, old.pl_post)):
        if not _same_postcode(now, was):
            differences.append(f"{name} {was or 'blank'} in the record, {now or 'blank'} in the file")
    if old.ended_on is not None and not (new.ended_on is None and old.ended_on > plan.as_at):
        if new.ended_on != old.ended_on or new.rec != old.rec:
            differences.append(
                f"the record shows it ended on {_d(old.ended_on)} ({old.rec}), the file "
                + (f"on {_d(new.ended_on)} ({new.rec})" if new.ended_on else "shows it still open")
            )
        elif old.rec == "X1" and old.rpc and new.rpc and old.rpc != new.rpc:
            differences.append(f"REASON_PLACE_CHANGE {old.rpc} in the record, {new.rpc} in the file")
    if differences:
        plan.refuse(
            CONFLICT,
            f"The episode from {_d(new.started_on)} differs from the record: {'; '.join(differences)}. "
            "The import does not change recorded episodes: correct the file or the record",
            new.row,
        )


def _plan_new_episode(plan: ChildPlan, ep: Ep, previous: Ep | None) -> None:
    details = {
        "legal_status": ep.ls,
        "category_of_need": ep.cin,
        "placement_type": ep.place,
        "placement_provider": ep.provider,
        "home_postcode": ep.home_post,
        "placement_postcode": ep.pl_post,
        "urn": ep.urn,
    }
    if ep.rne == "S":
        if previous is not None and not previous.ends_period:
            plan.refuse(
                EPISODES,
                f"The episode starts a new period of care (RNE S) but the episode before it (from "
                f"{_d(previous.started_on)}) has not ended the previous period",
                ep.row,
            )
        plan.add(
            ep.started_on,
            "period_start",
            f"Entered care on {_d(ep.started_on)} ({ep.ls}, {ep.place})",
            ep.row,
            started_on=ep.started_on,
            **details,
        )
        return
    if previous is None or previous.ends_period:
        plan.refuse(
            PERIOD,
            f"The episode from {_d(ep.started_on)} continues a period of care (RNE {ep.rne}), but neither the file "
            "nor the record has the start of that period. Include the earlier episodes back to the one with RNE S, "
            "or record when the child entered care first",
            ep.row,
        )
        return
    if previous.ended_on and previous.ended_on != ep.started_on:
        plan.refuse(
            EPISODES,
            f"The episode before this one ended on {_d(previous.ended_on)}, but this one starts on "
            f"{_d(ep.started_on)}: an episode that continues the period starts the day the previous one ended",
            ep.row,
        )
    plan.add(
        ep.started_on,
        "episode",
        f"New episode from {_d(ep.started_on)}: RNE {ep.rne}, LS {ep.ls}, placement {ep.place}",
        ep.row,
        started_on=ep.started_on,
        reason_new_episode=ep.rne,
        reason_place_change=previous.rpc if ep.rne != "L" else "",
        **details,
    )


def _plan_decisions(plan: ChildPlan, item: ChildIn, child: Child | None) -> None:
    recorded = {d.decided_on: d for d in (child.adoption_decisions.all() if child else [])}
    for decided_on in sorted(item.decisions):
        new = item.decisions[decided_on]
        old = recorded.get(decided_on)
        if old is None:
            plan.add(
                decided_on,
                "decision",
                f"Decision that the child should be placed for adoption: {_d(decided_on)}",
                new.row,
                decided_on=decided_on,
            )
        elif old.reversed_on and not new.reversed_on:
            if old.reversed_on > plan.as_at:
                continue  # reversed after the return was made
            plan.refuse(
                CONFLICT,
                f"The record shows the decision of {_d(decided_on)} was reversed on {_d(old.reversed_on)}; the file "
                "shows it still in force. The import does not undo reversals",
                new.row,
            )
            continue
        elif old.reversed_on and (old.reversed_on != new.reversed_on or old.reversal_reason != new.reason):
            plan.refuse(
                CONFLICT,
                f"The decision of {_d(decided_on)} was reversed on {_d(old.reversed_on)} ({old.reversal_reason}) in "
                f"the record, on {_d(new.reversed_on)} ({new.reason}) in the file",
                new.row,
            )
            continue
        if new.reversed_on and (old is None or old.reversed_on is None):
            plan.add(
                new.reversed_on,
                "reversal",
                f"Decision of {_d(decided_on)} reversed on {_d(new.reversed_on)} ({new.reason or 'no reason given'})",
                new.row,
                reversed_on=new.reversed_on,
                reason=new.reason,
            )


def _periods(timeline: list[Ep]) -> list[list[Ep]]:
    periods: list[list[Ep]] = []
    for ep in timeline:
        if not periods or ep.rne == "S" or periods[-1][-1].ends_period:
            periods.append([])
        periods[-1].append(ep)
    return periods


def _plan_orders(plan: ChildPlan, timeline: list[Ep], child: Child | None) -> list[tuple[date, Row | None]]:
    """Placement orders from the episodes whose legal status becomes E1 or D1."""
    recorded = list(child.placement_orders.all()) if child else []
    made: list[tuple[date, Row | None]] = [(o.made_on, None) for o in recorded]
    for period in _periods(timeline):
        start, end = period[0].started_on, period[-1].ended_on
        for index, ep in enumerate(period):
            if ep.row is None or ep.ls not in _ORDER_STATUSES:
                continue
            if index and period[index - 1].ls == ep.ls:
                continue
            same_day = next((o for o in recorded if o.made_on == ep.started_on), None)
            if same_day is not None:
                if same_day.order_type != ep.ls:
                    plan.refuse(
                        CONFLICT,
                        f"The record has a {same_day.get_order_type_display()} on {_d(ep.started_on)}; the episode "
                        f"has legal status {ep.ls}",
                        ep.row,
                    )
                continue
            in_period = [
                o
                for o in recorded
                if o.order_type == ep.ls and o.made_on >= start and (end is None or o.made_on <= end)
            ]
            if in_period:
                plan.warn(
                    ORDER_DATE,
                    f"The record has the placement order on {_d(in_period[0].made_on)}; the episodes show legal "
                    f"status {ep.ls} from {_d(ep.started_on)}. The recorded order is kept",
                    ep.row,
                )
                continue
            kind = PlacementOrder.OrderType(ep.ls)
            plan.add(
                ep.started_on,
                "placement_order",
                f"{kind.label}: {_d(ep.started_on)}",
                ep.row,
                made_on=ep.started_on,
                order_type=ep.ls,
            )
            made.append((ep.started_on, ep.row))
    return made


@dataclass
class Run:
    """Consecutive episodes placed for adoption (A3 to A6) within one period of care."""

    episodes: list[Ep]
    carers_from: date | None  # A3/A5: when the child moved in with the carers who adopt

    @property
    def placed_on(self) -> date:
        return self.episodes[0].started_on

    @property
    def with_foster_carers(self) -> bool:
        return self.episodes[0].place in WITH_CURRENT_FOSTER_CARERS

    @property
    def adopted(self) -> bool:
        return self.episodes[-1].rec in ADOPTION_REASONS and self.episodes[-1].ended_on is not None

    @property
    def ended_on(self) -> date | None:
        """The day the placement ended before an adoption order (a disruption), if it did."""
        last = self.episodes[-1]
        return None if self.adopted else last.ended_on

    @property
    def row(self) -> Row | None:
        return next((e.row for e in self.episodes if e.row is not None), None)


def _runs(timeline: list[Ep]) -> list[Run]:
    runs: list[Run] = []
    for period in _periods(timeline):
        current: list[Ep] = []
        for index, ep in enumerate(period):
            if ep.place in ADOPTIVE_PLACEMENTS:
                if not current:
                    carers_from = None
                    if ep.place in WITH_CURRENT_FOSTER_CARERS and index > 0:
                        # A3/A5: the episode before is with the same carers by definition; further
                        # back, an episode whose RNE is L, T or U did not change carers either.
                        first = index - 1
                        while first > 0 and period[first].rne in _SAME_CARERS:
                            first -= 1
                        carers_from = period[first].started_on
                    runs.append(Run(current, carers_from))
                current.append(ep)
            else:
                current = []
    return [run for run in runs if any(e.row is not None for e in run.episodes)]


@dataclass
class PlacementFacts:
    matched_on: date
    placed_on: date | None
    ended_on: date | None
    row: Row | None


def _plan_placements(plan: ChildPlan, item: ChildIn, timeline: list[Ep], child: Child | None) -> list[PlacementFacts]:
    """Matches and placements from AD1 DATE_MATCH and the A3-A6 episodes; returns them as they would be."""
    recorded = list(child.adoptive_placements.all()) if child else []
    final = {p.pk: PlacementFacts(p.matched_on, p.placed_on, p.ended_on, None) for p in recorded}
    new: list[PlacementFacts] = []
    runs = _runs(timeline)
    ad1 = item.ad1
    match = ad1.dates.get("DATE_MATCH") if ad1 else None
    ad1_run = next((r for r in runs if r.adopted), runs[-1] if runs else None)
    for run in runs:
        run_match = match if run is ad1_run else None
        row = run.row
        moved_in = run.carers_from if run.with_foster_carers else None
        old = next((p for p in recorded if p.placed_on == run.placed_on), None)
        if old is not None:
            if run_match and old.matched_on != run_match and old.matched_on == old.placed_on:
                # An earlier year's return had no AD1, so the import recorded the placement date as
                # the match (see below); this AD1 has the real date: correct it.
                plan.add(
                    run.placed_on,
                    "match_correction",
                    f"Match of the placement of {_d(old.placed_on)}: {_d(run_match)} (from AD1)",
                    ad1,
                    placed_on=old.placed_on,
                    matched_on=run_match,
                )
                final[old.pk].matched_on = run_match
            elif run_match and old.matched_on != run_match:
                # A match date recorded by someone (not the import's placeholder) is kept: the
                # difference is shown, not applied.
                plan.warn(
                    MATCH_DATE,
                    f"The record has the match on {_d(old.matched_on)}; AD1 DATE_MATCH is {_d(run_match)}. "
                    "The recorded date is kept: correct it on the child's page if AD1 is right",
                    ad1,
                )
            fill_carers = run.with_foster_carers and old.moved_in_with_carers_on is None and moved_in is not None
            if old.with_foster_carers != run.with_foster_carers or fill_carers:
                if old.ended_on is not None:
                    plan.refuse(
                        CONFLICT,
                        f"The ended placement of {_d(old.placed_on)} is recorded "
                        f"{'with' if old.with_foster_carers else 'not with'} the child's foster carers; the file "
                        "says otherwise",
                        row,
                    )
                else:
                    plan.add(
                        run.placed_on,
                        "adoptive_placement",
                        f"Placement of {_d(run.placed_on)}: "
                        + ("with their foster carers" if run.with_foster_carers else "not with their foster carers")
                        + (f", who they moved in with on {_d(moved_in)}" if fill_carers else ""),
                        row,
                        matched_on=old.matched_on,
                        placed_on=old.placed_on,
                        with_foster_carers=run.with_foster_carers,
                        moved_in_with_carers_on=(
                            moved_in if fill_carers else old.moved_in_with_carers_on if run.with_foster_carers else None
                        ),
                    )
            if run.ended_on:
                if old.ended_on is None:
                    _plan_disruption(plan, run)
                    final[old.pk].ended_on = run.ended_on
                elif old.ended_on != run.ended_on:
                    plan.refuse(
                        CONFLICT,
                        f"The record shows the placement of {_d(old.placed_on)} ended on {_d(old.ended_on)}, the "
                        f"file on {_d(run.ended_on)}",
                        row,
                    )
            elif old.ended_on is not None and old.ended_on <= plan.as_at:
                plan.refuse(
                    CONFLICT,
                    f"The record shows the placement of {_d(old.placed_on)} ended on {_d(old.ended_on)}; the file "
                    "shows it continuing",
                    row,
                )
            continue
        waiting = next((p for p in recorded if p.placed_on is None and p.ended_on is None), None)
        if waiting is not None and run_match and waiting.matched_on != run_match:
            plan.refuse(
                CONFLICT,
                f"The record has a match on {_d(waiting.matched_on)}; AD1 DATE_MATCH is {_d(run_match)}",
                ad1,
            )
            continue
        matched_on = run_match or (waiting.matched_on if waiting else None)
        if matched_on is None:
            matched_on = run.placed_on
            plan.warn(
                MATCH_DATE,
                f"The 903 has no match date for the placement of {_d(run.placed_on)} (AD1 is only for children "
                "adopted): the match is recorded on the day of the placement. Correct it on the child's page",
                row,
            )
        plan.add(
            run.placed_on,
            "adoptive_placement",
            f"Matched {_d(matched_on)}; placed for adoption {_d(run.placed_on)}"
            + (" with their foster carers" if run.with_foster_carers else "")
            + (f" (living with them since {_d(moved_in)})" if moved_in else ""),
            row,
            matched_on=matched_on,
            placed_on=run.placed_on,
            with_foster_carers=run.with_foster_carers,
            moved_in_with_carers_on=moved_in,
        )
        facts = PlacementFacts(matched_on, run.placed_on, None, row)
        if waiting is not None:
            final[waiting.pk] = facts
        else:
            new.append(facts)
        if run.ended_on:
            _plan_disruption(plan, run)
            facts.ended_on = run.ended_on
    if match and not runs and ad1 is not None:
        if any(p.matched_on == match for p in recorded):
            pass
        elif any(p.ended_on is None for p in recorded):
            plan.refuse(
                CONFLICT,
                f"AD1 has a match on {_d(match)} but the record has a different current match",
                ad1,
            )
        else:
            plan.add(
                match,
                "adoptive_placement",
                f"Matched {_d(match)} (the file has no placement for adoption)",
                ad1,
                matched_on=match,
            )
            new.append(PlacementFacts(match, None, None, ad1))
    return [*final.values(), *new]


def _plan_disruption(plan: ChildPlan, run: Run) -> None:
    assert run.ended_on is not None
    plan.add(
        run.ended_on,
        "placement_end",
        f"Adoptive placement of {_d(run.placed_on)} ended on {_d(run.ended_on)} before an adoption order (disruption)",
        run.episodes[-1].row or run.row,
        ended_on=run.ended_on,
    )


def _plan_adoption_order(plan: ChildPlan, timeline: list[Ep], child: Child | None) -> tuple[date, Row | None] | None:
    recorded = next(
        (
            o
            for o in (child.permanence_outcomes.all() if child else [])
            if o.kind == PermanenceOutcome.Kind.ADOPTION_ORDER
        ),
        None,
    )
    adopted = [e for e in timeline if e.row is not None and e.rec in ADOPTION_REASONS and e.ended_on]
    if not adopted:
        return (recorded.made_on, None) if recorded else None
    ep = adopted[-1]
    assert ep.ended_on is not None
    if len(adopted) > 1:
        plan.refuse(CONFLICT, "The file shows the child adopted twice (REC E11 or E12 on two episodes)", ep.row)
    if recorded is not None:
        if recorded.made_on != ep.ended_on:
            plan.refuse(
                CONFLICT,
                f"The record has the adoption order on {_d(recorded.made_on)}; the episode ends with {ep.rec} on "
                f"{_d(ep.ended_on)}",
                ep.row,
            )
        return recorded.made_on, ep.row
    plan.add(
        ep.ended_on,
        "adoption_order",
        f"Adoption order: {_d(ep.ended_on)}",
        ep.row,
        kind=PermanenceOutcome.Kind.ADOPTION_ORDER,
        made_on=ep.ended_on,
    )
    return ep.ended_on, ep.row


# Periods of care that end in another permanence order (903 REC) and the order each one records.
OTHER_OUTCOMES_BY_REC: dict[str, str] = {
    "E41": PermanenceOutcome.Kind.CHILD_ARRANGEMENTS,
    **dict.fromkeys(SPECIAL_GUARDIANSHIP_REASONS, PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP),
}


def _plan_other_outcomes(plan: ChildPlan, timeline: list[Ep], child: Child | None) -> None:
    """A special guardianship or child arrangements order ends the period of care: record the order too."""
    recorded = {(o.kind, o.made_on) for o in (child.permanence_outcomes.all() if child else [])}
    for ep in timeline:
        kind = OTHER_OUTCOMES_BY_REC.get(ep.rec or "")
        if ep.row is None or kind is None or ep.ended_on is None or (kind, ep.ended_on) in recorded:
            continue
        plan.add(
            ep.ended_on,
            "permanence_outcome",
            f"{PermanenceOutcome.Kind(kind).label}: {_d(ep.ended_on)}",
            ep.row,
            kind=kind,
            made_on=ep.ended_on,
        )


def _check_journey(
    plan: ChildPlan,
    item: ChildIn,
    child: Child | None,
    timeline: list[Ep],
    orders: list[tuple[date, Row | None]],
    placements: list[PlacementFacts],
    adoption: tuple[date, Row | None] | None,
) -> None:
    """The product's journey rules (children.rules, the same as every form) on the dates as they would be."""
    rows: dict[str, Row | None] = {"date_of_birth": item.header}
    starts = [e for e in timeline if e.rne == "S"]
    entered: date | None = starts[-1].started_on if starts else None
    rows["entered_care_on"] = starts[-1].row if starts else None
    if entered is None and child is not None:
        entered = max((p.started_on for p in child.periods_of_care.all()), default=None)
    decisions: dict[date, tuple[date | None, Row | None]] = {
        d.decided_on: (d.reversed_on, None) for d in (child.adoption_decisions.all() if child else [])
    }
    for decided_on, decision in item.decisions.items():
        decisions[decided_on] = (decision.reversed_on or decisions.get(decided_on, (None, None))[0], decision.row)
    open_decisions = sorted(d for d, (reversed_on, _row) in decisions.items() if reversed_on is None)
    decision_on = open_decisions[-1] if open_decisions else None
    rows["decision_on"] = decisions[decision_on][1] if decision_on else None
    order = max(orders, key=lambda o: o[0], default=None)
    rows["placement_order_on"] = order[1] if order else None
    current = [p for p in placements if p.ended_on is None]
    placement = max(current, key=lambda p: p.matched_on, default=None)
    rows["matched_on"] = item.ad1 or (placement.row if placement else None)
    rows["placed_on"] = placement.row if placement else None
    rows["adoption_order_on"] = adoption[1] if adoption else None
    dob = item.header.dates.get("DOB") or (child.date_of_birth if child else None)
    facts = rules.JourneyFacts(
        today=timezone.localdate(),
        date_of_birth=dob,
        entered_care_on=entered,
        decision_on=decision_on,
        placement_order_on=order[0] if order else None,
        matched_on=placement.matched_on if placement else None,
        placed_on=placement.placed_on if placement else None,
        adoption_order_on=adoption[0] if adoption else None,
    )
    for violation in rules.journey_violations(facts):
        plan.refuse(violation.rule or JOURNEY, violation.message, rows.get(violation.field) or item.header)


# --- carrying out the plan ----------------------------------------------------------------------------

SERVICES: dict[str, Callable[..., Any]] = {
    "child_update": services.child_update,
    "period_start": services.period_of_care_start,
    "episode": services.episode_record,
    "period_end": services.period_of_care_end,
    "decision": services.adoption_decision_record,
    "reversal": services.adoption_decision_reverse,
    "placement_order": services.placement_order_record,
    "adoptive_placement": services.adoptive_placement_record,
    "match_correction": services.adoptive_placement_match_correct,
    "placement_end": services.adoptive_placement_end,
    "adoption_order": services.permanence_outcome_record,
    "permanence_outcome": services.permanence_outcome_record,
}


def execute(plans: Sequence[ChildPlan], *, actor: Any, la: Organisation, commit: bool) -> list[Problem]:
    """Carry out every child's plan through the services; keep it only when ``commit`` and nobody was refused.

    Each child runs in its own savepoint so one refusal does not hide the next child's; the whole
    run is one transaction, rolled back unless everything succeeded and ``commit`` is true.
    """
    problems: list[Problem] = []
    with transaction.atomic():
        for plan in plans:
            if not plan.steps or plan.problems:
                continue
            problems.extend(_execute_child(plan, actor=actor, la=la))
        if problems or not commit:
            transaction.set_rollback(True)
            for plan in plans:
                plan.created_id = None
    return problems


def _execute_child(plan: ChildPlan, *, actor: Any, la: Organisation) -> list[Problem]:
    step: Step | None = None
    try:
        with transaction.atomic():
            child_id = plan.child_id
            for step in plan.ordered():
                if step.action == "child_create":
                    child_id = services.child_create(actor=actor, responsible_la_id=la.pk, **step.kwargs).pk
                else:
                    SERVICES[step.action](actor=actor, child_id=child_id, **step.kwargs)
        if plan.child_id is None:
            plan.created_id = child_id
    except ValidationError as exc:
        where = (step.row if step and step.row else plan.header).where()
        found = []
        for message in exc.messages:
            code = _RULE_IN_MESSAGE.search(message)
            text = _RULE_IN_MESSAGE.sub("", message)
            what = f" ({step.text})" if step else ""
            found.append(Problem(code[1] if code else REFUSED, f"{text}{what}", **where))
        return found
    except IntegrityError as exc:
        logger.warning("903 import: integrity error for child %s: %s", plan.child, exc)
        where = (step.row if step and step.row else plan.header).where()
        return [Problem(REFUSED, "The record could not be saved: it conflicts with what is recorded", **where)]
    return []


def plan_digest(plans: Sequence[ChildPlan]) -> str:
    """A fingerprint of the changes, so an apply can tell that the record changed since the preview."""
    payload = [
        [plan.child, [[s.action, {k: str(v) for k, v in sorted(s.kwargs.items())}] for s in plan.ordered()]]
        for plan in plans
        if plan.steps
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# --- the DfE's rules --------------------------------------------------------------------------------


@dataclass
class DfeCheck:
    problems: list[Problem]
    collection_year: str
    rules_not_run: list[str]


def dfe_findings(tables: Tables, la: Organisation) -> DfeCheck:
    """The DfE validator's findings on the tables that were read whole (takes a few seconds)."""
    usable = {table: tables.csv_text(table) for table in ADOPTION_TABLES if table in tables.sources}
    year = collection_year_of(tables.latest_date() or timezone.localdate())
    # The SEX codes say which return this is: M/F/U from the 2024 to 2025 collection, 1/2 before it.
    sexes = {row.values.get("SEX", "") for row in tables.rows["Header"]} - {""}
    if sexes and sexes <= {"M", "F", "U"}:
        year = max(year, LETTER_SEX_FROM)
    elif sexes and sexes <= {"1", "2"}:
        year = min(year, LETTER_SEX_FROM - 1)
    label = collection_year_label(year)
    if not any(tables.rows[t] for t in usable):
        return DfeCheck([], label, [])
    try:
        result = validate_tables(usable, year_start=year, la_ons_code=la.ons_code)
    except Exception as exc:  # the validator is third-party code run on uploaded data
        logger.exception("903 import: the DfE validator failed")
        return DfeCheck(
            [Problem(DFE_NOT_RUN, f"The files could not be checked against the DfE's rules ({type(exc).__name__})")],
            label,
            [],
        )
    problems = []
    for finding in result.for_tables(*ADOPTION_TABLES):
        rows = tables.rows[finding.table]
        row = rows[finding.row] if 0 <= finding.row < len(rows) else None
        problems.append(
            Problem(
                finding.rule,
                finding.message,
                file=tables.sources.get(finding.table, ""),
                table=finding.table,
                row=row.row if row else None,
                child=row.child if row else finding.child,
                blocking=finding.rule in BLOCKING_DFE_RULES,
                source="dfe",
            )
        )
    return DfeCheck(problems, label, sorted(result.rules_not_run))


def _merge(own: list[Problem], dfe: list[Problem]) -> list[Problem]:
    """Both lists, dropping a DfE finding the import already reported for the same row and rule."""
    seen = {(p.table, p.row, p.rule) for p in own}
    merged = own + [p for p in dfe if (p.table, p.row, p.rule) not in seen]
    order = {t: i for i, t in enumerate(ADOPTION_TABLES)}
    return sorted(
        merged, key=lambda p: (not p.blocking, p.file, order.get(p.table, 9), p.row or 0, p.child, str(p.rule))
    )


# --- one whole run -----------------------------------------------------------------------------------


@dataclass
class Report:
    """What a run found and did; ``result()`` is what a job stores and the pages and API show."""

    phase: str
    la: Organisation
    tables: Tables
    problems: list[Problem]
    plans: list[ChildPlan]
    collection_year: str = ""
    rules_not_run: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def digest(self) -> str:
        return plan_digest(self.plans)

    def result(self) -> dict[str, Any]:
        counts = {
            status: sum(1 for p in self.plans if p.status == status) for status in ("new", "changed", "unchanged")
        }
        changes = [
            {
                "child": plan.child,
                "child_id": plan.child_id or plan.created_id,
                "status": plan.status,
                "changes": [step.text for step in plan.ordered()],
            }
            for plan in self.plans
            if plan.steps
        ]
        blocking = len(self.blocking)
        return {
            "phase": self.phase,
            "la_id": self.la.pk,
            "la_name": self.la.name,
            "format": self.tables.format,
            "files": [
                {"name": name, "table": table, "rows": len(self.tables.rows[table])}
                for table, name in self.tables.sources.items()
            ],
            "collection_year": self.collection_year,
            "problems": [p.as_dict() for p in self.problems[:MAX_PROBLEMS_KEPT]],
            "problem_count": len(self.problems),
            "blocking_count": blocking,
            "warning_count": len(self.problems) - blocking,
            "summary": {
                "children": len(self.plans),
                **counts,
                "changes": sum(len(plan.steps) for plan in self.plans),
            },
            "changes": changes,
            "plan_digest": self.digest,
            "can_apply": blocking == 0 and bool(changes) and self.phase == PHASE_PREVIEW,
            "applied": self.applied,
            "dfe_rules_not_run": self.rules_not_run,
        }


def run_import(
    *,
    actor: Any,
    la: Organisation,
    tables: Tables,
    dfe: DfeCheck | None,
    phase: str,
    expected_digest: str | None = None,
) -> Report:
    """Plan and dry-run (``phase`` preview) or apply (apply, import) an upload already read and DfE-checked."""
    report = Report(
        phase,
        la,
        tables,
        [],
        [],
        collection_year=dfe.collection_year if dfe else "",
        rules_not_run=dfe.rules_not_run if dfe else [],
    )
    own = list(tables.problems)
    if not tables.blocking:
        report.plans = plan_import(actor=actor, la=la, tables=tables)
        for plan in report.plans:
            own.extend(plan.problems)
            own.extend(plan.warnings)
    report.problems = _merge(own, dfe.problems if dfe else [])
    if report.blocking:
        return report
    commit = phase in (PHASE_APPLY, PHASE_IMPORT)
    if not any(plan.steps for plan in report.plans):
        report.applied = commit  # nothing to change: the record already says what the files say
        return report
    if expected_digest is not None and report.digest != expected_digest:
        report.problems.insert(
            0,
            Problem(
                STALE,
                "The children's records changed after the preview, so what would change is no longer what you "
                "confirmed. Nothing was changed: upload the files again to see a new preview",
            ),
        )
        return report
    refused = execute(report.plans, actor=actor, la=la, commit=commit)
    report.problems = _merge(refused + [p for p in report.problems if p.source != "dfe"], dfe.problems if dfe else [])
    report.applied = commit and not refused
    return report


# --- requests, jobs and their work ----------------------------------------------------------------------


def can_import(actor: Any) -> bool:
    """Whoever may record children's journeys may import them (for the LAs they see)."""
    return services.may_write_journeys(actor)


def import_las(actor: Any) -> QuerySet[Organisation]:
    """The LAs the actor may import for: those they see, if their role may write."""
    return tenancy.visible_las(actor) if can_import(actor) else Organisation.objects.none()


def import_job_list(*, actor: Any) -> QuerySet[Job]:
    return tenancy.scope_jobs(
        Job.objects.filter(kind=Job.Kind.SSDA903_IMPORT).select_related("organisation", "requested_by"), actor
    )


def import_job_get(*, actor: Any, job_id: Any) -> Job:
    """An import job of an LA the actor sees; 404 for anything else (including other kinds of job)."""
    job = import_job_list(actor=actor).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import.")
    return job


def _check_limits(files: Sequence[UploadedFile]) -> None:
    if not files:
        raise ValidationError({"files": "Choose the 903 files to import"})
    if len(files) > reader.MAX_FILES:
        raise ValidationError({"files": f"Choose at most {reader.MAX_FILES} files"})
    megabytes = reader.MAX_FILE_BYTES // (1024 * 1024)
    for upload in files:
        if (upload.size or 0) > reader.MAX_FILE_BYTES:
            raise ValidationError({"files": f"{upload.name} is larger than {megabytes} MB"})
    if sum(upload.size or 0 for upload in files) > reader.MAX_TOTAL_BYTES:
        raise ValidationError({"files": f"The files together must be at most {reader.MAX_TOTAL_BYTES // 1048576} MB"})


def _create_job(*, actor: Any, la: Organisation, params: dict[str, Any], task: Any) -> Job:
    if isinstance(actor, ApiClient):
        # jobs.job_create takes a staff user (Job.requested_by); an API client's job names the client in params.
        job = Job(kind=Job.Kind.SSDA903_IMPORT, organisation=la, params={**params, "api_client_id": actor.pk})
        job.full_clean()
        job.save()
        audit.record(actor=actor, action=AuditEvent.Action.JOB_REQUESTED, obj=job, organisation_id=la.pk)
        job_id = str(job.pk)
        transaction.on_commit(lambda: task.delay(job_id))
        return job
    return jobs.job_create(actor=actor, kind=Job.Kind.SSDA903_IMPORT, organisation=la, params=params, task=task)


@transaction.atomic
def import_request(*, actor: Any, la_id: int, files: Sequence[UploadedFile], phase: str = PHASE_PREVIEW) -> Job:
    """Store the uploaded files and queue a job to check and preview them (or, ``phase`` import, to apply them)."""
    la = tenancy.visible_las(actor).filter(pk=la_id).first()
    if la is None:
        raise Http404("No such local authority.")
    if not can_import(actor):
        raise PermissionDenied("Your role cannot import children's records.")
    if phase not in (PHASE_PREVIEW, PHASE_IMPORT):
        raise ValueError(phase)
    _check_limits(files)
    from children.ssda903.tasks import ssda903_import_run

    job = _create_job(actor=actor, la=la, params={"phase": phase, "la_id": la.pk}, task=ssda903_import_run)
    for index, upload in enumerate(files, start=1):
        content = upload.read()
        suffix = "xml" if reader.file_kind(upload.name or "", content) == "xml" else "csv"
        item = JobInput(job=job, name=(upload.name or f"file {index}")[:255], size=len(content))
        item.file.save(f"{job.pk}-{index}.{suffix}", ContentFile(content), save=False)
        item.save()
    return job


@transaction.atomic
def import_confirm(*, actor: Any, job_id: Any) -> Job:
    """The user confirmed a preview: queue the job that applies it (the same job if asked twice)."""
    preview = import_job_get(actor=actor, job_id=job_id)
    preview = Job.objects.select_for_update().get(pk=preview.pk)
    if not can_import(actor):
        raise PermissionDenied("Your role cannot import children's records.")
    existing = Job.objects.filter(kind=Job.Kind.SSDA903_IMPORT, params__preview_job_id=str(preview.pk)).first()
    if existing is not None:
        return existing
    if (
        preview.params.get("phase") != PHASE_PREVIEW
        or preview.status != Job.Status.SUCCEEDED
        or not preview.result.get("can_apply")
    ):
        raise ValidationError("This import cannot be applied: check the preview for problems and upload again")
    from children.ssda903.tasks import ssda903_import_run

    return _create_job(
        actor=actor,
        la=preview.organisation,
        params={"phase": PHASE_APPLY, "la_id": preview.organisation_id, "preview_job_id": str(preview.pk)},
        task=ssda903_import_run,
    )


def _job_actor(job: Job) -> Any:
    client_id = job.params.get("api_client_id")
    if client_id:
        client = ApiClient.objects.select_related("organisation").get(pk=client_id)
        if client.revoked_at is not None or client.expires_at <= timezone.now():
            raise PermissionDenied("The API client that asked for this import is no longer valid.")
        return client
    if job.requested_by is None or not job.requested_by.is_active:
        raise PermissionDenied("Whoever asked for this import can no longer import.")
    return job.requested_by


def _job_inputs(job: Job) -> list[tuple[str, bytes]]:
    files = []
    for item in job.inputs.order_by("pk"):
        with item.file.open("rb") as handle:
            files.append((item.name, handle.read()))
    return files


def import_work(job: Job) -> jobs.JobOutput:
    """A job's work: check and preview, apply a confirmed preview, or both (see ``job.params['phase']``)."""
    phase = job.params.get("phase", PHASE_PREVIEW)
    actor = _job_actor(job)
    la = job.organisation
    # Re-checked when the job runs: the actor may have lost access since asking.
    if not tenancy.scope_for(actor).sees_la(la.pk) or not can_import(actor):
        raise PermissionDenied("Whoever asked for this import can no longer import for this local authority.")
    jobs.job_progress(job, 5)
    dfe: DfeCheck | None
    if phase == PHASE_APPLY:
        preview = Job.objects.get(pk=job.params["preview_job_id"], organisation=la, kind=Job.Kind.SSDA903_IMPORT)
        tables = reader.read_upload(_job_inputs(preview))
        dfe = DfeCheck(
            [Problem.from_dict(p) for p in preview.result.get("problems", []) if p.get("source") == "dfe"],
            preview.result.get("collection_year", ""),
            preview.result.get("dfe_rules_not_run", []),
        )
        jobs.job_progress(job, 30)
        report = run_import(
            actor=actor, la=la, tables=tables, dfe=dfe, phase=phase, expected_digest=preview.result["plan_digest"]
        )
    else:
        tables = reader.read_upload(_job_inputs(job))
        jobs.job_progress(job, 15)
        dfe = dfe_findings(tables, la) if tables.rows["Header"] or tables.rows["Episodes"] else None
        jobs.job_progress(job, 60)
        report = run_import(actor=actor, la=la, tables=tables, dfe=dfe, phase=phase)
    result = report.result()
    if phase == PHASE_APPLY:
        result["preview_job_id"] = job.params["preview_job_id"]
    return jobs.JobOutput(result=result)
