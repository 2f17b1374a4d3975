"""API conventions shared by every app: pagination and the one error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import exceptions, pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

# The one error shape, as the OpenAPI schema describes it (every app's operations name this component).
ERROR = inline_serializer("Error", fields={"message": serializers.CharField(), "extra": serializers.DictField()})


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        """A page past the end (or not a number) is a bad request, on the ``page`` field, not a missing record."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({self.page_query_param: [str(exc.detail)]}) from exc


def filtered(filterset: type[Any], request: Request, queryset: Any) -> Any:
    """``queryset`` narrowed by the request's filters (a django-filter ``FilterSet``); a filter that is not valid is
    a 400 naming its field."""
    filters = filterset(request.query_params, queryset=queryset)
    if not filters.is_valid():
        raise exceptions.ValidationError(filters.errors)
    return filters.qs


def page_answer(view: Any, request: Request, rows: Any, serialize: Callable[[list[Any]], Any]) -> Response:
    """One page of ``rows`` in the list shape (``paginated``); ``serialize`` turns the page's rows into their JSON."""
    paginator = Pagination()
    page: list[Any] | None = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serialize(page or []))


def paginated(name: str, results: serializers.Serializer) -> Any:
    """The schema of one page of a list as ``Pagination`` returns it, with ``results`` as its rows."""
    return inline_serializer(
        name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": results,
        },
    )


def error_responses(words: dict[int, str], *codes: int, **overrides: str) -> dict[int, OpenApiResponse]:
    """An operation's error answers in the one error shape, each described by an app's ``words`` for that code;
    ``e404="..."`` (and so on) says what a code means for this operation instead."""
    return {code: OpenApiResponse(ERROR, description=overrides.get(f"e{code}", words[code])) for code in codes}


def answer_example(title: str, value: Any, status: int = 200) -> OpenApiExample:
    """An example of a successful answer, for the schema and the integrators' page."""
    return OpenApiExample(title, value=value, response_only=True, status_codes=[str(status)])


def page_example(title: str, row: dict[str, Any]) -> OpenApiExample:
    """An example of one page of a list (see ``paginated``) holding ``row``."""
    return answer_example(title, {"count": 1, "next": None, "previous": None, "results": [row]})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error is ``{"message": str, "extra": {...}}``; field errors go in ``extra.fields``."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        message = "The request has invalid fields."
        extra: dict[str, Any] = {"fields": response.data}
    elif isinstance(exc, exceptions.Throttled):
        wait = int(response.get("Retry-After") or 0)
        message = f"Too many requests from this API client: try again in {wait} second{'s' if wait != 1 else ''}."
        extra = {"retry_after": wait}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        message = str(detail)
        extra = {}
    response.data = {"message": message, "extra": extra}
    return response


def service_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """For views that write through the services: a service's refusal answers with its own words as the message
    (each reason also on its field), and a role check keeps its words, in the one error shape."""
    message = ""
    if isinstance(exc, DjangoValidationError):
        fields: dict[str, Any] = (
            dict(exc.message_dict) if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        )
        if NON_FIELD_ERRORS in fields:
            fields[api_settings.NON_FIELD_ERRORS_KEY] = fields.pop(NON_FIELD_ERRORS)
        message = "; ".join(str(m) for messages in fields.values() for m in messages)
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, DjangoPermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(str(exc))
    response = exception_handler(exc, context)
    if response is not None and message:
        response.data["message"] = message
    return response
