"""The households API: thin views over the same services and selectors as the household pages.

It is for staff of an RAA or a VAA, signed in through their session; tenancy narrows every call to
the households of their agencies. An LA's API client has no household scope (households belong to
approving agencies, not to LAs), so it sees an empty list and a 404 for every household, exactly as
for a household that does not exist.

A refused change answers 400 in the one error shape with the service's own words as the message,
the same words the household pages show; the field-by-field messages are in ``extra.fields``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from adopters import selectors, services, workflow
from adopters.models import Applicant, Check, Household
from adopters.timeliness import State
from adopters.workflow import Action
from adoption import api, tenancy
from adoption.api_conventions import ApiView

ERROR = api.ERROR  # the one error shape (adoption.api)


ERROR_WORDS = {
    400: "The request has invalid fields, or the change is not allowed: `message` says why.",
    401: "Not signed in.",
    403: "The actor's role cannot make this change.",
    404: "No such household, or not one of the actor's agencies' households.",
}


def _errors(*codes: int, **words: str) -> dict[int, OpenApiResponse]:
    """The error responses of an operation; ``e404="..."`` (and so on) says what a code means there."""
    return api.error_responses(ERROR_WORDS, *codes, **words)


_REFUSAL = workflow.refusal(Household.Status.STAGE_1, Household.Route.STANDARD, Action.RECORD_DECISION)
REFUSED_EXAMPLE = OpenApiExample(
    "A step that is not possible from here",
    value={"message": _REFUSAL, "extra": {"fields": {"non_field_errors": [_REFUSAL]}}},
    response_only=True,
    status_codes=["400"],
)


def _exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The project's handler, with the service's own message kept for refusals and role checks."""
    message = ""
    if isinstance(exc, DjangoValidationError):
        fields: dict[str, Any] = (
            dict(exc.message_dict) if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        )
        general = fields.pop(NON_FIELD_ERRORS, [])
        if general:
            # The first line says what is wrong; any further lines are its items ("... not received").
            message = general[0] + (" " + "; ".join(general[1:]) if len(general) > 1 else "")
            fields[api_settings.NON_FIELD_ERRORS_KEY] = general
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, DjangoPermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(str(exc))
    response = api.exception_handler(exc, context)
    if response is not None and message:
        response.data["message"] = message
    return response


class HouseholdApi(ApiView):
    """The households' views: JSON bodies only, and the service's words kept in the one error shape."""

    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return _exception_handler


def _write_input(
    request: Request,
    household_id: int,
    serializer_class: type[serializers.Serializer],
    roles: Iterable[str] = services.HOUSEHOLD_WRITERS,
) -> tuple[Household, dict[str, Any]]:
    """The household and the validated body of a write. A household out of scope is 404 before the body is
    looked at, so another agency's household answers exactly as one that does not exist; a role that cannot
    make the write is refused (403) before the body is looked at too."""
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    if not tenancy.has_role(request.user, *roles):
        raise DjangoPermissionDenied("Your role cannot change households' records.")
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return household, data.validated_data


# --- output ------------------------------------------------------------------------------------------------

# ``status`` is a string with its codes listed, not an enum: drf-spectacular names enums after the field,
# the 903 import's job statuses are already called "status", and a household status used by both the list
# and the detail cannot be named apart from them without ENUM_NAME_OVERRIDES in the settings (a warning
# otherwise, which fails the schema check). With such an override this can become a ChoiceField.
STATUS_HELP = "The household's stage: " + "; ".join(f"`{code}` ({label})" for code, label in Household.Status.choices)


class ApplicantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.CharField(help_text="M male, F female (for 903 SEX_ADOPTR); blank when not recorded.")
    ethnicity = serializers.CharField(help_text="903 ETHNIC code.")
    disability = serializers.ChoiceField(choices=Applicant.Disability.choices)


class HouseholdOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    name = serializers.CharField()
    approving_agency = serializers.CharField(source="approving_agency.name")
    route = serializers.ChoiceField(choices=Household.Route.choices)
    status = serializers.ChoiceField(choices=Household.Status.choices, help_text=STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display")
    assessing_worker = serializers.CharField(
        source="assessing_worker.get_full_name", allow_null=True, help_text="null while nobody is allocated."
    )
    enquired_on = serializers.DateField(allow_null=True)
    applicants = ApplicantOutput(many=True)


class HouseholdListOutput(HouseholdOutput):
    stage_due_on = serializers.DateField(
        allow_null=True, help_text="When the current stage (1 or 2) is due, paused days added; null outside them."
    )
    overdue = serializers.SerializerMethodField(help_text="true: the current stage is past its due date.")

    def get_overdue(self, household: Household) -> bool:
        due = getattr(household, "stage_due_on", None)  # annotated by selectors.household_search
        return due is not None and due < self.context["today"]


class ApprovalOutput(serializers.Serializer):
    approved_on = serializers.DateField()
    approved_children_min = serializers.IntegerField(allow_null=True)
    approved_children_max = serializers.IntegerField(allow_null=True)
    approved_age_min = serializers.IntegerField(allow_null=True, help_text="Years.")
    approved_age_max = serializers.IntegerField(allow_null=True, help_text="Years.")
    approved_for_siblings = serializers.BooleanField()
    disability_openness = serializers.CharField(help_text="none, mild, moderate or significant; blank if not set.")
    early_permanence_approved = serializers.BooleanField()


class StageOutput(serializers.Serializer):
    name = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    limit_months = serializers.IntegerField(help_text="The timescale in force for this stage.")
    due_on = serializers.DateField(allow_null=True, help_text="Paused days added where the standard says so.")
    calendar_days = serializers.IntegerField(allow_null=True, help_text="Start to end, or to today while running.")
    paused_days = serializers.IntegerField()
    working_days = serializers.IntegerField(allow_null=True, help_text="Calendar days less the days paused.")
    state = serializers.ChoiceField(choices=[s.value for s in State])
    state_label = serializers.CharField(source="label")
    days_over = serializers.IntegerField(help_text="Days past the due date of a stage that ended late.")


class NextActionOutput(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices)
    # A field named like Field.label: DRF takes declared fields off the class, so only mypy minds.
    label = serializers.CharField()  # type: ignore[assignment]
    permitted = serializers.BooleanField(help_text="true: the actor's role may take this step.")
    details = serializers.ListField(
        child=serializers.CharField(), help_text="The fields this step takes beside its date `on`."
    )


class HouseholdDetailOutput(HouseholdOutput):
    area = serializers.CharField()
    legal_status = serializers.CharField(help_text="903 LS_ADOPTR; blank when not recorded.")
    enquiry_source = serializers.CharField()
    enquiry_outcome = serializers.CharField()
    registered_on = serializers.DateField(allow_null=True)
    stage1_started_on = serializers.DateField(allow_null=True)
    stage1_ended_on = serializers.DateField(allow_null=True)
    training_attended_on = serializers.DateField(allow_null=True)
    stage2_notified_on = serializers.DateField(allow_null=True)
    stage2_started_on = serializers.DateField(allow_null=True)
    stage2_ended_on = serializers.DateField(allow_null=True)
    stage2_extension_reason = serializers.CharField()
    par_status = serializers.ChoiceField(choices=Household.ParStatus.choices)
    panel_on = serializers.DateField(allow_null=True)
    panel_recommendation = serializers.CharField()
    approval = ApprovalOutput(allow_null=True, help_text="null until the agency decision approves the family.")
    left_on = serializers.DateField(allow_null=True)
    leaving_reason = serializers.CharField()
    deregistered_on = serializers.DateField(allow_null=True)
    timeliness = StageOutput(many=True, help_text="Stage 1, between the stages, stage 2.")
    checks_outstanding = serializers.IntegerField(source="summary.checks_outstanding")
    checks_overdue = serializers.IntegerField(source="summary.checks_overdue")
    waiting_since = serializers.DateField(source="summary.waiting_since", allow_null=True)
    review_due_on = serializers.DateField(source="summary.review_due_on", allow_null=True)
    availability = serializers.CharField(
        source="summary.availability.status", allow_null=True, help_text="The latest family-finding availability."
    )
    next_actions = NextActionOutput(many=True, help_text="The steps open from here, in journey order.")
    updated_at = serializers.DateTimeField()


def _with_summary(household: Household, actor: Any) -> Household:
    """Attach what the detail shows beside the record: timeliness, checks, and the steps open from here."""
    summary = selectors.household_summary(household, today=timezone.localdate())
    household.summary = summary  # type: ignore[attr-defined]
    household.timeliness = summary.timeliness.stages  # type: ignore[attr-defined]
    household.approval = household if household.approved_on else None  # type: ignore[attr-defined]
    household.next_actions = [  # type: ignore[attr-defined]
        {
            "action": t.action,
            "label": t.label,
            "permitted": tenancy.has_role(actor, *t.roles),
            "details": sorted(services.ACTION_DETAILS[t.action]),
        }
        for t in workflow.available(household.status, household.route)
    ]
    return household


class CheckOutput(serializers.Serializer):
    id = serializers.IntegerField()
    applicant_id = serializers.IntegerField()
    applicant = serializers.CharField(source="applicant.full_name")
    kind = serializers.ChoiceField(choices=Check.Kind.choices)
    requested_on = serializers.DateField()
    due_on = serializers.DateField()
    received_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField(help_text="satisfactory, concerns or unsatisfactory; blank until received.")
    delay_reason = serializers.CharField()


class PauseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.IntegerField(help_text="1 or 2: the stage that is paused.")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()


_APPLICANTS = [
    {
        "id": 12,
        "first_name": "Sam",
        "last_name": "Okafor",
        "date_of_birth": "1986-07-02",
        "sex": "M",
        "ethnicity": "BAFR",
        "disability": "no",
    },
    {
        "id": 13,
        "first_name": "Jo",
        "last_name": "Okafor",
        "date_of_birth": "1988-11-23",
        "sex": "F",
        "ethnicity": "WBRI",
        "disability": "no",
    },
]
_HOUSEHOLD = {
    "id": 214,
    "reference": "HH-0214",
    "name": "Sam and Jo Okafor",
    "approving_agency": "Adoption North West",
    "route": "standard",
    "status": "awaiting_decision",
    "status_label": "Panel recommended, awaiting decision",
    "assessing_worker": "Priya Shah",
    "enquired_on": "2024-06-03",
    "applicants": _APPLICANTS,
}
HOUSEHOLD_ROW_EXAMPLE = {**_HOUSEHOLD, "status": "stage_2", "status_label": "Stage 2", "stage_due_on": "2025-03-05"}
HOUSEHOLD_ROW_EXAMPLE["overdue"] = False


def _stage(name: str, started: str, ended: str, due: str, days: int, limit: int) -> dict[str, Any]:
    return {
        "name": name,
        "started_on": started,
        "ended_on": ended,
        "limit_months": limit,
        "due_on": due,
        "calendar_days": days,
        "paused_days": 0,
        "working_days": days,
        "state": "on_time",
        "state_label": "On time",
        "days_over": 0,
    }


HOUSEHOLD_EXAMPLE = {
    **_HOUSEHOLD,
    "area": "Wigan",
    "legal_status": "L11",
    "enquiry_source": "Website",
    "enquiry_outcome": "Registration of interest",
    "registered_on": "2024-06-24",
    "stage1_started_on": "2024-06-24",
    "stage1_ended_on": "2024-08-19",
    "training_attended_on": "2024-10-08",
    "stage2_notified_on": "2024-09-02",
    "stage2_started_on": "2024-09-05",
    "stage2_ended_on": "2025-01-17",
    "stage2_extension_reason": "",
    "par_status": "completed",
    "panel_on": "2025-03-04",
    "panel_recommendation": "suitable",
    "approval": None,
    "left_on": None,
    "leaving_reason": "",
    "deregistered_on": None,
    "timeliness": [
        _stage("Stage 1", "2024-06-24", "2024-08-19", "2024-08-24", 56, 2),
        _stage("Between the stages", "2024-08-19", "2024-09-05", "2025-02-19", 17, 6),
        _stage("Stage 2", "2024-09-05", "2025-01-17", "2025-01-05", 134, 4)
        | {"state": "late", "state_label": "Late", "days_over": 12},
    ],
    "checks_outstanding": 0,
    "checks_overdue": 0,
    "waiting_since": None,
    "review_due_on": None,
    "availability": None,
    "next_actions": [
        {
            "action": "record-decision",
            "label": "Record the agency decision",
            "permitted": False,
            "details": sorted(services.ACTION_DETAILS[Action.RECORD_DECISION]),
        }
    ],
    "updated_at": "2025-03-04T16:40:12Z",
}
CHECK_EXAMPLE = {
    "id": 588,
    "applicant_id": 12,
    "applicant": "Sam Okafor",
    "kind": "dbs",
    "requested_on": "2025-01-06",
    "due_on": "2025-02-17",
    "received_on": None,
    "outcome": "",
    "delay_reason": "",
}
PAUSE_EXAMPLE = {
    "id": 41,
    "stage": 2,
    "started_on": "2024-11-04",
    "ended_on": None,
    "reason": "Bereavement in the family: the couple asked for a month",
}


PAGINATED_HOUSEHOLDS = api.paginated("PaginatedHouseholdList", HouseholdListOutput(many=True))


# --- households ----------------------------------------------------------------------------------------------


class HouseholdListApi(HouseholdApi):
    class FilterInput(serializers.Serializer):
        q = serializers.CharField(
            required=False, default="", allow_blank=True, help_text="Words in the name, reference or applicants."
        )
        status = serializers.ChoiceField(choices=Household.Status.choices, required=False, default="", allow_blank=True)
        route = serializers.ChoiceField(choices=Household.Route.choices, required=False, default="", allow_blank=True)
        overdue = serializers.BooleanField(
            required=False, default=False, help_text="Only those past a stage's due date."
        )
        ordering = serializers.ChoiceField(
            choices=list(selectors.SORTS),
            required=False,
            default="name",
            help_text="name, reference, enquired (newest first), stage, or due (soonest first).",
        )

    @extend_schema(
        operation_id="households_list",
        summary="List the agency's households",
        description="Households of the actor's agencies. An LA's API client has none: the list is empty.",
        parameters=[
            FilterInput,
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (at most 200)."),
        ],
        responses={200: PAGINATED_HOUSEHOLDS, **_errors(400, 401)},
        examples=[api.page_example("A page with one household", HOUSEHOLD_ROW_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = filters.validated_data
        today = timezone.localdate()
        households = selectors.household_search(
            actor=request.user,
            today=today,
            q=found["q"],
            status=found["status"],
            route=found["route"],
            overdue=found["overdue"],
            sort=found["ordering"],
        )
        return api.page_answer(
            self, request, households, lambda page: HouseholdListOutput(page, many=True, context={"today": today}).data
        )


def _representation(request: Request, household_id: int) -> Any:
    """The household as its GET shows it (whose hash is its ETag), without recording a read."""
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    return HouseholdDetailOutput(_with_summary(household, request.user)).data


class OneHouseholdApi(HouseholdApi):
    """A step on one household: made only to the version an ``If-Match`` names, if one is sent."""

    conditional = (Household, "household_id")

    def current_representation(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return _representation(request, kwargs["household_id"])


class HouseholdDetailApi(HouseholdApi):
    etag = True

    @extend_schema(
        operation_id="households_retrieve",
        summary="Read one household",
        description="Every read is recorded in the audit trail.",
        responses={200: HouseholdDetailOutput, **_errors(401, 404)},
        examples=[api.answer_example("A household the panel recommended", HOUSEHOLD_EXAMPLE)],
    )
    def get(self, request: Request, household_id: int) -> Response:
        household = selectors.household_get(actor=request.user, household_id=household_id)
        return Response(HouseholdDetailOutput(_with_summary(household, request.user)).data)


# Who may take some step by hand (which one, the transition table decides from the body and the household).
TRANSITION_ROLES = frozenset().union(*(workflow.roles_for(action) for action in workflow.Action))


class HouseholdTransitionApi(OneHouseholdApi):
    class TransitionInput(serializers.Serializer):
        action = serializers.ChoiceField(choices=Action.choices)
        on = serializers.DateField(help_text="The date of the step; today or earlier.")
        assessing_worker_id = serializers.IntegerField(required=False, allow_null=True)
        training_attended_on = serializers.DateField(required=False)
        stage2_notified_on = serializers.DateField(required=False)
        panel_recommendation = serializers.ChoiceField(choices=Household.Recommendation.choices, required=False)
        decision = serializers.ChoiceField(choices=["approve", "not_approve"], required=False)
        approved_children_min = serializers.IntegerField(min_value=0, required=False)
        approved_children_max = serializers.IntegerField(min_value=0, required=False)
        approved_age_min = serializers.IntegerField(min_value=0, required=False)
        approved_age_max = serializers.IntegerField(min_value=0, required=False)
        approved_for_siblings = serializers.BooleanField(required=False)
        disability_openness = serializers.ChoiceField(choices=Household.Openness.choices, required=False)
        early_permanence_approved = serializers.BooleanField(required=False)
        leaving_reason = serializers.ChoiceField(choices=Household.LeavingReason.choices, required=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            action = Action(attrs["action"])
            taken = services.ACTION_DETAILS[action]
            unknown = {
                name: [f"{action.label} does not take this."] for name in attrs if name not in {"action", "on", *taken}
            }
            if unknown:
                raise serializers.ValidationError(unknown)
            return attrs

    @extend_schema(
        operation_id="households_transitions_create",
        summary="Move a household one step on",
        description=(
            "Records one step of the journey (the detail's `next_actions` lists those open now) with its date and "
            "the details that step takes. A step that is not possible from the household's stage, on its route, "
            "or before what it needs (such as every check received) answers 400 with the reason as `message`."
        ),
        request=TransitionInput,
        responses={200: HouseholdDetailOutput, **_errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "Record the panel",
                value={"action": "record-panel", "on": "2025-03-04", "panel_recommendation": "suitable"},
                request_only=True,
            ),
            api.answer_example("The household after the panel", HOUSEHOLD_EXAMPLE),
            REFUSED_EXAMPLE,
        ],
    )
    def post(self, request: Request, household_id: int) -> Response:
        _, data = _write_input(request, household_id, self.TransitionInput, roles=TRANSITION_ROLES)
        services.household_transition(actor=request.user, household_id=household_id, **data)
        return Response(_representation(request, household_id))


class HouseholdChecksApi(HouseholdApi):
    class CheckInput(serializers.Serializer):
        applicant_id = serializers.IntegerField(help_text="One of the household's applicants.")
        kind = serializers.ChoiceField(choices=Check.Kind.choices)
        requested_on = serializers.DateField(help_text="Today or earlier; the due date follows from the kind.")

    @extend_schema(
        operation_id="households_checks_list",
        summary="List the household's checks",
        description="Every check on each applicant, received or not. The read is recorded in the audit trail.",
        responses={200: CheckOutput(many=True), **_errors(401, 404)},
        examples=[api.answer_example("A DBS check awaited", CHECK_EXAMPLE)],
    )
    def get(self, request: Request, household_id: int) -> Response:
        household = selectors.household_get(actor=request.user, household_id=household_id)
        checks = [check for applicant in household.applicants.all() for check in applicant.checks.all()]
        return Response(CheckOutput(checks, many=True).data)

    @extend_schema(
        operation_id="households_checks_create",
        summary="Request a check for an applicant",
        request=CheckInput,
        responses={201: CheckOutput, **_errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "A DBS check",
                value={"applicant_id": 12, "kind": "dbs", "requested_on": "2025-01-06"},
                request_only=True,
            ),
            api.answer_example("A DBS check", CHECK_EXAMPLE, 201),
        ],
    )
    def post(self, request: Request, household_id: int) -> Response:
        household, data = _write_input(request, household_id, self.CheckInput)
        if data["applicant_id"] not in {a.pk for a in household.applicants.all()}:
            raise serializers.ValidationError({"applicant_id": ["Choose one of the household's applicants."]})
        check = services.check_request(actor=request.user, **data)
        return Response(CheckOutput(check).data, status=status.HTTP_201_CREATED)


class PauseStartApi(OneHouseholdApi):
    class PauseStartInput(serializers.Serializer):
        started_on = serializers.DateField()
        reason = serializers.CharField(max_length=300)

    @extend_schema(
        operation_id="households_pauses_create",
        summary="Pause the assessment",
        description="Stage 1 or stage 2, whichever is under way. The pause lasts until it is ended.",
        request=PauseStartInput,
        responses={201: PauseOutput, **_errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "A family's request",
                value={"started_on": "2024-11-04", "reason": PAUSE_EXAMPLE["reason"]},
                request_only=True,
            ),
            api.answer_example("The pause", PAUSE_EXAMPLE, 201),
        ],
    )
    def post(self, request: Request, household_id: int) -> Response:
        _, data = _write_input(request, household_id, self.PauseStartInput)
        pause = services.pause_start(actor=request.user, household_id=household_id, **data)
        return Response(PauseOutput(pause).data, status=status.HTTP_201_CREATED)


class PauseEndApi(OneHouseholdApi):
    class PauseEndInput(serializers.Serializer):
        ended_on = serializers.DateField(help_text="The day the assessment resumed.")

    @extend_schema(
        operation_id="households_pauses_end",
        summary="End the pause: the assessment resumes",
        request=PauseEndInput,
        responses={200: PauseOutput, **_errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample("Resumed", value={"ended_on": "2024-12-02"}, request_only=True),
            api.answer_example("The pause, ended", {**PAUSE_EXAMPLE, "ended_on": "2024-12-02"}),
        ],
    )
    def post(self, request: Request, household_id: int) -> Response:
        _, data = _write_input(request, household_id, self.PauseEndInput)
        pause = services.pause_end(actor=request.user, household_id=household_id, **data)
        return Response(PauseOutput(pause).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", HouseholdListApi.as_view(), name="api-households-list"),
    path("<int:household_id>/", HouseholdDetailApi.as_view(), name="api-households-detail"),
    path("<int:household_id>/transitions/", HouseholdTransitionApi.as_view(), name="api-households-transitions"),
    path("<int:household_id>/checks/", HouseholdChecksApi.as_view(), name="api-households-checks"),
    path("<int:household_id>/pauses/", PauseStartApi.as_view(), name="api-households-pauses"),
    path("<int:household_id>/pauses/end/", PauseEndApi.as_view(), name="api-households-pauses-end"),
]
