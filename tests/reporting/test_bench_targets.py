"""How the benchmark times an item and its floor, decides that the item meets its target, and says so in its table."""

from __future__ import annotations

from reporting.bench.timing import Item, Timings, table, time_rounds


def _item(median: float, floor: float, **options) -> Item:
    return Item(name="x", description="", target=5, timings=Timings((median,)), floor=Timings((floor,)), **options)


def test_an_item_is_met_at_or_under_its_ratio_and_with_every_condition():
    assert _item(50, 10).met is True
    assert _item(51, 10).met is False
    assert _item(40, 10, conditions={"queries_constant": False}).met is False


def test_an_item_whose_target_is_a_condition_reports_its_ratio_without_being_judged_by_it():
    spread = "spread: every job done, over the worker's processes"
    over = _item(60, 10, conditions={"spread_over_processes": True}, target_is=spread)
    assert over.ratio == 6 and over.met is True
    assert _item(60, 10, conditions={"spread_over_processes": False}, target_is=spread).met is False
    report = over.as_dict()
    assert report["ratio"] == 6 and report["target_is"] == spread and report["met"] is True
    row = table([report]).splitlines()[-1].split()
    assert row[:7] == ["x", "60.0", "60.0", "10.0", "6.00", "spread", "yes"]


def test_a_thing_and_its_floors_are_timed_in_turn_round_after_round():
    calls: list[str] = []
    page, floor = time_rounds(lambda: calls.append("page"), lambda: calls.append("floor"), repeat=3, warmup=1)

    assert calls == ["page", "floor"] * 4  # one unmeasured round, then three measured
    assert len(page.samples) == len(floor.samples) == 3
    assert all(sample >= 0 for sample in page.samples + floor.samples)
