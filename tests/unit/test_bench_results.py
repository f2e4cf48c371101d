"""The benchmark figures' table and JSON (tests/benchmarks/results.py): ratios point the same way for
rates and times, and the JSON holds what the table shows."""

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks.results import Figure, Results, table


def test_ratio_is_above_one_when_better_than_the_floor_for_rates_and_times() -> None:
    assert Figure("rate", 300.0, "/s", floor=600.0).ratio == 0.5
    assert Figure("time", 20.0, "ms", floor=10.0, lower=True).ratio == 0.5
    assert Figure("no floor", 5.0, "ms").ratio is None
    assert Figure("nothing measured", None, "/s", floor=3.0).ratio is None


def test_table_and_json_carry_each_figure_beside_its_floor(tmp_path: Path) -> None:
    results = Results()
    results.add(
        Figure(
            "intake, 64 connections",
            640.0,
            "inquiries/s",
            1280.0,
            "HTTP + one INSERT",
            saturates="gateway 150 %",
        )
    )
    results.add(Figure("GetKpis, a year", 120.0, "ms", lower=True, target="≤ 300 ms"))
    shown = table(results.figures)
    assert (
        "| intake, 64 connections | 640 inquiries/s | 1,280 inquiries/s (HTTP + one INSERT) | 0.50 "
        "| gateway 150 % |" in shown
    )
    assert "| GetKpis, a year | 120 ms | — | — | — | target ≤ 300 ms |" in shown
    path = tmp_path / "out" / "results.json"
    results.write(path, datetime(2026, 1, 1, tzinfo=UTC), smoke=True)
    written = json.loads(path.read_text())
    assert written["smoke"] is True
    assert [(f["name"], f["ratio"]) for f in written["figures"]] == [
        ("intake, 64 connections", 0.5),
        ("GetKpis, a year", None),
    ]
