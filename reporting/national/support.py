"""The national demo's adoption support: for children adopted in each LA, ASF applications over the
years after the order (most paid), support requests on duty (some assessed, with a support plan),
and life story work (the book and the later life letter)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from reporting.national.bulk import CopyWriter
from reporting.national.households import weighted
from support.models import AsfApplication, AssessmentOfNeed, LifeStoryWork, SupportPlan, SupportRequest

_THERAPIES = (
    ("ddp", 25),
    ("theraplay", 20),
    ("therapeutic_parenting", 15),
    ("sensory", 10),
    ("nvr", 8),
    ("life_story", 7),
    ("psychotherapy", 7),
    ("creative", 5),
    ("other", 3),
)
_PROVIDERS = ("Family Futures", "PAC-UK", "Adoption Plus", "Catchpoint Therapy", "Family Links", "After Adoption")
_TOPICS = (
    ("settling", 20),
    ("telling", 10),
    ("child_on_parent_violence", 15),
    ("education", 20),
    ("trauma", 25),
    ("contact", 10),
)
# ASF fair access limit per child and year, before and from April 2025 (the seeded AsfLimit rows).
_LIMIT_CHANGE = date(2025, 4, 1)


def financial_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


class SupportPlanner:
    def __init__(self, *, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def asf(self, writer: CopyWriter, *, adopted: list[tuple[int, int, date]], count: int, user_id: int) -> int:
        """``count`` ASF applications for the adopted children (LA, child, adopted on), at most one a child
        and year; returns how many."""
        rng = self.rng
        eligible = [row for row in adopted if (self.today - row[2]).days > 60]
        made = 0
        taken: set[tuple[int, int]] = set()
        tries = 0
        while made < count and eligible and tries < count * 4:
            tries += 1
            la_id, child, adopted_on = rng.choice(eligible)
            submitted = adopted_on + timedelta(days=self.between(30, (self.today - adopted_on).days))
            year = financial_year(submitted)
            if (child, year) in taken:
                continue
            taken.add((child, year))
            starts = submitted + timedelta(days=self.between(14, 45))
            limit = 3000 if submitted >= _LIMIT_CHANGE else 5000
            sessions = self.between(4, 20)
            cost = Decimal(min(limit, sessions * rng.choice((90, 110, 125, 150))))
            status = weighted(
                rng, (("paid", 70), ("invoiced", 8), ("approved", 10), ("submitted", 5), ("rejected", 4), ("draft", 3))
            )
            values: dict = {
                "la_id": la_id,
                "child_id": child,
                "therapy": weighted(rng, _THERAPIES),
                "provider": rng.choice(_PROVIDERS),
                "sessions": sessions,
                "cost": cost,
                "match_funding": Decimal(0),
                "work_starts_on": starts,
                "work_ends_on": starts + timedelta(days=7 * sessions),
                "financial_year": year,
                "status": status,
                "created_by_id": user_id,
            }
            if status != "draft":
                values.update(basis="adopted", submitted_on=submitted)
            if status in ("approved", "rejected", "invoiced", "paid"):
                values["decided_on"] = decided = min(self.today, submitted + timedelta(days=self.between(3, 30)))
                if status == "rejected":
                    values["rejection_reason"] = "Over the fair access limit for the year without a case for more"
                if status in ("invoiced", "paid"):
                    values["invoiced_on"] = invoiced = min(self.today, decided + timedelta(days=self.between(30, 120)))
                    if status == "paid":
                        values["paid_on"] = min(self.today, invoiced + timedelta(days=self.between(7, 30)))
            if status in ("submitted", "approved", "draft") and submitted < self.today - timedelta(days=60):
                continue  # only recent applications are still open
            writer.add(AsfApplication, **values)
            made += 1
        return made

    def requests(self, writer: CopyWriter, *, adopted: list[tuple[int, int, date]], count: int, worker_id: int) -> None:
        """Support requests for adoptive families: most closed, some allocated, a few new on duty."""
        rng = self.rng
        for _ in range(count):
            if not adopted:
                return
            la_id, child, adopted_on = rng.choice(adopted)
            received = adopted_on + timedelta(days=self.between(0, (self.today - adopted_on).days))
            status = (
                "closed"
                if received < self.today - timedelta(days=200)
                else weighted(rng, (("new", 15), ("allocated", 60), ("closed", 25)))
            )
            values: dict = {
                "la_id": la_id,
                "family_name": "Adoptive family",
                "child_id": child,
                "requested_by": "Adoptive parent",
                "requester": "adoptive_parent",
                "received_on": received,
                "topic": weighted(rng, _TOPICS),
                "status": status,
            }
            if status != "new":
                allocated = min(self.today, received + timedelta(days=self.between(0, 14)))
                values.update(
                    responded_on=allocated,
                    tier=rng.choice((1, 2, 3)),
                    allocated_to_id=worker_id,
                    allocated_on=allocated,
                )
            closed = None
            if status == "closed":
                closed = min(self.today, received + timedelta(days=self.between(14, 180)))
                values.update(
                    closed_on=closed, closed_reason=rng.choice(("advice", "completed", "referred", "withdrawn"))
                )
            request = writer.add(SupportRequest, **values)
            if status != "new" and rng.random() < 0.5:
                started = values["allocated_on"]
                completed = started + timedelta(days=self.between(14, 60))
                done = completed <= (closed or self.today)
                assessment = writer.add(
                    AssessmentOfNeed,
                    request_id=request,
                    assessor_id=worker_id,
                    started_on=started,
                    completed_on=completed if done else None,
                    outcome="support_plan" if done else "",
                    needs="Support with managing the child's responses to early trauma." if done else "",
                )
                if done and rng.random() < 0.6:
                    writer.add(
                        SupportPlan,
                        assessment_id=assessment,
                        agreed_on=completed,
                        services="Therapeutic parenting course and an ASF application for therapy.",
                        therapies=["therapeutic_parenting"],
                        review_on=completed + timedelta(days=180),
                        ended_on=closed if closed and closed >= completed else None,
                    )

    def life_story(self, writer: CopyWriter, *, adopted: list[tuple[int, int, date]], worker_id: int) -> None:
        """The life story book (by the adoption order) and the later life letter for most adopted children."""
        rng = self.rng
        for _la, child, adopted_on in adopted:
            if rng.random() > 0.6:
                continue
            for kind, due in (("life_story_book", adopted_on), ("later_life_letter", adopted_on + timedelta(days=90))):
                started = due - timedelta(days=self.between(30, 120))
                completed = started + timedelta(days=self.between(20, 160))
                writer.add(
                    LifeStoryWork,
                    child_id=child,
                    kind=kind,
                    due_on=due,
                    started_on=min(started, self.today),
                    completed_on=completed if completed <= self.today and rng.random() < 0.9 else None,
                    worker_id=worker_id,
                )
