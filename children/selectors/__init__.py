"""Reads of children. Every function takes the actor and scopes by tenancy first.

A package of modules by subject; everything is importable from ``children.selectors``.
"""

from __future__ import annotations

from children.selectors.dates import child_stage, journey_dates, stage_expression, stage_filter, with_journey_dates
from children.selectors.lists import (
    DEFAULT_SORT,
    NO_FAMILY_FINDING_STATUS,
    SORTS,
    TRACKED_STAGES,
    ExportRow,
    ListPage,
    ListRow,
    WaitingView,
    child_list,
    child_list_export,
    child_list_page,
    children_waiting,
    children_waiting_counts,
    proceedings_tracker,
    with_list_annotations,
)
from children.selectors.measures import adoptions_in_period
from children.selectors.records import (
    child_get,
    child_record,
    child_situation,
    current_episode,
    current_match,
    permanence_report_current,
    sibling_candidates,
    sibling_group_children,
    sibling_group_get,
    sibling_membership,
)
from children.selectors.timeline import TimelineEntry, child_timeline, episode_summary

__all__ = [
    "DEFAULT_SORT",
    "NO_FAMILY_FINDING_STATUS",
    "SORTS",
    "TRACKED_STAGES",
    "ExportRow",
    "ListPage",
    "ListRow",
    "TimelineEntry",
    "WaitingView",
    "adoptions_in_period",
    "child_get",
    "child_list",
    "child_list_export",
    "child_list_page",
    "child_record",
    "child_situation",
    "child_stage",
    "child_timeline",
    "children_waiting",
    "children_waiting_counts",
    "current_episode",
    "current_match",
    "episode_summary",
    "journey_dates",
    "permanence_report_current",
    "proceedings_tracker",
    "sibling_candidates",
    "sibling_group_children",
    "sibling_group_get",
    "sibling_membership",
    "stage_expression",
    "stage_filter",
    "with_journey_dates",
    "with_list_annotations",
]
