"""Family finding: suggested families for a child or a sibling group, and children waiting for a match."""

from __future__ import annotations

from html import escape as _text
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from adoption import tenancy
from adoption.links import href_for_each
from children import services
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


# Each criterion's tag: (colour, words), by whether it is met (None: it does not apply to these children).
TAGS = {None: ("grey", "Does not apply"), True: ("green", "Met"), False: ("red", "Not met")}
# One criterion's row of a family's card (a GOV.UK summary list row).
CRITERION_ROW = """      <div class="govuk-summary-list__row">
        <dt class="govuk-summary-list__key">{}</dt>
        <dd class="govuk-summary-list__value"><strong class="govuk-tag govuk-tag--{}">{}</strong> {}</dd>
      </div>
"""
# A family's card (a GOV.UK summary card): its place, name and reference, why it is there, the way to record a
# link with it, its criteria's rows and how long it has waited.
CARD = """<div class="govuk-summary-card">
  <div class="govuk-summary-card__title-wrapper">
    <h3 class="govuk-summary-card__title">{rank}. <a class="govuk-link" href="{url}">{name}</a> \
<span class="govuk-body-s">({reference})</span>{linked}</h3>
  </div>
  <div class="govuk-summary-card__content">
    <p class="govuk-body app-why-here">{why}</p>
    {record_link}
    <dl class="govuk-summary-list">
{criteria}      <div class="govuk-summary-list__row">
        <dt class="govuk-summary-list__key">Waiting</dt>
        <dd class="govuk-summary-list__value">{waiting}</dd>
      </div>
    </dl>
  </div>
</div>
"""
ALREADY_LINKED = ' <strong class="govuk-tag govuk-tag--blue">Already linked</strong>'
RECORD_LINK = (
    '<p class="govuk-body"><a class="govuk-link" href="{}?household={}">Record a link with this family'
    '<span class="govuk-visually-hidden">: {}</span></a></p>'
)


def _waiting(f: matching.FamilySuggestion) -> str:
    approved_on = f.household.approved_on
    if f.days_waiting is None or approved_on is None:  # the days are counted from the approval
        return "Approval date not recorded"
    approved = date_format(approved_on, "j F Y")
    return f"{intcomma(f.days_waiting)} day{pluralize(f.days_waiting)} since approval on {approved}"


def _cards(result: matching.Suggestions, *, can_write: bool, link_url: str) -> list[SafeString]:
    """Each family's card, in ranked order.

    The cards are formatted here rather than in a template loop: 25 cards of 6 criteria are 150 rows of four
    values, and the template language took a quarter of the page's time over them; so did ``format_html``, whose
    escaping checks every value for lazy text. Every value from a record, or said of one, goes through ``_text``
    (the standard library's escaping, which is what Django's escape applies to text); the rest is this module's
    own markup."""
    first = result.page.start_index() if result.page else 1
    household_href = href_for_each("adopters:detail")  # escaped already
    link_url = _text(link_url)
    cards = []
    for i, f in enumerate(result.families):
        household = f.household
        name = _text(household.name)
        criteria = "".join(
            CRITERION_ROW.format(_text(c.name), *TAGS[c.met if c.applies else None], _text(c.why)) for c in f.criteria
        )
        card = CARD.format(
            rank=first + i,
            url=household_href(household.pk),
            name=name,
            reference=_text(household.reference),
            linked=ALREADY_LINKED if f.linked else "",
            why=_text(f.why_here),
            record_link=RECORD_LINK.format(link_url, int(household.pk), name) if can_write and not f.linked else "",
            criteria=criteria,
            waiting=_text(_waiting(f)),
        )
        cards.append(mark_safe(card))  # noqa: S308 - every value from a record is escaped above
    return cards


def _page(request: HttpRequest, result: matching.Suggestions, **context: Any) -> HttpResponse:
    can_write = services.may_write_journeys(request.user)
    return render(
        request,
        "children/family_finding.html",
        {
            "s": result,
            "cards": _cards(result, can_write=can_write, link_url=context["link_url"]),
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
