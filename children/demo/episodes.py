"""Where the children live and the SSDA903 episodes that follow from it.

* **Episodes** (one per stretch of the same legal status and placement): the first with RNE S; then
  one for each change of legal status (C1 -> C2 -> E1 at the placement order; V2 -> C1 when
  proceedings are issued), each move between carers (RNE P, with REASON_PLACE_CHANGE on the
  episode that ends), early permanence (U5), placement for adoption (A6, or A5 with the foster
  carers, RNE T: same carers, new placement type, as 903 rule 217 requires) and the end of the
  period with its REC (E11/E12 at the adoption order).
* Postcodes are real full postcodes (ONS) in each LA's towns: the validator derives the placement
  LA and distance from them (rules 169, 179, 392a-c) and knows only full postcodes.
* URNs where rule 218 wants one: the LA's fostering service, an independent fostering agency, the
  VAA, or ``XXXXXXX`` for placements made by the regional adoption agency (rule 242). The Ofsted
  URNs here are made up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from children.demo.care_plans import EpisodePlan

# Real postcodes (ONS postcode directory, as shipped with the validator) in each area's towns.
POSTCODES: dict[str, tuple[str, ...]] = {
    "Coventry": ("CV1 2AA", "CV1 2HE", "CV1 2RL", "CV2 4AA", "CV2 4GP", "CV2 4PZ", "CV3 5AA", "CV6 5GZ"),
    "Tile Hill": ("CV4 9AA", "CV4 9HS", "CV4 9SG"),
    "Earlsdon": ("CV5 6AA", "CV5 6HB", "CV5 6RB"),
    "Solihull": ("B91 3AA", "B91 3HT", "B91 3SH", "B92 7AA", "B92 7FH", "B92 7NY"),
    "Shirley": ("B90 3AA", "B90 3GD", "B90 3PL"),
    "Knowle": ("B93 0AA", "B93 0EF", "B93 0LA"),
    "Nuneaton": ("CV11 4AA", "CV11 4HS", "CV11 4RQ"),
    "Rugby": ("CV21 2AA", "CV21 2JQ", "CV21 2SH"),
    "Leamington Spa": ("CV32 5AA", "CV32 5HT", "CV32 5SJ"),
    "Stratford-upon-Avon": ("CV37 6AA", "CV37 6HT", "CV37 6SL"),
    "Warwick": ("CV34 4AA", "CV34 4JN", "CV34 4SD"),
    "Bedworth": ("CV12 8AA", "CV12 8HZ", "CV12 8RG"),
    "Worcester": ("WR1 2AA", "WR1 2HB", "WR1 2PL", "WR5 1AA", "WR5 1HX", "WR5 1QZ"),
    "Redditch": ("B97 4AA", "B97 4HA", "B97 4PA"),
    "Kidderminster": ("DY10 1AA", "DY10 1LA", "DY10 1SU"),
    "Bromsgrove": ("B60 2AA", "B60 2FN", "B60 2NY"),
    "Malvern": ("WR14 3AA", "WR14 3HQ", "WR14 3QJ"),
    "Evesham": ("WR11 4AA", "WR11 4JU", "WR11 4SR"),
    "Hereford": ("HR1 1AA", "HR1 1HY", "HR1 1SL", "HR4 0AA", "HR4 0JA", "HR4 0RT"),
    "Leominster": ("HR6 8AA", "HR6 8HJ", "HR6 8QT"),
    "Ross-on-Wye": ("HR9 5AA", "HR9 5LN", "HR9 5SJ"),
    # Areas outside the region where some adopters live.
    "Birmingham": ("B13 8AA", "B13 8EW", "B13 8NR"),
    "Wolverhampton": ("WV1 4AA", "WV1 4GU", "WV1 4QL"),
    "Stafford": ("ST16 2AA", "ST16 2HG", "ST16 2PT"),
    "Gloucester": ("GL1 2AA", "GL1 2JB", "GL1 2RQ"),
    "Northampton": ("NN1 3AA", "NN1 3EZ", "NN1 3QE"),
    "Leicester": ("LE2 1AA", "LE2 1HG", "LE2 1TS"),
}

# Made-up Ofsted URNs: each LA's fostering service, two independent fostering agencies, the VAA.
LA_FOSTERING_URN: dict[str, str] = {
    "coventry": "SC905101",
    "solihull": "SC905102",
    "warwickshire": "SC905103",
    "worcestershire": "SC905104",
    "herefordshire": "SC905105",
}
IFA_URNS = ("SC905201", "SC905202")
VAA_URN = "SC905301"
# 903 rule 242: "XXXXXXX" is the URN of a placement made through a regional adoption agency.
RAA_URN = "XXXXXXX"


@dataclass(frozen=True)
class Carer:
    """Who the child lives with. The same ``key`` means the same carers (903 RNE T/U rather than P/B)."""

    key: str
    place: str  # 903 PLACE
    provider: str  # 903 PLACE_PROVIDER
    postcode: str
    urn: str


@dataclass(frozen=True)
class Change:
    """A change on ``on``: a new legal status, new carers (or placement type), or both.

    ``long_term``: the same carers, now as a long-term placement (U6 -> U4, U3 -> U1), when the
    plan becomes long-term fostering.
    """

    on: date
    legal_status: str | None = None
    carer: Carer | None = None
    reason: str = ""  # 903 REASON_PLACE_CHANGE for the placement that ends
    long_term: bool = False


_LONG_TERM = {"U6": "U4", "U3": "U1"}


def build_episodes(
    *,
    started_on: date,
    legal_status: str,
    carer: Carer,
    category_of_need: str,
    home_postcode: str,
    changes: list[Change],
    ended_on: date | None,
    reason_ended: str,
    today: date,
) -> tuple[EpisodePlan, ...]:
    """The 903 episodes of one period of care, from its start and the changes in it.

    Changes on the same day make one new episode; changes on or before the start, on or after
    the end (no episode lasts less than a day: rule 355) or after ``today`` are left out.
    """
    merged: dict[date, Change] = {}
    for change in sorted(changes, key=lambda c: c.on):
        if change.on <= started_on or change.on > today or (ended_on is not None and change.on >= ended_on):
            continue
        earlier = merged.get(change.on)
        if earlier is not None:
            change = Change(
                change.on,
                change.legal_status or earlier.legal_status,
                change.carer or earlier.carer,
                change.reason or earlier.reason,
                change.long_term or earlier.long_term,
            )
        merged[change.on] = change

    def episode(on: date, rne: str, status: str, who: Carer) -> EpisodePlan:
        return EpisodePlan(
            started_on=on,
            reason_new_episode=rne,
            legal_status=status,
            category_of_need=category_of_need,
            placement_type=who.place,
            placement_provider=who.provider,
            home_postcode=home_postcode,
            placement_postcode=who.postcode,
            urn=who.urn,
        )

    episodes = [episode(started_on, "S", legal_status, carer)]
    current_status, current_carer = legal_status, carer
    for on in sorted(merged):
        change = merged[on]
        status = change.legal_status or current_status
        who = change.carer or current_carer
        if change.long_term and who.place in _LONG_TERM:
            who = replace(who, place=_LONG_TERM[who.place])
        status_changed = status != current_status
        placement_changed = who != current_carer
        if not status_changed and not placement_changed:
            continue
        same_carers = who.key == current_carer.key
        # 903 RNE: L legal status only; P new carers; T same carers, new placement;
        # B legal status and new carers; U legal status and new placement, same carers.
        if status_changed and placement_changed:
            rne = "U" if same_carers else "B"
        elif status_changed:
            rne = "L"
        else:
            rne = "T" if same_carers else "P"
        # REASON_PLACE_CHANGE belongs to the episode whose placement ends (rule 225).
        episodes[-1] = replace(
            episodes[-1],
            ended_on=on,
            reason_ended="X1",
            reason_place_change=(change.reason or "OTHER") if placement_changed else "",
        )
        episodes.append(episode(on, rne, status, who))
        current_status, current_carer = status, who
    if ended_on is not None:
        episodes[-1] = replace(episodes[-1], ended_on=ended_on, reason_ended=reason_ended)
    return tuple(episodes)
