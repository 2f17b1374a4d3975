"""The child list's rows and family finding's cards, formatted in one piece each.

Not in a template loop, nor with ``format_html`` value by value: a page of 25 children, each row with its address,
dates and days waiting, took a third of the page's template time in the template language's lookups and filters; 25
families' cards of 6 criteria, a quarter of their page's, and ``format_html``'s escaping, which checks every value
for lazy text, as much again. Every value from a record, or said of one, goes through ``_text`` (the standard
library's escaping, which is what Django's escape applies to text); the rest is this module's own markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as _text

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import pluralize
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

from adoption.links import href_for_each
from children.selectors import ListRow, matching

LIST_ROW = """    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{href}">{name}</a></td>
      <td class="govuk-table__cell">{la_child_id}</td>
      {la}<td class="govuk-table__cell">{born}</td>
      <td class="govuk-table__cell">{stage}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{days}</td>
    </tr>
"""
LA_CELL = '<td class="govuk-table__cell">{}</td>\n      '
NONE = "\u2013"  # an empty cell: an en dash


def list_rows(rows: Sequence[ListRow], *, show_la: bool) -> SafeString:
    """The child list's table rows: each child's name linking to their page, LA child ID, LA (``show_la``), date of
    birth (or expected date of birth), stage and days since the decision."""
    href = href_for_each("children:detail")
    html = []
    for row in rows:
        child = row.child
        if child.date_of_birth:
            born = date_format(child.date_of_birth, "j M Y")
        else:
            born = "Expected " + (
                date_format(child.expected_date_of_birth, "j M Y") if child.expected_date_of_birth else ""
            )
        html.append(
            LIST_ROW.format(
                href=href(child.pk),
                name=_text(child.full_name),
                la_child_id=_text(child.la_child_id) if child.la_child_id else NONE,
                la=LA_CELL.format(_text(child.responsible_la.name)) if show_la else "",
                born=_text(born),
                stage=_text(str(row.stage.label)),
                days=intcomma(row.days_waiting) if row.days_waiting is not None else NONE,
            )
        )
    return mark_safe("".join(html))  # noqa: S308 - every value from a record is escaped above


# --- family finding: the suggested families' cards --------------------------------------------------------

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


def family_cards(result: matching.Suggestions, *, can_write: bool, link_url: str) -> list[SafeString]:
    """Each family's card, in ranked order: its place, name and reference, why it is there, the way to record a
    link with it (``can_write``, not linked yet), its criteria and how long it has waited."""
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
