"""Two people editing the same record: the second save is refused, the first one's values stay.

Each edit page is driven as two browsers would drive it: both load the page (and submit exactly what its form
holds, with their own changes), the first saves, then the second. The second sees the error summary saying that
someone else changed the record, keeps what they typed, and nothing of theirs is saved; after reloading the page
they can save. A new edit page is covered by adding an ``EditPage`` to ``EDIT_PAGES``.
"""

from __future__ import annotations

import html
import re
import threading
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from adopters.models import Applicant, Check, Household
from adoption.concurrency import RECORD_CHANGED_MESSAGE, VERSION_FIELD, RecordChanged, in_pk_order, version_of
from adoption.models import AuditEvent, Role
from children import services as child_services
from children.models import AdoptivePlacement, Child, ChildPermanenceReport, Disruption, Match, SiblingGroup
from panels.models import AgendaItem, PanelAppraisal, PanelAttendance, PanelMeeting, PanelMember
from support.models import AsfApplication, LifeStoryWork
from tests import factories
from tests.adopters.conftest import household_at
from tests.children.conftest import date_fields, enter_care

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2025, 6, 30, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield TODAY


# --- what a browser submits ---------------------------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The name/value pairs each ``<form>`` of a page would submit as it stands (no button pressed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._options: list[str] = []
        self._selected: list[str] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self._form.setdefault(name, []).append(a.get("value") or ("on" if kind in ("radio", "checkbox") else ""))
        elif tag == "select" and name:
            self._select, self._options, self._selected = name, [], []
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self._options.append(value)
            if "selected" in a:
                self._selected.append(value)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form[self._select] = self._selected or self._options[:1]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._text)
            self._form[self._textarea] = [text[1:] if text.startswith("\n") else text]  # as a browser reads it
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def edit_form(response) -> dict[str, list[str]]:
    """What the page's edit form submits as it stands: the form that carries the record's version."""
    assert response.status_code == 200, response.status_code
    reader = _FormReader()
    reader.feed(response.content.decode())
    forms = [form for form in reader.forms if VERSION_FIELD in form]
    assert len(forms) == 1, f"expected one edit form with the record's version, found {len(forms)}"
    return forms[0]


def typed(form: dict[str, list[str]], changes: dict[str, str]) -> dict[str, list[str]]:
    return {**form, **{name: [value] for name, value in changes.items()}}


def error_summary(response) -> str:
    body = response.content.decode()
    found = re.search(r'<div class="govuk-error-summary".*?</ul>', body, re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))).strip() if found else ""


# --- the edit pages -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A record on one edit page: its address, two people who may change it, and what is stored now."""

    url: str
    first: Any  # a user
    second: Any
    stored: Callable[[], Any]
    # Ids the setup made, for what people type: "{ann}" in a typed value is the id named "ann" here.
    ids: dict[str, int] = field(default_factory=dict)


# What a person types in a field: one value, or the ticked boxes of a set of checkboxes (in the page's order).
Typed = dict[str, str | list[str]]


@dataclass(frozen=True)
class EditPage:
    """An edit page: how to get a record onto it, what each person types, and what is then stored."""

    id: str
    setup: Callable[[pytest.FixtureRequest], Case]
    first_types: Typed
    first_stored: Any
    second_types: Typed
    second_stored: Any
    extra: dict[str, str] | None = None  # a button's name and value, where the page has more than one
    # What the reloaded page shows after the first save, where it is not what the first person typed: a page that
    # records an event (the children moving in) offers what is left to record rather than the first one's values.
    reloaded: Typed | None = None


def submitted(typed_values: Typed | None, case: Case) -> dict[str, list[str]]:
    """Typed values as the browser submits them (a list per name), with the ids of ``case`` filled in."""

    def value(text: str) -> str:
        return text.format_map({name: str(pk) for name, pk in case.ids.items()}) if case.ids else text

    return {
        name: [value(v) for v in typed_value] if isinstance(typed_value, list) else [value(typed_value)]
        for name, typed_value in (typed_values or {}).items()
    }


def _pair(organisation, role: Role, name: str) -> tuple[Any, Any]:
    return (
        factories.staff(organisation, role, username=f"{name}.one"),
        factories.staff(organisation, role, username=f"{name}.two"),
    )


def _child_details(request: pytest.FixtureRequest) -> Case:
    la_a = request.getfixturevalue("la_a")
    child = factories.ChildFactory(responsible_la=la_a, first_name="Amelia", last_name="Ashdown")
    one, two = _pair(la_a, Role.SOCIAL_WORKER, "sw")
    stored = lambda: Child.objects.get(pk=child.pk).first_name  # noqa: E731
    return Case(reverse("children:update", kwargs={"child_id": child.pk}), one, two, stored)


def _permanence_report(request: pytest.FixtureRequest) -> Case:
    la_a = request.getfixturevalue("la_a")
    one, two = _pair(la_a, Role.SOCIAL_WORKER, "sw")
    child = factories.ChildFactory(responsible_la=la_a, date_of_birth=date(2021, 5, 1))
    enter_care(one, child)
    child_services.permanence_report_record(
        actor=one, child_id=child.pk, status="in_progress", started_on=date(2022, 2, 1), due_on=date(2022, 4, 1)
    )
    stored = lambda: ChildPermanenceReport.objects.get(child=child).due_on  # noqa: E731
    return Case(reverse("children:permanence-report", kwargs={"child_id": child.pk}), one, two, stored)


def _sibling_group(request: pytest.FixtureRequest) -> Case:
    la_a = request.getfixturevalue("la_a")
    one, two = _pair(la_a, Role.SOCIAL_WORKER, "sw")
    children = [factories.ChildFactory(responsible_la=la_a, last_name="Bates") for _ in range(2)]
    group = child_services.sibling_group_create(actor=one, name="Bates siblings", child_ids=[c.pk for c in children])
    stored = lambda: SiblingGroup.objects.get(pk=group.pk).name  # noqa: E731
    return Case(reverse("children:sibling-group-update", kwargs={"group_id": group.pk}), one, two, stored)


def _match_page(name: str, stored_field: str) -> Callable[[pytest.FixtureRequest], Case]:
    def setup(request: pytest.FixtureRequest) -> Case:
        la_a, raa = request.getfixturevalue("la_a"), request.getfixturevalue("raa")
        one, two = _pair(raa, Role.FAMILY_FINDER, "ff")
        child = factories.ChildFactory(responsible_la=la_a, date_of_birth=date(2021, 5, 1))
        enter_care(one, child)
        child_services.adoption_decision_record(actor=one, child_id=child.pk, decided_on=date(2022, 6, 1))
        family = factories.HouseholdFactory(approving_agency=raa, name="Okafor household")
        match = child_services.match_record(
            actor=one, household_id=family.pk, child_id=child.pk, matched_on=date(2023, 1, 10)
        )
        stored = lambda: getattr(Match.objects.get(pk=match.pk), stored_field)  # noqa: E731
        return Case(reverse(f"children:{name}", kwargs={"match_id": match.pk}), one, two, stored)

    return setup


def _disruption_meeting(request: pytest.FixtureRequest) -> Case:
    la_a, raa = request.getfixturevalue("la_a"), request.getfixturevalue("raa")
    one, two = _pair(la_a, Role.SOCIAL_WORKER, "sw")
    child = factories.ChildFactory(responsible_la=la_a, date_of_birth=date(2020, 2, 2))
    enter_care(one, child)
    child_services.adoption_decision_record(actor=one, child_id=child.pk, decided_on=date(2022, 6, 1))
    child_services.placement_order_record(actor=one, child_id=child.pk, made_on=date(2022, 9, 1), court="Leeds")
    family = factories.HouseholdFactory(approving_agency=raa, name="Okafor household", approved_on=date(2023, 9, 1))
    child_services.adoptive_placement_record(
        actor=one, child_id=child.pk, matched_on=date(2023, 10, 2), household_id=family.pk, placed_on=date(2023, 11, 1)
    )
    disruption = child_services.disruption_record(
        actor=one, child_id=child.pk, ended_on=date(2024, 3, 4), reason="attachment", meeting_on=date(2024, 3, 25)
    )
    stored = lambda: Disruption.objects.get(pk=disruption.pk).meeting_on  # noqa: E731
    return Case(reverse("children:disruption-meeting", kwargs={"disruption_id": disruption.pk}), one, two, stored)


def _household(request: pytest.FixtureRequest) -> Case:
    raa = request.getfixturevalue("raa")
    one, two = _pair(raa, Role.ASSESSING_SOCIAL_WORKER, "asw")
    household = factories.HouseholdFactory(approving_agency=raa, name="Okafor household")
    stored = lambda: Household.objects.get(pk=household.pk).name  # noqa: E731
    return Case(reverse("adopters:edit", args=[household.pk]), one, two, stored)


def _applicant(request: pytest.FixtureRequest) -> Case:
    raa = request.getfixturevalue("raa")
    one, two = _pair(raa, Role.ASSESSING_SOCIAL_WORKER, "asw")
    applicant = factories.ApplicantFactory(household__approving_agency=raa, first_name="Grace")
    stored = lambda: Applicant.objects.get(pk=applicant.pk).first_name  # noqa: E731
    return Case(reverse("adopters:applicant-edit", args=[applicant.household_id, applicant.pk]), one, two, stored)


def _check_delay(request: pytest.FixtureRequest) -> Case:
    raa = request.getfixturevalue("raa")
    one, two = _pair(raa, Role.ASSESSING_SOCIAL_WORKER, "asw")
    check = factories.CheckFactory(applicant__household__approving_agency=raa, requested_on=date(2025, 4, 1))
    stored = lambda: Check.objects.get(pk=check.pk).delay_reason  # noqa: E731
    household_id = check.applicant.household_id
    return Case(reverse("adopters:check-delay", args=[household_id, check.pk]), one, two, stored)


def _appraisal(request: pytest.FixtureRequest) -> Case:
    raa = request.getfixturevalue("raa")
    one, two = _pair(raa, Role.PANEL_ADVISER, "pa")
    member = PanelMember.objects.create(raa=raa, name="Chloe Chair", roles=["chair"], on_list_from=date(2024, 1, 1))
    PanelAppraisal.objects.create(member=member, due_on=date(2025, 6, 1))
    stored = lambda: PanelAppraisal.objects.get(member=member, done_on__isnull=True).due_on  # noqa: E731
    return Case(reverse("panels:appraisal", args=[member.pk]), one, two, stored)


def _panel_member(request: pytest.FixtureRequest) -> Case:
    raa = request.getfixturevalue("raa")
    one, two = _pair(raa, Role.PANEL_ADVISER, "pa")
    member = PanelMember.objects.create(raa=raa, name="Chloe Chair", roles=["chair"], on_list_from=date(2024, 1, 1))
    stored = lambda: PanelMember.objects.get(pk=member.pk).name  # noqa: E731
    return Case(reverse("panels:member-edit", args=[member.pk]), one, two, stored)


def _panel_meeting(request: pytest.FixtureRequest) -> Case:
    raa = request.getfixturevalue("raa")
    one, two = _pair(raa, Role.PANEL_ADVISER, "pa")
    meeting = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 7, 15), starts_at=time(10, 0), place="Warwick")
    stored = lambda: PanelMeeting.objects.get(pk=meeting.pk).place  # noqa: E731
    return Case(reverse("panels:meeting-edit", args=[meeting.pk]), one, two, stored)


def _agenda_item(raa) -> AgendaItem:
    meeting = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 6, 10), starts_at=time(10, 0), place="Warwick")
    household = factories.HouseholdFactory(approving_agency=raa, name="Okafor household")
    return AgendaItem.objects.create(
        meeting=meeting, position=1, kind="review", household=household, starts_at=time(10)
    )


def _item_page(name: str, stored_field: str) -> Callable[[pytest.FixtureRequest], Case]:
    def setup(request: pytest.FixtureRequest) -> Case:
        raa = request.getfixturevalue("raa")
        one, two = _pair(raa, Role.PANEL_ADVISER, "pa")
        item = _agenda_item(raa)
        stored = lambda: getattr(AgendaItem.objects.get(pk=item.pk), stored_field)  # noqa: E731
        return Case(reverse(f"panels:{name}", args=[item.pk]), one, two, stored)

    return setup


def _asf_draft(request: pytest.FixtureRequest) -> Case:
    la_a = request.getfixturevalue("la_a")
    one, two = _pair(la_a, Role.SUPPORT_SOCIAL_WORKER, "support")
    child = factories.adopted_child(
        la_a, entered_care=date(2015, 9, 1), moved_in=date(2017, 9, 1), adoption_order=date(2018, 6, 1)
    )
    draft = AsfApplication.objects.create(
        la=la_a,
        child=child,
        therapy="theraplay",
        provider="Family Futures Therapy",
        sessions=10,
        cost="1000",
        match_funding="0",
        work_starts_on=date(2025, 7, 7),
        work_ends_on=date(2025, 12, 16),
        financial_year=2025,
        status=AsfApplication.Status.DRAFT,
        created_by=one,
    )
    stored = lambda: AsfApplication.objects.get(pk=draft.pk).provider  # noqa: E731
    return Case(reverse("support:asf-update", args=[draft.pk]), one, two, stored)


# --- the last pages given a version: the children moving in, the PAR, invitations and attendance, life story work


def _ready_child(actor, la, first_name: str) -> Child:
    """A child in care with a decision and a placement order: ready to be matched and to move in."""
    child = factories.ChildFactory(
        responsible_la=la, first_name=first_name, last_name="Nwosu", date_of_birth=date(2020, 2, 2)
    )
    enter_care(actor, child)
    child_services.adoption_decision_record(actor=actor, child_id=child.pk, decided_on=date(2022, 6, 1))
    child_services.placement_order_record(actor=actor, child_id=child.pk, made_on=date(2022, 9, 1), court="Leeds")
    return child


def _family(raa):
    return factories.HouseholdFactory(approving_agency=raa, name="Okafor household", approved_on=date(2023, 9, 1))


def _move_in(request: pytest.FixtureRequest) -> Case:
    """Three brothers and sisters matched together; they move in on different days."""
    la_a, raa = request.getfixturevalue("la_a"), request.getfixturevalue("raa")
    one, two = _pair(raa, Role.FAMILY_FINDER, "ff")
    children = [_ready_child(one, la_a, name) for name in ("Ada", "Ben", "Cal")]
    group = child_services.sibling_group_create(actor=one, name="Nwosu siblings", child_ids=[c.pk for c in children])
    match = child_services.match_record(
        actor=one, household_id=_family(raa).pk, matched_on=date(2023, 10, 2), group_id=group.pk
    )

    def stored() -> tuple[tuple[str, date | None], ...]:
        placements = AdoptivePlacement.objects.filter(match=match).order_by("child__first_name")
        return tuple((p.child.first_name, p.placed_on) for p in placements.select_related("child"))

    ids = {c.first_name.lower(): c.pk for c in children}
    return Case(reverse("children:placement-record", kwargs={"match_id": match.pk}), one, two, stored, ids)


def _child_placement_page(name: str, stored_field: str, *, placed: bool) -> Callable[[pytest.FixtureRequest], Case]:
    """A page about the child's current match (``placed``: the child has moved in)."""

    def setup(request: pytest.FixtureRequest) -> Case:
        la_a, raa = request.getfixturevalue("la_a"), request.getfixturevalue("raa")
        one, two = _pair(la_a, Role.SOCIAL_WORKER, "sw")
        child = _ready_child(one, la_a, "Cara")
        placement = child_services.adoptive_placement_record(
            actor=one,
            child_id=child.pk,
            matched_on=date(2023, 10, 2),
            household_id=_family(raa).pk,
            placed_on=date(2023, 11, 1) if placed else None,
        )
        stored = lambda: getattr(AdoptivePlacement.objects.get(pk=placement.pk), stored_field)  # noqa: E731
        return Case(reverse(f"children:{name}", kwargs={"child_id": child.pk}), one, two, stored)

    return setup


def _household_field(stored_field: str) -> Callable[[pytest.FixtureRequest], Case]:
    def setup(request: pytest.FixtureRequest) -> Case:
        raa = request.getfixturevalue("raa")
        one, two = _pair(raa, Role.ASSESSING_SOCIAL_WORKER, "asw")
        household = household_at(Household.Status.STAGE_2, raa)
        stored = lambda: getattr(Household.objects.get(pk=household.pk), stored_field)  # noqa: E731
        page = "adopters:par" if stored_field == "par_status" else "adopters:extension"
        return Case(reverse(page, args=[household.pk]), one, two, stored)

    return setup


def _meeting_members(name: str, held_on: date, flag: str) -> Callable[[pytest.FixtureRequest], Case]:
    """A meeting's invitations or attendance: three members on the list, no one chosen yet."""

    def setup(request: pytest.FixtureRequest) -> Case:
        raa = request.getfixturevalue("raa")
        one, two = _pair(raa, Role.PANEL_ADVISER, "pa")
        members = {
            key: PanelMember.objects.create(raa=raa, name=full, roles=roles, on_list_from=date(2024, 1, 1))
            for key, full, roles in (
                ("ann", "Ann Adams", ["chair"]),
                ("ben", "Ben Brown", ["vice_chair"]),
                ("cat", "Cat Clark", ["independent"]),
            )
        }
        meeting = PanelMeeting.objects.create(raa=raa, held_on=held_on, starts_at=time(10, 0), place="Warwick")

        def stored() -> list[str]:
            rows = PanelAttendance.objects.filter(meeting=meeting, **{flag: True}).order_by("member__name")
            return [row.member.name for row in rows.select_related("member")]

        ids = {key: member.pk for key, member in members.items()}
        return Case(reverse(f"panels:{name}", args=[meeting.pk]), one, two, stored, ids)

    return setup


def _life_story(name: str, stored_field: str, **work: Any) -> Callable[[pytest.FixtureRequest], Case]:
    """A placed child's life story book, scheduled (and as far on as ``work`` says)."""

    def setup(request: pytest.FixtureRequest) -> Case:
        la_a = request.getfixturevalue("la_a")
        one, two = _pair(la_a, Role.SUPPORT_SOCIAL_WORKER, "support")
        child = factories.ChildFactory(responsible_la=la_a, first_name="Poppy")
        factories.AdoptivePlacementFactory(
            child=child, household__approving_agency=la_a.raa, matched_on=date(2025, 1, 6), placed_on=date(2025, 1, 6)
        )
        book = LifeStoryWork.objects.create(
            child=child, kind=LifeStoryWork.Kind.LIFE_STORY_BOOK, due_on=date(2025, 7, 6), **work
        )

        def stored() -> Any:
            value = getattr(LifeStoryWork.objects.select_related("worker").get(pk=book.pk), stored_field)
            return value.username if stored_field == "worker" and value else value

        url = reverse(f"support:{name}", args=[child.pk if name.startswith("life-story-schedule") else book.pk])
        return Case(url, one, two, stored, {"one": one.pk, "two": two.pk})

    return setup


EDIT_PAGES = [
    EditPage("child details", _child_details, {"first_name": "Amelie"}, "Amelie", {"first_name": "Emilia"}, "Emilia"),
    EditPage(
        "child's permanence report",
        _permanence_report,
        date_fields("due_on", date(2022, 5, 2)),
        date(2022, 5, 2),
        date_fields("due_on", date(2022, 6, 13)),
        date(2022, 6, 13),
    ),
    EditPage(
        "sibling group",
        _sibling_group,
        {"name": "The Bates children"},
        "The Bates children",
        {"name": "Bates brothers"},
        "Bates brothers",
    ),
    EditPage(
        "match report statuses",
        _match_page("match-update", "placement_report_status"),
        {"placement_report_status": "in_progress"},
        "in_progress",
        {"placement_report_status": "completed"},
        "completed",
    ),
    EditPage(
        "matching panel",
        _match_page("match-panel", "panel_on"),
        {**date_fields("panel_on", date(2022, 12, 1)), "panel_recommendation": "recommended"},
        date(2022, 12, 1),
        {**date_fields("panel_on", date(2022, 12, 8)), "panel_recommendation": "recommended"},
        date(2022, 12, 8),
    ),
    EditPage(
        "agency decision on the match",
        _match_page("match-decision", "decided_on"),
        date_fields("decided_on", date(2023, 1, 12)),
        date(2023, 1, 12),
        date_fields("decided_on", date(2023, 1, 20)),
        date(2023, 1, 20),
    ),
    EditPage(
        "disruption meeting",
        _disruption_meeting,
        date_fields("meeting_on", date(2024, 3, 27)),
        date(2024, 3, 27),
        date_fields("meeting_on", date(2024, 4, 2)),
        date(2024, 4, 2),
    ),
    EditPage(
        "household details",
        _household,
        {"name": "Okafor family"},
        "Okafor family",
        {"name": "Okafor-Reid household"},
        "Okafor-Reid household",
    ),
    EditPage(
        "applicant details", _applicant, {"first_name": "Gracie"}, "Gracie", {"first_name": "Grace Ann"}, "Grace Ann"
    ),
    EditPage("late check", _check_delay, {"delay_reason": "gp"}, "gp", {"delay_reason": "referee"}, "referee"),
    EditPage(
        "panel member",
        _panel_member,
        {"name": "Chloe Chalmers"},
        "Chloe Chalmers",
        {"name": "Chloe Chase"},
        "Chloe Chase",
    ),
    EditPage(
        "member's appraisal",
        _appraisal,
        date_fields("due_on", date(2025, 7, 1)),
        date(2025, 7, 1),
        date_fields("due_on", date(2025, 7, 15)),
        date(2025, 7, 15),
    ),
    EditPage("panel meeting", _panel_meeting, {"place": "Leamington"}, "Leamington", {"place": "Rugby"}, "Rugby"),
    EditPage(
        "agenda item",
        _item_page("item-edit", "presenting_worker"),
        {"presenting_worker": "Priya Shah"},
        "Priya Shah",
        {"presenting_worker": "Tom Reed"},
        "Tom Reed",
    ),
    EditPage(
        "panel recommendation",
        _item_page("recommendation", "recommendation_reasons"),
        {"recommendation": "recommended", "reasons": "Warm and reflective; strong support network."},
        "Warm and reflective; strong support network.",
        {"recommendation": "recommended", "reasons": "Clear understanding of the child's needs."},
        "Clear understanding of the child's needs.",
    ),
    EditPage(
        "item minutes",
        _item_page("item-minutes", "minutes"),
        {"minutes": "The panel discussed the review."},
        "The panel discussed the review.",
        {"minutes": "The chair summarised the discussion."},
        "The chair summarised the discussion.",
    ),
    EditPage(
        "ASF draft application",
        _asf_draft,
        {"provider": "Calm Minds Therapy"},
        "Calm Minds Therapy",
        {"provider": "Bright Paths Therapy"},
        "Bright Paths Therapy",
        extra={"action": "draft"},
    ),
    EditPage(
        "children moving in",
        _move_in,
        {**date_fields("placed_on", date(2023, 11, 1)), "children": ["{ada}"]},
        (("Ada", date(2023, 11, 1)), ("Ben", None), ("Cal", None)),
        {**date_fields("placed_on", date(2023, 11, 8)), "children": ["{ben}"]},
        (("Ada", date(2023, 11, 1)), ("Ben", date(2023, 11, 8)), ("Cal", None)),
        reloaded={"children": ["{ben}", "{cal}"]},  # Ada has moved in: the page offers the other two
    ),
    EditPage(
        "match or move",
        _child_placement_page("match", "placed_on", placed=False),
        date_fields("placed_on", date(2023, 11, 1)),
        date(2023, 11, 1),
        date_fields("placed_on", date(2023, 11, 8)),
        date(2023, 11, 8),
    ),
    EditPage(
        "adoption application",
        _child_placement_page("adoption-application", "adoption_applied_on", placed=True),
        date_fields("applied_on", date(2024, 1, 15)),
        date(2024, 1, 15),
        date_fields("applied_on", date(2024, 1, 22)),
        date(2024, 1, 22),
    ),
    EditPage(
        "PAR status",
        _household_field("par_status"),
        {"par_status": "in_progress"},
        "in_progress",
        {"par_status": "quality_assurance"},
        "quality_assurance",
    ),
    EditPage(
        "stage 2 extension",
        _household_field("stage2_extension_reason"),
        {"stage2_extension_reason": "Awaiting the second applicant's medical"},
        "Awaiting the second applicant's medical",
        {"stage2_extension_reason": "A court case in the family"},
        "A court case in the family",
    ),
    EditPage(
        "meeting invitations",
        _meeting_members("invite", date(2025, 7, 15), "invited"),
        {"members": ["{ann}", "{ben}"]},
        ["Ann Adams", "Ben Brown"],
        {"members": ["{ann}", "{cat}"]},
        ["Ann Adams", "Cat Clark"],
    ),
    EditPage(
        "meeting attendance",
        _meeting_members("attendance", date(2025, 6, 10), "attended"),
        {"members": ["{ann}", "{ben}"]},
        ["Ann Adams", "Ben Brown"],
        {"members": ["{ann}", "{cat}"]},
        ["Ann Adams", "Cat Clark"],
    ),
    EditPage(
        "life story schedule",
        _life_story("life-story-schedule-book", "due_on"),
        date_fields("due_on", date(2025, 7, 31)),
        date(2025, 7, 31),
        date_fields("due_on", date(2025, 8, 29)),
        date(2025, 8, 29),
    ),
    EditPage(
        "life story started",
        _life_story("life-story-start", "started_on"),
        date_fields("started_on", date(2025, 6, 2)),
        date(2025, 6, 2),
        date_fields("started_on", date(2025, 6, 9)),
        date(2025, 6, 9),
    ),
    EditPage(
        "life story done",
        _life_story("life-story-complete", "completed_on", started_on=date(2025, 5, 1)),
        date_fields("completed_on", date(2025, 6, 20)),
        date(2025, 6, 20),
        date_fields("completed_on", date(2025, 6, 27)),
        date(2025, 6, 27),
    ),
    EditPage(
        "life story worker",
        _life_story("life-story-worker", "worker"),
        {"worker": "{one}"},
        "support.one",
        {"worker": "{two}"},
        "support.two",
    ),
]


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.mark.parametrize("page", EDIT_PAGES, ids=[page.id for page in EDIT_PAGES])
def test_the_second_of_two_saves_is_refused_and_keeps_what_was_typed(request, page: EditPage):
    case = page.setup(request)
    first_types, second_types = submitted(page.first_types, case), submitted(page.second_types, case)
    extra = submitted(page.extra, case)
    first, second = _signed_in(case.first), _signed_in(case.second)
    first_form, second_form = edit_form(first.get(case.url)), edit_form(second.get(case.url))
    assert first_form[VERSION_FIELD] == second_form[VERSION_FIELD]

    saved = first.post(case.url, {**first_form, **first_types, **extra})
    assert saved.status_code == 302, error_summary(saved)
    assert case.stored() == page.first_stored

    refused = second.post(case.url, {**second_form, **second_types, **extra})
    assert refused.status_code == 200
    assert error_summary(refused) == f"There is a problem {RECORD_CHANGED_MESSAGE}"
    assert re.search(r"<title>\s*Error: ", refused.content.decode())  # the page title says so too
    assert case.stored() == page.first_stored  # the first person's change stands
    shown = edit_form(refused)
    for name, value in second_types.items():
        assert shown[name] == value, name  # what the second person typed is still in the form
    assert shown[VERSION_FIELD] == second_form[VERSION_FIELD]  # still the version they started from

    # Saving the same form again is refused again: they have not seen the first person's change yet.
    again = second.post(case.url, {**shown, **extra})
    assert RECORD_CHANGED_MESSAGE in error_summary(again)
    assert case.stored() == page.first_stored

    # Reloaded, the page shows the record as it is now; their change then saves.
    reloaded = edit_form(second.get(case.url))
    assert reloaded[VERSION_FIELD] != second_form[VERSION_FIELD]
    now_shown = first_types if page.reloaded is None else submitted(page.reloaded, case)
    for name, value in now_shown.items():
        assert reloaded[name] == value, name
    resaved = second.post(case.url, {**reloaded, **second_types, **extra})
    assert resaved.status_code == 302, error_summary(resaved)
    assert case.stored() == page.second_stored


@pytest.mark.parametrize("page", EDIT_PAGES, ids=[page.id for page in EDIT_PAGES])
def test_one_person_saving_the_page_is_not_refused(request, page: EditPage):
    case = page.setup(request)
    browser = _signed_in(case.first)
    form = edit_form(browser.get(case.url))
    saved = browser.post(case.url, {**form, **submitted(page.first_types, case), **submitted(page.extra, case)})
    assert saved.status_code == 302, error_summary(saved)
    assert case.stored() == page.first_stored


def test_a_refused_save_writes_nothing_at_all(request):
    """Not just the edited field: the whole row, and no audit event for the refused change."""
    case = _child_details(request)
    first, second = _signed_in(case.first), _signed_in(case.second)
    first_form, second_form = edit_form(first.get(case.url)), edit_form(second.get(case.url))
    first.post(case.url, typed(first_form, {"first_name": "Amelie"}))
    child = Child.objects.get(first_name="Amelie")
    row, events = version_of(child), AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count()
    second.post(case.url, typed(second_form, {"first_name": "Emilia", "last_name": "Ashby"}))
    assert version_of(Child.objects.get(pk=child.pk)) == row
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count() == events


def test_a_form_without_a_version_is_saved_as_before(request):
    """A page opened before the version was added to the form (or a script posting the fields) is not refused."""
    case = _child_details(request)
    browser = _signed_in(case.first)
    form = edit_form(browser.get(case.url))
    form.pop(VERSION_FIELD)
    assert browser.post(case.url, typed(form, {"first_name": "Amelie"})).status_code == 302
    assert case.stored() == "Amelie"


def test_the_version_changes_with_any_stored_value_and_only_then():
    child = factories.ChildFactory(responsible_la=factories.LaFactory(), first_name="Amelia")
    version = version_of(child)
    assert version == version_of(Child.objects.get(pk=child.pk))
    Child.objects.filter(pk=child.pk).update(is_uasc=not child.is_uasc)  # a bulk update, no save()
    assert version_of(Child.objects.get(pk=child.pk)) != version
    assert version_of(None) != version_of(child)  # a record that does not exist yet has a version of its own


def test_the_version_of_a_set_of_rows_changes_with_the_set_and_not_with_the_order_it_was_read_in(raa):
    """A page that edits a set of rows (a meeting's invitations) versions the record and the rows, by primary key."""
    meeting = PanelMeeting.objects.create(raa=raa, held_on=date(2025, 7, 15), starts_at=time(10, 0), place="Warwick")
    members = [
        PanelMember.objects.create(raa=raa, name=name, roles=["chair"], on_list_from=date(2024, 1, 1))
        for name in ("Ann Adams", "Ben Brown", "Cat Clark")
    ]
    for member in members[:2]:
        PanelAttendance.objects.create(meeting=meeting, member=member)
    rows = PanelAttendance.objects.filter(meeting=meeting)

    def version() -> str:
        return version_of(PanelMeeting.objects.get(pk=meeting.pk), *in_pk_order(rows.order_by("member__name")))

    started_from = version()
    assert version_of(meeting, *in_pk_order(rows.order_by("-member__name"))) == started_from
    assert version_of(meeting) != started_from  # the rows are part of it

    added = PanelAttendance.objects.create(meeting=meeting, member=members[2])
    assert version() != started_from
    added.delete()
    assert version() == started_from
    rows.filter(member=members[1]).delete()
    assert version() != started_from
    PanelAttendance.objects.create(meeting=meeting, member=members[1])  # the same member again: a new row
    assert version() != started_from
    rows.filter(member=members[0]).update(attended=True)  # a bulk update, no save()
    changed = version()
    assert changed != started_from
    PanelMeeting.objects.filter(pk=meeting.pk).update(place="Rugby")  # the meeting itself
    assert version() != changed


# --- the check holds the row: two saves at the same moment ----------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migration_data_reloaded_after_module")
def test_a_save_waiting_for_the_row_is_refused_once_the_other_save_commits(la_a):
    """The service locks the row before it compares versions, so a save that arrives while another is being
    written waits for it and then sees its change: it cannot pass the check on the old row and write over it."""
    one, two = _pair(la_a, Role.SOCIAL_WORKER, "sw")
    child = factories.ChildFactory(responsible_la=la_a, first_name="Amelia", last_name="Ashdown")
    started_from = version_of(child)
    outcome: dict[str, Any] = {}

    def second_save() -> None:
        try:
            child_services.child_update(
                actor=two, child_id=child.pk, expected_version=started_from, first_name="Emilia"
            )
            outcome["result"] = "saved"
        except ValidationError as error:
            outcome["result"] = error
        finally:
            connections.close_all()

    waiting = threading.Thread(target=second_save)
    with transaction.atomic():
        child_services.child_update(actor=one, child_id=child.pk, expected_version=started_from, first_name="Amelie")
        waiting.start()
        _wait_until_a_query_waits_for_a_lock()
    waiting.join(timeout=30)
    assert not waiting.is_alive()
    assert isinstance(outcome["result"], RecordChanged)
    assert Child.objects.get(pk=child.pk).first_name == "Amelie"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migration_data_reloaded_after_module")
def test_a_move_recorded_while_another_is_being_written_waits_for_it_and_is_refused(request):
    """Two people record the same child moving in at the same moment: the second waits for the first's children
    and placements, then sees that the child has moved in; it does not write its own date over the first one's."""
    case = _move_in(request)
    ada = AdoptivePlacement.objects.get(child_id=case.ids["ada"])
    started_from = version_of(*in_pk_order(AdoptivePlacement.objects.filter(match_id=ada.match_id)))
    outcome: dict[str, Any] = {}

    def second_save() -> None:
        try:
            child_services.placement_record(
                actor=case.second,
                match_id=ada.match_id,
                placed_on=date(2023, 11, 8),
                child_ids=[ada.child_id],
                expected_version=started_from,
            )
            outcome["result"] = "saved"
        except ValidationError as error:
            outcome["result"] = error
        finally:
            connections.close_all()

    waiting = threading.Thread(target=second_save)
    with transaction.atomic():
        child_services.placement_record(
            actor=case.first,
            match_id=ada.match_id,
            placed_on=date(2023, 11, 1),
            child_ids=[ada.child_id],
            expected_version=started_from,
        )
        waiting.start()
        _wait_until_a_query_waits_for_a_lock()
    waiting.join(timeout=30)
    assert not waiting.is_alive()
    assert isinstance(outcome["result"], RecordChanged)
    assert case.stored() == (("Ada", date(2023, 11, 1)), ("Ben", None), ("Cal", None))


def _wait_until_a_query_waits_for_a_lock() -> None:
    """Poll PostgreSQL, on a connection of its own, until another connection to this database is waiting for a
    lock (the second save, waiting for the child's row)."""
    watcher = connections.create_connection("default")
    try:
        with watcher.cursor() as cursor:
            for _ in range(600):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                row = cursor.fetchone()
                if row and row[0]:
                    return
                time_module.sleep(0.05)
    finally:
        watcher.close()
    pytest.fail("the second save never waited for the row")


# --- the API and the pages: one record, either way round -----------------------------------------------------------


def _api_read(client: Client, url: str, token: str) -> str:
    return client.get(url, headers={"Authorization": f"Bearer {token}"})["ETag"]


def _api_rename(client: Client, url: str, token: str, etag: str, first_name: str):
    headers = {"Authorization": f"Bearer {token}", "If-Match": etag}
    return client.patch(url, {"first_name": first_name}, content_type="application/json", headers=headers)


def test_two_api_clients_the_stale_patch_is_412_and_changes_nothing(la_a):
    """Two systems of the LA read the same child; the second's change, made with the ETag it read, is refused."""
    child = factories.ChildFactory(responsible_la=la_a, first_name="Amelia")
    url = f"/api/v1/children/{child.pk}/"
    _, first_token = factories.api_client_with_token(la_a, name="Case system")
    _, second_token = factories.api_client_with_token(la_a, name="Education system")
    first, second = Client(), Client()
    first_etag, second_etag = _api_read(first, url, first_token), _api_read(second, url, second_token)
    assert first_etag == second_etag

    assert _api_rename(first, url, first_token, first_etag, "Amy").status_code == 200
    stale = _api_rename(second, url, second_token, second_etag, "Ann")
    assert stale.status_code == 412
    assert stale.json()["message"].startswith("The record has changed since you read it")
    assert Child.objects.get(pk=child.pk).first_name == "Amy"


def test_a_change_through_the_api_refuses_a_page_opened_before_it(la_a, social_worker_a):
    child = factories.ChildFactory(responsible_la=la_a, first_name="Amelia")
    page_url, api_url = reverse("children:update", kwargs={"child_id": child.pk}), f"/api/v1/children/{child.pk}/"
    _, token = factories.api_client_with_token(la_a, name="Case system")
    browser = _signed_in(social_worker_a)
    form = edit_form(browser.get(page_url))
    api = Client()
    assert _api_rename(api, api_url, token, _api_read(api, api_url, token), "Amy").status_code == 200

    refused = browser.post(page_url, typed(form, {"first_name": "Amelie"}))
    assert RECORD_CHANGED_MESSAGE in error_summary(refused)
    assert Child.objects.get(pk=child.pk).first_name == "Amy"


def test_a_page_save_refuses_an_api_change_made_with_the_etag_read_before_it(la_a, social_worker_a):
    child = factories.ChildFactory(responsible_la=la_a, first_name="Amelia")
    page_url, api_url = reverse("children:update", kwargs={"child_id": child.pk}), f"/api/v1/children/{child.pk}/"
    _, token = factories.api_client_with_token(la_a, name="Case system")
    api = Client()
    etag = _api_read(api, api_url, token)
    browser = _signed_in(social_worker_a)
    assert browser.post(page_url, typed(edit_form(browser.get(page_url)), {"first_name": "Amelie"})).status_code == 302

    assert _api_rename(api, api_url, token, etag, "Amy").status_code == 412
    assert Child.objects.get(pk=child.pk).first_name == "Amelie"
