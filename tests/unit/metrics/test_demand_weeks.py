"""ISO weeks of demand (pure): parsing, the same week last year, and assembling counts."""

import pytest

from services.metrics import demand
from services.metrics.demand_store import WeekCount


def test_a_week_that_does_not_exist_is_refused() -> None:
    assert demand.monday(2026, 10).isoformat() == "2026-03-02"
    assert demand.label(2026, 9) == "2026-W09"
    for year, week in ((2025, 53), (2026, 0), (2026, 54)):
        with pytest.raises(ValueError, match="has no ISO week"):
            demand.monday(year, week)


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
