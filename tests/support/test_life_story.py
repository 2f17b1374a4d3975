"""Life story work and later life letters: every placed child, its states, the children without them, tenancy."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adoption.models import AuditEvent, Role
from adoption.working_days import add_working_days
from children.models import AdoptivePlacement
from support.models import LifeStoryWork
from support.services import life_story as services
from tests import factories
from tests.support.conftest import date_fields

TODAY = date(2026, 3, 31)
BOOK = LifeStoryWork.Kind.LIFE_STORY_BOOK
LETTER = LifeStoryWork.Kind.LATER_LIFE_LETTER
LIST = "/support/life-story/"


def frozen(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Europe/London")), tick=False)


@pytest.fixture
def today():
    with frozen(TODAY):
        yield TODAY


def placed_child(la, first_name: str, *, placed_on: date, adoption_order: date | None = None, **placement):
    child = factories.ChildFactory(responsible_la=la, first_name=first_name, last_name="Test")
    factories.AdoptivePlacementFactory(
        child=child, household__approving_agency=la.raa, matched_on=placed_on, placed_on=placed_on, **placement
    )
    if adoption_order:
        factories.AdoptionOrderFactory(child=child, made_on=adoption_order)
    return child


def work(child, kind, due_on: date, started_on: date | None = None, completed_on: date | None = None, worker=None):
    return LifeStoryWork.objects.create(
        child=child, kind=kind, due_on=due_on, started_on=started_on, completed_on=completed_on, worker=worker
    )


def row_of(html: str, name: str) -> str:
    """The table row of the child named ``name`` (its HTML), or "" when the page does not list them."""
    match = re.search(r"<tr class=\"govuk-table__row\">((?:(?!</tr>).)*?" + re.escape(name) + r".*?)</tr>", html, re.S)
    return match.group(1) if match else ""


def tags(cell_html: str) -> list[str]:
    return re.findall(r"govuk-tag[^\"]*\">([^<]+)</strong>", cell_html)


@pytest.fixture
def support_a(la_a):
    return factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER, username="support.a", first_name="Sue", last_name="Porter")


@pytest.fixture
def support_raa(raa):
    return factories.staff(raa, Role.SUPPORT_SOCIAL_WORKER, username="support.raa")


@pytest.fixture
def admin_a(la_a):
    return factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")


@pytest.fixture
def children(la_a, la_b):
    """LA A: placed (no order), adopted, disrupted, matched not moved in, disrupted then placed again. LA B: placed."""
    placed = placed_child(la_a, "Poppy", placed_on=date(2025, 9, 1))
    adopted = placed_child(la_a, "Arlo", placed_on=date(2024, 5, 1), adoption_order=date(2025, 1, 15))
    disrupted = placed_child(la_a, "Dora", placed_on=date(2025, 1, 6), ended_on=date(2025, 6, 2))
    matched = factories.ChildFactory(responsible_la=la_a, first_name="Milo", last_name="Test")
    factories.AdoptivePlacementFactory(
        child=matched, household__approving_agency=la_a.raa, matched_on=date(2026, 3, 1), placed_on=None
    )
    again = placed_child(la_a, "Rory", placed_on=date(2024, 2, 5), ended_on=date(2024, 8, 1))
    factories.AdoptivePlacementFactory(
        child=again, household__approving_agency=la_a.raa, matched_on=date(2025, 2, 3), placed_on=date(2025, 2, 10)
    )
    other_la = placed_child(la_b, "Bea", placed_on=date(2025, 4, 1))
    return {
        "placed": placed,
        "adopted": adopted,
        "disrupted": disrupted,
        "matched": matched,
        "again": again,
        "b": other_la,
    }


# --- the list: states, overdue, the children without them ------------------------------------------------------


def test_the_list_shows_every_placed_child_with_each_records_state(client, support_a, children, today):
    placed, adopted, again = children["placed"], children["adopted"], children["again"]
    work(adopted, BOOK, date(2025, 1, 15), started_on=date(2024, 9, 1), completed_on=date(2025, 1, 10))
    work(adopted, LETTER, date(2025, 1, 29), started_on=date(2025, 1, 20), worker=support_a)
    work(placed, BOOK, date(2026, 4, 30))
    work(again, LETTER, date(2026, 3, 30))  # overdue on 31 March

    client.force_login(support_a)
    html = client.get(LIST).content.decode()

    arlo = row_of(html, "Arlo Test")
    assert "10 Jan 2025" in arlo and "Due 29 Jan 2025" in arlo and "Sue Porter" in arlo
    assert "15 Jan 2025" in arlo  # the adoption order
    # The letter was due on 29 January 2025 and is still in progress: overdue.
    assert tags(arlo) == ["Done", "In progress", "Overdue"]
    assert tags(row_of(html, "Poppy Test")) == ["Due", "Not scheduled"]
    assert tags(row_of(html, "Rory Test")) == ["Not scheduled", "Due", "Overdue"]
    # Not placed: a disrupted placement once ended, or a match the child has not moved in on yet. Another LA's child.
    for name in ("Dora Test", "Milo Test", "Bea Test"):
        assert name not in html
    assert "3 placed children, 3 without their life story work" in html


def test_overdue_follows_the_frozen_date(client, support_a, children):
    work(children["placed"], BOOK, date(2026, 3, 30))
    with frozen(date(2026, 3, 30)):
        client.force_login(support_a)
        assert tags(row_of(client.get(LIST).content.decode(), "Poppy Test")) == ["Due", "Not scheduled"]
    with frozen(date(2026, 3, 31)):
        client.force_login(support_a)  # a day later: the session has timed out
        assert tags(row_of(client.get(LIST).content.decode(), "Poppy Test")) == ["Due", "Overdue", "Not scheduled"]


def test_the_children_without_them_lack_a_record_or_have_one_overdue(client, support_a, children, today):
    placed, adopted, again = children["placed"], children["adopted"], children["again"]
    # Arlo has both, one done and one in progress before its due date: not on the list.
    work(adopted, BOOK, date(2025, 1, 15), started_on=date(2024, 9, 1), completed_on=date(2025, 1, 10))
    work(adopted, LETTER, date(2026, 6, 1), started_on=date(2026, 3, 1))
    # Poppy has both, the book overdue.
    work(placed, BOOK, date(2026, 3, 1))
    work(placed, LETTER, date(2026, 5, 1))
    # Rory has only the book.
    work(again, BOOK, date(2026, 8, 1))

    client.force_login(support_a)
    html = client.get(LIST, {"missing": "1"}).content.decode()

    assert '<h1 class="govuk-heading-xl">Children without life story work</h1>' in html
    assert row_of(html, "Poppy Test") and row_of(html, "Rory Test")
    assert not row_of(html, "Arlo Test")
    assert "3 placed children, 2 without their life story work" in html


def test_the_counts_are_by_kind_and_state(client, support_a, children, today):
    placed, adopted, again = children["placed"], children["adopted"], children["again"]
    work(adopted, BOOK, date(2025, 1, 15), started_on=date(2024, 9, 1), completed_on=date(2025, 1, 10))
    work(adopted, LETTER, date(2025, 1, 29), started_on=date(2025, 1, 20))
    work(placed, BOOK, date(2026, 3, 1))
    work(again, BOOK, date(2026, 8, 1))

    client.force_login(support_a)
    html = client.get(LIST).content.decode()
    counts = re.search(r"<table class=\"govuk-table\" id=\"counts\">(.*?)</table>", html, re.S).group(1)
    rows = {
        label: re.findall(r"numeric\">(\d+)</td>", body)
        for label, body in re.findall(
            r"<th scope=\"row\" class=\"govuk-table__header\">([^<]+)</th>(.*?)</tr>", counts, re.S
        )
    }
    #                      not scheduled, due, in progress, done, overdue
    assert rows == {"Life story book": ["0", "2", "0", "1", "1"], "Later life letter": ["2", "0", "1", "0", "1"]}


def test_the_query_count_does_not_grow_with_the_children(client, support_a, la_a, children, today):
    client.force_login(support_a)
    client.get(LIST)  # warm up (sessions, the user)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(6):
        child = placed_child(la_a, f"Extra{n}", placed_on=date(2025, 10, 1))
        work(child, BOOK, date(2026, 4, 1), started_on=date(2026, 1, 5), worker=support_a)
        work(child, LETTER, date(2026, 1, 1))
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert "9 placed children" in response.content.decode()
    assert len(many) == len(few)


def test_the_filters_narrow_by_state_kind_and_la(client, support_raa, children, today):
    placed, adopted = children["placed"], children["adopted"]
    work(adopted, BOOK, date(2025, 1, 15), started_on=date(2024, 9, 1), completed_on=date(2025, 1, 10))
    work(adopted, LETTER, date(2025, 1, 29), started_on=date(2025, 1, 20))
    work(placed, BOOK, date(2026, 5, 1), started_on=date(2026, 3, 2))
    work(children["b"], LETTER, date(2026, 3, 2))

    client.force_login(support_raa)
    names = lambda **query: set(re.findall(r"(\w+) Test</a>", client.get(LIST, query).content.decode()))  # noqa: E731
    assert names() == {"Poppy", "Arlo", "Rory", "Bea"}
    assert names(state="in_progress") == {"Poppy", "Arlo"}
    assert names(state="in_progress", kind=BOOK) == {"Poppy"}
    assert names(state="done") == {"Arlo"}
    assert names(state="overdue") == {"Arlo", "Bea"}
    assert names(state="not_scheduled", kind=BOOK) == {"Rory", "Bea"}
    assert names(la=str(children["b"].responsible_la_id)) == {"Bea"}
    assert names(state="overdue", la=str(children["placed"].responsible_la_id)) == {"Arlo"}
    assert names(state="nonsense") == {"Poppy", "Arlo", "Rory", "Bea"}


# --- due dates, start, done, the worker ---------------------------------------------------------------------------


def test_scheduling_without_a_date_uses_the_house_rule(support_a, children, today):
    adopted, placed = children["adopted"], children["placed"]
    book = services.life_story_work_schedule(actor=support_a, child_id=adopted.pk, kind=BOOK)
    letter = services.life_story_work_schedule(actor=support_a, child_id=adopted.pk, kind=LETTER)
    # With an adoption order: the book by the order, the letter 10 working days after it.
    assert book.due_on == date(2025, 1, 15)
    assert letter.due_on == add_working_days(date(2025, 1, 15), 10) == date(2025, 1, 29)
    # Without one: 6 and 3 months after the child moved in.
    assert services.life_story_work_schedule(actor=support_a, child_id=placed.pk, kind=BOOK).due_on == date(2026, 3, 1)
    assert services.life_story_work_schedule(actor=support_a, child_id=placed.pk, kind=LETTER).due_on == date(
        2025, 12, 1
    )


def test_the_schedule_page_offers_the_rule_and_saves_the_workers_date(client, support_a, children, today):
    placed = children["placed"]
    client.force_login(support_a)
    url = reverse("support:life-story-schedule-book", args=[placed.pk])
    page = client.get(url).content.decode()
    assert "Schedule the life story book" in page and "1 March 2026" in page
    assert 'value="2026"' in page and 'value="3"' in page  # the rule's date, filled in

    response = client.post(url, {**date_fields("due_on", date(2026, 6, 30)), "worker": str(support_a.pk)})
    assert response.status_code == 302 and response["Location"] == reverse("support:life-story-child", args=[placed.pk])
    saved = LifeStoryWork.objects.get(child=placed, kind=BOOK)
    assert (saved.due_on, saved.worker) == (date(2026, 6, 30), support_a)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="support.lifestorywork")
    assert (event.object_id, event.organisation_id, event.actor) == (str(saved.pk), placed.responsible_la_id, support_a)

    child_page = client.get(response["Location"]).content.decode()
    assert "30 June 2026" in child_page and "Sue Porter" in child_page

    # Moving the date: the same record, and a due date before the child moved in is refused.
    refused = client.post(url, {**date_fields("due_on", date(2025, 8, 1)), "worker": ""})
    assert "The due date must be on or after the day Poppy moved in, 1 September 2025" in refused.content.decode()
    assert LifeStoryWork.objects.get(child=placed, kind=BOOK).due_on == date(2026, 6, 30)
    client.post(url, {**date_fields("due_on", date(2026, 7, 31)), "worker": ""})
    assert LifeStoryWork.objects.filter(child=placed).count() == 1
    assert LifeStoryWork.objects.get(child=placed, kind=BOOK).due_on == date(2026, 7, 31)


def test_start_and_done_dates_are_not_in_the_future_and_done_follows_started(client, support_a, children, today):
    book = work(children["placed"], BOOK, date(2026, 3, 1))
    client.force_login(support_a)
    start = reverse("support:life-story-start", args=[book.pk])
    complete = reverse("support:life-story-complete", args=[book.pk])

    early = client.post(complete, date_fields("completed_on", date(2026, 3, 20))).content.decode()
    assert "Record the date the work started before recording it done" in early
    assert (
        "The date it started must be today or in the past"
        in client.post(start, date_fields("started_on", date(2026, 4, 1))).content.decode()
    )
    assert client.post(start, date_fields("started_on", date(2026, 3, 10))).status_code == 302
    assert (
        "The date it was done must be on or after it started, 10 March 2026"
        in client.post(complete, date_fields("completed_on", date(2026, 3, 9))).content.decode()
    )
    assert (
        "The date it was done must be today or in the past"
        in client.post(complete, date_fields("completed_on", date(2026, 4, 2))).content.decode()
    )
    assert client.post(complete, date_fields("completed_on", date(2026, 3, 31))).status_code == 302

    book.refresh_from_db()
    assert (book.started_on, book.completed_on) == (date(2026, 3, 10), date(2026, 3, 31))
    assert AuditEvent.objects.filter(object_type="support.lifestorywork", object_id=str(book.pk)).count() == 2
    with pytest.raises(ValidationError) as refused:
        services.life_story_work_schedule(actor=support_a, child_id=children["placed"].pk, kind=BOOK)
    assert refused.value.message_dict == {
        "due_on": ["The life story book was done on 31 March 2026: there is nothing to schedule"]
    }


def test_the_worker_is_a_support_worker_of_the_childs_la_or_its_raa(
    client, support_a, support_raa, la_b, children, today
):
    letter = work(children["placed"], LETTER, date(2026, 5, 1))
    support_b = factories.staff(la_b, Role.SUPPORT_SOCIAL_WORKER, username="support.b")
    with pytest.raises(ValidationError) as refused:
        services.life_story_work_allocate(actor=support_a, work_id=letter.pk, worker_id=support_b.pk)
    assert "worker" in refused.value.message_dict

    client.force_login(support_a)
    url = reverse("support:life-story-worker", args=[letter.pk])
    page = client.get(url).content.decode()
    assert support_raa.display_name in page
    assert support_b.display_name not in page
    assert client.post(url, {"worker": str(support_raa.pk)}).status_code == 302
    letter.refresh_from_db()
    assert letter.worker == support_raa
    client.post(url, {"worker": ""})
    letter.refresh_from_db()
    assert letter.worker is None


def test_a_child_who_is_not_placed_cannot_have_life_story_work_scheduled(support_a, children, today):
    with pytest.raises(ValidationError) as refused:
        services.life_story_work_schedule(actor=support_a, child_id=children["disrupted"].pk, kind=BOOK)
    assert refused.value.message_dict == {
        "child": ["Dora Test is not placed for adoption: life story work is for placed children"]
    }
    assert not LifeStoryWork.objects.exists()


# --- tenancy and roles --------------------------------------------------------------------------------------------


def test_a_support_worker_of_la_a_does_not_see_la_bs_child(client, support_a, children, today):
    child_b = children["b"]
    letter_b = work(child_b, LETTER, date(2026, 5, 1))
    client.force_login(support_a)
    assert "Bea Test" not in client.get(LIST).content.decode()
    assert client.get(reverse("support:life-story-child", args=[child_b.pk])).status_code == 404
    assert client.get(reverse("support:life-story-schedule-book", args=[child_b.pk])).status_code == 404
    assert (
        client.post(
            reverse("support:life-story-start", args=[letter_b.pk]), date_fields("started_on", TODAY)
        ).status_code
        == 404
    )
    with pytest.raises(Http404):
        services.life_story_work_schedule(actor=support_a, child_id=child_b.pk, kind=BOOK)
    with pytest.raises(Http404):
        services.life_story_work_start(actor=support_a, work_id=letter_b.pk, started_on=TODAY)
    letter_b.refresh_from_db()
    assert letter_b.started_on is None


def test_the_raa_support_worker_sees_every_la(client, support_raa, children, today):
    client.force_login(support_raa)
    html = client.get(LIST).content.decode()
    assert row_of(html, "Bea Test") and row_of(html, "Poppy Test")
    assert client.get(reverse("support:life-story-child", args=[children["b"].pk])).status_code == 200


def test_an_la_social_worker_is_refused(client, social_worker_a, children, today):
    client.force_login(social_worker_a)
    assert client.get(LIST).status_code == 403
    # A record page: as if it did not exist.
    assert client.get(reverse("support:life-story-child", args=[children["placed"].pk])).status_code == 404
    with pytest.raises(Http404):
        services.life_story_work_schedule(actor=social_worker_a, child_id=children["placed"].pk, kind=BOOK)


def test_an_administrator_reads_but_does_not_change(client, admin_a, children, today):
    book = work(children["placed"], BOOK, date(2026, 5, 1))
    client.force_login(admin_a)
    assert row_of(client.get(LIST).content.decode(), "Poppy Test")
    child_page = client.get(reverse("support:life-story-child", args=[children["placed"].pk])).content.decode()
    assert "Poppy Test" in child_page and "Record when it started" not in child_page
    assert client.get(reverse("support:life-story-schedule-letter", args=[children["placed"].pk])).status_code == 403
    assert (
        client.post(reverse("support:life-story-start", args=[book.pk]), date_fields("started_on", TODAY)).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.life_story_work_schedule(actor=admin_a, child_id=children["placed"].pk, kind=LETTER)
    assert not LifeStoryWork.objects.filter(kind=LETTER).exists()


def test_reading_a_childs_life_story_work_is_audited(client, support_a, children, today):
    client.force_login(support_a)
    client.get(reverse("support:life-story-child", args=[children["placed"].pk]))
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ)
    assert (event.object_type, event.object_id) == ("children.child", str(children["placed"].pk))
    assert event.organisation_id == children["placed"].responsible_la_id


def test_a_child_who_is_not_placed_is_shown_as_such_and_cannot_be_scheduled(client, support_a, children, today):
    dora = children["disrupted"]  # her placement disrupted: the book begun while she was placed stays on record
    book = work(dora, BOOK, date(2025, 5, 1), started_on=date(2025, 3, 3))
    client.force_login(support_a)
    page = client.get(reverse("support:life-story-child", args=[dora.pk])).content.decode()
    assert "Dora is not placed for adoption" in page and "3 March 2025" in page
    assert "Schedule the later life letter" not in page
    url = reverse("support:life-story-schedule-letter", args=[dora.pk])
    for response in (client.get(url), client.post(url, {**date_fields("due_on", TODAY), "worker": ""})):
        assert response.status_code == 302 and response["Location"] == reverse(
            "support:life-story-child", args=[dora.pk]
        )
    followed = client.get(url, follow=True).content.decode()
    assert "Dora Test is not placed for adoption: life story work is for placed children" in followed
    assert list(LifeStoryWork.objects.filter(child=dora)) == [book]


def test_a_placement_ended_by_disruption_stops_counting_once_ended(support_a, children, today):
    from support.selectors import life_story as selectors

    placement = AdoptivePlacement.objects.get(child=children["placed"])
    assert selectors.placed_children(actor=support_a, today=TODAY).filter(pk=children["placed"].pk).exists()
    placement.ended_on = date(2026, 3, 20)
    placement.save()
    assert not selectors.placed_children(actor=support_a, today=TODAY).filter(pk=children["placed"].pk).exists()
