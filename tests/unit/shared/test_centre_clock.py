"""The centre's clock: CENTRE_TIMEZONE, and instants cut into local days, months and years."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.shared import centre_clock
from services.shared.centre_clock import day_start, local_day, parse_bound, whole_days, year_start
from services.shared.settings import SettingsError

DUBAI = ZoneInfo("Asia/Dubai")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_zone_comes_from_centre_timezone_and_defaults_to_utc():
    assert centre_clock.from_env({}).key == "UTC"
    assert centre_clock.from_env({"CENTRE_TIMEZONE": ""}).key == "UTC"
    assert centre_clock.from_env({"CENTRE_TIMEZONE": "Asia/Dubai"}) == DUBAI


@pytest.mark.parametrize("bad", ["Mars/Olympus", "GST", "+04:00", "../etc/passwd", "Asia/"])
def test_a_name_that_is_no_zone_fails_naming_the_variable(bad):
    with pytest.raises(SettingsError, match=r"^CENTRE_TIMEZONE: unknown time zone"):
        centre_clock.from_env({"CENTRE_TIMEZONE": bad})


def test_a_dubai_night_after_new_year_in_utc_is_the_new_year_locally():
    at = utc(2025, 12, 31, 21, 30)  # 01:30 on 1 January 2026 in Dubai
    assert local_day(at, DUBAI) == date(2026, 1, 1)
    assert local_day(at, UTC_ZONE) == date(2025, 12, 31)
    assert year_start(2026, DUBAI) == utc(2025, 12, 31, 20)
    assert day_start(date(2026, 1, 1), DUBAI) == utc(2025, 12, 31, 20)


def test_days_with_daylight_saving_last_23_and_25_hours():
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)  # London: clocks forward, then back
    assert day_start(spring + timedelta(days=1), LONDON) - day_start(spring, LONDON) == timedelta(hours=23)
    assert day_start(autumn + timedelta(days=1), LONDON) - day_start(autumn, LONDON) == timedelta(hours=25)
    assert day_start(spring, LONDON) == utc(2026, 3, 29, 0)
    assert day_start(spring + timedelta(days=1), LONDON) == utc(2026, 3, 29, 23)
    assert day_start(autumn, LONDON) == utc(2026, 10, 24, 23)
    assert day_start(autumn + timedelta(days=1), LONDON) == utc(2026, 10, 26, 0)
    # Both ends of the long day belong to it; an instant before its start to the day before.
    assert local_day(utc(2026, 10, 24, 23, 0), LONDON) == autumn
    assert local_day(utc(2026, 10, 25, 23, 59), LONDON) == autumn
    assert local_day(utc(2026, 10, 24, 22, 59), LONDON) == autumn - timedelta(days=1)
    assert local_day(utc(2026, 3, 29, 22, 59), LONDON) == spring
    assert local_day(utc(2026, 3, 29, 23, 0), LONDON) == spring + timedelta(days=1)


def test_a_skipped_midnight_starts_the_day_at_the_jump():
    # Chile: on 2026-09-06 clocks go from 00:00 (-04) straight to 01:00 (-03).
    santiago = ZoneInfo("America/Santiago")
    start = day_start(date(2026, 9, 6), santiago)
    assert start == utc(2026, 9, 6, 4)
    assert local_day(start, santiago) == date(2026, 9, 6)
    assert local_day(start - timedelta(microseconds=1), santiago) == date(2026, 9, 5)


def test_whole_days_inside_a_period():
    march = (utc(2024, 3, 1), utc(2024, 4, 1))
    assert whole_days(*march, UTC_ZONE) == (date(2024, 3, 1), date(2024, 4, 1))
    inner = whole_days(utc(2024, 3, 1, 9), utc(2024, 3, 3, 9), UTC_ZONE)
    assert inner == (date(2024, 3, 2), date(2024, 3, 3))
    first, end = whole_days(utc(2024, 3, 1, 9), utc(2024, 3, 1, 10), UTC_ZONE)
    assert first >= end
    # UTC's March is February's last four hours and March less its last four hours in Dubai.
    assert whole_days(*march, DUBAI) == (date(2024, 3, 2), date(2024, 4, 1))
    local_march = (day_start(date(2024, 3, 1), DUBAI), day_start(date(2024, 4, 1), DUBAI))
    assert whole_days(*local_march, DUBAI) == (date(2024, 3, 1), date(2024, 4, 1))
    # New York's March 2026 holds the 23-hour day: still every day whole.
    ny_march = (day_start(date(2026, 3, 1), NEW_YORK), day_start(date(2026, 4, 1), NEW_YORK))
    assert ny_march[1] - ny_march[0] == timedelta(days=31, hours=-1)
    assert whole_days(*ny_march, NEW_YORK) == (date(2026, 3, 1), date(2026, 4, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01", utc(2025, 12, 31, 20)),
        ("2026-01-01T08:00", utc(2026, 1, 1, 4)),
        ("2026-01-01T08:00:00", utc(2026, 1, 1, 4)),
        ("2026-01-01T08:00:00Z", utc(2026, 1, 1, 8)),
        ("2026-01-01T08:00:00+01:00", utc(2026, 1, 1, 7)),
        (" 2026-01-01 ", utc(2025, 12, 31, 20)),
    ],
)
def test_bounds_without_an_offset_are_on_the_centres_clock(text, expected):
    assert parse_bound(text, DUBAI) == expected


@pytest.mark.parametrize("bad", ["", "soon", "2026-13-01", "2026-02-30", "01/01/2026", "2026-01-01T25:00"])
def test_a_bound_that_is_no_date_says_so(bad):
    with pytest.raises(ValueError, match="is not a date"):
        parse_bound(bad, DUBAI)
