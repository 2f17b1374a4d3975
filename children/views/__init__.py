"""Children's pages: thin views over the selectors (reads) and the services (writes)."""

from __future__ import annotations

from children.views.child import child_detail
from children.views.events import EVENT_PAGES, EventPage, child_create, record_event
from children.views.lists import child_list, child_list_export, children_waiting, proceedings_tracker
from children.views.matches import (  # noqa: F401  (links and matches)
    child_links,
    group_link_create,
    group_links,
    group_match_create,
    link_create,
    link_match,
    link_outcome,
    match_create,
    match_decision,
    match_detail,
    match_panel,
    match_update,
)
from children.views.matching import (  # noqa: F401  (family finding: suggested families, children waiting for a match)
    family_finding_figures,
    group_suggested_families,
    suggested_families,
)
from children.views.placements import (  # noqa: F401  (placements and disruptions)
    adoption_application,
    disruption_detail,
    disruption_meeting,
    disruption_record,
    disruptions_list,
    learning_action_add,
    learning_action_done,
    placement_record,
    placements_list,
)
from children.views.siblings import (
    sibling_group_add_member,
    sibling_group_create,
    sibling_group_detail,
    sibling_group_remove_member,
    sibling_group_update,
)

__all__ = [
    "EVENT_PAGES",
    "EventPage",
    "child_create",
    "child_detail",
    "child_list",
    "child_list_export",
    "children_waiting",
    "proceedings_tracker",
    "record_event",
    "sibling_group_add_member",
    "sibling_group_create",
    "sibling_group_detail",
    "sibling_group_remove_member",
    "sibling_group_update",
]
