from django.urls import URLPattern, path

from children import views

app_name = "children"

urlpatterns: list[URLPattern] = [
    path("", views.child_list, name="list"),
    path("export/", views.child_list_export, name="export"),
    path("new/", views.child_create, name="create"),
    path("waiting/", views.children_waiting, name="waiting"),
    path("tracker/", views.proceedings_tracker, name="tracker"),
    path("<int:child_id>/", views.child_detail, name="detail"),
    path("<int:child_id>/sibling-group/new/", views.sibling_group_create, name="sibling-group-create"),
    path("sibling-groups/<int:group_id>/", views.sibling_group_detail, name="sibling-group"),
    path("sibling-groups/<int:group_id>/edit/", views.sibling_group_update, name="sibling-group-update"),
    path("sibling-groups/<int:group_id>/add/", views.sibling_group_add_member, name="sibling-group-add-member"),
    path(
        "sibling-groups/<int:group_id>/children/<int:child_id>/remove/",
        views.sibling_group_remove_member,
        name="sibling-group-remove-member",
    ),
    # Links and matches (children.views.matches). The match page is children:match-detail; children:match is
    # the event page "Record the match" on the child.
    path("<int:child_id>/links/", views.child_links, name="links"),
    path("<int:child_id>/links/new/", views.link_create, name="link-create"),
    path("<int:child_id>/matches/new/", views.match_create, name="match-create"),
    path("sibling-groups/<int:group_id>/links/", views.group_links, name="group-links"),
    path("sibling-groups/<int:group_id>/links/new/", views.group_link_create, name="group-link-create"),
    path("sibling-groups/<int:group_id>/matches/new/", views.group_match_create, name="group-match-create"),
    path("links/<int:link_id>/outcome/", views.link_outcome, name="link-outcome"),
    path("links/<int:link_id>/match/", views.link_match, name="link-match"),
    path("matches/<int:match_id>/", views.match_detail, name="match-detail"),
    path("matches/<int:match_id>/reports/", views.match_update, name="match-update"),
    path("matches/<int:match_id>/panel/", views.match_panel, name="match-panel"),
    path("matches/<int:match_id>/decision/", views.match_decision, name="match-decision"),
    # Family finding (children.views.matching). Not "<child_id>/family-finding/": that is the event page
    # "Record the family-finding status" (children:family-finding).
    path("family-finding/", views.family_finding_figures, name="family-finding-figures"),
    path("<int:child_id>/suggested-families/", views.suggested_families, name="suggested-families"),
    path(
        "sibling-groups/<int:group_id>/suggested-families/",
        views.group_suggested_families,
        name="group-suggested-families",
    ),
    # Placements and disruptions (children.views.placements).
    path("placements/", views.placements_list, name="placements"),
    path("matches/<int:match_id>/move-in/", views.placement_record, name="placement-record"),
    path("<int:child_id>/adoption-application/", views.adoption_application, name="adoption-application"),
    path("<int:child_id>/disruption/", views.disruption_record, name="disruption-record"),
    path("disruptions/", views.disruptions_list, name="disruptions"),
    path("disruptions/<int:disruption_id>/", views.disruption_detail, name="disruption"),
    path("disruptions/<int:disruption_id>/meeting/", views.disruption_meeting, name="disruption-meeting"),
    path("disruptions/<int:disruption_id>/actions/new/", views.learning_action_add, name="learning-action-add"),
    path(
        "disruptions/<int:disruption_id>/actions/<int:action_id>/done/",
        views.learning_action_done,
        name="learning-action-done",
    ),
    # One "Record…" page per event on the child's journey: children:<slug>.
    *(path(page.path, views.record_event, {"page": page}, name=page.slug) for page in views.EVENT_PAGES),
]
