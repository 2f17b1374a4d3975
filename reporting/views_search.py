"""The search page: every record the user may see, by name or identifier (``reporting.search``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reporting.recent import recently_viewed
from reporting.search import GROUP_LIMIT, MIN_LENGTH, search


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Results grouped by kind of record. Nothing is audited (no record is read) and the words are not kept."""
    asked = "q" in request.GET
    results = search(actor=request.user, query=request.GET.get("q", "")) if asked else None
    return render(
        request,
        "search.html",
        {
            "results": results,
            "query": results.query if results else "",
            "group_limit": GROUP_LIMIT,
            "min_length": MIN_LENGTH,
            # Before anything is searched for, the records the user opened last are the likeliest ones wanted.
            "recent": recently_viewed(actor=request.user) if results is None else [],
        },
        status=400 if results is not None and results.problem else 200,
    )
