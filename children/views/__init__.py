"""Children's pages: thin views over the selectors (reads) and the services (writes)."""

from __future__ import annotations

from children.views.child import child_detail
from children.views.events import EVENT_PAGES, EventPage, child_create, record_event
from children.views.lists import child_list, child_list_export, children_waiting, proceedings_tracker
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
