"""The board report's tables, as the page and the PDF show them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from adoption.models import Organisation
from reporting.board_report.figures import (
    NO_FIGURE,
    BoardReport,
    _percent,
)
from reporting.measures import MeasureResult

# --- the tables, as the page and the PDF show them ------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    label: str
    cells: tuple[str, ...]
    total: bool = False  # a sum or share of the lines above it


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    headings: tuple[str, ...]  # of the columns after the first
    lines: tuple[Line, ...]
    note: str = ""


def _n(value: int) -> str:
    return f"{value:,}"


def _money(value: Decimal) -> str:
    return f"£{value:,.2f}"


def _share(part: int, whole: int) -> str:
    percent = _percent(part, whole)
    return f"{percent}% ({part:,} of {whole:,})" if percent is not None else "None completed"


def _days(result: MeasureResult) -> str:
    if result.days is None:
        return NO_FIGURE
    if result.threshold_days is None:
        return f"{result.days:,} days (no threshold set)"
    met = "met" if result.meets_threshold else "not met"
    return f"{result.days:,} days (threshold {result.threshold_days:,}: {met})"


def _flow_lines(rows: Sequence[tuple[str, Any]], figures: Sequence[Any], total: Sequence[str] = ()) -> tuple[Line, ...]:
    return tuple(Line(label, tuple(cell(f) for f in figures), label in total) for label, cell in rows)


def tables(report: BoardReport) -> list[Table]:
    """The report's tables in order: each line's label and its formatted figure for each column."""
    flow_headings = tuple(period.label for period in report.periods)
    end_headings = tuple(f"End of Q{n + 1} ({period.end:%-d %B %Y})" for n, period in enumerate(report.quarters))
    c, s = report.children, report.stages
    found = [
        Table(
            "children-flows",
            "Children: decisions, orders, matches, moves and adoptions",
            flow_headings,
            _flow_lines(
                (
                    ("New decisions that the child should be placed for adoption", lambda f: _n(f.decisions)),
                    ("New placement orders", lambda f: _n(f.placement_orders)),
                    ("Matched with a family (match decisions)", lambda f: _n(f.matched)),
                    ("Moved in with their adoptive family", lambda f: _n(f.placed)),
                    ("Adoption orders", lambda f: _n(f.adopted)),
                    ("Decisions reversed", lambda f: _n(f.reversals)),
                ),
                c,
            ),
            "Children counted once in a period however many records they have in it; matches and moves are counted "
            "by placement.",
        ),
        Table(
            "children-stages",
            "Children at each stage at the end of each quarter",
            end_headings,
            _flow_lines(
                (
                    ("Waiting: a decision, no placement order yet", lambda f: _n(f.decision_no_order)),
                    ("Waiting: a placement order, not yet matched", lambda f: _n(f.order_not_matched)),
                    ("Waiting: matched, not yet moved in", lambda f: _n(f.matched_not_placed)),
                    ("All children waiting (a decision, not yet placed)", lambda f: _n(f.waiting)),
                    ("Living with their adoptive family, no adoption order yet", lambda f: _n(f.placed_not_adopted)),
                ),
                s,
                total=("All children waiting (a decision, not yet placed)",),
            ),
        ),
        Table(
            "timeliness",
            "Timeliness against the adoption scorecard: the 3 years to each quarter's end",
            end_headings,
            _flow_lines(
                (
                    ("A1: days from entering care to moving in with the adoptive family", lambda t: _days(t.a1)),
                    ("A10: A1, for foster carer adoptions to moving in with the carers", lambda t: _days(t.a10)),
                    ("A2: days from the placement order to the match decision", lambda t: _days(t.a2)),
                    ("Children adopted in the 3 years (counted in A1)", lambda t: _n(t.a1.children)),
                ),
                report.timeliness,
            ),
            "The scorecard's mean over every child adopted in the 3 years, against the threshold for the period.",
        ),
        Table(
            "early-permanence",
            "Early permanence placements begun",
            flow_headings,
            _flow_lines(
                (
                    ("Fostering for adoption", lambda f: _n(f.ffa)),
                    ("Concurrent planning", lambda f: _n(f.concurrent)),
                    ("All early permanence placements", lambda f: _n(f.early_permanence)),
                ),
                c,
                total=("All early permanence placements",),
            ),
        ),
        Table(
            "adopters-of-children",
            "Children who moved in: the RAA's own adopters and inter-agency placements",
            flow_headings,
            _flow_lines(
                (
                    ("With the RAA's own adopters", lambda f: _n(f.own)),
                    ("With another agency's adopters (inter-agency placements)", lambda f: _n(f.inter_agency)),
                    ("Family's agency not recorded", lambda f: _n(f.agency_not_recorded)),
                    (
                        "Share with the RAA's own adopters",
                        lambda f: (
                            _share(f.own, f.own + f.inter_agency) if f.own + f.inter_agency else "No children moved in"
                        ),
                    ),
                ),
                c,
                total=("Share with the RAA's own adopters",),
            ),
            "The share is of the children whose family's agency is recorded. A family is the RAA's own when the "
            "RAA of the child's local authority approved it.",
        ),
        Table(
            "disruptions",
            "Placements that ended before the adoption order",
            flow_headings,
            _flow_lines(
                (
                    ("Disruptions (with a disruption record)", lambda f: _n(f.disruptions)),
                    ("Of which the disruption meeting is recorded", lambda f: _n(f.disruption_meetings)),
                    ("Ended with no disruption record yet", lambda f: _n(f.ended_without_record)),
                ),
                c,
            ),
        ),
    ]
    if report.adopters is not None:
        a = report.adopters
        found += [
            Table(
                "adopter-flows",
                "Families: enquiries and each step of the process",
                flow_headings,
                _flow_lines(
                    (
                        ("Enquiries", lambda f: _n(f.enquiries)),
                        ("Registrations of interest accepted", lambda f: _n(f.registrations)),
                        ("Stage 1 begun", lambda f: _n(f.stage1_started)),
                        ("Stage 2 begun (fast track included)", lambda f: _n(f.stage2_started)),
                        ("Approved", lambda f: _n(f.approvals)),
                        ("Matched for the first time since approval", lambda f: _n(f.matched)),
                        ("A child moved in for the first time since approval", lambda f: _n(f.placed)),
                        ("Left the process", lambda f: _n(f.left)),
                    ),
                    a.flows,
                ),
                f"Families approved by {', '.join(a.agency_names)}, for all its local authorities: families are not "
                "recorded by local authority.",
            ),
            Table(
                "adopter-stages",
                "Families at each stage at the end of each quarter",
                end_headings,
                _flow_lines(
                    (
                        ("Registered, stage 1 not begun", lambda f: _n(f.registered)),
                        ("In stage 1", lambda f: _n(f.stage1)),
                        ("Stage 1 complete, stage 2 not begun", lambda f: _n(f.between_stages)),
                        ("In stage 2", lambda f: _n(f.stage2)),
                        ("Assessed, awaiting panel or decision", lambda f: _n(f.awaiting_approval)),
                        ("Approved, waiting to be matched", lambda f: _n(f.approved_waiting)),
                        ("Matched, child not yet moved in", lambda f: _n(f.matched)),
                        ("Child placed, no adoption order yet", lambda f: _n(f.placed)),
                    ),
                    a.stages,
                ),
            ),
            Table(
                "assessment-timeliness",
                "Timeliness of the adopters' assessments",
                flow_headings,
                _flow_lines(
                    (
                        ("Stage 1s completed", lambda f: _n(f.stage1_completed)),
                        ("Stage 1 within its timescale", lambda f: _share(f.stage1_on_time, f.stage1_completed)),
                        ("Stage 2s completed", lambda f: _n(f.stage2_completed)),
                        ("Stage 2 within its timescale", lambda f: _share(f.stage2_on_time, f.stage2_completed)),
                        (
                            "Stage 2: average days taken",
                            lambda f: f"{f.stage2_days:,} days" if f.stage2_days is not None else "None completed",
                        ),
                    ),
                    a.flows,
                ),
                "Of the stages that ended in the period. The timescales are those in force when the family began: "
                "normally 2 months for stage 1 and 4 for stage 2 (6 with a recorded reason), days paused added "
                "where the standard says so.",
            ),
        ]
    found.append(
        Table(
            "asf",
            "Adoption Support Fund applications",
            flow_headings,
            _flow_lines(
                (
                    ("Applications submitted", lambda f: _n(f.submitted)),
                    ("Asked of the fund", lambda f: _money(f.submitted_value)),
                    ("Applications approved", lambda f: _n(f.approved)),
                    ("Approved by the fund", lambda f: _money(f.approved_value)),
                    ("Applications refused", lambda f: _n(f.rejected)),
                ),
                report.asf,
            ),
            "The fund's share of each application: its cost less the local authority's match funding.",
        )
    )
    return found


def adopters_not_shown(report: BoardReport, organisation: Organisation) -> str:
    """Why a report has no adopters' tables, in plain words (empty when it has them)."""
    if report.adopters is not None:
        return ""
    if organisation.kind == Organisation.Kind.LA and organisation.raa_id is None:
        return "This local authority is not part of a regional adoption agency: no families are recorded for it."
    return (
        "Families are approved by the regional adoption agency for all its local authorities and are not recorded "
        "by local authority: their figures are in the agency's report, for its managers, ADMs and administrators."
    )
