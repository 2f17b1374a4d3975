"""Children's pages: thin views over the selectors."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from adoption import tenancy
from children import selectors
from children.forms import ChildSearchForm
from children.journey import days_waiting, stage_of

PAGE_SIZE = 25


@login_required
def child_list(request: HttpRequest) -> HttpResponse:
    las = tenancy.visible_las(request.user)
    form = ChildSearchForm(request.GET or None, las=las)
    search, la_id = "", None
    if form.is_valid():
        search = form.cleaned_data["q"]
        la_id = form.cleaned_data["la"].pk if form.cleaned_data["la"] else None
    children = selectors.child_list(actor=request.user, search=search, la_id=la_id)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    today = date.today()
    rows = []
    for child in page.object_list:
        dates = selectors.journey_dates(child)
        rows.append({"child": child, "stage": stage_of(dates), "days_waiting": days_waiting(dates, today)})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "children/child_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "show_la": las.count() > 1},
    )


@login_required
def child_detail(request: HttpRequest, child_id: int) -> HttpResponse:
    child = selectors.child_get(actor=request.user, child_id=child_id)
    dates = selectors.journey_dates(child)
    return render(
        request,
        "children/child_detail.html",
        {
            "child": child,
            "stage": stage_of(dates),
            "days_waiting": days_waiting(dates, date.today()),
            "timeline": selectors.child_timeline(child),
        },
    )
