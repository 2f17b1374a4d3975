"""The API's reference code lists: the SSDA903 codes the product stores, each with its label.

An LA's system reads them to show or check the codes it sends and receives (a child's ethnicity, a legal status,
a reason a placement changed...). The lists are those of the models (``adoption.codes``, ``children.codes``,
``children.models``), so they are always the codes the API accepts and returns. They are reference data, the same
for every LA: any authenticated API client may read them (``adoption.api_scopes``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import Http404
from django.urls import URLPattern, URLResolver, path, reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from adoption.api import ERROR
from adoption.api_conventions import ApiView
from adoption.codes import Ethnicity
from children.codes import (
    CategoryOfNeed,
    LegalStatus,
    PlacementProvider,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
    ReasonPlaceChange,
)
from children.models import AdoptionDecision, Sex


@dataclass(frozen=True)
class CodeList:
    name: str  # in the address: /api/v1/codes/<name>/
    field: str  # the 903 field the codes are of
    title: str
    choices: type[models.TextChoices]


CODE_LISTS: tuple[CodeList, ...] = (
    CodeList("sex", "SEX", "Sex", Sex),
    CodeList("ethnicity", "ETHNIC", "Ethnicity", Ethnicity),
    CodeList("legal-status", "LS", "Legal status", LegalStatus),
    CodeList("category-of-need", "CIN", "Category of need", CategoryOfNeed),
    CodeList("reason-new-episode", "RNE", "Reason for a new episode", ReasonNewEpisode),
    CodeList("placement-type", "PLACE", "Placement type", PlacementType),
    CodeList("placement-provider", "PLACE_PROVIDER", "Placement provider", PlacementProvider),
    CodeList("reason-episode-ceased", "REC", "Reason the episode ceased", ReasonEpisodeCeased),
    CodeList("reason-place-change", "REASON_PLACE_CHANGE", "Reason for a change of placement", ReasonPlaceChange),
    CodeList(
        "reversal-reason",
        "REASON (AD1)",
        "Reason a decision that the child should be placed for adoption was reversed",
        AdoptionDecision.ReversalReason,
    ),
)
BY_NAME = {code_list.name: code_list for code_list in CODE_LISTS}


class CodeOutput(serializers.Serializer):
    code = serializers.CharField()
    # A field named as DRF's Field.label attribute: the metaclass takes it as a field, as intended.
    label = serializers.CharField()  # type: ignore[assignment]


class CodeListOutput(serializers.Serializer):
    name = serializers.CharField(help_text="The list's name in its address: `/api/v1/codes/<name>/`.")
    field = serializers.CharField(help_text="The SSDA903 field whose codes these are.")
    title = serializers.CharField()
    url = serializers.URLField(help_text="The address of the list's codes.")
    count = serializers.IntegerField(help_text="How many codes the list has.")


class CodeListDetailOutput(serializers.Serializer):
    name = serializers.CharField()
    field = serializers.CharField()
    title = serializers.CharField()
    codes = CodeOutput(many=True)


def _summary(code_list: CodeList, request: Request) -> dict[str, Any]:
    return {
        "name": code_list.name,
        "field": code_list.field,
        "title": code_list.title,
        "url": request.build_absolute_uri(reverse("api-codes-detail", args=[code_list.name])),
        "count": len(code_list.choices.choices),
    }


UNAUTHENTICATED = OpenApiResponse(ERROR, description="No valid token and not signed in.")


class CodeListsApi(ApiView):
    @extend_schema(
        operation_id="codes_list",
        summary="List the reference code lists",
        description="Every SSDA903 code list the product stores, with the address of its codes.",
        responses={200: CodeListOutput(many=True), 401: UNAUTHENTICATED},
        examples=[
            OpenApiExample(
                "The lists",
                # One list: the schema shows it inside the answer's array.
                value={
                    "name": "legal-status",
                    "field": "LS",
                    "title": "Legal status",
                    "url": "https://example.org/api/v1/codes/legal-status/",
                    "count": 16,
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(CodeListOutput([_summary(c, request) for c in CODE_LISTS], many=True).data)


class CodeListDetailApi(ApiView):
    etag = True

    @extend_schema(
        operation_id="codes_retrieve",
        summary="Read one code list",
        description="The codes of one list, each with its label, in the DfE's order.",
        responses={
            200: CodeListDetailOutput,
            401: UNAUTHENTICATED,
            404: OpenApiResponse(ERROR, description="No such code list."),
        },
        examples=[
            OpenApiExample(
                "Sex",
                value={
                    "name": "sex",
                    "field": "SEX",
                    "title": "Sex",
                    "codes": [
                        {"code": "M", "label": "Male"},
                        {"code": "F", "label": "Female"},
                        {"code": "U", "label": "Not known"},
                    ],
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request: Request, name: str) -> Response:
        code_list = BY_NAME.get(name)
        if code_list is None:
            raise Http404("No such code list.")
        codes = [{"code": code, "label": str(label)} for code, label in code_list.choices.choices]
        return Response(
            CodeListDetailOutput(
                {"name": code_list.name, "field": code_list.field, "title": code_list.title, "codes": codes}
            ).data
        )


urlpatterns: list[URLPattern | URLResolver] = [
    path("", CodeListsApi.as_view(), name="api-codes-list"),
    path("<slug:name>/", CodeListDetailApi.as_view(), name="api-codes-detail"),
]
