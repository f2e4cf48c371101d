"""Business-hour calendars: adding open time to an instant, and open time between two (pure).

A calendar lists open periods per weekday in local wall-clock time, holidays (whole local dates
closed) and an IANA time zone. Durations are real elapsed time: a period that spans a daylight-saving
change is an hour shorter or longer than its wall-clock length says. A period boundary that falls in
the hour a spring-forward skips is read with the offset before the change (zoneinfo's fold=0).
"""

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with no open day in this many days is refused at load; it also bounds every walk, so
# a deadline is always found (or the calendar was never accepted).
MAX_SEARCH_DAYS = 3 * 366
# Days of open intervals a calendar keeps computed (a walk over a closed stretch may ask for many).
DAY_CACHE_LIMIT = 4096


@dataclass(frozen=True)
class Period:
    """Open from `start` to `end` local time on one day; `end` None means until midnight."""

    start: time
    end: time | None

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"period {self.start}-{self.end} ends before it starts")


@dataclass(frozen=True)
class Calendar:
    timezone: ZoneInfo
    # weekday (0 = Monday) → open periods, sorted, not overlapping.
    week: Mapping[int, tuple[Period, ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)
    # Open every moment: deadlines are plain elapsed time, no walking over days.
    always_open: bool = False

    def __post_init__(self) -> None:
        for day, periods in self.week.items():
            for before, after in itertools.pairwise(periods):
                if before.end is None or after.start < before.end:
                    raise ValueError(f"{WEEKDAYS[day]}: periods overlap")
        if not self.always_open and not any(self.week.values()):
            raise ValueError("a calendar needs at least one open period a week")

    def open_intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in UTC, in order, from the local day of `start` on (possibly before it)."""
        day = start.astimezone(self.timezone).date() - timedelta(days=1)
        for _ in range(MAX_SEARCH_DAYS):
            yield from self._day_intervals(day)
            day += timedelta(days=1)
        raise ValueError(f"no open hours within {MAX_SEARCH_DAYS} days")

    def _day_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """One local day's open intervals in UTC. Kept per calendar (a few days are asked for again
        and again: every intake computes three deadlines from today), at most DAY_CACHE_LIMIT days."""
        cache: dict[date, tuple[tuple[datetime, datetime], ...]] = self.__dict__.setdefault("_days", {})
        found = cache.get(day)
        if found is not None:
            return found
        intervals: list[tuple[datetime, datetime]] = []
        if day not in self.holidays:
            for period in self.week.get(day.weekday(), ()):
                begin = datetime.combine(day, period.start, tzinfo=self.timezone)
                if period.end is None:
                    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.timezone)
                else:
                    end = datetime.combine(day, period.end, tzinfo=self.timezone)
                intervals.append((begin.astimezone(UTC), end.astimezone(UTC)))
        if len(cache) >= DAY_CACHE_LIMIT:
            cache.clear()
        cache[day] = found = tuple(intervals)
        return found


ALWAYS = Calendar(ZoneInfo("UTC"), {}, always_open=True)


def add_open_time(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The instant when `duration` of open time has passed since `start`.

    A zero duration from a closed moment is the next opening: a clock that starts at night runs out
    no earlier than the morning.
    """
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    if calendar.always_open:
        return start + duration
    left = duration
    for begin, end in calendar.open_intervals(start):
        if end <= start:
            continue
        begin = max(begin, start)
        if begin + left <= end:
            return begin + left
        left -= end - begin
    raise AssertionError("open_intervals ends by raising")  # pragma: no cover


def open_time_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Open time from `start` to `end`; zero when `end` is not after `start`."""
    if end <= start:
        return timedelta(0)
    if calendar.always_open:
        return end - start
    total = timedelta(0)
    for begin, close in calendar.open_intervals(start):
        if begin >= end:
            return total
        overlap = min(close, end) - max(begin, start)
        if overlap > timedelta(0):
            total += overlap
    raise AssertionError("open_intervals ends by raising")  # pragma: no cover


def parse_period(text: str) -> Period:
    """Reads "08:00-12:30"; "24:00" as an end means midnight."""
    first, sep, second = text.partition("-")
    if not sep:
        raise ValueError(f"period {text!r} is not HH:MM-HH:MM")
    start = time.fromisoformat(first.strip())
    end_text = second.strip()
    end = None if end_text == "24:00" else time.fromisoformat(end_text)
    if end == time(0):
        end = None
    return Period(start, end)


def parse_calendar(spec: Mapping[str, object], default_zone: ZoneInfo | None = None) -> Calendar:
    """Builds a calendar from its configuration mapping; raises ValueError saying what is wrong.
    Without a `timezone` key its hours are on `default_zone` (the centre's clock), else UTC."""
    known = {"timezone", "hours", "holidays", "always_open"}
    unknown = set(spec) - known
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    zone_name = str(spec.get("timezone", default_zone.key if default_zone is not None else "UTC"))
    try:
        zone = ZoneInfo(zone_name)
    except (KeyError, ValueError):
        raise ValueError(f"unknown time zone {zone_name!r}") from None
    if spec.get("always_open"):
        return Calendar(zone, {}, always_open=True)
    hours = spec.get("hours") or {}
    if not isinstance(hours, Mapping):
        raise ValueError("hours must map weekdays to lists of periods")
    week: dict[int, tuple[Period, ...]] = {}
    for name, periods in hours.items():
        if name not in WEEKDAYS:
            raise ValueError(f"unknown weekday {name!r} (use {', '.join(WEEKDAYS)})")
        if not isinstance(periods, list):
            raise ValueError(f"{name}: periods must be a list like ['08:00-12:00']")
        week[WEEKDAYS.index(name)] = tuple(sorted((parse_period(str(p)) for p in periods), key=_start))
    holidays = frozenset(_date(d) for d in spec.get("holidays") or [])  # type: ignore[attr-defined]
    return Calendar(zone, week, holidays)


def _start(period: Period) -> time:
    return period.start


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
