"""Arrival profiles: expected arrivals add up to the yearly volume, only in opening hours for voice."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from services.shared.business_hours import parse_calendar
from services.simulate import profiles
from services.simulate.presets import HOURS

DUBAI = ZoneInfo("Asia/Dubai")
CALENDAR = parse_calendar(HOURS, default_zone=DUBAI)


def test_a_local_year_is_cut_on_the_centre_clock() -> None:
    start, end = profiles.year_bounds(2024, DUBAI)
    assert start == datetime(2023, 12, 31, 20, tzinfo=UTC)
    assert end - start == timedelta(days=366)


@pytest.mark.parametrize("calendar", [CALENDAR, None])
def test_expected_arrivals_integrate_to_the_yearly_volume(calendar: object) -> None:
    start, end = profiles.year_bounds(2024, DUBAI)
    year = profiles.bins(start, end, DUBAI, calendar, profiles.VOICE_HOURS)  # type: ignore[arg-type]
    expected = profiles.expected_counts(year, 34_798)
    assert sum(expected) == pytest.approx(34_798)
    # Mondays are the busiest weekday, and 10:00 busier than 07:00 on the same day.
    monday = [b for b in year if b.start.astimezone(DUBAI).date() == datetime(2024, 1, 1).date()]
    by_hour = {b.start.astimezone(DUBAI).hour: b.weight for b in monday}
    assert by_hour[10] > by_hour[7]


def test_voice_arrives_only_while_the_desk_is_open() -> None:
    start, end = profiles.year_bounds(2024, DUBAI)
    year = profiles.bins(start, end, DUBAI, CALENDAR, profiles.VOICE_HOURS)
    times = profiles.arrivals(
        year, profiles.expected_counts(year, 5_000), np.random.default_rng(3), random.Random(3)
    )
    assert 4_700 < len(times) < 5_300  # Poisson: 5,000 ± 4 sigma
    for moment in times:
        local = moment.astimezone(DUBAI)
        assert local.weekday() != 6  # Sunday is closed
        assert 7 <= local.hour < 20
        if local.weekday() == 4:  # Friday closes for the midday prayer
            assert not 12 <= local.hour < 14


def test_the_same_seed_gives_the_same_arrivals() -> None:
    start, _ = profiles.year_bounds(2024, DUBAI)
    week = profiles.bins(start, start + timedelta(days=7), DUBAI, None, profiles.WRITTEN_HOURS)
    expected = profiles.expected_counts(week, 300)

    def draw(seed: int) -> list[datetime]:
        return profiles.arrivals(week, expected, np.random.default_rng(seed), random.Random(seed))

    assert draw(5) == draw(5)
    assert draw(5) != draw(6)
