"""A child's journey timeline as a page to print: the child's name, LA, the timeline and the date printed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from children import selectors
from children.journey import stage_of


@login_required
@require_GET
def child_timeline_print(request: HttpRequest, child_id: int) -> HttpResponse:
    """The same record and timeline as the child's page (one audited read), laid out for paper."""
    child = selectors.child_record(actor=request.user, child_id=child_id)
    dates = selectors.child_situation(child).dates
    return render(
        request,
        "children/timeline_print.html",
        {
            "child": child,
            "stage": stage_of(dates),
            "timeline": selectors.child_timeline(child),
            "printed_at": timezone.localtime(),
        },
    )
