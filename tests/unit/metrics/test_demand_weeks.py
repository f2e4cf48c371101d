"""ISO weeks of demand (pure): parsing, the same week last year, and assembling counts."""

import pytest

from services.metrics import demand
from services.metrics.demand_store import WeekCount


def test_a_week_is_parsed_or_refused_with_a_reason() -> None:
    assert demand.parse_week("2026-W49") == (2026, 49)
    for bad in ("2026-49", "2025-W53", "2026-W00", "W49"):
        with pytest.raises(ValueError):
            demand.parse_week(bad)


def test_the_same_week_last_year() -> None:
    assert demand.same_week_last_year(2026, 10) == (2025, 10)
    # 2026 has a week 53; 2025 does not.
    assert demand.same_week_last_year(2026, 53) == (2025, 52)


def test_counts_per_dimension_and_the_baseline_of_the_weeks_before() -> None:
    found = [
        WeekCount(0, "card_arrival", "cards", "chat", 30),
        WeekCount(1, "card_arrival", "cards", "phone", 10),
        WeekCount(2, "card_arrival", "cards", "chat", 7),  # last year: not in the baseline
        *[WeekCount(w, "card_arrival", "cards", "chat", 10) for w in range(3, 10)],
    ]
    out = demand.assemble(found)
    (card,) = out["by_intent"]
    assert (card.this_week, card.last_week, card.last_year) == (30, 10, 7)
    assert card.trend is not None and card.trend.baseline == 80 and card.trend.flag == "rising"
    assert {r.key: (r.this_week, r.last_week) for r in out["by_channel"]} == {
        "chat": (30, 0),
        "phone": (0, 10),
    }
    assert [r.key for r in out["by_queue"]] == ["cards"]
