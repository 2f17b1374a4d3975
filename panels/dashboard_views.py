"""The panel dashboard and the regular report to panel: read-only pages for whoever works with an RAA's panels.

Both answer 403 to anyone who works with no RAA's panels (LA staff, VAA staff), as the other panels lists do.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from panels import dashboard as selectors
from panels.views import panels_page


@panels_page
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    board = selectors.dashboard(actor=request.user, today=today)
    return render(request, "panels/dashboard/dashboard.html", {"board": board, "today": today})


@panels_page
def panel_report(request: HttpRequest) -> HttpResponse:
    report = selectors.panel_report(actor=request.user, today=timezone.localdate())
    return render(request, "panels/dashboard/report.html", {"report": report})
