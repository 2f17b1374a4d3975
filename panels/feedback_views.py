"""Pages for the quality of papers and attendee feedback: rating an item's papers, the quarterly report (and its
CSV), making a feedback link, and the public feedback form that adopters and social workers answer without an
account.

Each view validates, calls ``panels.feedback`` and renders.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from adoption.dates import in_words
from adoption.spreadsheets import csv_cell
from panels import feedback
from panels.feedback_forms import AttendeeFeedbackForm, FeedbackInviteForm, RatingsForm
from panels.models import AgendaItem, AttendeeFeedback
from panels.views import panels_page

GET_POST = require_http_methods(["GET", "POST"])
_day = in_words
FIRST_REPORT_YEAR = 2020


def _item_caption(item: AgendaItem) -> str:
    meeting = item.meeting
    return f"Item {item.position}, {item.get_kind_display().lower()}: panel on {_day(meeting.held_on)}, {meeting.place}"


class _Refused(Exception):
    """Leave the ratings' transaction without saving anything."""


# --- ratings ----------------------------------------------------------------------------------------------------


@login_required
@GET_POST
def item_ratings(request: HttpRequest, item_id: int) -> HttpResponse:
    item, sheet = feedback.rating_sheet(actor=request.user, item_id=item_id)
    form = RatingsForm(request.POST or None, sheet=sheet)
    if request.method == "POST" and form.is_valid():
        chosen = form.rated()
        if not chosen:
            form.add_error(None, "Choose a rating for at least one criterion")
        else:
            try:
                with transaction.atomic():  # every paper's ratings or none
                    for entry, ratings, comment in chosen:
                        try:
                            feedback.paper_ratings_record(
                                actor=request.user, paper_id=entry.paper.pk, ratings=ratings, comment=comment
                            )
                        except ValidationError as error:
                            form.add_paper_errors(entry, error)
                    if form.errors:
                        raise _Refused
            except _Refused:
                pass
            else:
                messages.success(request, "Your ratings were saved")
                return redirect("panels:item-ratings", item.pk)
    return render(
        request,
        "panels/feedback/ratings.html",
        {
            "form": form,
            "item": item,
            "caption": _item_caption(item),
            "back": reverse("panels:meeting", args=[item.meeting_id]),
        },
    )


# --- the quarterly report ---------------------------------------------------------------------------------------


def _chosen_quarter(request: HttpRequest) -> feedback.Quarter:
    """The quarter asked for (``?year=2025&quarter=1``), else the current one."""
    current = feedback.Quarter.containing(timezone.localdate())
    try:
        year, number = int(request.GET.get("year", "")), int(request.GET.get("quarter", ""))
        if FIRST_REPORT_YEAR <= year <= current.year + 1:
            return feedback.Quarter(year, number)
    except ValueError:
        pass
    return current


def _quality_csv(report: feedback.QualityReport) -> HttpResponse:
    quarter = report.quarter
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"panel-paper-quality-{quarter.year}-{quarter.year + 1}-q{quarter.number}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(feedback.QUALITY_CSV_HEADERS)
    for row in feedback.quality_report_rows(report):
        writer.writerow([csv_cell(value) for value in row])
    return response


@panels_page
def quality_report(request: HttpRequest) -> HttpResponse:
    quarter = _chosen_quarter(request)
    if request.GET.get("format") == "csv":
        report = feedback.quality_report(
            actor=request.user, year=quarter.year, quarter=quarter.number, record_export=True
        )
        return _quality_csv(report)
    report = feedback.quality_report(actor=request.user, year=quarter.year, quarter=quarter.number)
    summary = feedback.attendee_feedback_summary(actor=request.user, year=quarter.year, quarter=quarter.number)
    current = feedback.Quarter.containing(timezone.localdate())
    years = [(y, f"{y} to {y + 1}") for y in range(current.year, FIRST_REPORT_YEAR - 1, -1)]
    quarters = [(n, f"Quarter {n}: {feedback.Quarter(quarter.year, n).months}") for n in (1, 2, 3, 4)]
    return render(
        request,
        "panels/feedback/quality_report.html",
        {
            "quarter": quarter,
            "report": report,
            "summary": summary,
            "years": years,
            "quarters": quarters,
            "late_minutes": feedback.LATE_START_MINUTES,
            "csv_query": f"year={quarter.year}&quarter={quarter.number}&format=csv",
        },
    )


# --- feedback links ---------------------------------------------------------------------------------------------

RESPONDENT_WORDS = {
    AttendeeFeedback.Respondent.ADOPTER: "the adopters",
    AttendeeFeedback.Respondent.SOCIAL_WORKER: "the presenting social worker",
}


@login_required
@never_cache
@GET_POST
def feedback_invite(request: HttpRequest, item_id: int) -> HttpResponse:
    """Make a feedback link (the item page posts here); the page shows the link once."""
    form = FeedbackInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = form.run(
            lambda: feedback.feedback_invite(
                actor=request.user, item_id=item_id, respondent=form.cleaned_data["respondent"]
            )
        )
        if made is not None:
            created, token = made
            link = request.build_absolute_uri(reverse("panels:feedback-link", args=[token]))
            return render(
                request,
                "panels/feedback/invite_link.html",
                {
                    "item": created.item,
                    "caption": _item_caption(created.item),
                    "link": link,
                    "who": RESPONDENT_WORDS[AttendeeFeedback.Respondent(created.respondent)],
                    "expires_on": timezone.localtime(created.expires_at).date(),
                },
            )
    # A GET, or a refused POST: the choice of who the link is for (404 or 403 as the service would answer).
    item = feedback.feedback_item(actor=request.user, item_id=item_id)
    status = 400 if form.errors else 200
    back = reverse("panels:meeting", args=[item.meeting_id])
    context = {
        "form": form,
        "title": "Make a feedback link",
        "caption": _item_caption(item),
        "back": back,
        "button": "Make the link",
        "about": "The link asks about the welcome, the panel's questions and the wait. It works once, for "
        f"{feedback.FEEDBACK_LINK_DAYS} days, and needs no account.",
    }
    return render(request, "form_page.html", context, status=status)


def _meeting_words(answer: AttendeeFeedback) -> str:
    meeting = answer.item.meeting
    return f"Adoption panel on {_day(meeting.held_on)} at {meeting.place}"


# The link's token is a credential: kept out of the address bar, the browser's history, the next page's Referer and
# the access log (adoption.log_privacy masks it in the one request that carries it). Its first GET puts it in the
# visitor's session and redirects to an address without it, where the form is shown and posted.
SESSION_FEEDBACK_TOKEN = "panels.feedback_token"  # noqa: S105 (a session key's name)


def _see_other(url: str) -> HttpResponse:
    """A 303: the browser fetches ``url`` with a GET (Django has no shortcut for it)."""
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def feedback_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: checks the token (404 for one nobody was sent), keeps it in the session, and sends the
    visitor on to the form's own address."""
    feedback.feedback_by_token(token)
    request.session.cycle_key()  # a session id planted before the link was opened does not get the token
    request.session[SESSION_FEEDBACK_TOKEN] = token
    return _see_other(reverse("panels:feedback-form"))


@never_cache
@GET_POST
def feedback_form(request: HttpRequest) -> HttpResponse:
    """The public form (no account): the questions of the one-off link opened in this session. It names the panel's
    date and place, nothing about the child or the family."""
    token = request.session.get(SESSION_FEEDBACK_TOKEN)
    if not isinstance(token, str):
        return render(request, "panels/feedback/no_link.html", {"link_days": feedback.FEEDBACK_LINK_DAYS}, status=404)
    answer = feedback.feedback_by_token(token)
    context: dict[str, Any] = {
        "panel": _meeting_words(answer),
        "respondent": answer.respondent,
        "link_days": feedback.FEEDBACK_LINK_DAYS,
    }
    if not feedback.feedback_is_open(answer):
        return render(request, "panels/feedback/closed.html", {**context, "answered": answer.answered_at is not None})
    form = AttendeeFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback.feedback_answer(token=token, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        except feedback.FeedbackClosed as closed:
            answered = closed.feedback.answered_at is not None
            return render(request, "panels/feedback/closed.html", {**context, "answered": answered})
        else:
            return render(request, "panels/feedback/thanks.html", context)
    return render(request, "panels/feedback/form.html", {**context, "form": form})
