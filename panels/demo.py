"""Demo region, panels: the demo RAA's central list, appraisals and panel meetings (``manage.py load_demo``).

About sixteen members (a chair, two vice chairs, independent members several with lived experience of
adoption or care, social work members, a medical adviser, an elected member and members with fostering
experience; two taken off the list in the past), yearly appraisals (two overdue), and the panel report's
45 panels a year across five towns over the twelve months before the reference date, plus six upcoming.
Invitations and attendance are recorded; most past panels are quorate under the default rule, and three
are not, for a reason the quorum check names (no independent member attending, or only four attending).

Deterministic: its own ``random.Random`` from the seed, so nothing the other builders draw moves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any

from django.utils import timezone

from adopters.models import Household
from adoption.models import Organisation, User
from adoption.working_days import add_working_days, subtract_working_days
from children.models import Disruption, EarlyPermanencePlacement, Link, Match
from panels.models import (
    AgendaItem,
    AgendaPaper,
    Decision,
    Gender,
    MeetingMinutes,
    MinutesStatus,
    PanelAppraisal,
    PanelAttendance,
    PanelMeeting,
    PanelMember,
    PanelRole,
    PaperKind,
    Recommendation,
)

R = PanelRole
G = Gender
PANEL_MEMBER_USERNAME = "panel.member"
TOWNS = ("Coventry", "Solihull", "Warwick", "Worcester", "Hereford")
MEETINGS_A_YEAR = 45
UPCOMING = 6
START_TIMES = (time(9, 30), time(13, 30))
# The kinds of meeting that are not quorate, one meeting each.
NO_INDEPENDENT = "no_independent"
ONLY_FOUR = "only_four"
NOT_QUORATE = (NO_INDEPENDENT, ONLY_FOUR, ONLY_FOUR)


@dataclass(frozen=True)
class MemberPlan:
    name: str
    roles: tuple[str, ...]
    gender: str
    lived_experience: bool | None
    years: int | None = None  # post-qualifying experience, social work members only
    joined_days_ago: int = 1500  # before the reference date
    left_days_ago: int | None = None
    username: str | None = None


MEMBERS: tuple[MemberPlan, ...] = (
    MemberPlan("Margaret Ellison", (R.CHAIR, R.INDEPENDENT), G.WOMAN, True, joined_days_ago=2400),
    MemberPlan("Tom Adeyemi", (R.VICE_CHAIR, R.INDEPENDENT), G.MAN, True, joined_days_ago=1900),
    MemberPlan("Catherine Doyle", (R.VICE_CHAIR, R.SOCIAL_WORK), G.WOMAN, False, years=18, joined_days_ago=2100),
    MemberPlan("Shabana Hussain", (R.INDEPENDENT,), G.WOMAN, True, joined_days_ago=1300),
    MemberPlan("Peter Walsh", (R.INDEPENDENT,), G.MAN, False, joined_days_ago=1650),
    MemberPlan("Alex Morgan", (R.INDEPENDENT,), G.ANOTHER, True, joined_days_ago=900),
    MemberPlan("Jade Thompson", (R.INDEPENDENT,), G.NOT_SAID, True, joined_days_ago=120),
    MemberPlan("Louise Baker", (R.SOCIAL_WORK,), G.WOMAN, False, years=3, joined_days_ago=700),
    MemberPlan("Imran Chaudhry", (R.SOCIAL_WORK,), G.MAN, None, years=7, joined_days_ago=1100),
    MemberPlan("Helen Price", (R.SOCIAL_WORK, R.FOSTERING), G.WOMAN, False, years=12, joined_days_ago=1450),
    MemberPlan(
        "Robert Ashworth", (R.SOCIAL_WORK,), G.MAN, False, years=20, joined_days_ago=1750, username="panel.member"
    ),
    MemberPlan("Dr Sarah Lennox", (R.MEDICAL_ADVISER,), G.WOMAN, None, joined_days_ago=2000),
    MemberPlan("Cllr Michael Hart", (R.ELECTED_MEMBER,), G.MAN, None, joined_days_ago=800),
    MemberPlan("Denise Fowler", (R.INDEPENDENT, R.FOSTERING), G.WOMAN, True, joined_days_ago=1200),
    MemberPlan("Kevin O'Neill", (R.SOCIAL_WORK,), G.MAN, False, years=5, joined_days_ago=1600, left_days_ago=210),
    MemberPlan("Patricia Grant", (R.INDEPENDENT,), G.WOMAN, True, joined_days_ago=1800, left_days_ago=95),
)


@dataclass
class DemoPanels:
    members: list[PanelMember]
    appraisals: list[PanelAppraisal]
    meetings: list[PanelMeeting]
    attendances: list[PanelAttendance]


def _on_list(member: PanelMember, day: date) -> bool:
    return member.on_list_from <= day and (member.off_list_on is None or day < member.off_list_on)


def _meeting_days(reference_date: date) -> list[date]:
    """45 weekdays spread over the twelve months before the reference date, then six upcoming, a week apart."""
    start = reference_date - timedelta(days=364)
    days = []
    for i in range(MEETINGS_A_YEAR):
        day = start + timedelta(days=round(i * 357 / (MEETINGS_A_YEAR - 1)))
        while day.weekday() >= 5:  # to the Monday
            day += timedelta(days=1)
        days.append(min(day, reference_date - timedelta(days=1)))
    first = reference_date + timedelta(days=7)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    days += [first + timedelta(days=7 * i) for i in range(UPCOMING)]
    return days


def _members(raa: Organisation, reference_date: date) -> list[PanelMember]:
    usernames = [p.username for p in MEMBERS if p.username]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    return [
        PanelMember(
            raa=raa,
            name=plan.name,
            user=users.get(plan.username) if plan.username else None,
            roles=[code for code in R.values if code in plan.roles],
            post_qualifying_years=plan.years,
            on_list_from=reference_date - timedelta(days=plan.joined_days_ago),
            off_list_on=reference_date - timedelta(days=plan.left_days_ago) if plan.left_days_ago else None,
            gender=plan.gender,
            lived_experience=plan.lived_experience,
        )
        for plan in MEMBERS
    ]


def _appraisals(rng: random.Random, members: list[PanelMember], reference_date: date) -> list[PanelAppraisal]:
    """Yearly from joining the list: done a little before or after the due date; two members' latest overdue."""
    current_with_past_due = [
        m for m in members if m.off_list_on is None and m.on_list_from + timedelta(days=365) < reference_date
    ]
    overdue = {id(m) for m in rng.sample(current_with_past_due, 2)}
    appraisals: list[PanelAppraisal] = []
    for member in members:
        end = member.off_list_on or reference_date
        due = member.on_list_from + timedelta(days=365)
        last_due = None
        while due < end:  # due before the reference date (or before they left)
            last_due = due
            due += timedelta(days=365)
        due = member.on_list_from + timedelta(days=365)
        while last_due is not None and due <= last_due:
            if due == last_due and id(member) in overdue:
                appraisals.append(PanelAppraisal(member=member, due_on=due))  # open, and past its date
                break
            done = due + timedelta(days=rng.randint(-21, 14))
            done = max(member.on_list_from, min(done, end, reference_date))
            appraisals.append(PanelAppraisal(member=member, due_on=due, done_on=done))
            due += timedelta(days=365)
        if member.off_list_on is None and id(member) not in overdue:
            appraisals.append(PanelAppraisal(member=member, due_on=due))  # the next one, scheduled
    return appraisals


def _invitees(rng: random.Random, on_list: list[PanelMember], kind: str | None) -> tuple[list[PanelMember], set[int]]:
    """Who is invited (6 to 9) and the indices of those who attended, for one meeting."""

    def has(m: PanelMember, *roles: str) -> bool:
        return any(r in m.roles for r in roles)

    def pick(pool: list[PanelMember]) -> PanelMember:
        return rng.choice([m for m in pool if m not in chosen])

    chosen: list[PanelMember] = []
    if kind == NO_INDEPENDENT:
        # Chaired by the social work vice chair; the independent members invited sent apologies.
        others = [m for m in on_list if not has(m, R.INDEPENDENT)]
        chosen.append(pick([m for m in others if has(m, R.VICE_CHAIR)]))
        while len(chosen) < 5:
            chosen.append(pick(others))
        independents = [m for m in on_list if has(m, R.INDEPENDENT) and not has(m, R.CHAIR, R.VICE_CHAIR)]
        absent = rng.sample(independents, 2)
        return chosen + absent, set(range(len(chosen)))
    chosen.append(pick([m for m in on_list if has(m, R.CHAIR, R.VICE_CHAIR)]))
    chosen.append(pick([m for m in on_list if has(m, R.SOCIAL_WORK)]))
    if not any(has(m, R.INDEPENDENT) for m in chosen):
        chosen.append(pick([m for m in on_list if has(m, R.INDEPENDENT)]))
    essential = len(chosen)  # these keep the meeting quorate
    size = rng.randint(6, 9)
    while len(chosen) < size:
        chosen.append(pick(on_list))
    optional = list(range(essential, size))
    if kind == ONLY_FOUR:
        attended = set(range(essential)) | set(rng.sample(optional, 4 - essential))
    else:
        apologies = rng.randint(0, min(2, size - 5))
        attended = set(range(len(chosen))) - set(rng.sample(optional, apologies))
    return chosen, attended


def build(*, raa: Organisation, seed: int, reference_date: date) -> DemoPanels:
    """Insert the demo RAA's central list, appraisals, meetings and attendance."""
    rng = random.Random(f"panels:{seed}")
    members = PanelMember.objects.bulk_create(_members(raa, reference_date))
    appraisals = PanelAppraisal.objects.bulk_create(_appraisals(rng, members, reference_date))

    days = _meeting_days(reference_date)
    past = [i for i, day in enumerate(days) if day < reference_date]
    not_quorate = dict(zip(sorted(rng.sample(past[2:], len(NOT_QUORATE))), NOT_QUORATE, strict=True))
    meetings: list[PanelMeeting] = []
    attendances: list[PanelAttendance] = []
    for i, day in enumerate(days):
        held = day < reference_date
        recorded = timezone.make_aware(datetime.combine(day, time(17, 0))) if held else None
        meeting = PanelMeeting(raa=raa, held_on=day, starts_at=rng.choice(START_TIMES), place=TOWNS[i % len(TOWNS)])
        meeting.attendance_recorded_at = recorded
        meetings.append(meeting)
        on_list = [m for m in members if _on_list(m, day)]
        invited, attended = _invitees(rng, on_list, not_quorate.get(i))
        for n, member in enumerate(invited):
            attendances.append(PanelAttendance(meeting=meeting, member=member, attended=held and n in attended))
    PanelMeeting.objects.bulk_create(meetings)
    PanelAttendance.objects.bulk_create(attendances)
    return DemoPanels(members=members, appraisals=appraisals, meetings=meetings, attendances=attendances)


# --- the agenda: items, papers, recommendations, minutes and decisions ------------------------------------------

ITEM_MINUTES = 45
ARRIVE_BEFORE = 15
PAPERS_DUE_WORKING_DAYS = 10
RECOMMENDATION_OF_HOUSEHOLD = {"suitable": Recommendation.RECOMMENDED, "not_suitable": Recommendation.NOT_RECOMMENDED}
REASONS = (
    "The report evidences the applicants' capacity to meet a child's needs; the panel was reassured by their "
    "support network and their reflection on contact.",
    "A thorough, analytical report; the panel agreed the plan meets the child's needs now and in the future.",
    "The panel heard clear evidence of the family's understanding of trauma and of the support plan offered.",
)


@dataclass
class DemoAgenda:
    items: list[AgendaItem]
    papers: list[AgendaPaper]
    minutes: list[MeetingMinutes]


def _latest_meeting_on_or_before(
    held: list[PanelMeeting], day: date | None, not_before: date | None
) -> PanelMeeting | None:
    if day is None:
        return None
    candidates = [m for m in held if m.held_on <= day and (not_before is None or m.held_on >= not_before)]
    return candidates[-1] if candidates else None


def _paper_pdfs(titles: list[str]) -> list[bytes]:
    """One PDF per title, each a page of a paper with its title: rendered together by WeasyPrint, then split."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    body = "".join(
        f'<section style="page-break-after: always"><h1>{escape(t)}</h1><p>Demo paper for the adoption panel. '
        "The real report is uploaded by the presenting social worker.</p></section>"
        for t in titles
    )
    document = HTML(string=f'<html lang="en"><head><title>Demo papers</title></head><body>{body}</body></html>')
    reader = PdfReader(BytesIO(document.write_pdf()))
    pdfs = []
    for page in reader.pages[: len(titles)]:
        writer = PdfWriter()
        writer.add_page(page)
        out = BytesIO()
        writer.write(out)
        pdfs.append(out.getvalue())
    return pdfs


def build_agenda(*, raa: Organisation, seed: int, reference_date: date, uploader: User) -> DemoAgenda:
    """Put the demo RAA's business of the last year on its meetings, and the coming business on the next ones.

    Past: every approval and match whose panel fell in the year goes on the latest meeting on or before its
    panel date (the household's and match's panel date are moved to that meeting's), with the recommendation,
    the minutes (final a few working days later, except the last two meetings'), the ADM's decision on its
    recorded date and the adopters told (mostly within two working days). Households still waiting for the
    decision have none yet (due or overdue). Coming: the households waiting for panel and the open links go on
    the next meetings, with their papers received, a few late and a few missing.
    """
    rng = random.Random(f"panels-agenda:{seed}")
    meetings = sorted(PanelMeeting.objects.filter(raa=raa), key=lambda m: (m.held_on, m.starts_at))
    held = [m for m in meetings if m.held_on < reference_date]
    upcoming = [m for m in meetings if m.held_on >= reference_date]
    items: dict[int, list[AgendaItem]] = {m.pk: [] for m in meetings}

    def slot(meeting: PanelMeeting, **fields: Any) -> AgendaItem | None:
        placed = items[meeting.pk]
        if len(placed) >= 6:
            return None
        start = datetime.combine(meeting.held_on, meeting.starts_at) + timedelta(minutes=ITEM_MINUTES * len(placed))
        item = AgendaItem(meeting=meeting, position=len(placed) + 1, starts_at=start.time(), **fields)
        placed.append(item)
        return item

    window = held[0].held_on if held else reference_date
    households = Household.objects.filter(approving_agency=raa, panel_on__gte=window, panel_on__lt=reference_date)
    for household in households.order_by("panel_on", "id"):
        meeting = _latest_meeting_on_or_before(held, household.panel_on, household.stage2_ended_on)
        if meeting is None:
            continue
        item = slot(
            meeting,
            kind=AgendaItem.Kind.APPROVAL,
            household=household,
            presenting_worker=rng.choice(PRESENTERS),
            recommendation=RECOMMENDATION_OF_HOUSEHOLD.get(household.panel_recommendation, Recommendation.RECOMMENDED),
            recommendation_reasons=rng.choice(REASONS),
        )
        if item is None:
            continue
        if household.approved_on:
            item.decision, item.decided_on = Decision.AGREED, household.approved_on
        Household.objects.filter(pk=household.pk).update(panel_on=meeting.held_on)

    matches = (
        Match.objects.filter(
            placements__child__responsible_la__raa=raa, panel_on__gte=window, panel_on__lt=reference_date
        )
        .distinct()
        .order_by("panel_on", "id")
    )
    for match in matches:
        link = (
            Link.objects.filter(
                child__adoptive_placements__match=match, household_id=match.household_id, outcome=Link.Outcome.MATCHED
            )
            .order_by("child_id")
            .first()
        )
        meeting = _latest_meeting_on_or_before(held, match.panel_on, None)
        if link is None or meeting is None:
            continue
        item = slot(
            meeting,
            kind=AgendaItem.Kind.MATCH,
            link=link,
            match=match,
            presenting_worker=rng.choice(PRESENTERS),
            recommendation=match.panel_recommendation or Recommendation.RECOMMENDED,
            recommendation_reasons=rng.choice(REASONS),
        )
        if item is None:
            continue
        if match.decided_on:
            item.decision, item.decided_on = Decision.AGREED, match.decided_on
        Match.objects.filter(pk=match.pk).update(panel_on=meeting.held_on)

    disruptions = Disruption.objects.filter(
        placement__child__responsible_la__raa=raa, meeting_on__gte=window, meeting_on__lt=reference_date
    )
    for disruption in disruptions.order_by("meeting_on", "id"):
        met = disruption.meeting_on or reference_date
        later = [m for m in held if m.held_on > met]
        if later:
            slot(
                later[0],
                kind=AgendaItem.Kind.DISRUPTION,
                disruption=disruption,
                presenting_worker=rng.choice(PRESENTERS),
            )

    # The coming business: households waiting for panel, then proposed matches (one per child or group).
    waiting = list(
        Household.objects.filter(approving_agency=raa, status=Household.Status.AWAITING_PANEL).order_by("id")
    )
    open_links: dict[tuple[int, int], Link] = {}
    for link in Link.objects.filter(outcome=Link.Outcome.OPEN, child__responsible_la__raa=raa).order_by("id"):
        key = (link.household_id, -(link.sibling_group_id or 0) or link.child_id)
        open_links.setdefault(key, link)
    coming = [{"kind": AgendaItem.Kind.APPROVAL, "household": h} for h in waiting] + [
        {"kind": AgendaItem.Kind.MATCH, "link": link} for link in list(open_links.values())[: 3 * len(upcoming)]
    ]
    for n, fields in enumerate(coming):
        if upcoming:
            slot(upcoming[n % len(upcoming)], presenting_worker=rng.choice(PRESENTERS), **fields)

    every_item = [item for meeting in meetings for item in items[meeting.pk]]
    _fostering_flags(every_item)
    minutes = _minutes_and_due_dates(rng, held, items)
    AgendaItem.objects.bulk_create(every_item)
    MeetingMinutes.objects.bulk_create(minutes)
    papers = _papers(rng, meetings, items, uploader, reference_date)
    return DemoAgenda(items=every_item, papers=papers, minutes=minutes)


PRESENTERS = ("Priya Shah", "Dan Okoro", "Ellie Marsh", "Gareth Lewis", "Nadia Rahman", "Owen Price")


def _fostering_flags(items: list[AgendaItem]) -> None:
    """A proposed match with a family already fostering the child (early permanence) needs fostering experience."""
    pairs = {
        (child_id, household_id)
        for child_id, household_id in EarlyPermanencePlacement.objects.values_list("child_id", "household_id")
    }
    for item in items:
        if item.kind == AgendaItem.Kind.MATCH and item.link is not None:
            item.needs_fostering_experience = (item.link.child_id, item.link.household_id) in pairs


def _minutes_and_due_dates(
    rng: random.Random, held: list[PanelMeeting], items: dict[int, list[AgendaItem]]
) -> list[MeetingMinutes]:
    """Minutes for each held meeting with business; the ADM's and telling's due dates from them."""
    minutes = []
    # The last two meetings whose business is not yet decided have their minutes still in draft.
    undecided = [m for m in held if items[m.pk] and not any(i.decided_on for i in items[m.pk])]
    recent = {m.pk for m in undecided[-2:]}
    for meeting in held:
        business = items[meeting.pk]
        if not business:
            continue
        drafted = add_working_days(meeting.held_on, 2)
        if meeting.pk in recent:
            minutes.append(MeetingMinutes(meeting=meeting, status=MinutesStatus.DRAFT, drafted_on=drafted))
            continue
        # The minutes reach the ADM a few working days before the first decision on them (so most decisions are
        # on time and some late), never before the meeting; with no decision yet, a few days after the meeting.
        decided = [i.decided_on for i in business if i.decided_on]
        if decided:
            before = rng.choice((1, 2, 3, 4, 5, 6, 6, 8, 11))
            received = max(meeting.held_on, subtract_working_days(min(decided), before))
        else:
            received = add_working_days(meeting.held_on, rng.randint(4, 8))
        final = received
        drafted = min(drafted, final)
        minutes.append(
            MeetingMinutes(
                meeting=meeting,
                status=MinutesStatus.FINAL,
                drafted_on=drafted,
                sent_for_check_on=drafted,
                finalised_on=final,
                sent_to_adm_on=received,
            )
        )
        for item in business:
            if item.kind == AgendaItem.Kind.DISRUPTION:
                continue
            item.decision_due_on = add_working_days(received, 7)
            if item.decided_on:
                item.told_due_on = add_working_days(item.decided_on, 2)
                item.told_on = add_working_days(item.decided_on, rng.choice((0, 1, 1, 2, 2, 3)))
                item.told_on = min(item.told_on, held[-1].held_on + timedelta(days=7))
                item.told_on = max(item.told_on, item.decided_on)
    return minutes


def _papers(
    rng: random.Random,
    meetings: list[PanelMeeting],
    items: dict[int, list[AgendaItem]],
    uploader: User,
    reference_date: date,
) -> list[AgendaPaper]:
    """Papers for every item: received before the due date, a few late; at the next meetings a few not yet."""
    from django.core.files.base import ContentFile

    planned: list[tuple[AgendaItem, str, datetime]] = []
    now = timezone.make_aware(datetime.combine(reference_date, time(17, 0)))  # nothing after the reference date
    for meeting in meetings:
        due = subtract_working_days(meeting.held_on, PAPERS_DUE_WORKING_DAYS)
        for item in items[meeting.pk]:
            for kind in AgendaItem.REQUIRED_PAPERS[item.kind]:
                roll = rng.random()
                if roll < 0.08:
                    continue  # not received
                day = (
                    due + timedelta(days=rng.randint(1, 5)) if roll < 0.2 else due - timedelta(days=rng.randint(0, 10))
                )
                received = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 30)))))
                if received < now:
                    planned.append((item, kind, received))
    titles = [f"{PaperKind(kind).label}: {_about(item)}" for item, kind, _ in planned]
    papers = []
    for (item, kind, received), title, content in zip(planned, titles, _paper_pdfs(titles), strict=True):
        paper = AgendaPaper(
            item=item,
            kind=kind,
            title=title[:200],
            original_name=f"{kind}.pdf",
            pages=1,
            size=len(content),
            received_at=received,
            uploaded_by=uploader,
        )
        paper.file.save(f"{kind}.pdf", ContentFile(content), save=False)
        papers.append(paper)
    return AgendaPaper.objects.bulk_create(papers)


def _about(item: AgendaItem) -> str:
    if item.household is not None:
        return item.household.name
    if item.link is not None:
        return f"{item.link.child.full_name} with {item.link.household.name}"
    if item.disruption is not None:
        return item.disruption.placement.child.full_name
    return ""
