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
    # One "Record…" page per event on the child's journey: children:<slug>.
    *(path(page.path, views.record_event, {"page": page}, name=page.slug) for page in views.EVENT_PAGES),
]
