from django.urls import URLPattern, path

from support.views import asf, duty, life_story

app_name = "support"

urlpatterns: list[URLPattern] = [
    # duty, assessments, plans, caseloads, a child's support history (views/duty.py):
    path("", duty.duty_list, name="duty"),
    path("requests/new/", duty.request_create, name="request-create"),
    path("requests/<int:request_id>/", duty.request_detail, name="request"),
    path("requests/<int:request_id>/respond/", duty.request_respond, name="request-respond"),
    path("requests/<int:request_id>/allocate/", duty.request_allocate, name="request-allocate"),
    path("requests/<int:request_id>/close/", duty.request_close, name="request-close"),
    path("requests/<int:request_id>/assessment/", duty.assessment_start, name="assessment-start"),
    path("assessments/<int:assessment_id>/complete/", duty.assessment_complete, name="assessment-complete"),
    path("assessments/<int:assessment_id>/plan/", duty.plan_agree, name="plan-agree"),
    path("plans/<int:plan_id>/review/", duty.plan_review, name="plan-review"),
    path("plans/<int:plan_id>/end/", duty.plan_end, name="plan-end"),
    path("caseloads/", duty.caseloads, name="caseloads"),
    path("children/<int:child_id>/", duty.child_history, name="child-history"),
    # ASF applications (views/asf.py):
    path("asf/", asf.application_list, name="asf"),
    path("asf/deadlines/", asf.deadlines, name="asf-deadlines"),
    path("asf/new/", asf.application_create, name="asf-create"),
    path("asf/<int:application_id>/", asf.application_detail, name="asf-application"),
    path("asf/<int:application_id>/edit/", asf.application_update, name="asf-update"),
    path("asf/<int:application_id>/submit/", asf.application_submit, name="asf-submit"),
    path("asf/<int:application_id>/decision/", asf.application_decide, name="asf-decide"),
    path("asf/<int:application_id>/invoice/", asf.application_invoice, name="asf-invoice"),
    path("asf/<int:application_id>/paid/", asf.application_paid, name="asf-paid"),
    # life story work and later life letters (views/life_story.py):
    path("life-story/", life_story.life_story_list, name="life-story"),
    path("life-story/children/<int:child_id>/", life_story.life_story_child, name="life-story-child"),
    path(
        "life-story/children/<int:child_id>/book/schedule/",
        life_story.life_story_schedule,
        {"kind": "life_story_book"},
        name="life-story-schedule-book",
    ),
    path(
        "life-story/children/<int:child_id>/letter/schedule/",
        life_story.life_story_schedule,
        {"kind": "later_life_letter"},
        name="life-story-schedule-letter",
    ),
    path("life-story/work/<int:work_id>/start/", life_story.life_story_start, name="life-story-start"),
    path("life-story/work/<int:work_id>/complete/", life_story.life_story_complete, name="life-story-complete"),
    path("life-story/work/<int:work_id>/worker/", life_story.life_story_worker, name="life-story-worker"),
]
