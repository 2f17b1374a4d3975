"""Family finding: suggested families for a child or a sibling group, and children waiting for a match."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from adoption import tenancy
from children import services, tables
from children.selectors import match_figures, matching
from children.views.common import PAGE_SIZE


@login_required
@require_GET
def suggested_families(request: HttpRequest, child_id: int) -> HttpResponse:
    result = matching.suggestions(
        actor=request.user, child_id=child_id, today=timezone.localdate(), page=request.GET.get("page")
    )
    child = result.children[0]
    back = reverse("children:detail", kwargs={"child_id": child.pk})
    la = child.responsible_la.name
    link = reverse("children:link-create", kwargs={"child_id": child.pk})
    return _page(request, result, subject=child.full_name, caption=la, la=la, back=back, link_url=link)


@login_required
@require_GET
def group_suggested_families(request: HttpRequest, group_id: int) -> HttpResponse:
    result = matching.suggestions(
        actor=request.user, group_id=group_id, today=timezone.localdate(), page=request.GET.get("page")
    )
    assert result.group is not None  # asked about a group
    back = reverse("children:sibling-group", kwargs={"group_id": result.group.pk})
    la = result.group.responsible_la.name
    link = reverse("children:group-link-create", kwargs={"group_id": result.group.pk})
    caption = f"{la}: sibling group"
    return _page(request, result, subject=result.group.name, caption=caption, la=la, back=back, link_url=link)


def _page(request: HttpRequest, result: matching.Suggestions, **context: Any) -> HttpResponse:
    can_write = services.may_write_journeys(request.user)
    return render(
        request,
        "children/family_finding.html",
        {
            "s": result,
            "cards": tables.family_cards(result, can_write=can_write, link_url=context["link_url"]),
            "needs": matching.needs_summary(result.needs) if result.children else [],
            "apart": result.group is not None and result.group.plan == result.group.Plan.APART,
            "listed": result.page.paginator.count if result.page else 0,
            "can_write": can_write,
            **context,
        },
    )


@login_required
@require_GET
def family_finding_figures(request: HttpRequest) -> HttpResponse:
    """Children with a placement order and no match, by time since the order and LA; a cell narrows the list."""
    today = timezone.localdate()
    las = list(tenancy.visible_las(request.user))
    # A band or an LA that is not one of these (another LA's id, say) is ignored, as the child list does.
    band = request.GET.get("band", "")
    chosen_la = next((la for la in las if str(la.pk) == request.GET.get("la")), None)
    band = band if band in match_figures.OrderWait.values else ""
    children = match_figures.waiting_for_match(
        actor=request.user, today=today, band=band, la_id=chosen_la.pk if chosen_la else None
    )
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    bands = dict(match_figures.OrderWait.choices)
    rows = [
        {
            "child": child,
            "band": bands[child.order_wait_band],  # type: ignore[attr-defined]
            "can_find": matching.may_find_families(request.user, child.responsible_la.raa_id),
        }
        for child in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "children/family_finding_figures.html",
        {
            "figures": match_figures.waiting_for_match_figures(actor=request.user, today=today),
            "bands": match_figures.OrderWait.choices,
            "band_label": bands.get(band, ""),
            "chosen_la": chosen_la,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "show_la": len(las) > 1,
        },
    )
