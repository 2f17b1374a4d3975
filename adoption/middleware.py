"""Request-wide concerns: request ids, session limits and the two-factor requirement."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import pghistory
from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_otp import devices_for_user

from adoption import request_context

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SESSION_SIGNED_IN_AT = "signed_in_at"


class RequestContextMiddleware:
    """Give every request an id (kept from ``X-Request-ID`` when it is safe) and bind it for audit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_context.bind(
            request_context.RequestContext(request_id=request_id, source_ip=request.META.get("REMOTE_ADDR"))
        )
        try:
            with pghistory.context(request_id=request_id):
                response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SessionLimitsMiddleware:
    """End a session 12 hours after sign-in whatever the activity (the idle limit is the cookie age), and at once when
    its account can no longer sign in (disabled: Django no longer finds the session's user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated and SESSION_KEY in request.session:
            # A disabled account's session (one a bulk update left behind): end it. The request goes on signed out
            # (a page sends the visitor to sign in, the API answers 401).
            request.session.flush()
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SESSION_SIGNED_IN_AT)
            if signed_in_at is None:
                request.session[SESSION_SIGNED_IN_AT] = time.time()
            elif time.time() - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{reverse('sign-in')}?expired=1")
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Where ``REQUIRE_MFA`` is on, a signed-in user must pass TOTP before anything else.

    Users without a confirmed device are sent to set one up; the rest to enter a code.
    """

    EXEMPT_URL_NAMES = frozenset({"sign-out", "mfa-setup", "mfa-verify", "session-extend", "health"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.REQUIRE_MFA
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]  # added by OTPMiddleware
            and not request.path.startswith(settings.STATIC_URL)
            and self._url_name(request) not in self.EXEMPT_URL_NAMES
        ):
            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            return redirect("mfa-verify" if has_device else "mfa-setup")
        return self.get_response(request)

    @staticmethod
    def _url_name(request: HttpRequest) -> str | None:
        try:
            return resolve(request.path_info).url_name
        except Resolver404:
            return None
