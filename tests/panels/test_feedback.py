"""Quality and attendee feedback: rating papers, the quarterly report and its CSV, and the one-off feedback links."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import Client
from django.utils import timezone

from adoption.models import AuditEvent, Role
from children.models import Link
from panels import feedback
from panels.models import (
    AgendaItem,
    AgendaPaper,
    AttendeeFeedback,
    PanelRole,
    PaperKind,
    PaperRating,
)
from tests import factories
from tests.panels.conftest import invite, meeting, member

pytestmark = pytest.mark.django_db
R = PanelRole
K = AgendaItem.Kind
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def item(panel, kind: str, position: int = 1, **links) -> AgendaItem:
    return AgendaItem.objects.create(meeting=panel, position=position, kind=kind, starts_at=time(10, 0), **links)


def paper(on: AgendaItem, kind: str, uploaded_by, title: str = "") -> AgendaPaper:
    return AgendaPaper.objects.create(
        item=on,
        kind=kind,
        title=title or PaperKind(kind).label,
        file=ContentFile(PDF, name="paper.pdf"),
        original_name="paper.pdf",
        pages=1,
        size=len(PDF),
        received_at=timezone.now(),
        uploaded_by=uploaded_by,
    )


def match_item(panel, raa, child, position: int = 1) -> AgendaItem:
    """A match at panel: the link of a family (the Hollands) and ``child``."""
    household = factories.HouseholdFactory(approving_agency=raa, name="The Hollands")
    link = Link.objects.create(child=child, household=household, origin=Link.Origin.AGENCY, started_on=date(2025, 3, 1))
    return item(panel, K.MATCH, position, link=link)


def rate(on: AgendaPaper, criterion: str, *values: int) -> None:
    """Ratings by as many different raters as values."""
    for value in values:
        PaperRating.objects.create(paper=on, criterion=criterion, rating=value, rated_by=factories.UserFactory())


@pytest.fixture
def sitting_member(raa):
    """A panel member with an account, invited to the meeting of 10 June 2025."""
    user = factories.staff(raa, Role.PANEL_MEMBER, username="pm.sitting")
    return user, member(raa, "Sita Sitting", R.INDEPENDENT, user=user)


@pytest.fixture
def par_item(raa, panel_adviser):
    """An approval at the panel of 10 June 2025 with its PAR."""
    household = factories.HouseholdFactory(approving_agency=raa, name="The Fairweathers")
    approval = item(meeting(raa), K.APPROVAL, household=household)
    return approval, paper(approval, PaperKind.PAR, panel_adviser)


def _checked(page: str, name: str, value: int) -> bool:
    """The radio ``name`` with ``value`` is chosen on the page."""
    return bool(re.search(rf'name="{name}" type="radio" value="{value}" checked', page))


def _ratings_url(on: AgendaItem) -> str:
    return f"/panels/items/{on.pk}/ratings/"


# --- who may rate, and what ---------------------------------------------------------------------------------


def test_a_criterion_that_does_not_apply_to_the_paper_is_refused(par_item, panel_adviser):
    _approval, par = par_item
    with pytest.raises(ValidationError) as refused:
        feedback.paper_ratings_record(actor=panel_adviser, paper_id=par.pk, ratings={"childs_voice": 3})
    assert refused.value.message_dict == {
        "childs_voice": ["Child's voice is not a criterion for the Prospective Adopter's Report (PAR)"]
    }
    with pytest.raises(ValidationError) as out_of_range:
        feedback.paper_ratings_record(actor=panel_adviser, paper_id=par.pk, ratings={"readability": 5})
    assert out_of_range.value.message_dict == {
        "readability": ["Choose a rating of readability from Inadequate to Outstanding"]
    }
    assert not PaperRating.objects.exists()


def test_papers_that_are_not_rated_offer_no_criteria(raa, panel_adviser, child_a):
    relinquished = item(meeting(raa), K.RELINQUISHED, child=child_a)
    other = paper(relinquished, PaperKind.OTHER, panel_adviser, title="Chronology")
    with pytest.raises(ValidationError) as refused:
        feedback.paper_ratings_record(actor=panel_adviser, paper_id=other.pk, ratings={"readability": 3})
    assert "is not rated" in refused.value.message_dict["paper"][0]
    assert feedback.criteria_for(PaperKind.REVIEW) == ()
    assert feedback.criteria_for(PaperKind.SUPPORT_PLAN) == ("support_plan", "contact")


def test_a_member_of_the_meeting_rates_and_rating_again_updates(client, par_item, sitting_member):
    approval, par = par_item
    user, sitting = sitting_member
    invite(approval.meeting, sitting)
    client.force_login(user)
    page = client.get(_ratings_url(approval)).content.decode()
    assert "Prospective Adopter&#x27;s Report (PAR)" in page and "Management oversight" in page
    assert "Child&#x27;s voice" not in page  # not a PAR criterion
    for label in ("Inadequate", "Requires improvement", "Good", "Outstanding"):
        assert label in page
    field = f"paper{par.pk}"
    response = client.post(_ratings_url(approval), {f"{field}_readability": "2", f"{field}_comment": "Hard to follow"})
    assert response.status_code == 302
    client.post(_ratings_url(approval), {f"{field}_readability": "4", f"{field}_evidence": "3"})
    mine = dict(PaperRating.objects.filter(paper=par, rated_by=user).values_list("criterion", "rating"))
    assert mine == {"readability": 4, "evidence": 3}
    page = client.get(_ratings_url(approval)).content.decode()
    assert _checked(page, f"{field}_readability", 4)
    assert _checked(page, f"{field}_evidence", 3)
    events = AuditEvent.objects.filter(object_type="panels.paperrating", object_id=str(par.pk))
    assert list(events.order_by("pk").values_list("action", flat=True)) == ["create", "update"]


def test_a_refused_rating_keeps_what_was_chosen(client, par_item, panel_adviser):
    approval, par = par_item
    client.force_login(panel_adviser)
    field = f"paper{par.pk}"
    response = client.post(
        _ratings_url(approval),
        {f"{field}_readability": "3", f"{field}_completeness": "9", f"{field}_comment": "Thorough on health"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a rating of completeness from Inadequate to Outstanding" in body
    assert _checked(body, f"{field}_readability", 3)
    assert "Thorough on health" in body
    assert not PaperRating.objects.exists()


def test_outsiders_get_404_and_readers_who_are_not_raters_403(
    client, par_item, panel_adviser_other, social_worker_a, adm
):
    approval, par = par_item
    for outsider in (panel_adviser_other, social_worker_a):
        client.force_login(outsider)
        assert client.get(_ratings_url(approval)).status_code == 404
        with pytest.raises(Http404):
            feedback.paper_ratings_record(actor=outsider, paper_id=par.pk, ratings={"readability": 3})
    # The RAA's ADM sees the meeting but is neither panel staff nor one of its members.
    client.force_login(adm)
    assert client.get(_ratings_url(approval)).status_code == 403
    with pytest.raises(PermissionDenied):
        feedback.paper_ratings_record(actor=adm, paper_id=par.pk, ratings={"readability": 3})


def test_a_member_of_another_meeting_may_not_rate(client, raa, par_item, sitting_member):
    approval, _par = par_item
    user, sitting = sitting_member
    invite(meeting(raa, date(2025, 5, 13)), sitting)
    client.force_login(user)
    assert client.get(_ratings_url(approval)).status_code == 403


# --- the quarterly report -----------------------------------------------------------------------------------


@pytest.fixture
def rated_quarter(raa, la_other, panel_adviser, child_a, child_b):
    """Ratings at two panels in April to June 2025 (LA A's match, LA B's relinquished child, an approval), one in
    July (outside the quarter) and one at another RAA's panel."""
    june, may = meeting(raa, date(2025, 6, 10)), meeting(raa, date(2025, 5, 13), place="Rugby")
    matching = match_item(june, raa, child_a)
    cpr_a, apr_a = paper(matching, PaperKind.CPR, panel_adviser), paper(matching, PaperKind.APR, panel_adviser)
    relinquished = item(june, K.RELINQUISHED, 2, child=child_b)
    cpr_b = paper(relinquished, PaperKind.CPR, panel_adviser)
    approval = item(may, K.APPROVAL, household=factories.HouseholdFactory(approving_agency=raa))
    par = paper(approval, PaperKind.PAR, panel_adviser)
    rate(cpr_a, "readability", 4, 3, 1)
    rate(apr_a, "match_rationale", 1, 2, 3, 3)
    rate(cpr_b, "readability", 2, 2)
    rate(par, "readability", 3)
    rate(par, "evidence", 4, 3)
    # Outside the quarter, and outside the RAA.
    july = item(meeting(raa, date(2025, 7, 1)), K.RELINQUISHED, child=child_a)
    rate(paper(july, PaperKind.CPR, panel_adviser), "readability", 4, 4)
    elsewhere = item(
        meeting(la_other.raa, date(2025, 6, 10)), K.RELINQUISHED, child=factories.ChildFactory(responsible_la=la_other)
    )
    rate(paper(elsewhere, PaperKind.CPR, panel_adviser), "readability", 1)
    # A replaced version of LA A's CPR: its ratings are not of the paper that went to panel.
    old = paper(matching, PaperKind.OTHER, panel_adviser)
    AgendaPaper.objects.filter(pk=old.pk).update(kind=PaperKind.CPR, replaced_at=timezone.now())
    rate(old, "readability", 1)


def _table(area: feedback.AreaRatings) -> list[tuple[str, str, int, Decimal, Decimal]]:
    return [(f.paper_kind, f.criterion, f.count, f.mean, f.good_percent) for f in area.figures]


def test_the_quarterly_report_per_la_the_raas_adopters_and_overall(rated_quarter, raa, panel_adviser):
    report = feedback.quality_report(actor=panel_adviser, year=2025, quarter=1)
    assert report.quarter.months == "April to June 2025"
    [heartlands] = report.raas
    assert heartlands.raa_name == "Heartlands Adoption"
    areas = {area.label: _table(area) for area in heartlands.areas}
    assert list(areas) == ["Ashby Borough", "Brookfield County", "RAA (adopters' reports)"]
    assert areas["Ashby Borough"] == [
        ("cpr", "readability", 3, Decimal("2.7"), Decimal("67")),
        ("apr", "match_rationale", 4, Decimal("2.3"), Decimal("50")),  # 2.25 rounds up
    ]
    assert areas["Brookfield County"] == [("cpr", "readability", 2, Decimal("2.0"), Decimal("0"))]
    assert areas["RAA (adopters' reports)"] == [
        ("par", "readability", 1, Decimal("3.0"), Decimal("100")),
        ("par", "evidence", 2, Decimal("3.5"), Decimal("100")),
    ]
    assert _table(heartlands.overall) == [
        ("par", "readability", 1, Decimal("3.0"), Decimal("100")),
        ("par", "evidence", 2, Decimal("3.5"), Decimal("100")),
        ("cpr", "readability", 5, Decimal("2.4"), Decimal("40")),
        ("apr", "match_rationale", 4, Decimal("2.3"), Decimal("50")),
    ]


def test_the_report_page_picks_a_quarter_and_has_an_empty_state(client, rated_quarter, panel_adviser):
    client.force_login(panel_adviser)
    body = client.get("/panels/quality/?year=2025&quarter=1").content.decode()
    assert "Quality of papers and attendee feedback: April to June 2025" in body
    assert "quarter 1 is April to June" in body
    assert "Ashby Borough" in body and "RAA (adopters&#x27; reports)" in body and "RAA overall" in body
    assert "67%" in body and "2.7" in body
    empty = client.get("/panels/quality/?year=2024&quarter=3").content.decode()
    assert "October to December 2024" in empty
    assert "No papers were rated for panels held in October to December 2024." in empty
    assert "No feedback links were sent for panels held in October to December 2024." in empty


def test_the_report_is_for_panel_readers_only(client, social_worker_a, panel_member_user):
    client.force_login(social_worker_a)
    assert client.get("/panels/quality/").status_code == 403
    client.force_login(panel_member_user)
    assert client.get("/panels/quality/").status_code == 200


def test_the_csv_export_neutralises_formulas_and_is_audited(client, rated_quarter, la_b, panel_adviser):
    la_b.name = '=HYPERLINK("http://evil.example")'
    la_b.save()
    client.force_login(panel_adviser)
    response = client.get("/panels/quality/?year=2025&quarter=1&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == feedback.QUALITY_CSV_HEADERS
    la_b_rows = [r for r in rows if "HYPERLINK" in r[3]]
    assert la_b_rows and all(r[3].startswith("'=") for r in la_b_rows)
    ashby = [r for r in rows if r[3] == "Ashby Borough"]
    assert ashby[0] == [
        "Heartlands Adoption",
        "2025-26",
        "Q1 (April to June 2025)",
        "Ashby Borough",
        "Child's Permanence Report (CPR)",
        "Readability",
        "3",
        "2.7",
        "67",
    ]
    assert rows[-1][3:] == ["RAA overall", "Adoption Placement Report (APR)", "Match rationale", "4", "2.3", "50"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="panels.paperrating").count() == 1


# --- feedback links and the public form ---------------------------------------------------------------------


@pytest.fixture
def link(raa, panel_adviser, child_a, frozen_today):
    """A feedback link for the adopters of LA A's match at the panel of 10 June 2025: (record, token)."""
    matching = match_item(meeting(raa, date(2025, 6, 10)), raa, child_a)
    return feedback.feedback_invite(actor=panel_adviser, item_id=matching.pk, respondent="adopter")


def test_the_panel_adviser_makes_a_link_shown_once(client, raa, panel_adviser, child_a, frozen_today):
    matching = match_item(meeting(raa), raa, child_a)
    client.force_login(panel_adviser)
    response = client.post(f"/panels/items/{matching.pk}/feedback/invite/", {"respondent": "adopter"})
    body = response.content.decode()
    assert "Send this link to the adopters; it works once, until 30 July 2025." in body
    token = re.search(r"/panels/feedback/([A-Za-z0-9_-]{40,})/", body).group(1)
    created = AttendeeFeedback.objects.get()
    assert created.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in created.token_hash
    assert created.respondent == "adopter" and created.expires_at.date() == date(2025, 7, 30)
    assert response["Cache-Control"].startswith("max-age=0")
    assert AuditEvent.objects.filter(action="create", object_type="panels.attendeefeedback").count() == 1
    worker = client.post(f"/panels/items/{matching.pk}/feedback/invite/", {"respondent": "social_worker"})
    assert "Send this link to the presenting social worker" in worker.content.decode()


def test_only_panel_staff_make_links(client, raa, panel_member_user, social_worker_a, child_a):
    matching = match_item(meeting(raa), raa, child_a)
    url = f"/panels/items/{matching.pk}/feedback/invite/"
    client.force_login(panel_member_user)
    assert client.post(url, {"respondent": "adopter"}).status_code == 403
    client.force_login(social_worker_a)
    assert client.post(url, {"respondent": "adopter"}).status_code == 404
    assert not AttendeeFeedback.objects.exists()


def open_link(client, token: str):
    """What the adopter's browser does with the emailed link: open it and follow the redirect to the form."""
    opened = client.get(f"/panels/feedback/{token}/")
    assert opened.status_code == 303 and opened["Location"] == "/panels/feedback/"
    return client.get("/panels/feedback/")


def test_the_public_form_needs_no_sign_in_and_names_no_one(client, link, child_a):
    _record, token = link
    response = open_link(client, token)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Adoption panel on 10 June 2025 at Warwick" in body
    assert "Very poor" in body and "Very good" in body
    for name in (child_a.first_name, child_a.last_name, "Hollands"):
        assert name not in body


def test_the_link_is_exchanged_for_the_session_and_leaves_the_address(client, link):
    """The token is in one request only: the form's address, and so the browser's history, the next page's Referer
    and the access log's later lines, never show it."""
    _record, token = link
    before = client.session.session_key  # a session the visitor had before opening the link
    opened = client.get(f"/panels/feedback/{token}/")
    assert opened.status_code == 303 and token not in opened["Location"]
    assert opened["Cache-Control"].startswith("max-age=0")
    assert client.session.session_key != before  # so a planted session id does not get the token
    page = client.get("/panels/feedback/")
    body = page.content.decode()
    assert 'name="welcome"' in body and token not in body
    assert '<form method="post" novalidate>' in body  # posts back to the address without the token
    # Another browser, without the link, has no form (and nothing to answer with).
    other = Client()
    elsewhere = other.get("/panels/feedback/")
    assert elsewhere.status_code == 404
    assert (
        "Open your feedback link" in elsewhere.content.decode() and 'name="welcome"' not in elsewhere.content.decode()
    )
    assert other.post("/panels/feedback/", _answers()).status_code == 404
    assert AttendeeFeedback.objects.get().answered_at is None
    # The link is opened, not posted to.
    assert client.post(f"/panels/feedback/{token}/", _answers()).status_code == 405


def _answers(**changes: str) -> dict[str, str]:
    return {"welcome": "4", "relevance": "5", "waited_minutes": "35", "comments": "Kind and clear", **changes}


def test_a_link_is_answered_once(client, link):
    record, token = link
    open_link(client, token)
    thanks = client.post("/panels/feedback/", _answers())
    assert "Thank you for your feedback" in thanks.content.decode()
    again = client.post("/panels/feedback/", _answers(welcome="1", comments="Changed my mind"))
    assert "This feedback has been answered" in again.content.decode()
    record.refresh_from_db()
    assert (record.welcome, record.relevance, record.waited_minutes, record.comments) == (4, 5, 35, "Kind and clear")
    page = open_link(Client(), token).content.decode()  # the link opened again, in another browser
    assert "This feedback has been answered" in page and "<form" not in page.split("</header>")[1]
    with pytest.raises(feedback.FeedbackClosed):
        feedback.feedback_answer(token=token, welcome=2, relevance=2, waited_minutes=0)


def test_an_expired_link_is_refused(client, link):
    record, token = link
    AttendeeFeedback.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = open_link(client, token).content.decode()
    assert "This feedback link has expired" in page and 'name="welcome"' not in page
    client.post("/panels/feedback/", _answers())
    record.refresh_from_db()
    assert record.answered_at is None


def test_a_link_that_expires_while_the_form_is_open_is_refused(client, link):
    record, token = link
    assert 'name="welcome"' in open_link(client, token).content.decode()
    AttendeeFeedback.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "This feedback link has expired" in client.post("/panels/feedback/", _answers()).content.decode()
    record.refresh_from_db()
    assert record.answered_at is None


def test_an_unknown_link_is_404(client, link):
    assert client.get("/panels/feedback/not-a-token-anyone-was-sent/").status_code == 404
    assert client.get("/panels/feedback/").status_code == 404  # nothing was kept for the form


def test_invalid_answers_keep_what_was_typed(client, link):
    record, token = link
    open_link(client, token)
    response = client.post("/panels/feedback/", _answers(waited_minutes="700", relevance=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter 600 minutes or fewer" in body and "Choose how relevant the panel&#x27;s questions were" in body
    assert 'value="700"' in body and "Kind and clear" in body
    assert _checked(body, "welcome", 4)
    record.refresh_from_db()
    assert record.answered_at is None


# --- the summary --------------------------------------------------------------------------------------------


def _sent(on: AgendaItem, respondent: str, *, welcome=None, relevance=None, waited=None) -> None:
    answered = {"answered_at": timezone.now()} if welcome is not None else {}
    AttendeeFeedback.objects.create(
        item=on,
        respondent=respondent,
        token_hash=hashlib.sha256(str(AttendeeFeedback.objects.count()).encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(days=30),
        welcome=welcome,
        relevance=relevance,
        waited_minutes=waited,
        **answered,
    )


def test_the_attendee_feedback_summary(client, raa, la_other, panel_adviser, child_a, child_b):
    june = match_item(meeting(raa, date(2025, 6, 10)), raa, child_a)
    april = item(meeting(raa, date(2025, 4, 8), place="Rugby"), K.RELINQUISHED, child=child_b)
    _sent(june, "adopter", welcome=5, relevance=3, waited=45)
    _sent(april, "adopter", welcome=4, relevance=4, waited=10)
    _sent(june, "adopter")
    _sent(june, "social_worker", welcome=2, relevance=5, waited=31)
    _sent(april, "social_worker")
    # Outside the quarter, and another RAA's.
    _sent(
        item(meeting(raa, date(2025, 7, 1)), K.RELINQUISHED, child=child_a),
        "adopter",
        welcome=1,
        relevance=1,
        waited=90,
    )
    other = item(meeting(la_other.raa), K.RELINQUISHED, child=factories.ChildFactory(responsible_la=la_other))
    _sent(other, "adopter", welcome=1, relevance=1, waited=90)

    [heartlands] = feedback.attendee_feedback_summary(actor=panel_adviser, year=2025, quarter=1)
    rows = [
        (r.respondent, r.sent, r.answered, r.mean_welcome, r.mean_relevance, r.mean_waited, r.waited_over_30)
        for r in heartlands.rows
    ]
    assert rows == [
        ("adopter", 3, 2, Decimal("4.5"), Decimal("3.5"), Decimal("27.5"), 1),
        ("social_worker", 2, 1, Decimal("2.0"), Decimal("5.0"), Decimal("31.0"), 1),
    ]
    client.force_login(panel_adviser)
    body = client.get("/panels/quality/?year=2025&quarter=1").content.decode()
    assert "Presenting social worker" in body and "27.5" in body and "Waited more than 30 minutes" in body
