"""When contacts arrive: hourly bins of a year on the centre's clock, weighted by time of day, day
of week and the opening hours, scaled so their expected counts add up to the yearly volume (pure).

Arrivals in a bin are a Poisson count spread uniformly over the bin's open part: a non-homogeneous
Poisson process whose rate is constant within each hour.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from services.shared.business_hours import Calendar

# Relative arrivals per local hour (0-23). Voice and chat: a morning peak after opening, a dip at
# midday, a smaller afternoon hump (the shape of government contact centres' days); written
# channels: the same by day, with some at night.
VOICE_HOURS = (
    0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.7, 1.1, 1.4, 1.45, 1.35,
    1.1, 1.0, 1.15, 1.1, 0.95, 0.8, 0.65, 0.5, 0.35, 0.2, 0.1, 0.1,
)  # fmt: skip
WRITTEN_HOURS = (
    0.2, 0.12, 0.08, 0.06, 0.06, 0.1, 0.25, 0.5, 0.9, 1.2, 1.3, 1.25,
    1.1, 1.05, 1.1, 1.05, 0.95, 0.85, 0.8, 0.75, 0.7, 0.6, 0.45, 0.3,
)  # fmt: skip
# Relative arrivals per weekday (Monday first): the week starts busiest.
WEEKDAYS = (1.2, 1.1, 1.0, 1.0, 0.8, 0.6, 0.5)


@dataclass(frozen=True)
class Bin:
    start: datetime  # UTC
    # The open parts of the hour (UTC), where arrivals may fall; the whole hour when always open.
    open: tuple[tuple[datetime, datetime], ...]
    weight: float


def year_bounds(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The local year [1 January, next 1 January) in UTC."""
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    return start, datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)


def open_parts(calendar: Calendar | None, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The open parts of [start, end) (all of it for None)."""
    if calendar is None:
        return [(start, end)]
    parts = []
    for begin, finish in calendar.open_intervals(start):
        if begin >= end:
            break
        lo, hi = max(begin, start), min(finish, end)
        if lo < hi:
            parts.append((lo, hi))
    return parts


def bins(
    start: datetime, end: datetime, zone: ZoneInfo, calendar: Calendar | None, hours: Sequence[float]
) -> list[Bin]:
    """Hourly bins of [start, end): each weighted by its local hour and weekday and open share."""
    found = []
    at = start
    while at < end:
        nxt = min(at + timedelta(hours=1), end)
        local = at.astimezone(zone)
        parts = open_parts(calendar, at, nxt)
        share = sum((b - a).total_seconds() for a, b in parts) / 3600
        weight = hours[local.hour] * WEEKDAYS[local.weekday()] * share
        if weight > 0:
            found.append(Bin(at, tuple(parts), weight))
        at = nxt
    return found


def expected_counts(year_bins: Sequence[Bin], volume: float) -> list[float]:
    """Each bin's expected arrivals, so that the year's add up to `volume`."""
    total = sum(b.weight for b in year_bins)
    return [volume * b.weight / total for b in year_bins] if total else [0.0] * len(year_bins)


def arrivals(
    year_bins: Sequence[Bin], expected: Sequence[float], rng: np.random.Generator, pick: random.Random
) -> list[datetime]:
    """Poisson arrivals: a count per bin, each at a uniform moment of the bin's open parts; sorted."""
    counts: list[int] = rng.poisson(np.asarray(expected, dtype=float)).tolist() if expected else []
    times = []
    for b, n in zip(year_bins, counts, strict=True):
        lengths = [(hi - lo).total_seconds() for lo, hi in b.open]
        total = sum(lengths)
        for _ in range(int(n)):
            u = pick.random() * total
            for (lo, _hi), length in zip(b.open, lengths, strict=True):
                if u < length:
                    times.append(lo + timedelta(seconds=round(u, 3)))
                    break
                u -= length
    return sorted(times)
