"""The file's data for one child: its episodes, decisions and AD1, on one timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from children.models import Episode
from children.ssda903.reader import Row, Tables

# --- the file's data for one child -----------------------------------------------------------------


@dataclass
class Ep:
    """One episode on the child's timeline: from the file (``row``), the record (``db``), or both."""

    started_on: date
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    ended_on: date | None
    rec: str
    rpc: str
    home_post: str
    pl_post: str
    urn: str
    row: Row | None = None
    db: Episode | None = None

    @classmethod
    def from_row(cls, row: Row) -> Ep:
        v = row.values
        decom = row.dates.get("DECOM")
        assert decom is not None  # rows without a valid DECOM stop the import before planning
        return cls(
            started_on=decom,
            rne=v["RNE"],
            ls=v["LS"],
            cin=v["CIN"],
            place=v["PLACE"],
            provider=v["PLACE_PROVIDER"],
            ended_on=row.dates.get("DEC"),
            rec=v["REC"],
            rpc=v["REASON_PLACE_CHANGE"],
            home_post=_postcode(v["HOME_POST"]),
            pl_post=_postcode(v["PL_POST"]),
            urn=v["URN"],
            row=row,
        )

    @classmethod
    def from_db(cls, episode: Episode) -> Ep:
        return cls(
            started_on=episode.started_on,
            rne=episode.reason_new_episode,
            ls=episode.legal_status,
            cin=episode.category_of_need,
            place=episode.placement_type,
            provider=episode.placement_provider,
            ended_on=episode.ended_on,
            rec=episode.reason_ended,
            rpc=episode.reason_place_change,
            home_post=episode.home_postcode,
            pl_post=episode.placement_postcode,
            urn=episode.urn,
            db=episode,
        )

    @property
    def ends_period(self) -> bool:
        return self.ended_on is not None and self.rec not in ("", "X1")


def _postcode(text: str) -> str:
    return " ".join(text.upper().split())


def _same_postcode(a: str, b: str) -> bool:
    return a.replace(" ", "").upper() == b.replace(" ", "").upper()


@dataclass
class Decision:
    decided_on: date
    reversed_on: date | None
    reason: str
    row: Row


@dataclass
class ChildIn:
    child: str
    header: Row
    episodes: list[Ep] = field(default_factory=list)
    decisions: dict[date, Decision] = field(default_factory=dict)
    ad1: Row | None = None


def _children_in(tables: Tables) -> dict[str, ChildIn]:
    found = {row.child: ChildIn(row.child, row) for row in tables.rows["Header"]}
    for row in tables.rows["Episodes"]:
        found[row.child].episodes.append(Ep.from_row(row))
    for row in tables.rows["PlacedAdoption"]:
        decided = row.dates["DATE_PLACED"]
        assert decided is not None
        found[row.child].decisions[decided] = Decision(
            decided, row.dates.get("DATE_PLACED_CEASED"), row.values["REASON_PLACED_CEASED"], row
        )
    for row in tables.rows["AD1"]:
        item = found[row.child]
        item.ad1 = row
        decided = row.dates["DATE_INT"]
        if decided and decided not in item.decisions:
            item.decisions[decided] = Decision(decided, None, "", row)
    for item in found.values():
        item.episodes.sort(key=lambda e: e.started_on)
    return found


def _periods(timeline: list[Ep]) -> list[list[Ep]]:
    periods: list[list[Ep]] = []
    for ep in timeline:
        if not periods or ep.rne == "S" or periods[-1][-1].ends_period:
            periods.append([])
        periods[-1].append(ep)
    return periods
