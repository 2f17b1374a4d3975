"""The LA API's journey events: a child's dated records in date order, and recording the main ones.

GET lists the periods of care, the ADM's decisions and their reversals, placement orders, early permanence,
matches, placements, their ends (disruptions) and permanence orders, each as ``{type, date, id, fields}``.
POST records one, named by ``type``, through the same service as the child's page (``children.services``), so the
page's rules and words apply: a refused one answers 400 in the one error shape, ``message`` giving the reasons and
``extra.fields`` each on its field. Another LA's child answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from children import services
from children.api import ChildrenApiView, errors, refused_example
from children.models import AdoptionDecision, EarlyPermanencePlacement, PermanenceOutcome, PlacementOrder
from children.selectors import api as api_selectors
from children.selectors.api import JourneyEvent

EVENT_TYPES = api_selectors.EVENT_ORDER


def _codes(choices: list[tuple[str, str]]) -> str:
    # Plain text rather than an enum: two models name their choices "kind" (the schema's enum names would clash).
    return "; ".join(f"`{code}` ({label})" for code, label in choices) + "."


class EventOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[(t, t) for t in EVENT_TYPES])
    date = serializers.DateField()
    id = serializers.IntegerField(help_text="The id of the record the event is part of (a decision, a placement...).")
    # Named as the answer shows it; DRF's metaclass takes the declared field out of the class, so the serializer's
    # own ``fields`` property is untouched.
    fields = serializers.DictField(  # type: ignore[assignment]
        help_text="The event's own fields (codes as the 903 and the pages use them)."
    )


class EventListOutput(serializers.Serializer):
    child_id = serializers.IntegerField()
    events = EventOutput(many=True)


# --- what may be recorded --------------------------------------------------------------------------------------


class AdmDecisionInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("adm_decision", "adm_decision")])
    decided_on = serializers.DateField(help_text="The ADM's decision that the child should be placed for adoption.")


class AdmDecisionReversalInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("adm_decision_reversal", "adm_decision_reversal")])
    reversed_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=AdoptionDecision.ReversalReason.choices, help_text="903 RD1 to RD4.")


class PlacementOrderInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("placement_order", "placement_order")])
    made_on = serializers.DateField()
    order_type = serializers.ChoiceField(choices=PlacementOrder.OrderType.choices, required=False)
    court = serializers.CharField(max_length=200, required=False, allow_blank=True)


class EarlyPermanenceInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("early_permanence", "early_permanence")])
    kind = serializers.CharField(help_text=_codes(EarlyPermanencePlacement.Kind.choices))
    started_on = serializers.DateField()


class EarlyPermanenceEndInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("early_permanence_end", "early_permanence_end")])
    placement_id = serializers.IntegerField(help_text="The early permanence placement's id (from its event).")
    ended_on = serializers.DateField()


class PermanenceOutcomeInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("permanence_outcome", "permanence_outcome")])
    kind = serializers.CharField(help_text=_codes(PermanenceOutcome.Kind.choices))
    made_on = serializers.DateField()
    court = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Needed for an adoption order."
    )


class PlacementEndInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("placement_end", "placement_end")])
    ended_on = serializers.DateField(help_text="The current adoptive placement ended before an adoption order.")


@dataclass(frozen=True)
class Recordable:
    input: type[serializers.Serializer]
    service: Callable[..., Any]
    # The events of the record the service returns; the one of this ``type`` is the answer.
    events: Callable[[Any], list[JourneyEvent]]


RECORDABLE: dict[str, Recordable] = {
    "adm_decision": Recordable(AdmDecisionInput, services.adoption_decision_record, api_selectors.decision_events),
    "adm_decision_reversal": Recordable(
        AdmDecisionReversalInput, services.adoption_decision_reverse, api_selectors.decision_events
    ),
    "placement_order": Recordable(PlacementOrderInput, services.placement_order_record, api_selectors.order_events),
    "early_permanence": Recordable(
        EarlyPermanenceInput, services.early_permanence_record, api_selectors.early_permanence_events
    ),
    "early_permanence_end": Recordable(
        EarlyPermanenceEndInput, services.early_permanence_end, api_selectors.early_permanence_events
    ),
    "permanence_outcome": Recordable(
        PermanenceOutcomeInput, services.permanence_outcome_record, api_selectors.outcome_events
    ),
    "placement_end": Recordable(PlacementEndInput, services.adoptive_placement_end, api_selectors.placement_events),
}

EVENT_INPUT = PolymorphicProxySerializer(
    component_name="JourneyEventInput",
    serializers={name: recordable.input for name, recordable in RECORDABLE.items()},
    resource_type_field_name="type",
)


class TypeInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[(name, name) for name in RECORDABLE])


def _event(event: JourneyEvent) -> dict[str, Any]:
    return EventOutput(asdict(event)).data


class ChildEventsApi(ChildrenApiView):
    @extend_schema(
        operation_id="children_events_list",
        summary="List a child's journey events",
        description="The child's dated records in date order (on one day, in the journey's order).",
        responses={200: EventListOutput, **errors(401, 404)},
        examples=[
            OpenApiExample(
                "A child's events",
                value={
                    "child_id": 1803,
                    "events": [
                        {"type": "period_of_care_start", "date": "2023-01-05", "id": 91, "fields": {}},
                        {"type": "adm_decision", "date": "2023-06-01", "id": 44, "fields": {}},
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, child_id: int) -> Response:
        events = api_selectors.child_events(actor=request.user, child_id=child_id)
        return Response({"child_id": child_id, "events": [_event(event) for event in events]})

    @extend_schema(
        operation_id="children_events_create",
        summary="Record a journey event",
        description="One of the types below, through the same service as the child's page.",
        request=EVENT_INPUT,
        responses={201: EventOutput, **errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "An ADM decision", value={"type": "adm_decision", "decided_on": "2023-06-01"}, request_only=True
            ),
            OpenApiExample(
                "Recorded",
                value={"type": "adm_decision", "date": "2023-06-01", "id": 44, "fields": {}},
                response_only=True,
                status_codes=["201"],
            ),
            refused_example("decided_on", "The child already has a decision that they should be placed for adoption"),
        ],
    )
    def post(self, request: Request, child_id: int) -> Response:
        kind = TypeInput(data=request.data)
        kind.is_valid(raise_exception=True)
        name = kind.validated_data["type"]
        recordable = RECORDABLE[name]
        given = recordable.input(data=request.data)
        given.is_valid(raise_exception=True)
        fields = {key: value for key, value in given.validated_data.items() if key != "type"}
        record = recordable.service(actor=request.user, child_id=child_id, **fields)
        event = next(e for e in recordable.events(record) if e.type == name)
        return Response(_event(event), status=status.HTTP_201_CREATED)
