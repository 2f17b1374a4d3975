"""Pages of the core: signing in and out, two-factor, session, jobs, health, accessibility."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import cast

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from adoption import audit
from adoption.forms import SignInForm, TokenForm
from adoption.models import AuditEvent, User
from adoption.selectors import job_get


class SignInView(LoginView):
    template_name = "registration/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("sign-in")


@require_POST
@login_required
def session_extend(request: HttpRequest) -> HttpResponse:
    """The session-timeout warning's "Stay signed in": any request renews the idle timer."""
    request.session.modified = True
    return HttpResponse(status=204)


def _svg_qr(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: show the QR code and key, confirm with a first code."""
    if any(True for _ in devices_for_user(request.user, confirmed=True)):
        return redirect("mfa-verify")
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record(actor=request.user, action=AuditEvent.Action.MFA_ENROLLED, obj=cast(User, request.user))
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect("home")
        form.add_error("token", "The security code is not right. Check the time on your phone and try again")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr_svg": _svg_qr(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
        status=400 if form.errors else 200,
    )


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("mfa-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                # Only ever return to a page of this service: ``next`` comes from the query string.
                next_url = request.GET.get("next", "")
                safe = url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                )
                return redirect(next_url if safe else "home")
        form.add_error("token", "The security code is not right. Check the time on your phone and try again")
    return render(request, "registration/mfa_verify.html", {"form": form}, status=400 if form.errors else 200)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: in production the static name carries a hash from the manifest.
    return redirect(static("govuk/assets/images/favicon.ico"), permanent=True)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


@login_required
def job_detail(request: HttpRequest, job_id) -> HttpResponse:
    job = job_get(actor=request.user, job_id=job_id)
    return render(request, "jobs/detail.html", {"job": job})


@login_required
def job_download(request: HttpRequest, job_id) -> FileResponse:
    job = job_get(actor=request.user, job_id=job_id)
    if not job.file or not job.file.name:
        raise Http404("This job has no file yet.")
    audit.record(actor=request.user, action=AuditEvent.Action.DOWNLOAD, obj=job, organisation_id=job.organisation_id)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])


API_PATH = "/api/"
_API_ERRORS = {
    400: "The request could not be understood.",
    403: "You do not have permission to do this.",
    404: "Not found.",
    500: "Something went wrong on our side. Try again later; if it keeps happening, tell the service's administrator.",
}


def _error(request: HttpRequest, status: int) -> HttpResponse:
    """An error page, or for the API's addresses its one error shape (an API client reads JSON, never a page)."""
    if request.path.startswith(API_PATH):
        return JsonResponse({"message": _API_ERRORS[status], "extra": {}}, status=status)
    return render(request, f"errors/{status}.html", status=status)


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 404)


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 403)


def error_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 400)
