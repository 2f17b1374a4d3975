"""The sufficiency forecast page: will recruitment keep pace with the children waiting? For managers, ADMs and
administrators.

Who sees what: an RAA where the user holds a reporting role (its LAs' children and its own families), or an LA
where they hold one (at the LA, or at its RAA: ``tenancy.la_ids_with_roles``) with its RAA's families only when
they hold a reporting role at that RAA (``tenancy.raa_ids_with_roles``): an LA's staff do not see the RAA's
families, so for them the families' side is left out. An area outside these is not a choice the form accepts.

Everything is in the query string (a GET form): the area, the last quarter of the history, and the assumptions,
each blank one taking the history's value. ``?format=csv`` downloads the table.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from adopters.selectors.flows import HOUSEHOLD_FLOWS
from adoption import audit, tenancy
from adoption.forms import GovukForm
from adoption.models import AuditEvent, Organisation
from adoption.periods import FinancialQuarter
from adoption.spreadsheets import csv_cell
from children.selectors.flows import CHILD_FLOWS
from reporting import services
from reporting.charts import inline_svg
from reporting.sufficiency import (
    ASSUMPTION_NAMES,
    CHART_TITLE,
    FAMILY_ASSUMPTIONS,
    HISTORY_QUARTERS,
    PROJECTION_QUARTERS,
    Assumptions,
    History,
    Row,
    chart_svg,
    chart_text,
    default_assumptions,
    default_reasons,
    explain,
    forecast_projection,
    gap_words,
    history,
    number,
    rows,
)

# How far back the history may end: the last complete quarter and the 11 before it (3 years).
QUARTER_CHOICES = 12


@dataclass(frozen=True)
class Area:
    label: str
    la_ids: frozenset[int]
    agency_id: int | None  # the RAA whose families are counted; None: the families' side is not shown
    agency_name: str = ""


def areas_for(user: Any) -> dict[str, Area]:
    """Each area the user may choose: code -> area. Their RAAs first (by name), then their LAs (by name)."""
    la_ids = tenancy.la_ids_with_roles(user, services.REPORT_ROLES)
    raa_ids = tenancy.raa_ids_with_roles(user, services.REPORT_ROLES)
    las = list(tenancy.visible_las(user).filter(pk__in=la_ids).select_related("raa").order_by("name"))
    found: dict[str, Area] = {}
    for raa in Organisation.objects.filter(pk__in=raa_ids, kind=Organisation.Kind.RAA).order_by("name"):
        members = frozenset(la.pk for la in las if la.raa_id == raa.pk)
        found[f"raa-{raa.pk}"] = Area(
            f"{raa.name}: its {len(members)} local authorit{'y' if len(members) == 1 else 'ies'}' children and "
            "its families",
            members,
            raa.pk,
            raa.name,
        )
    for la in las:
        if la.raa is not None and la.raa_id in raa_ids:
            found[f"la-{la.pk}"] = Area(
                f"{la.name}'s children, with {la.raa.name}'s families", frozenset({la.pk}), la.raa.pk, la.raa.name
            )
        else:
            found[f"la-{la.pk}"] = Area(f"{la.name}'s children", frozenset({la.pk}), None)
    return found


def quarter_code(quarter: FinancialQuarter) -> str:
    return f"{quarter.year}-{quarter.number}"


def _amount(label: str, what: str, *, percent: bool = False) -> forms.DecimalField:
    """An optional number of 0 or more (a percentage: at most 100), up to 2 decimal places."""
    limit = 100 if percent else 100000
    # Django fills these messages in with ``%`` (the limit), so a percent sign is written twice.
    most = "100%%" if percent else "100,000"
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(limit),
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-5", "inputmode": "decimal", "spellcheck": "false"}
        ),
        error_messages={
            "invalid": f"Enter {what} as a number, like {'40' if percent else '12'} or {'37.5' if percent else '12.5'}",
            "min_value": f"{what[0].upper()}{what[1:]} must be 0 or more",
            "max_value": f"{what[0].upper()}{what[1:]} must be {most} or less",
            "max_decimal_places": f"Enter {what} with no more than 2 decimal places",
            "max_digits": f"{what[0].upper()}{what[1:]} must be {most} or less",
            "max_whole_digits": f"{what[0].upper()}{what[1:]} must be {most} or less",
        },
    )


class SufficiencyForm(GovukForm):
    """The area, the last quarter of the history, and the assumptions (blank: the history's value)."""

    area = forms.ChoiceField(
        label="Area",
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose an area from the list"},
    )
    to = forms.ChoiceField(
        label="History up to the end of",
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose a quarter from the list"},
    )
    decisions_per_quarter = _amount("New decisions per quarter", "new decisions per quarter")
    needing_family_percent = _amount(
        "Children with a decision who go on to need a family (%)",
        "the percentage of children with a decision who go on to need a family",
        percent=True,
    )
    children_matched_per_quarter = _amount("Children matched per quarter", "children matched per quarter")
    families_per_child = forms.DecimalField(
        label="Families needed per child waiting",
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(1),
        max_digits=4,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "decimal", "spellcheck": "false"}
        ),
        error_messages={
            "invalid": "Enter families needed per child as a number, like 0.85",
            "min_value": "Families needed per child must be more than 0",
            "max_value": "Families needed per child must be 1 or less: each child needs at most one family",
            "max_digits": "Families needed per child must be 1 or less: each child needs at most one family",
            "max_whole_digits": "Families needed per child must be 1 or less: each child needs at most one family",
            "max_decimal_places": "Enter families needed per child with no more than 2 decimal places",
        },
    )
    enquiries_per_quarter = _amount("Enquiries per quarter", "enquiries per quarter")
    registration_percent = _amount(
        "Enquiries that go on to register (%)", "the percentage of enquiries that go on to register", percent=True
    )
    approval_percent = _amount(
        "Registrations that go on to approval (%)",
        "the percentage of registrations that go on to approval",
        percent=True,
    )
    families_matched_per_quarter = _amount("Families matched per quarter", "families matched per quarter")

    def __init__(self, *args: Any, areas: dict[str, Area], quarters: list[FinancialQuarter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        self.quarters = {quarter_code(quarter): quarter for quarter in quarters}
        cast(forms.ChoiceField, self.fields["area"]).choices = [(code, area.label) for code, area in areas.items()]
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            (code, quarter.title) for code, quarter in self.quarters.items()
        ]
        chosen = self.data.get("area") or self.initial.get("area") or next(iter(areas))
        if chosen in areas and areas[chosen].agency_id is None:
            # No families' side for this area: its assumptions are not asked for (nor checked).
            for name in FAMILY_ASSUMPTIONS:
                del self.fields[name]

    def clean_area(self) -> str:
        return self.cleaned_data["area"] or next(iter(self.areas))

    def clean_to(self) -> str:
        return self.cleaned_data["to"] or next(iter(self.quarters))

    @property
    def child_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ASSUMPTION_NAMES if name in self.fields and name not in FAMILY_ASSUMPTIONS]

    @property
    def family_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FAMILY_ASSUMPTIONS if name in self.fields]

    def show_defaults(self, reasons: dict[str, str]) -> None:
        """Each assumption's hint: the value the records give, and how."""
        for name, reason in reasons.items():
            if name in self.fields:
                self.fields[name].help_text = reason


def _assumptions(form: SufficiencyForm, defaults: Assumptions) -> Assumptions:
    """The history's assumptions with the ones the user gave in their place."""
    values = defaults.as_dict()
    for name in ASSUMPTION_NAMES:
        given = form.cleaned_data.get(name)
        if given is not None and values[name] is not None:
            values[name] = given
    return Assumptions(**values)  # type: ignore[arg-type]


def _csv(table: list[Row], file_name: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with_families = all(row.families_available is not None for row in table)
    headers = [
        "Quarter",
        "Recorded or projected",
        "New decisions",
        "New placement orders",
        "Children matched",
        "Children placed",
        "Children waiting for a family at the end",
        "Families needed at the end",
    ]
    if with_families:
        headers += [
            "Enquiries",
            "Registrations",
            "Stage 2 starts",
            "Approvals",
            "Families matched",
            "Approved families waiting at the end",
            "Families available at the end",
            "Surplus of families",
            "Shortfall of families",
        ]
    writer.writerow([csv_cell(header) for header in headers])

    def figure(value: Decimal | int | None) -> str:
        # rounded as on the page, but kept a number: a negative figure must not be neutralised as if it were text
        return csv_cell(None if value is None else Decimal(number(value).replace(",", "")))

    for row in table:
        cells = [
            csv_cell(row.quarter.title),
            csv_cell("Projected" if row.projected else "Recorded"),
            figure(row.decisions),
            figure(row.placement_orders),
            figure(row.children_matched),
            figure(row.children_placed),
            figure(row.children_waiting),
            figure(row.families_needed),
        ]
        if with_families and row.gap is not None:
            cells += [
                figure(row.enquiries),
                figure(row.registrations),
                figure(row.stage2_starts),
                figure(row.approvals),
                figure(row.families_matched),
                figure(row.families_waiting),
                figure(row.families_available),
                figure(row.surplus),
                figure(row.shortfall),
            ]
        writer.writerow(cells)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_role(request.user, *services.REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can see the sufficiency forecast.")
    areas = areas_for(request.user)
    if not areas:
        return render(request, "reporting/sufficiency.html", {"no_areas": True})
    last = FinancialQuarter.last_complete(timezone.localdate())
    quarters = [last]
    while len(quarters) < QUARTER_CHOICES:
        quarters.append(quarters[-1].previous)
    form = SufficiencyForm(request.GET, areas=areas, quarters=quarters)
    valid = form.is_valid()
    context: dict[str, Any] = {"form": form, "history_quarters": HISTORY_QUARTERS, "projected": PROJECTION_QUARTERS}
    if "area" not in form.cleaned_data or "to" not in form.cleaned_data:
        return render(request, "reporting/sufficiency.html", context)
    code, area = form.cleaned_data["area"], areas[form.cleaned_data["area"]]
    to = form.quarters[form.cleaned_data["to"]]
    found: History = history(
        la_ids=area.la_ids, agency_ids=None if area.agency_id is None else {area.agency_id}, last=to
    )
    defaults = default_assumptions(found)
    reasons = default_reasons(found, defaults)
    context |= {
        "area": area,
        "area_code": code,
        "to": to,
        "found": found,
        "defaults": defaults,
        "child_totals": {name: found.child_total(name) for name in CHILD_FLOWS},
        "family_totals": {name: found.family_total(name) for name in HOUSEHOLD_FLOWS},
    }
    context["reset_query"] = urlencode({"area": code, "to": quarter_code(to)})
    if not valid:
        form.show_defaults(reasons)
        return render(request, "reporting/sufficiency.html", context)
    assumptions = _assumptions(form, defaults)
    projection = forecast_projection(found, assumptions)
    table = rows(found, assumptions, projection)
    chosen = {"area": code, "to": quarter_code(to)}
    given = {name: str(value) for name, value in assumptions.as_dict().items() if value is not None}
    if request.GET.get("format") == "csv":
        # The figures leave the service: an export, filed under the RAA (or the one LA) the forecast is of.
        only_la = next(iter(area.la_ids)) if len(area.la_ids) == 1 else None
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            object_type="reporting.sufficiency",
            organisation_id=area.agency_id or only_la,
        )
        return _csv(table, f"sufficiency-{code}-{quarter_code(to)}.csv")
    shown = SufficiencyForm(initial={**chosen, **given}, areas=areas, quarters=quarters)
    shown.show_defaults(reasons)
    end = table[-1]
    described = chart_text(table)
    context |= {
        "form": shown,
        "assumptions": assumptions,
        "projection": projection,
        "explained": [(quarter, explain(assumptions, quarter)) for quarter in projection],
        "table": table,
        "recorded": [row for row in table if not row.projected],
        "end": end,
        "end_gap": gap_words(end.gap) if end.gap is not None else "",
        # The chart's page element, named and described for assistive technology (the table has its figures).
        "chart": inline_svg(chart_svg(table), chart_id="sufficiency-chart", title=CHART_TITLE, description=described),
        "csv_query": urlencode({**chosen, **given, "format": "csv"}),
        "chart_text": described,
        "changed": assumptions != defaults,
    }
    return render(request, "reporting/sufficiency.html", context)
