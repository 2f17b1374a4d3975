"""The national demo's panels: each RAA's central list (the region's list of roles, with other
names), its meetings spread over the ten years (and two to come), attendance that keeps them quorate
(``panels.demo._invitees``), and the agendas: every household's approval and every match, at the
meeting of its panel date, with the recommendation and the ADM's decision."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from django.utils import timezone

from adoption import demo as names
from panels.demo import MEMBERS, START_TIMES, _invitees
from panels.demo import REASONS as _REASONS
from panels.models import AgendaItem, MeetingMinutes, PanelAttendance, PanelMeeting, PanelMember, PanelSettings
from reporting.national.bulk import CopyWriter

UPCOMING = 2
ITEM_LIMIT = 10


@dataclass
class Member:
    id: int
    roles: list[str]
    years: int | None
    on_list_from: date
    off_list_on: date | None

    def on_list(self, day: date) -> bool:
        return self.on_list_from <= day and (self.off_list_on is None or day < self.off_list_on)


class PanelPlanner:
    """One RAA's panel: :meth:`schedule` first (households' panel dates snap to its meetings), then the rest."""

    def __init__(self, *, rng: random.Random, today: date, raa_id: int, places: list[str]) -> None:
        self.rng = rng
        self.today = today
        self.raa_id = raa_id
        self.places = places
        self.days: list[date] = []
        self.meetings: dict[date, int] = {}
        self.positions: dict[int, int] = {}

    def schedule(self, writer: CopyWriter, count: int) -> None:
        """``count`` meetings evenly over the ten years to yesterday (on weekdays), and two to come."""
        start = self.today - timedelta(days=3650)
        days = []
        for i in range(max(1, count)):
            day = start + timedelta(days=round(i * 3649 / max(1, count - 1))) if count > 1 else start
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            days.append(min(day, self.today - timedelta(days=1)))
        upcoming = self.today + timedelta(days=7)
        for _ in range(UPCOMING):
            while upcoming.weekday() >= 5:
                upcoming += timedelta(days=1)
            days.append(upcoming)
            upcoming += timedelta(days=14)
        self.days = sorted(set(days))
        for day in self.days:
            self.meetings[day] = writer.next_id(PanelMeeting)

    def snap(self, day: date) -> date:
        """The latest meeting on or before ``day`` (``day`` itself before the first meeting)."""
        index = bisect.bisect_right(self.days, day) - 1
        return self.days[index] if index >= 0 else day

    def write_members_and_meetings(self, writer: CopyWriter, *, member_user_id: int) -> None:
        rng = self.rng
        start = self.today - timedelta(days=3650 + 60)
        members: list[Member] = []
        for plan in MEMBERS:
            first_name = names.first_name(rng, "white_british", "woman" if plan.gender == "woman" else "man")
            name = f"{first_name} {names.surname(rng, 'white_british')}"
            off = self.today - timedelta(days=plan.left_days_ago) if plan.left_days_ago else None
            roles: list[str] = [
                code
                for code in (
                    "chair",
                    "vice_chair",
                    "independent",
                    "social_work",
                    "medical_adviser",
                    "elected_member",
                    "fostering",
                )
                if code in plan.roles
            ]
            pk = writer.add(
                PanelMember,
                raa_id=self.raa_id,
                name=name,
                user_id=member_user_id if plan.username else None,
                roles=roles,
                post_qualifying_years=plan.years,
                on_list_from=start,
                off_list_on=off,
                gender=plan.gender,
                lived_experience=plan.lived_experience,
            )
            members.append(Member(pk, roles, plan.years, start, off))
        writer.add(PanelSettings, raa_id=self.raa_id, item_limit=ITEM_LIMIT)
        for i, day in enumerate(self.days):
            held = day < self.today
            starts = START_TIMES[i % len(START_TIMES)]
            meeting = self.meetings[day]
            writer.add(
                PanelMeeting,
                id=meeting,
                raa_id=self.raa_id,
                held_on=day,
                starts_at=starts,
                place=self.places[i % len(self.places)],
                attendance_recorded_at=timezone.make_aware(datetime.combine(day, time(17, 0))) if held else None,
            )
            on_list = [m for m in members if m.on_list(day)]
            invited, attended = _invitees(rng, on_list, None)  # type: ignore[arg-type]
            for n, member in enumerate(cast(list[Member], invited)):
                came = held and n in attended
                writer.add(
                    PanelAttendance,
                    meeting_id=meeting,
                    member_id=member.id,
                    attended=came,
                    roles_at_meeting=member.roles if came else [],
                    years_at_meeting=member.years if came else None,
                )
            if held:
                writer.add(
                    MeetingMinutes,
                    meeting_id=meeting,
                    status="final",
                    drafted_on=day + timedelta(days=2),
                    sent_for_check_on=day + timedelta(days=3),
                    finalised_on=day + timedelta(days=7),
                    sent_to_adm_on=day + timedelta(days=8),
                )

    def item(
        self,
        writer: CopyWriter,
        *,
        panel_on: date,
        decided_on: date | None,
        adm_id: int,
        worker: str,
        **record: object,
    ) -> None:
        """An agenda item at the meeting on ``panel_on`` (if there was one), decided on ``decided_on``."""
        meeting = self.meetings.get(panel_on)
        if meeting is None or panel_on >= self.today:
            return
        self.positions[meeting] = position = self.positions.get(meeting, 0) + 1
        minutes = min(9 * 60 + 30 + 45 * (position - 1), 23 * 60)
        values: dict = dict(
            meeting_id=meeting,
            position=position,
            starts_at=time(minutes // 60, minutes % 60),
            presenting_worker=worker,
            recommendation="recommended",
            recommendation_reasons=self.rng.choice(_REASONS),
            decision_due_on=panel_on + timedelta(days=21),
            **record,
        )
        if decided_on is not None and decided_on <= self.today:
            told = min(self.today, decided_on + timedelta(days=self.rng.randint(0, 2)))
            values.update(
                decision="agreed",
                decided_on=decided_on,
                decided_by_id=adm_id,
                told_on=told,
                told_due_on=decided_on + timedelta(days=3),
            )
        writer.add(AgendaItem, **values)
