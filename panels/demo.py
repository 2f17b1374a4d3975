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

from django.utils import timezone

from adoption.models import Organisation, User
from panels.models import Gender, PanelAppraisal, PanelAttendance, PanelMeeting, PanelMember, PanelRole

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
