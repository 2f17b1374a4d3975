"""Planning a child: details, periods and episodes, decisions and placement orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models.functions import Upper

from adoption import tenancy
from adoption.models import Organisation
from children.models import Child, PlacementOrder
from children.ssda903 import reader
from children.ssda903.importer.constants import (
    _LEGAL_STATUS_CHANGES,
    _ORDER_STATUSES,
    _UPN_UNKNOWN,
    CONFLICT,
    EARLIER,
    EPISODES,
    NEW_CHILD_FIRST_NAME,
    ORDER_DATE,
    PERIOD,
    _d,
)
from children.ssda903.importer.placements import (
    _check_journey,
    _plan_adoption_order,
    _plan_other_outcomes,
    _plan_placements,
)
from children.ssda903.importer.steps import ChildPlan
from children.ssda903.importer.timeline import ChildIn, Ep, _children_in, _periods, _same_postcode
from children.ssda903.reader import Row, Tables


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
    periods = list(child.periods_of_care.all()) if child else []
    recorded = sorted(
        (Ep.from_db(e) for period in periods for e in period.episodes.all()),
        key=lambda e: e.started_on,
    )
    incoming = item.episodes
    if not incoming:
        return recorded
    first = incoming[0].started_on
    before_records = next((p for p in periods if p.start_before_records), None)
    if before_records is not None and first < before_records.started_on:
        # An earlier year's return after a later one started the period: the later return did not
        # hold the start, and the import only ever adds episodes after the recorded ones, so it
        # cannot fill the start in. One clear refusal instead of one conflict per episode.
        plan.refuse(
            EARLIER,
            f"The child's record begins with the episode from {_d(before_records.started_on)}, imported from a "
            "later year's return that did not hold the start of the period of care; this file has earlier "
            f"episodes (from {_d(first)}). The import cannot add episodes before the recorded ones, so it cannot "
            "fill in the start: to hold the whole journey, import the earlier years first, oldest first, into a "
            "local authority with no children recorded",
            incoming[0].row,
        )
        return recorded
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
            _plan_new_episode(plan, ep, previous, has_periods=bool(periods))
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


def _plan_new_episode(plan: ChildPlan, ep: Ep, previous: Ep | None, *, has_periods: bool) -> None:
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
    if previous is None and not has_periods:
        # The child's first return continues a period whose start is in an earlier year's return
        # (the file holds only the episodes open in its year). The period starts from this episode,
        # marked as begun before the returns held; the date the child entered care stays unknown.
        # It runs first (date.min), before any decision the file dates earlier than this episode.
        plan.add(
            date.min,
            "period_start_before_records",
            f"In care before {_d(ep.started_on)}: the first episode in the file continues a period of care "
            f"(RNE {ep.rne}; {ep.ls}, {ep.place}). The date the child entered care is in an earlier return, "
            "so it is left unknown",
            ep.row,
            started_on=ep.started_on,
            reason_new_episode=ep.rne,
            **details,
        )
        return
    if previous is None or previous.ends_period:
        # The child's record exists and this episode does not join up with it: the period it
        # continues is neither in the file nor in the record.
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


def _plan_orders(plan: ChildPlan, timeline: list[Ep], child: Child | None) -> list[tuple[date, Row | None]]:
    """Placement orders from the episodes whose legal status becomes E1 or D1."""
    recorded = list(child.placement_orders.all()) if child else []
    made: list[tuple[date, Row | None]] = [(o.made_on, None) for o in recorded]
    for period in _periods(timeline):
        start, end = period[0].started_on, period[-1].ended_on
        # A period whose first episode is not RNE S began before the returns held: an order recorded
        # on the child's page with its true date may be earlier than the first episode known.
        before_records = period[0].rne != "S"
        if before_records:
            start = date.min
        for index, ep in enumerate(period):
            if ep.row is None or ep.ls not in _ORDER_STATUSES:
                continue
            if index and period[index - 1].ls == ep.ls:
                continue
            # The first episode known already had the order's legal status without changing to it:
            # the order was made on or before that day, in a return not imported.
            made_before_records = before_records and index == 0 and ep.rne not in _LEGAL_STATUS_CHANGES
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
            if made_before_records:
                text = (
                    f"{kind.label}: made on or before {_d(ep.started_on)} (the first episode in the file already "
                    f"has legal status {ep.ls}; the date of the order is in an earlier return)"
                )
            else:
                text = f"{kind.label}: {_d(ep.started_on)}"
            plan.add(
                ep.started_on,
                "placement_order",
                text,
                ep.row,
                made_on=ep.started_on,
                order_type=ep.ls,
                **({"made_before_records": True} if made_before_records else {}),
            )
            made.append((ep.started_on, ep.row))
    return made
