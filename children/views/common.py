"""What every children's page shares: who may write, and how a form page answers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from children import services

PAGE_SIZE = 25
GET_POST = require_http_methods(["GET", "POST"])


def _can_write(request: HttpRequest) -> bool:
    return services.may_write_journeys(request.user)


def _require_writer(request: HttpRequest) -> None:
    if not _can_write(request):
        raise PermissionDenied("Your role cannot change children's records.")


def _form_data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _form_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A form page, shown again with its errors after a refused submission.

    The status stays 200 when it shows errors: a browser reports a 4xx page as a failed resource
    load (a console error), and the page itself says what is wrong.
    """
    return render(request, template, context)
