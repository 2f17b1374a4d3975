"""Pages where an LA's administrators register, rotate and revoke the LA's API clients.

Who sees what: the LAs where the user holds the administrator role (at the LA, or at its RAA for all its LAs:
``tenancy.la_ids_with_roles``). Anyone else gets 403 on every page; a client of an LA outside those is 404, as if
it did not exist. A token is shown once, on the page the registration or the rotation answers with (never in a URL,
a message, the session or a log); afterwards only its first characters are shown, to tell tokens apart.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from adoption import services
from adoption.forms import GovukForm, choice, text
from adoption.models import ApiClient, ApiScope, Organisation
from adoption.selectors import administered_la_ids, api_client_get, api_client_list

GET_POST = require_http_methods(["GET", "POST"])
DEFAULT_DAYS = 90


# --- reads -------------------------------------------------------------------------------------------------------


def _labelled(client: ApiClient) -> ApiClient:
    """The client with ``scope_labels``: what it may do in words, in the order of ``ApiScope``."""
    client.scope_labels = [label for value, label in ApiScope.choices if value in client.scopes]  # type: ignore[attr-defined]
    return client


# --- forms -------------------------------------------------------------------------------------------------------


def _days_field() -> forms.IntegerField:
    limit = services.MAX_TOKEN_DAYS
    message = f"Enter a number of days from 1 to {limit}"
    return forms.IntegerField(
        label="Days until the token expires",
        help_text=f"From 1 to {limit} days. The client will need a new token after that.",
        initial=DEFAULT_DAYS,
        min_value=1,
        max_value=limit,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={"required": message, "invalid": message, "min_value": message, "max_value": message},
    )


class ApiClientForm(GovukForm):
    name = text("Name", help_text="What the client is, for example 'Ashby case management system'.", width="20")
    la = choice("Local authority", [])
    scopes = forms.MultipleChoiceField(
        label="What the client may do",
        help_text="Select all that apply. Give it only what it needs.",
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one thing the client may do",
            "invalid_choice": "Select what the client may do from the list",
        },
    )
    days = _days_field()

    service_fields = {"organisation": "la"}

    def __init__(self, *args: Any, las: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.las = {str(la.pk): la for la in las}
        field = cast(forms.ChoiceField, self.fields["la"])
        field.choices = [("", "Choose one"), *((str(la.pk), la.name) for la in las)]
        if len(las) == 1:
            field.initial = str(las[0].pk)

    def clean_la(self) -> Organisation:
        return self.las[self.cleaned_data["la"]]  # the choices are the actor's LAs only


class RotateForm(GovukForm):
    days = _days_field()


class ConfirmForm(GovukForm):
    """A button and nothing else."""


# --- pages -------------------------------------------------------------------------------------------------------


def _posted(request: HttpRequest) -> Any:
    """The form's data when it was sent (even empty, so an empty form is checked), else None (a blank form)."""
    return request.POST if request.method == "POST" else None


def _token_page(request: HttpRequest, client: ApiClient, token: str, *, rotated: bool) -> HttpResponse:
    """The one page that shows a token. Never cached; the token is in the body only."""
    response = render(request, "api_clients/token.html", {"client": client, "token": token, "rotated": rotated})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def api_client_list_page(request: HttpRequest) -> HttpResponse:
    clients = [_labelled(client) for client in api_client_list(actor=request.user)]
    return render(request, "api_clients/list.html", {"clients": clients})


@never_cache
@login_required
@GET_POST
def api_client_create_page(request: HttpRequest) -> HttpResponse:
    las = list(
        Organisation.objects.filter(pk__in=administered_la_ids(request.user), kind=Organisation.Kind.LA).order_by(
            "name"
        )
    )
    form = ApiClientForm(_posted(request), las=las)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = form.run(
            lambda: services.api_client_create(
                actor=request.user,
                organisation=data["la"],
                name=data["name"],
                days=data["days"],
                scopes=data["scopes"],
            )
        )
        if created is not None:
            client, token = created
            return _token_page(request, client, token, rotated=False)
    context = {
        "form": form,
        "title": "Register an API client",
        "caption": "API clients",
        "back": reverse("api-clients"),
        "button": "Register and show the token",
        "about": "The client's token is shown once, on the next page. It works for this local authority's records "
        "only, for what you select, until it expires or is revoked.",
    }
    return render(request, "form_page.html", context)


@login_required
@require_GET
def api_client_detail_page(request: HttpRequest, client_id: int) -> HttpResponse:
    client = api_client_get(actor=request.user, client_id=client_id)
    return render(request, "api_clients/detail.html", {"client": _labelled(client)})


@never_cache
@login_required
@GET_POST
def api_client_rotate_page(request: HttpRequest, client_id: int) -> HttpResponse:
    client = api_client_get(actor=request.user, client_id=client_id)
    if client.revoked_at is not None:
        messages.error(request, "This client has been revoked, so its token cannot be replaced.")
        return redirect("api-client-detail", client_id=client.pk)
    form = RotateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        rotated = form.run(
            lambda: services.api_client_rotate(actor=request.user, client=client, days=form.cleaned_data["days"])
        )
        if rotated is not None:
            client, token = rotated
            return _token_page(request, client, token, rotated=True)
    context = {
        "form": form,
        "title": f"Replace the token of {client.name}",
        "caption": client.organisation.name,
        "back": reverse("api-client-detail", args=[client.pk]),
        "button": "Replace the token",
        "problem": "The current token stops working as soon as you replace it. The client's system will need the "
        "new token straight away.",
    }
    return render(request, "form_page.html", context)


@login_required
@GET_POST
def api_client_revoke_page(request: HttpRequest, client_id: int) -> HttpResponse:
    client = api_client_get(actor=request.user, client_id=client_id)
    if client.revoked_at is not None:
        return redirect("api-client-detail", client_id=client.pk)
    form = ConfirmForm(_posted(request))
    posted = request.method == "POST" and form.is_valid()
    if posted and form.run(lambda: services.api_client_revoke(actor=request.user, client=client)) is not None:
        messages.success(request, f"{client.name} has been revoked. Its token no longer works.")
        return redirect("api-client-detail", client_id=client.pk)
    context = {
        "form": form,
        "title": f"Revoke {client.name}",
        "caption": client.organisation.name,
        "back": reverse("api-client-detail", args=[client.pk]),
        "button": "Revoke the client",
        "warning": True,
        "problem": "Its token will stop working at once, for good. This cannot be undone: to connect the system "
        "again, register a new client.",
    }
    return render(request, "form_page.html", context)
