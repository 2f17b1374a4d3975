"""What every children's page shares: who may write, and how a form page answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from adoption.forms import GovukForm, VersionedForm
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


def _service_kwargs(form: GovukForm) -> dict[str, Any]:
    """The form's arguments for its service, with the record's version when the form edits an existing record
    (so the service refuses a change to a record someone else changed since the page was opened)."""
    kwargs = form.service_kwargs()
    if isinstance(form, VersionedForm):
        kwargs["expected_version"] = form.expected_version
    return kwargs


def _service_form_page(
    request: HttpRequest,
    form: GovukForm,
    call: Callable[..., Any],
    *,
    done: str,
    then: str | Callable[[Any], str],
    page: dict[str, str],
    warn: Callable[[Any], str] | None = None,
    **context: Any,
) -> HttpResponse:
    """A form page: on a valid POST call ``call(**kwargs)`` with the form's arguments, say ``done`` (and
    ``warn(result)``), then go to ``then`` (or ``then(result)``); on a refusal show the form again with its errors."""
    if request.method == "POST" and form.is_valid():
        result = form.run(lambda: call(**_service_kwargs(form)))
        if not form.errors:
            messages.success(request, done)
            if warn and (warning := warn(result)):
                messages.warning(request, warning)
            return redirect(then(result) if callable(then) else then)
    return _form_response(request, "children/event_form.html", {"form": form, "page": page, **context})
