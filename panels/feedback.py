"""Quality and attendee feedback: ratings of the panel's papers, and feedback from the people who attend.

The panel report asks for two things, both read back each quarter:

* **report-quality ratings**: panel members and the panel's staff rate the Prospective Adopter's
  Report (PAR), Child's Permanence Report (CPR), Adoption Placement Report (APR) and adoption support
  plan against fixed criteria (``RATED_CRITERIA``), 1 (Inadequate) to 4 (Outstanding). The quarterly
  report gives, for each paper kind and criterion, the number of ratings, the mean and the share rated
  Good or Outstanding: per LA (the LA responsible for the child the item is about), for the RAA's own
  adopters' reports (approvals and reviews), and for the RAA overall;
* **attendee feedback**: a one-off link (no account) for the adopters and for the presenting social
  worker, asking how welcome they were made to feel, how relevant the panel's questions were, and how
  long after their arrival time their item started (the report found 12 of 25 cases started more than
  30 minutes late).

Quarters are quarters of the financial year, as English agencies report: quarter 1 is April to June,
and ``year`` is the calendar year the financial year starts in (2025 is April 2025 to March 2026).

Services (writes) and selectors (reads) follow ``panels.services``: a record outside the actor's panels
answers 404, a role that may not write 403, a refused change ``ValidationError`` keyed by field, one
transaction and one audit event. Figures are aggregate queries.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast, Round
from django.http import Http404
from django.utils import timezone

from adoption import audit
from adoption.api_auth import hash_token
from adoption.models import AuditEvent, Organisation, User
from adoption.periods import FinancialQuarter
from panels.models import (
    AgendaItem,
    AgendaPaper,
    AttendeeFeedback,
    PanelAttendance,
    PanelMeeting,
    PaperKind,
    PaperRating,
    Rating,
    RatingCriterion,
)
from panels.selectors import PANEL_WRITERS, panel_raa_ids

C = RatingCriterion

# The criteria each kind of paper is rated against (the order pages and the report list them in).
# Kinds not here (review and disruption reports, other papers) are not rated.
RATED_CRITERIA: dict[str, tuple[str, ...]] = {
    PaperKind.PAR: (C.READABILITY, C.COMPLETENESS, C.EVIDENCE, C.ANALYSIS, C.MANAGEMENT_OVERSIGHT),
    PaperKind.CPR: (
        C.READABILITY,
        C.COMPLETENESS,
        C.EVIDENCE,
        C.ANALYSIS,
        C.MANAGEMENT_OVERSIGHT,
        C.CHILDS_VOICE,
        C.FAMILY_FINDING,
    ),
    PaperKind.APR: (
        C.READABILITY,
        C.COMPLETENESS,
        C.MATCH_RATIONALE,
        C.SUPPORT_PLAN,
        C.CONTACT,
        C.CHILDS_VOICE,
        C.MANAGEMENT_OVERSIGHT,
    ),
    PaperKind.SUPPORT_PLAN: (C.SUPPORT_PLAN, C.CONTACT),
}

FEEDBACK_LINK_DAYS = 30
LATE_START_MINUTES = 30  # the panel report's measure: items that started more than 30 minutes late
MAX_WAITED_MINUTES = 600
MAX_COMMENT_CHARS = 2000
RAA_ADOPTERS_LABEL = "RAA (adopters' reports)"
LA_NOT_RECORDED_LABEL = "LA not recorded"


def criteria_for(kind: str) -> tuple[str, ...]:
    """The criteria a kind of paper is rated against; empty if it is not rated."""
    return RATED_CRITERIA.get(kind, ())


def _user_id(actor: Any) -> int | None:
    return int(actor.pk) if isinstance(actor, User) and actor.pk else None


# --- quarters of the financial year ----------------------------------------------------------------------


Quarter = FinancialQuarter


def _in_quarter(quarter: Quarter, prefix: str) -> Q:
    return Q(**{f"{prefix}held_on__gte": quarter.start, f"{prefix}held_on__lte": quarter.end})


# --- ratings: who may rate, the rating sheet, recording them -------------------------------------------------


def _sits_at(actor: Any, meeting_ref: Any) -> Exists:
    """The actor is a member of that meeting (invited or attended), by their member record's account."""
    return Exists(PanelAttendance.objects.filter(meeting=meeting_ref, member__user=actor))


def _reachable_items(actor: Any) -> QuerySet[AgendaItem]:
    """Items whose meeting the actor can see (its RAA's panels) or sits on."""
    visible = Q(meeting__raa_id__in=panel_raa_ids(actor))
    if _user_id(actor) is None:
        return AgendaItem.objects.filter(visible)
    return AgendaItem.objects.filter(visible | Q(_sits_at(actor, OuterRef("meeting"))))


def may_rate(actor: Any, meeting: PanelMeeting) -> bool:
    """The RAA's panel staff (advisers, managers) and the members of the meeting rate its papers."""
    if meeting.raa_id in panel_raa_ids(actor, PANEL_WRITERS):
        return True
    user_id = _user_id(actor)
    return user_id is not None and PanelAttendance.objects.filter(meeting=meeting, member__user_id=user_id).exists()


@dataclass
class PaperToRate:
    """A current, rateable paper of an item, with what the actor has rated it so far."""

    paper: AgendaPaper
    criteria: list[tuple[str, str]]  # (code, label), in RATED_CRITERIA's order
    ratings: dict[str, int] = field(default_factory=dict)
    comment: str = ""

    @property
    def kind_label(self) -> str:
        return PaperKind(self.paper.kind).label


def rating_sheet(*, actor: Any, item_id: int) -> tuple[AgendaItem, list[PaperToRate]]:
    """The item and its current rateable papers with the actor's ratings: 404 if the actor cannot reach the
    item, 403 if they may not rate it."""
    item = _reachable_items(actor).select_related("meeting").filter(pk=item_id).first()
    if item is None:
        raise Http404("No such agenda item.")
    if not may_rate(actor, item.meeting):
        raise PermissionDenied("The papers are rated by the panel's members and staff.")
    papers = AgendaPaper.objects.filter(item=item, replaced_at__isnull=True, kind__in=list(RATED_CRITERIA))
    order = list(PaperKind.values)
    sheet = [
        PaperToRate(paper, [(code, RatingCriterion(code).label) for code in criteria_for(paper.kind)])
        for paper in sorted(papers, key=lambda p: (order.index(p.kind), p.received_at, p.pk))
    ]
    by_paper = {entry.paper.pk: entry for entry in sheet}
    mine = PaperRating.objects.filter(paper_id__in=list(by_paper), rated_by_id=_user_id(actor)).order_by("pk")
    for rating in mine:
        entry = by_paper[rating.paper_id]
        entry.ratings[rating.criterion] = rating.rating
        entry.comment = entry.comment or rating.comment
    return item, sheet


def _criterion_label(code: str) -> str:
    return RatingCriterion(code).label if code in RatingCriterion.values else f"'{code}'"


@transaction.atomic
def paper_ratings_record(
    *, actor: Any, paper_id: int, ratings: Mapping[str, int], comment: str = ""
) -> list[PaperRating]:
    """Record the actor's ratings of one paper, criterion by criterion (1 Inadequate to 4 Outstanding).

    Rating again updates the rater's rows (one per paper, criterion and rater); criteria left out keep
    what was rated before. The comment is the rater's on the paper, kept with each of their ratings.
    """
    paper = (
        AgendaPaper.objects.select_related("item__meeting")
        .filter(item__in=_reachable_items(actor), pk=paper_id)
        .first()
    )
    if paper is None:
        raise Http404("No such paper.")
    meeting = paper.item.meeting
    if not may_rate(actor, meeting):
        raise PermissionDenied("The papers are rated by the panel's members and staff.")
    kind = PaperKind(paper.kind)
    applicable = criteria_for(kind)
    if not applicable:
        raise ValidationError({"paper": f"The {kind.label} is not rated: only the PAR, CPR, APR and support plan are"})
    if paper.replaced_at is not None:
        raise ValidationError({"paper": "A newer version of this paper has been uploaded: rate that one"})
    errors: dict[str, str] = {}
    for criterion, value in ratings.items():
        if criterion not in applicable:
            errors[criterion] = f"{_criterion_label(criterion)} is not a criterion for the {kind.label}"
        elif isinstance(value, bool) or not isinstance(value, int) or value not in Rating.values:
            errors[criterion] = (
                f"Choose a rating of {_criterion_label(criterion).lower()} from Inadequate to Outstanding"
            )
    if not ratings:
        errors["ratings"] = "Choose a rating for at least one criterion"
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_CHARS:
        errors["comment"] = f"The comment must be {MAX_COMMENT_CHARS} characters or fewer"
    if errors:
        raise ValidationError(errors)
    rater_id = _user_id(actor)
    if rater_id is None:
        raise PermissionDenied("Ratings are recorded by people who sign in.")
    rated_before = PaperRating.objects.filter(paper=paper, rated_by_id=rater_id).exists()
    rows = [
        PaperRating(paper=paper, criterion=criterion, rating=value, comment=comment, rated_by_id=rater_id)
        for criterion, value in ratings.items()
    ]
    # One statement, safe against the same rater saving twice at once (the unique constraint decides).
    PaperRating.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["paper", "criterion", "rated_by"],
        update_fields=["rating", "comment", "rated_at"],
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if rated_before else AuditEvent.Action.CREATE,
        object_type="panels.paperrating",
        object_id=paper.pk,  # the ratings of this paper by the actor
        organisation_id=meeting.raa_id,
    )
    return list(PaperRating.objects.filter(paper=paper, rated_by_id=rater_id, criterion__in=list(ratings)))


# --- the quarterly quality report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingFigures:
    paper_kind: str
    criterion: str
    count: int
    mean: Decimal  # to 1 decimal place
    good_percent: Decimal  # rated Good or Outstanding, whole percent

    @property
    def paper_label(self) -> str:
        return PaperKind(self.paper_kind).label if self.paper_kind in PaperKind.values else self.paper_kind

    @property
    def criterion_label(self) -> str:
        return _criterion_label(self.criterion)


@dataclass
class AreaRatings:
    """One row of the report: an LA, the RAA's own adopters' reports, or the RAA overall."""

    label: str
    figures: list[RatingFigures] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(f.count for f in self.figures)


@dataclass
class RaaQuality:
    raa_id: int
    raa_name: str
    areas: list[AreaRatings]  # LAs by name, then the RAA's adopters' reports, then any LA not recorded
    overall: AreaRatings


@dataclass
class QualityReport:
    quarter: Quarter
    raas: list[RaaQuality]

    @property
    def is_empty(self) -> bool:
        return not self.raas


def _area_of_item(prefix: str) -> Case:
    """The organisation an item's paper is reported under: the LA responsible for the child it is about, or
    the meeting's RAA for approvals and reviews (the RAA's own adopters). Empty if the LA is not recorded.

    A match comes to panel as a link (a family and a child; a sibling group has one link per child, all
    the group's): it is reported under the LA of the link's child.
    """
    kind = AgendaItem.Kind
    return Case(
        When(**{f"{prefix}kind__in": [kind.APPROVAL, kind.REVIEW]}, then=F(f"{prefix}meeting__raa_id")),
        When(**{f"{prefix}kind": kind.MATCH}, then=F(f"{prefix}link__child__responsible_la_id")),
        When(**{f"{prefix}kind": kind.RELINQUISHED}, then=F(f"{prefix}child__responsible_la_id")),
        When(**{f"{prefix}kind": kind.DISRUPTION}, then=F(f"{prefix}disruption__placement__child__responsible_la_id")),
        default=None,
        output_field=IntegerField(),
    )


_DECIMAL = DecimalField(max_digits=12, decimal_places=4)


def _rating_measures() -> dict[str, Any]:
    good = Count("pk", filter=Q(rating__gte=Rating.GOOD))
    return {
        "count": Count("pk"),
        "mean": Round(Avg(Cast("rating", _DECIMAL)), 1),
        "good_percent": Round(Cast(good, _DECIMAL) * 100 / Count("pk")),
    }


def _figures_order(figures: RatingFigures) -> tuple[int, int, str]:
    kinds = list(RATED_CRITERIA)
    kind_at = kinds.index(figures.paper_kind) if figures.paper_kind in kinds else len(kinds)
    criteria = criteria_for(figures.paper_kind)
    criterion_at = criteria.index(figures.criterion) if figures.criterion in criteria else len(criteria)
    return kind_at, criterion_at, figures.criterion


def _figures(row: Mapping[str, Any]) -> RatingFigures:
    return RatingFigures(
        paper_kind=row["paper__kind"],
        criterion=row["criterion"],
        count=row["count"],
        mean=Decimal(row["mean"]).quantize(Decimal("0.1")),
        good_percent=Decimal(row["good_percent"]).quantize(Decimal("1")),
    )


def quality_report(*, actor: Any, year: int, quarter: int, record_export: bool = False) -> QualityReport:
    """Ratings of papers for the panels held in the quarter, per LA, the RAA's adopters' reports and the RAA overall.

    Papers are the current versions (the ones that went to panel). Two aggregate queries: one grouped by
    RAA, area, paper kind and criterion, one by RAA, paper kind and criterion. ``record_export`` audits a
    download of the figures.
    """
    period = Quarter(year, quarter)
    raa_ids = panel_raa_ids(actor)
    ratings = PaperRating.objects.filter(
        _in_quarter(period, "paper__item__meeting__"),
        paper__item__meeting__raa_id__in=raa_ids,
        paper__replaced_at__isnull=True,
    )
    group = ("paper__item__meeting__raa_id", "paper__item__meeting__raa__name", "paper__kind", "criterion")
    overall_rows = list(ratings.values(*group).annotate(**_rating_measures()).order_by())
    area_rows = list(
        ratings.annotate(area=_area_of_item("paper__item__"))
        .values(*group, "area")
        .annotate(**_rating_measures())
        .order_by()
    )
    names = dict(
        Organisation.objects.filter(pk__in={r["area"] for r in area_rows if r["area"] is not None}).values_list(
            "pk", "name"
        )
    )
    raas: dict[int, RaaQuality] = {}
    for row in overall_rows:
        raa_id = row["paper__item__meeting__raa_id"]
        if raa_id not in raas:
            raas[raa_id] = RaaQuality(raa_id, row["paper__item__meeting__raa__name"], [], AreaRatings("RAA overall"))
        raas[raa_id].overall.figures.append(_figures(row))
    areas: dict[tuple[int, int | None], AreaRatings] = defaultdict(lambda: AreaRatings(""))
    for row in area_rows:
        raa_id, area_id = row["paper__item__meeting__raa_id"], row["area"]
        areas[(raa_id, area_id)].figures.append(_figures(row))
    for (raa_id, area_id), area in areas.items():
        if area_id == raa_id:
            area.label = RAA_ADOPTERS_LABEL
        elif area_id is None:
            area.label = LA_NOT_RECORDED_LABEL
        else:
            area.label = names.get(area_id, LA_NOT_RECORDED_LABEL)
        raas[raa_id].areas.append(area)

    def area_order(area: AreaRatings) -> tuple[int, str]:
        rank = {RAA_ADOPTERS_LABEL: 1, LA_NOT_RECORDED_LABEL: 2}.get(area.label, 0)
        return rank, area.label

    for entry in raas.values():
        entry.areas.sort(key=area_order)
        for area in [*entry.areas, entry.overall]:
            area.figures.sort(key=_figures_order)
    report = QualityReport(period, sorted(raas.values(), key=lambda r: r.raa_name))
    if record_export:
        only = next(iter(raa_ids)) if len(raa_ids) == 1 else None
        audit.record(
            actor=actor, action=AuditEvent.Action.EXPORT, object_type="panels.paperrating", organisation_id=only
        )
    return report


QUALITY_CSV_HEADERS = [
    "RAA",
    "Financial year",
    "Quarter",
    "Reported under",
    "Paper",
    "Criterion",
    "Ratings",
    "Mean rating (1 to 4)",
    "% rated Good or Outstanding",
]


def quality_report_rows(report: QualityReport) -> list[list[Any]]:
    """The report as spreadsheet rows (``QUALITY_CSV_HEADERS``): each area's figures, then the RAA overall."""
    rows: list[list[Any]] = []
    for raa in report.raas:
        for area in [*raa.areas, raa.overall]:
            for f in area.figures:
                rows.append(
                    [
                        raa.raa_name,
                        report.quarter.financial_year,
                        f"Q{report.quarter.number} ({report.quarter.months})",
                        area.label,
                        f.paper_label,
                        f.criterion_label,
                        f.count,
                        f.mean,
                        f.good_percent,
                    ]
                )
    return rows


# --- attendee feedback: links, the public form, the summary -----------------------------------------------------


def feedback_item(*, actor: Any, item_id: int) -> AgendaItem:
    """An item the actor may send feedback links for: 404 outside their panels, 403 unless they run them."""
    item = (
        AgendaItem.objects.select_related("meeting")
        .filter(meeting__raa_id__in=panel_raa_ids(actor), pk=item_id)
        .first()
    )
    if item is None:
        raise Http404("No such agenda item.")
    if item.meeting.raa_id not in panel_raa_ids(actor, PANEL_WRITERS):
        raise PermissionDenied("Feedback links are sent by the panel's advisers and managers.")
    return item


@transaction.atomic
def feedback_invite(*, actor: Any, item_id: int, respondent: str) -> tuple[AttendeeFeedback, str]:
    """A one-off feedback link for the adopters or the presenting social worker of an item.

    Returns the record and the token: only its hash is stored, so the token is shown once, now.
    """
    item = feedback_item(actor=actor, item_id=item_id)
    if respondent not in AttendeeFeedback.Respondent.values:
        raise ValidationError({"respondent": "Choose who the link is for"})
    token = secrets.token_urlsafe(32)
    feedback = AttendeeFeedback(
        item=item,
        respondent=respondent,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=FEEDBACK_LINK_DAYS),
    )
    feedback.full_clean()
    feedback.save()
    audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=feedback, organisation_id=item.meeting.raa_id)
    return feedback, token


def feedback_by_token(token: str) -> AttendeeFeedback:
    """The feedback a link is for (with its meeting), whatever its state: 404 for a token nobody was sent."""
    found = AttendeeFeedback.objects.select_related("item__meeting").filter(token_hash=hash_token(token)).first()
    if found is None:
        raise Http404("No such feedback link.")
    return found


class FeedbackClosed(Exception):
    """The link was already answered, or has expired."""

    def __init__(self, feedback: AttendeeFeedback):
        super().__init__("This feedback link can no longer be used.")
        self.feedback = feedback


def feedback_is_open(feedback: AttendeeFeedback, now: datetime | None = None) -> bool:
    return feedback.answered_at is None and feedback.expires_at > (now or timezone.now())


@transaction.atomic
def feedback_answer(
    *, token: str, welcome: int, relevance: int, waited_minutes: int, comments: str = ""
) -> AttendeeFeedback:
    """Answer a feedback link, once. Someone without an account answers it, so the audit names no actor.

    The answer is one conditional UPDATE (still unanswered, not expired), so two submissions cannot both count:
    the second raises ``FeedbackClosed``.
    """
    feedback = feedback_by_token(token)
    errors: dict[str, str] = {}
    if welcome not in range(1, 6):
        errors["welcome"] = "Choose how welcome you were made to feel"
    if relevance not in range(1, 6):
        errors["relevance"] = "Choose how relevant the panel's questions were"
    if not 0 <= waited_minutes <= MAX_WAITED_MINUTES:
        errors["waited_minutes"] = f"Enter a number of minutes from 0 to {MAX_WAITED_MINUTES}"
    comments = comments.strip()
    if len(comments) > MAX_COMMENT_CHARS:
        errors["comments"] = f"Your comments must be {MAX_COMMENT_CHARS} characters or fewer"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    answered = AttendeeFeedback.objects.filter(pk=feedback.pk, answered_at__isnull=True, expires_at__gt=now).update(
        answered_at=now, welcome=welcome, relevance=relevance, waited_minutes=waited_minutes, comments=comments
    )
    if not answered:
        feedback.refresh_from_db()
        raise FeedbackClosed(feedback)
    feedback.refresh_from_db()
    audit.record(
        actor=None, action=AuditEvent.Action.UPDATE, obj=feedback, organisation_id=feedback.item.meeting.raa_id
    )
    return feedback


@dataclass(frozen=True)
class FeedbackFigures:
    respondent: str
    sent: int
    answered: int
    mean_welcome: Decimal | None
    mean_relevance: Decimal | None
    mean_waited: Decimal | None
    waited_over_30: int

    @property
    def label(self) -> str:
        return AttendeeFeedback.Respondent(self.respondent).label


@dataclass
class RaaFeedback:
    raa_id: int
    raa_name: str
    rows: list[FeedbackFigures]


def _one_place(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))


def attendee_feedback_summary(*, actor: Any, year: int, quarter: int) -> list[RaaFeedback]:
    """Feedback links for the items of panels held in the quarter, per RAA and respondent: sent, answered, mean
    welcome and relevance (1 to 5), mean minutes waited, and how many waited more than 30 minutes. One query."""
    period = Quarter(year, quarter)
    answered = Q(answered_at__isnull=False)
    rows = (
        AttendeeFeedback.objects.filter(
            _in_quarter(period, "item__meeting__"), item__meeting__raa_id__in=panel_raa_ids(actor)
        )
        .values("item__meeting__raa_id", "item__meeting__raa__name", "respondent")
        .annotate(
            sent=Count("pk"),
            answered=Count("pk", filter=answered),
            mean_welcome=Round(Avg(Cast("welcome", _DECIMAL), filter=answered), 1),
            mean_relevance=Round(Avg(Cast("relevance", _DECIMAL), filter=answered), 1),
            mean_waited=Round(Avg(Cast("waited_minutes", _DECIMAL), filter=answered), 1),
            waited_over_30=Count("pk", filter=answered & Q(waited_minutes__gt=LATE_START_MINUTES)),
        )
        .order_by()
    )
    summary: dict[int, RaaFeedback] = {}
    for row in rows:
        raa_id: int = row["item__meeting__raa_id"]  # type: ignore[assignment]  # never null: the meeting has an RAA
        entry = summary.setdefault(raa_id, RaaFeedback(raa_id, row["item__meeting__raa__name"], []))
        entry.rows.append(
            FeedbackFigures(
                respondent=row["respondent"],
                sent=row["sent"],
                answered=row["answered"],
                mean_welcome=_one_place(row["mean_welcome"]),
                mean_relevance=_one_place(row["mean_relevance"]),
                mean_waited=_one_place(row["mean_waited"]),
                waited_over_30=row["waited_over_30"],
            )
        )
    order = list(AttendeeFeedback.Respondent.values)
    for entry in summary.values():
        entry.rows.sort(key=lambda f: order.index(f.respondent))
    return sorted(summary.values(), key=lambda r: r.raa_name)
