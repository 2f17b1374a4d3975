"""The child list's rows, formatted in one piece.

Not in a template loop: a page of 25 children, each row with its address, dates and days waiting, took a third of the
page's template time in the template language's lookups and filters. Every value from a record goes through
``_text`` (the standard library's escaping, which is what Django's escape applies to text); the rest is this module's
own markup, the same the template wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as _text

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

from adoption.links import href_for_each
from children.selectors import ListRow

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
