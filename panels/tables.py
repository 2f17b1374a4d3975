"""The meeting page's two long tables (the agenda, and the members invited), formatted in one piece each.

Not in a template loop or with format_html cell by cell: a full agenda's rows, each with its papers, its outcome and
its move buttons, were most of the page's time in the template language and in Django's escaping, which checks every
value for lazy text. Every value from a record goes through ``_text`` (the standard library's escaping, which is
what Django's escape applies to text); the rest is this module's own markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape as _text

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from adoption.links import href_for_each
from panels import selectors
from panels.models import AgendaItem, Decision, PanelAttendance, PanelMeeting, PanelRole, Recommendation

AGENDA_ROW = """    <tr class="govuk-table__row">
      <td class="govuk-table__cell">{position}</td>
      <td class="govuk-table__cell">{starts}</td>
      <td class="govuk-table__cell">{arrive}</td>
      <td class="govuk-table__cell"><a class="govuk-link" href="{href}">{kind}: {subject}</a>{fostering}{presented}</td>
      <td class="govuk-table__cell">
        <ul class="govuk-list govuk-!-margin-bottom-0">
        {papers}
        </ul>
      </td>
      <td class="govuk-table__cell">{outcome}</td>
      {move}
    </tr>
"""
PAPER = '<li>{}: <strong class="govuk-tag govuk-tag--{}">{}</strong></li>'
PAPER_TAGS = {"missing": ("red", "Missing"), "late": ("orange", "Late"), "received": ("green", "Received")}
MOVE_CELL = """<td class="govuk-table__cell">
        <form method="post" action="{href}" class="app-inline-form">\
<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
          {up}
          {down}
        </form>
      </td>
"""
MOVE_BUTTON = (
    '<button type="submit" name="to" value="{}" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1">'
    '{}<span class="govuk-visually-hidden"> item {}</span></button>'
)
FOSTERING_NOTE = '<br><span class="govuk-hint govuk-!-margin-bottom-0">Needs a member with fostering experience</span>'
# The labels of the codes an item shows (what get_FOO_display gives, without its lookup by field for each row).
KIND_LABELS: dict[str, str] = dict(AgendaItem.Kind.choices)
RECOMMENDATION_LABELS: dict[str, str] = dict(Recommendation.choices)
DECISION_LABELS: dict[str, str] = dict(Decision.choices)


def _outcome(item: AgendaItem, day: Callable[[date], str]) -> str:
    if not item.recommendation:
        return "Not recorded"
    outcome = RECOMMENDATION_LABELS.get(item.recommendation, item.recommendation)
    if item.decided_on:
        decision = DECISION_LABELS.get(item.decision, item.decision).lower()
        return f"{outcome}; ADM: {decision} on {day(item.decided_on)}"
    if item.decision_due_on:
        return f"{outcome}; ADM decision due {day(item.decision_due_on)}"
    return outcome


def agenda_body(request: HttpRequest, agenda: selectors.Agenda, *, moves: bool) -> SafeString:
    """The agenda table's rows, with the buttons that move each item when ``moves``."""
    item_href, move_href = href_for_each("panels:item"), href_for_each("panels:item-move")
    csrf = _text(get_token(request)) if moves else ""
    days: dict[date, str] = {}  # an agenda's decisions fall on a few days: each written out once

    def day(value: date) -> str:
        if value not in days:
            days[value] = date_format(value, "j M Y")
        return days[value]

    last = len(agenda.items) - 1
    rows = []
    for index, row in enumerate(agenda.items):
        item = row.item
        papers = "".join(
            PAPER.format(
                _text(state.label),
                *PAPER_TAGS["missing" if not state.paper else "late" if state.late else "received"],
            )
            for state in row.papers
        )
        move = ""
        if moves:
            up = MOVE_BUTTON.format("up", "Up", item.position) if index else ""
            down = MOVE_BUTTON.format("down", "Down", item.position) if index < last else ""
            move = MOVE_CELL.format(href=move_href(item.pk), csrf=csrf, up=up, down=down)
        rows.append(
            AGENDA_ROW.format(
                position=item.position,
                starts=item.starts_at.strftime("%H:%M"),
                arrive=row.arrive_at.strftime("%H:%M"),
                href=item_href(item.pk),
                kind=_text(KIND_LABELS.get(item.kind, item.kind)),
                subject=_text(row.subject),
                fostering=FOSTERING_NOTE if item.needs_fostering_experience else "",
                presented=f"<br>Presented by {_text(item.presenting_worker)}" if item.presenting_worker else "",
                papers=papers,
                outcome=_text(_outcome(item, day)),
                move=move,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value from a record above is escaped


MEMBER_ROW = """
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{href}">{name}</a></td>
      <td class="govuk-table__cell">{roles}{years}</td>
      <td class="govuk-table__cell">{invited}</td>
      <td class="govuk-table__cell">{attended}</td>
    </tr>
  """
ROLE_LABELS: list[tuple[str, str]] = PanelRole.choices


def members_body(meeting: PanelMeeting, attendances: list[PanelAttendance]) -> SafeString:
    """The rows of the table of members invited and attending: each member's roles (in the central list's order)
    and years of post-qualifying experience, whether invited, and whether they attended once that is recorded."""
    member_href = href_for_each("panels:member")
    recorded = meeting.attendance_recorded_at is not None
    rows = []
    for attendance in attendances:
        member = attendance.member
        years = member.post_qualifying_years
        rows.append(
            MEMBER_ROW.format(
                href=member_href(member.pk),
                name=_text(member.name),
                roles=", ".join(_text(label) for code, label in ROLE_LABELS if code in member.roles),
                years="" if years is None else f" ({years} year{'' if years == 1 else 's'} post-qualifying)",
                invited="Yes" if attendance.invited else "No",
                attended=("Yes" if attendance.attended else "No") if recorded else "Not recorded yet",
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value from a record above is escaped
