"""Which intents are rising this week, and which are newly frequent: a stated test, not a percentage (pure).

The rule (docs/demand.md states it for readers):

- Each intent's weekly count is taken as Poisson. Under "no change" its rate this week equals its
  rate over the `BASELINE_WEEKS` weeks before. Conditional on the total n = x + b (x this week,
  b over the baseline), x is then Binomial(n, 1 / (N + 1)) — the exact conditional test of two
  Poisson rates with exposures 1 week and N weeks. The one-sided p-value is P(X >= x).
- Every intent seen this week or in the baseline is one test of the family; the p-values are
  adjusted by Benjamini–Hochberg, so the expected share of false flags among the flagged is at most
  `ALPHA` (and, when nothing changed at all, the chance of any flag is at most `ALPHA`).
- An intent is flagged when x >= `MIN_COUNT`, x is above its baseline weekly mean and its adjusted
  p-value is at most `ALPHA`. A flagged intent whose baseline mean was under `RARE_PER_WEEK` (absent
  or rare before) is "new"; any other flagged intent is "rising".
"""

from collections.abc import Mapping
from dataclasses import dataclass

from scipy.stats import binom

# Weeks before this one that make the baseline: two months, long enough to average out one odd week.
BASELINE_WEEKS = 8
# Fewer inquiries than this in a week are not a trend to act on, however unlikely they were.
MIN_COUNT = 5
# The false discovery rate over all intents tested in one week.
ALPHA = 0.05
# A baseline mean under one inquiry a week counts as absent or rare: a flag there is "new".
RARE_PER_WEEK = 1.0

RISING = "rising"
NEW = "new"


@dataclass(frozen=True)
class Trend:
    key: str
    this_week: int
    # Inquiries over the baseline weeks, and their weekly mean.
    baseline: int
    baseline_mean: float
    p_value: float
    # Benjamini–Hochberg adjusted p-value over the week's family of tests.
    q_value: float
    # "rising", "new" or "" (not flagged).
    flag: str


def p_value(this_week: int, baseline: int, weeks: int = BASELINE_WEEKS) -> float:
    """P(X >= this_week) for X ~ Binomial(this_week + baseline, 1 / (weeks + 1))."""
    if this_week <= 0:
        return 1.0
    return float(binom.sf(this_week - 1, this_week + baseline, 1.0 / (weeks + 1)))


def bh_adjust(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values, in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted


def trends(
    this_week: Mapping[str, int],
    baseline: Mapping[str, int],
    *,
    weeks: int = BASELINE_WEEKS,
    min_count: int = MIN_COUNT,
    alpha: float = ALPHA,
) -> list[Trend]:
    """One Trend per key seen this week or in the baseline; flagged first, then by count this week."""
    if weeks < 1:
        raise ValueError("the baseline needs at least one week")
    keys = sorted(set(this_week) | set(baseline))
    ps = [p_value(this_week.get(k, 0), baseline.get(k, 0), weeks) for k in keys]
    qs = bh_adjust(ps)
    out = []
    for key, p, q in zip(keys, ps, qs, strict=True):
        x, b = this_week.get(key, 0), baseline.get(key, 0)
        mean = b / weeks
        flagged = x >= min_count and x > mean and q <= alpha
        flag = (NEW if mean < RARE_PER_WEEK else RISING) if flagged else ""
        out.append(Trend(key, x, b, mean, p, q, flag))
    out.sort(key=lambda t: (t.flag == "", -t.this_week, t.key))
    return out
