from django.urls import URLPattern, path

from adopters import views
from adopters.workflow import Action

app_name = "adopters"

urlpatterns: list[URLPattern] = [
    path("", views.pipeline, name="pipeline"),
    path("all/", views.household_list, name="list"),
    path("export/", views.household_export, name="export"),
    path("new/", views.household_create, name="create"),
    path("waiting/", views.waiting, name="waiting"),
    path("checks/", views.checks_tracker, name="checks"),
    path("<int:household_id>/", views.household_detail, name="detail"),
    path("<int:household_id>/edit/", views.household_edit, name="edit"),
    path("<int:household_id>/applicants/new/", views.applicant_add, name="applicant-add"),
    path("<int:household_id>/applicants/<int:applicant_id>/", views.applicant_edit, name="applicant-edit"),
    path("<int:household_id>/pause/", views.pause_start, name="pause"),
    path("<int:household_id>/resume/", views.pause_end, name="resume"),
    path("<int:household_id>/par/", views.par_status, name="par"),
    path("<int:household_id>/extend-stage-2/", views.extension, name="extension"),
    path("<int:household_id>/availability/", views.availability, name="availability"),
    path("<int:household_id>/reviews/new/", views.review, name="review"),
    path("<int:household_id>/checks/new/", views.check_request, name="check-request"),
    path("<int:household_id>/checks/<int:check_id>/received/", views.check_receive, name="check-receive"),
    path("<int:household_id>/checks/<int:check_id>/delay/", views.check_delay, name="check-delay"),
    # One page per step of the transition table: adopters:<action>.
    *(path(f"<int:household_id>/{action}/", views.step, {"action": action}, name=action) for action in Action.values),
]
