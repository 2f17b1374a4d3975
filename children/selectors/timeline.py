"""A child's whole journey as a timeline, in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from adoption.dates import in_words as _day
from children.codes import LegalStatus, PlacementType, ReasonNewEpisode
from children.models import (
    Child,
    Episode,
)


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    title: str
    detail: str = ""
    # On the start of an early permanence placement that has not ended: its id, so the page can offer to end it.
    early_permanence_id: int | None = None


def _label(choices: Any, code: str) -> str:
    try:
        return f"{choices(code).label} ({code})"
    except ValueError:
        return code


def episode_summary(episode: Episode) -> tuple[str, str]:
    """A 903 episode in plain words: ``(title, detail)``."""
    legal = _label(LegalStatus, episode.legal_status)
    place = _label(PlacementType, episode.placement_type)
    titles = {
        ReasonNewEpisode.L: ("Legal status changed", legal),
        ReasonNewEpisode.P: ("Moved to a new placement", place),
        ReasonNewEpisode.T: ("Legal status and placement changed", f"{legal}; {place}"),
        ReasonNewEpisode.U: ("Legal status and placement changed, same carers", f"{legal}; {place}"),
        ReasonNewEpisode.B: ("Placement changed, same carers", place),
    }
    return titles.get(ReasonNewEpisode(episode.reason_new_episode), ("Episode began", f"{legal}; {place}"))


def child_timeline(child: Child) -> list[TimelineEntry]:
    """The child's whole journey in date order, from a child fetched by :func:`child_get` or :func:`child_record`.

    Entries on the same day keep the order they are added in, which is the order of the journey.
    The extra history (episodes, family finding, featuring, early permanence, proceedings, CPR) is
    shown when the child came from :func:`child_record`, which fetches it.
    """
    full = hasattr(child, "_prefetched_objects_cache") and "family_finding_statuses" in getattr(
        child, "_prefetched_objects_cache", {}
    )
    entries: list[TimelineEntry] = []
    if child.expected_date_of_birth and not child.date_of_birth:
        entries.append(TimelineEntry(child.expected_date_of_birth, "Expected date of birth"))
    if child.date_of_birth:
        entries.append(TimelineEntry(child.date_of_birth, "Born"))
    if full:
        for tracking in child.proceedings_tracking.all():
            detail = f"Expected final hearing {_day(tracking.final_hearing_on)}" if tracking.final_hearing_on else ""
            entries.append(TimelineEntry(tracking.stage_from, tracking.get_stage_display(), detail))
    for period in child.periods_of_care.all():
        episodes = list(period.episodes.all()) if full else []
        if period.start_before_records:
            # The day the child entered care is not in the returns imported: say so rather than show
            # the first episode known as the start. That episode follows as the change it was.
            entries.append(
                TimelineEntry(
                    period.started_on,
                    f"In care before {_day(period.started_on)}",
                    "The start of this period of care is not in the returns imported",
                )
            )
            first = None
        else:
            first = episodes[0] if episodes and episodes[0].started_on == period.started_on else None
            detail = (
                f"{_label(LegalStatus, first.legal_status)}; {_label(PlacementType, first.placement_type)}"
                if first
                else ""
            )
            entries.append(TimelineEntry(period.started_on, "Entered care", detail))
        for episode in episodes:
            if episode is first:
                continue
            entries.append(TimelineEntry(episode.started_on, *episode_summary(episode)))
        if period.ended_on:
            entries.append(TimelineEntry(period.ended_on, "Left care", period.get_reason_ended_display()))
    if full:
        for report in child.permanence_reports.all():
            if report.started_on:
                entries.append(TimelineEntry(report.started_on, "Child's Permanence Report started"))
            if report.completed_on:
                entries.append(TimelineEntry(report.completed_on, "Child's Permanence Report completed"))
    for decision in child.adoption_decisions.all():
        entries.append(TimelineEntry(decision.decided_on, "Decision: should be placed for adoption"))
        if decision.reversed_on:
            entries.append(
                TimelineEntry(decision.reversed_on, "Decision reversed", decision.get_reversal_reason_display())
            )
    for order in child.placement_orders.all():
        if order.made_before_records:
            title = f"{order.get_order_type_display()} made on or before {_day(order.made_on)}"
            detail = "; ".join(filter(None, ["The date of the order is not in the returns imported", order.court]))
            entries.append(TimelineEntry(order.made_on, title, detail))
        else:
            entries.append(TimelineEntry(order.made_on, order.get_order_type_display(), order.court))
    if full:
        for status in child.family_finding_statuses.all():
            entries.append(
                TimelineEntry(status.status_from, f"Family finding: {status.get_status_display()}", status.note)
            )
        for featuring in child.featurings.all():
            entries.append(TimelineEntry(featuring.featured_on, f"Featured: {featuring.get_channel_display()}"))
        for early in child.early_permanence_placements.all():
            family = early.household.name if early.household else ""
            open_id = None if early.ended_on else early.pk
            entries.append(
                TimelineEntry(early.started_on, f"{early.get_kind_display()} placement began", family, open_id)
            )
            if early.ended_on:
                entries.append(TimelineEntry(early.ended_on, f"{early.get_kind_display()} placement ended", family))
    for placement in child.adoptive_placements.all():
        family = placement.household.name if placement.household else ""
        entries.append(TimelineEntry(placement.matched_on, "Matched", family))
        if placement.with_foster_carers and placement.moved_in_with_carers_on:
            entries.append(TimelineEntry(placement.moved_in_with_carers_on, "Moved in with foster carers", family))
        if placement.placed_on:
            entries.append(TimelineEntry(placement.placed_on, "Placed for adoption", family))
        if placement.ended_on:
            entries.append(TimelineEntry(placement.ended_on, "Placement ended (disruption)", family))
    for outcome in child.permanence_outcomes.all():
        entries.append(TimelineEntry(outcome.made_on, outcome.get_kind_display()))
    return sorted(entries, key=lambda e: e.on)
