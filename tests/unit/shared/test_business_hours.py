"""Business-hour calendar maths (services/shared/business_hours.py): nights, weekends, holidays, DST."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.shared.business_hours import (
    ALWAYS,
    Calendar,
    add_open_time,
    open_time_between,
    parse_calendar,
    parse_period,
)

RIYADH = ZoneInfo("Asia/Riyadh")
LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)
M = timedelta(minutes=1)

# Sunday to Thursday 08:00-12:00 and 13:00-17:00, Saturday 10:00-14:00, closed Friday; one holiday.
OFFICE = parse_calendar(
    {
        "timezone": "Asia/Riyadh",
        "hours": {
            **{day: ["08:00-12:00", "13:00-17:00"] for day in ("sun", "mon", "tue", "wed", "thu")},
            "sat": ["10:00-14:00"],
        },
        "holidays": ["2026-03-22"],
    }
)
LONDON_DAY = parse_calendar(
    {"timezone": "Europe/London", "hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}}
)
# Open overnight across the clocks' change (01:00 is skipped in spring, repeated in autumn).
LONDON_NIGHT = parse_calendar(
    {"timezone": "Europe/London", "hours": {d: ["00:00-06:00"] for d in ("sun", "mon")}}
)


def riyadh(*args: int) -> datetime:
    return datetime(*args, tzinfo=RIYADH)  # type: ignore[misc]


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def test_within_one_period_it_is_plain_addition():
    assert add_open_time(OFFICE, riyadh(2026, 3, 1, 9, 0), 2 * H) == riyadh(2026, 3, 1, 11, 0)  # a Sunday


def test_the_midday_break_does_not_count():
    assert add_open_time(OFFICE, riyadh(2026, 3, 1, 11, 0), 2 * H) == riyadh(2026, 3, 1, 14, 0)


def test_the_night_does_not_count():
    # Monday 16:30 + 1 h: half an hour on Monday, half an hour on Tuesday morning.
    assert add_open_time(OFFICE, riyadh(2026, 3, 2, 16, 30), H) == riyadh(2026, 3, 3, 8, 30)


def test_friday_is_closed_and_saturday_is_short():
    # Thursday 16:00 + 3 h: 1 h on Thursday, Friday closed, 2 h on Saturday from 10:00.
    assert add_open_time(OFFICE, riyadh(2026, 3, 5, 16, 0), 3 * H) == riyadh(2026, 3, 7, 12, 0)
    # Past Saturday's 4 hours, Sunday morning.
    assert add_open_time(OFFICE, riyadh(2026, 3, 5, 16, 0), 6 * H) == riyadh(2026, 3, 8, 9, 0)


def test_a_holiday_is_closed_all_day():
    # Saturday 21 March 13:00 + 2 h: 1 h Saturday, Sunday 22 March a holiday, 1 h on Monday.
    assert add_open_time(OFFICE, riyadh(2026, 3, 21, 13, 0), 2 * H) == riyadh(2026, 3, 23, 9, 0)


def test_a_clock_started_while_closed_starts_at_the_next_opening():
    friday_night = riyadh(2026, 3, 6, 22, 0)
    assert add_open_time(OFFICE, friday_night, 30 * M) == riyadh(2026, 3, 7, 10, 30)
    assert add_open_time(OFFICE, friday_night, timedelta(0)) == riyadh(2026, 3, 7, 10, 0)


def test_a_deadline_at_the_end_of_a_period_stays_there():
    assert add_open_time(OFFICE, riyadh(2026, 3, 1, 8, 0), 4 * H) == riyadh(2026, 3, 1, 12, 0)


def test_results_are_the_same_instant_whatever_zone_the_start_is_given_in():
    start = riyadh(2026, 3, 2, 16, 30)
    assert add_open_time(OFFICE, start.astimezone(UTC), H) == riyadh(2026, 3, 3, 8, 30)


def test_open_time_between_inverts_adding():
    start = riyadh(2026, 3, 5, 11, 15)
    for hours in (0.5, 3, 7, 19, 45):
        end = add_open_time(OFFICE, start, timedelta(hours=hours))
        assert open_time_between(OFFICE, start, end) == timedelta(hours=hours)


def test_open_time_between_counts_nothing_closed_and_nothing_backwards():
    assert open_time_between(OFFICE, riyadh(2026, 3, 6, 0, 0), riyadh(2026, 3, 7, 0, 0)) == timedelta(0)
    assert open_time_between(OFFICE, riyadh(2026, 3, 2, 9, 0), riyadh(2026, 3, 2, 8, 0)) == timedelta(0)
    # A whole ordinary week: 5 days of 8 h and Saturday's 4 h.
    assert open_time_between(OFFICE, riyadh(2026, 3, 1, 0, 0), riyadh(2026, 3, 8, 0, 0)) == 44 * H


def test_london_office_hours_keep_their_wall_clock_across_the_spring_change():
    # Friday 27 March 2026 16:00 GMT + 2 h: 1 h Friday, then Monday 30 March 10:00 BST.
    end = add_open_time(LONDON_DAY, london(2026, 3, 27, 16, 0), 2 * H)
    assert end == london(2026, 3, 30, 10, 0)
    assert end.astimezone(UTC) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_a_night_period_is_an_hour_shorter_when_the_clocks_go_forward_and_longer_when_back():
    # Sunday 29 March 2026: 00:00-06:00 local is 5 real hours; Sunday 25 October: 7 hours.
    spring = london(2026, 3, 29, 0, 0)
    assert open_time_between(LONDON_NIGHT, spring, london(2026, 3, 29, 6, 0)) == 5 * H
    assert add_open_time(LONDON_NIGHT, spring, 5 * H) == london(2026, 3, 29, 6, 0)
    autumn = london(2026, 10, 25, 0, 0)
    assert open_time_between(LONDON_NIGHT, autumn, london(2026, 10, 25, 6, 0)) == 7 * H
    # 2 real hours after midnight is 01:00 a second time (GMT, fold=1), not 02:00.
    assert add_open_time(LONDON_NIGHT, autumn, 2 * H).astimezone(UTC) == datetime(
        2026, 10, 25, 1, 0, tzinfo=UTC
    )


def test_always_open_is_elapsed_time():
    start = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
    assert add_open_time(ALWAYS, start, 90 * M) == start + 90 * M
    assert open_time_between(ALWAYS, start, start + 5 * H) == 5 * H


def test_periods_parse_midnight_and_refuse_nonsense():
    assert parse_period("22:00-24:00").end is None
    with pytest.raises(ValueError):
        parse_period("17:00-08:00")
    with pytest.raises(ValueError):
        parse_period("0800")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"timezone": "Mars/Olympus", "hours": {"mon": ["08:00-12:00"]}}, "time zone"),
        ({"hours": {"funday": ["08:00-12:00"]}}, "weekday"),
        ({"hours": {}}, "at least one open period"),
        ({"hours": {"mon": ["08:00-12:00", "11:00-13:00"]}}, "overlap"),
        ({"hours": {"mon": ["08:00-12:00"]}, "colour": "red"}, "unknown keys"),
    ],
)
def test_calendars_are_checked_when_loaded(spec: dict[str, object], message: str):
    with pytest.raises(ValueError, match=message):
        parse_calendar(spec)


def test_a_calendar_closed_for_years_gives_up_instead_of_looping():
    closed = Calendar(RIYADH, {0: (parse_period("08:00-09:00"),)}, frozenset())
    every_monday = frozenset(date(2026, 1, 5) + timedelta(weeks=w) for w in range(200))
    never = Calendar(RIYADH, closed.week, every_monday)
    with pytest.raises(ValueError, match="no open hours"):
        add_open_time(never, riyadh(2026, 1, 1, 0, 0), H)


def test_a_calendar_without_a_zone_keeps_the_centres_clock():
    spec = {"hours": {"mon": ["09:00-17:00"]}}
    assert parse_calendar(spec).timezone.key == "UTC"
    assert parse_calendar(spec, ZoneInfo("Asia/Dubai")).timezone.key == "Asia/Dubai"
    # A zone of its own wins over the centre's.
    assert parse_calendar({**spec, "timezone": "Europe/London"}, ZoneInfo("Asia/Dubai")).timezone == LONDON
