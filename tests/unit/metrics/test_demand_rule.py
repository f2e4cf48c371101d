"""The rising/new rule on generated weeks: a rising intent is flagged, Poisson noise is not."""

import numpy as np
import pytest

from services.metrics import demand_rule
from services.metrics.demand_rule import ALPHA, BASELINE_WEEKS, NEW, RISING, bh_adjust, p_value, trends

SEEDS = range(400)


def _weeks(rng: np.random.Generator, rates: dict[str, float]) -> tuple[dict[str, int], dict[str, int]]:
    """This week's and the baseline's counts when every intent keeps its rate."""
    this = {k: int(rng.poisson(r)) for k, r in rates.items()}
    base = {k: int(rng.poisson(r, BASELINE_WEEKS).sum()) for k, r in rates.items()}
    return this, base


STEADY = {f"intent_{i}": rate for i, rate in enumerate([2, 5, 8, 12, 20, 30, 50, 80, 120, 200] * 3)}


def test_steady_intents_are_rarely_flagged_across_many_seeds() -> None:
    # 30 steady intents: under the null, BH bounds the chance of any flag in a week by ALPHA.
    weeks_with_a_flag = 0
    for seed in SEEDS:
        this, base = _weeks(np.random.default_rng(seed), STEADY)
        if any(t.flag for t in trends(this, base)):
            weeks_with_a_flag += 1
    # ALPHA plus three standard errors of a proportion over 400 weeks.
    bound = ALPHA + 3 * (ALPHA * (1 - ALPHA) / len(SEEDS)) ** 0.5
    assert weeks_with_a_flag / len(SEEDS) <= bound


def test_a_rising_intent_is_flagged_among_steady_ones() -> None:
    found = 0
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        this, base = _weeks(rng, STEADY)
        # "card_arrival" ran at 10 a week and runs at 30 this week.
        this["card_arrival"] = int(rng.poisson(30))
        base["card_arrival"] = int(rng.poisson(10, BASELINE_WEEKS).sum())
        flagged = {t.key: t.flag for t in trends(this, base) if t.flag}
        found += flagged.get("card_arrival") == RISING
    # Tripling from 10 a week among 31 tests is found in about 93 weeks of 100 (docs/demand.md).
    assert found / len(SEEDS) >= 0.9


def test_a_newly_frequent_intent_is_flagged_new() -> None:
    found = 0
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        this, base = _weeks(rng, STEADY)
        # Absent or one-off before, 12 a week now.
        this["visa_renewal"] = int(rng.poisson(12))
        base["visa_renewal"] = int(rng.poisson(0.2, BASELINE_WEEKS).sum())
        flagged = {t.key: t.flag for t in trends(this, base) if t.flag}
        found += flagged.get("visa_renewal") == NEW
    assert found / len(SEEDS) >= 0.95


def test_below_the_minimum_count_nothing_is_flagged() -> None:
    # 4 this week against nothing before is unlikely under the null, but below MIN_COUNT.
    (trend,) = trends({"rare": demand_rule.MIN_COUNT - 1}, {})
    assert trend.p_value < 0.001
    assert trend.flag == ""


def test_a_falling_intent_is_not_flagged() -> None:
    (trend,) = trends({"falling": 5}, {"falling": 400})
    assert trend.flag == ""
    assert trend.p_value > 0.5


def test_the_p_value_is_the_binomial_tail() -> None:
    # n = 3, p = 1/9: P(X >= 3) = (1/9)^3.
    assert p_value(3, 0) == pytest.approx((1 / 9) ** 3)
    assert p_value(0, 10) == 1.0


def test_bh_adjustment_matches_the_textbook_example() -> None:
    adjusted = bh_adjust([0.01, 0.04, 0.03, 0.5])
    # Sorted 0.01, 0.03, 0.04, 0.5: 0.04, 0.06 -> min(0.06, 0.0533), 0.0533, 0.5.
    assert adjusted == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])


def test_flagged_come_first() -> None:
    out = trends({"a": 1, "b": 40}, {"a": 8, "b": 8})
    assert [t.key for t in out] == ["b", "a"]
    assert out[0].flag == RISING


def test_a_baseline_needs_a_week() -> None:
    with pytest.raises(ValueError):
        trends({"a": 1}, {}, weeks=0)
