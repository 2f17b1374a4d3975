"""The national demo's households: each RAA's (and some of the VAAs') adopters over ten years, at
every status of the journey, with the dates that status implies and no others (the same rules as
the region's households: ``adopters.demo``), their applicants and checks, pauses and availability.

Households are planned at a status first; the dates are worked backwards from the step that began
it, so nothing is after the reference date. Matched, placed and adopted households carry the day of
their match: the children's planner (``reporting.national.children``) matches children with them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from adopters.models import Applicant, Availability, Check, Household, Pause
from adoption import demo as names
from reporting.national.bulk import CopyWriter

S = Household.Status
YEARS = 10
# Status of the households, as weights (left: see _LEFT_FROM).
STATUS_WEIGHTS: tuple[tuple[str, float], ...] = (
    (S.ENQUIRY, 4),
    (S.REGISTERED, 1.5),
    (S.STAGE_1, 3),
    (S.BETWEEN_STAGES, 1),
    (S.STAGE_2, 3),
    (S.AWAITING_PANEL, 1),
    (S.AWAITING_DECISION, 0.5),
    (S.APPROVED, 6),
    (S.MATCHED, 2),
    (S.PLACED, 4),
    (S.ADOPTED, 60),
    (S.LEFT, 14),
)
_LEFT_FROM = ((S.ENQUIRY, 30), (S.REGISTERED, 10), (S.STAGE_1, 30), (S.STAGE_2, 15), (S.APPROVED, 15))
_LEAVING = (("withdrew", 60), ("on_hold", 20), ("other", 10), ("refused", 10))
_SOURCES = (
    ("website", 35),
    ("phone", 12),
    ("event", 15),
    ("social_media", 12),
    ("national", 10),
    ("word_of_mouth", 10),
    ("foster_carer", 3),
    ("other", 3),
)
_COUPLE_STATUSES = {False: (("L11", 78), ("L3", 22)), True: (("L12", 45), ("L2", 35), ("L4", 20))}
_ETHNICITIES = (("WBRI", 78), ("WOTH", 4), ("MWBC", 2), ("AIND", 3), ("APKN", 3), ("BCRB", 2), ("BAFR", 3), ("WIRI", 2))
_ORDER = [s for s, _ in STATUS_WEIGHTS if s != S.LEFT]
LINKED = (S.MATCHED, S.PLACED, S.ADOPTED)


def weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def days(n: int) -> timedelta:
    return timedelta(days=n)


@dataclass
class HouseholdRow:
    """What the children's planner needs of a household, and its id."""

    id: int
    reference: str
    status: str
    at_vaa: bool
    approved_on: date | None
    matched_on: date | None
    siblings: bool
    left_on: date | None = None
    panel_on: date | None = None


@dataclass(frozen=True)
class Agency:
    """Who approves the households: the RAA (or a VAA) and its assessing social worker."""

    id: int
    prefix: str  # of household references, e.g. "L3"
    worker_id: int
    at_vaa: bool = False


class HouseholdPlanner:
    def __init__(
        self,
        *,
        rng: random.Random,
        today: date,
        turnarounds: dict[str, list[tuple[date, int]]],
        snap: Callable[[date], date],
    ) -> None:
        self.rng = rng
        self.snap = snap  # the day of the RAA's panel meeting on or before a day
        self.today = today
        self.start = today - days(365 * YEARS)
        self.turnarounds = turnarounds
        self.numbers: dict[tuple[str, int], int] = {}
        # Rows of the households planned since :meth:`begin`, written by :meth:`write_details`.
        self.pending_applicants: list[dict] = []
        self.pending_pauses: list[dict] = []
        self.pending_availability: list[dict] = []

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def due_on(self, kind: str, requested: date) -> date:
        found = 28
        for effective, turnaround in self.turnarounds.get(kind, ()):
            if effective <= requested:
                found = turnaround
        return requested + days(found)

    # --- one household ---------------------------------------------------------------------------
    def matched_on(self, status: str) -> date:
        """When a linked household was matched: recently (matched), months ago (placed), earlier (adopted)."""
        if status == S.MATCHED:
            return self.today - days(self.between(1, 40))
        if status == S.PLACED:
            return self.today - days(self.between(50, 300))
        return self.today - days(self.between(480, 365 * YEARS - 1000))

    def dates(self, status: str, fast_track: bool, anchor: date) -> dict[str, date]:
        """The journey's dates up to ``status``, the step that began it on ``anchor``, worked backwards."""
        upto = _ORDER.index(S.APPROVED if status in LINKED else status)
        steps = []
        # (field, days before the next step) from the latest step back to the enquiry.
        if upto >= _ORDER.index(S.APPROVED):
            steps.append(("approved_on", 0))
            steps.append(("panel_on", self.between(7, 21)))
        if upto >= _ORDER.index(S.AWAITING_DECISION) and not steps:
            steps.append(("panel_on", 0))
        if upto >= _ORDER.index(S.AWAITING_PANEL):
            steps.append(("stage2_ended_on", self.between(10, 50) if steps else 0))
        if upto >= _ORDER.index(S.STAGE_2):
            extended = self.rng.random() < 0.06
            length = self.between(150, 180) if extended else self.between(100, 122)
            steps.append(("stage2_started_on", length if steps else 0))
            if not fast_track:
                steps.append(("stage2_notified_on", self.between(0, 7)))
        if not fast_track and upto >= _ORDER.index(S.BETWEEN_STAGES):
            steps.append(("stage1_ended_on", self.between(3, 60) if steps else 0))
        if not fast_track and upto >= _ORDER.index(S.STAGE_1):
            steps.append(("training_attended_on", self.between(7, 30) if steps else 0))
            steps.append(("stage1_started_on", self.between(14, 40)))
        if upto >= _ORDER.index(S.REGISTERED):
            steps.append(("registered_on", self.between(0, 14) if steps else 0))
        steps.append(("enquired_on", self.between(7, 60) if steps else 0))
        out: dict[str, date] = {}
        day = anchor
        for name, before in steps:
            day = day - days(before)
            if name == "panel_on":
                day = self.snap(day)
            out[name] = day
        return out

    def household(
        self,
        writer: CopyWriter,
        *,
        agency: Agency,
        area: str,
        postcodes: tuple[str, ...],
        status: str,
        left_from: str | None = None,
        matched: date | None = None,
        left_on: date | None = None,
    ) -> HouseholdRow:
        """Plan and write one household. ``left_from``, ``matched`` and ``left_on`` make a family whose
        placement disrupted (the children's planner asks for them)."""
        rng = self.rng
        if status == S.LEFT and left_from is None:
            left_from = weighted(rng, _LEFT_FROM)
        at = left_from or status
        fast_track = at not in (S.ENQUIRY, S.REGISTERED) and rng.random() < 0.1
        if matched is None and at in LINKED:
            matched = self.matched_on(at)
        if matched is not None:
            anchor = matched - days(self.between(40, 540))
        elif left_from is not None:
            anchor = self.start + days(self.between(120, 365 * YEARS - 400))
        elif at == S.APPROVED:
            anchor = self.today - days(self.between(1, 600))
        else:
            anchor = self.today - days(self.between(0, 80))
        values: dict = self.dates(at, fast_track, anchor)
        if "stage2_ended_on" in values and (values["stage2_ended_on"] - values["stage2_started_on"]).days > 122:
            values["stage2_extension_reason"] = "Waiting for the medical adviser's report"
        enquired = values["enquired_on"]
        year = enquired.year
        self.numbers[(agency.prefix, year)] = number = self.numbers.get((agency.prefix, year), 0) + 1
        pk = writer.next_id(Household)
        values.update(
            id=pk,
            approving_agency_id=agency.id,
            reference=f"{agency.prefix}-{year}-{number:04d}",
            area=area,
            postcode=rng.choice(postcodes) if postcodes else "",
            route="fast_track" if fast_track else "standard",
            status=status,
            enquiry_source=weighted(rng, (("foster_carer", 70), ("word_of_mouth", 30)) if fast_track else _SOURCES),
            enquiry_outcome=(
                "invited" if at != S.ENQUIRY else weighted(rng, (("", 50), ("invited", 30), ("information", 20)))
            ),
        )
        if at != S.ENQUIRY:
            values["assessing_worker_id"] = agency.worker_id
        if "stage2_started_on" in values:
            values["par_status"] = "completed" if "stage2_ended_on" in values else "in_progress"
        if "panel_on" in values:
            values["panel_recommendation"] = "suitable"
        siblings = False
        if "approved_on" in values:
            siblings = rng.random() < 0.35
            age_max = rng.choice((2, 4, 5, 6, 8))
            values.update(
                approved_children_min=1,
                approved_children_max=rng.choice((2, 3)) if siblings else 1,
                approved_age_min=0,
                approved_age_max=age_max,
                approved_for_siblings=siblings,
                disability_openness=weighted(rng, (("none", 20), ("mild", 45), ("moderate", 25), ("significant", 10))),
                early_permanence_approved=rng.random() < 0.15,
            )
        if left_from is not None:
            last = max(d for d in values.values() if isinstance(d, date))
            left_on = left_on or min(self.today, last + days(self.between(14, 200)))
            reason = weighted(rng, _LEAVING)
            if reason == "refused" and "approved_on" in values:
                reason = "withdrew"
            values.update(left_on=left_on, leaving_reason=reason, left_from_status=left_from)
            if left_from == S.APPROVED:
                values["deregistered_on"] = left_on
        # Applicants: most are couples.
        group = weighted(
            rng, (("white_british", 80), ("indian", 5), ("pakistani", 5), ("black_african", 5), ("white_other", 5))
        )
        surname = names.surname(rng, group)
        couple = rng.random() < 0.72
        sexes: tuple[str, ...] = (
            rng.choice((("M", "F"),) * 8 + (("F", "F"), ("M", "M"))) if couple else (rng.choice(("F", "F", "M")),)
        )
        values["legal_status"] = "L0" if not couple else weighted(rng, _COUPLE_STATUSES[sexes[0] == sexes[1]])
        values["name"] = f"{surname} household"
        writer.add(Household, **values)
        row = HouseholdRow(
            id=pk,
            reference=values["reference"],
            status=status,
            at_vaa=agency.at_vaa,
            approved_on=values.get("approved_on"),
            panel_on=values.get("panel_on"),
            matched_on=matched,
            siblings=siblings,
            left_on=left_on,
        )
        for sex in sexes:
            first = names.first_name(rng, group, "man" if sex == "M" else "woman")
            born = enquired - days(365 * self.between(28, 50) + self.between(0, 364))
            self.pending_applicants.append(
                {
                    "household_id": pk,
                    "first_name": first,
                    "last_name": surname,
                    "date_of_birth": born,
                    "sex": sex,
                    "ethnicity": weighted(rng, _ETHNICITIES),
                    "disability": weighted(rng, (("no", 85), ("yes", 5), ("not_known", 10))),
                    "sexual_orientation": ("straight" if len(set(sexes)) == 2 or not couple else "gay_lesbian"),
                    "_checks": self.checks(values),
                }
            )
        # A pause in stage 1 or 2 for a few; one still open for some households in stage 2.
        if at in (S.STAGE_2,) and rng.random() < 0.08:
            self.pending_pauses.append(
                {
                    "household_id": pk,
                    "stage": 2,
                    "started_on": values["stage2_started_on"] + days(self.between(5, 30)),
                    "reason": "Family bereavement",
                }
            )
        elif "stage1_ended_on" in values and rng.random() < 0.1:
            begun = values["stage1_started_on"] + days(self.between(1, 10))
            ended = min(values["stage1_ended_on"], begun + days(self.between(14, 60)))
            if ended > begun:
                self.pending_pauses.append(
                    {"household_id": pk, "stage": 1, "started_on": begun, "ended_on": ended, "reason": "Moving house"}
                )
        if status == S.APPROVED:
            self.pending_availability.append(
                {"household_id": pk, "status": "available", "status_from": values["approved_on"]}
            )
            if rng.random() < 0.1 and (self.today - values["approved_on"]).days > 120:
                self.pending_availability.append(
                    {"household_id": pk, "status": "on_hold", "status_from": self.today - days(self.between(1, 60))}
                )
        return row

    def checks(self, values: dict) -> list[dict]:
        """An applicant's checks: requested at the start of stage 1 (fast track: stage 2), back by its end."""
        start = values.get("stage1_started_on") or (
            values.get("stage2_started_on") if values["route"] == "fast_track" else None
        )
        if start is None:
            return []
        end = values.get("stage1_ended_on") or values.get("stage2_ended_on")
        rng = self.rng
        kinds = ["dbs", "medical", "la_check", "reference", "reference"]
        if rng.random() < 0.4:
            kinds.append("employer")
        if rng.random() < 0.15:
            kinds.append("ex_partner")
        out = []
        for kind in kinds:
            requested = min(start + days(self.between(0, 7)), self.today)
            due = self.due_on(kind, requested)
            received = requested + days(self.between(7, (due - requested).days + (30 if rng.random() < 0.07 else 0)))
            if end is not None:
                received = min(received, end)
            check = {"kind": kind, "requested_on": requested, "due_on": due}
            if received <= self.today:
                check.update(received_on=received, outcome="satisfactory")
                if received > due:
                    check["delay_reason"] = "dbs_backlog" if kind == "dbs" else ("gp" if kind == "medical" else "other")
            out.append(check)
        return out

    def begin(self) -> None:
        self.pending_applicants, self.pending_pauses, self.pending_availability = [], [], []

    def write_details(self, writer: CopyWriter) -> None:
        """The applicants, their checks, pauses and availability of the households planned since :meth:`begin`."""
        for applicant in self.pending_applicants:
            own = applicant.pop("_checks")
            pk = writer.add(Applicant, **applicant)
            for check in own:
                writer.add(Check, applicant_id=pk, **check)
        for pause in self.pending_pauses:
            writer.add(Pause, **pause)
        for row in self.pending_availability:
            writer.add(Availability, **row)
        self.begin()
