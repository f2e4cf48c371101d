"""The centre's clock (pure): its IANA zone from CENTRE_TIMEZONE, and instants cut into its days.

Storage stays in UTC; only where time is cut into days, months and years does the zone apply. A
local day is [local midnight, next local midnight): 23 or 25 hours on the days daylight saving
starts or ends. Where a zone skips midnight itself (clocks jump from 00:00 to 01:00), the day begins
at the jump, the instant zoneinfo gives the skipped midnight (fold=0, the offset before the change);
where midnight comes twice, the day begins at the first.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.shared.settings import SettingsError

VARIABLE = "CENTRE_TIMEZONE"
DEFAULT_ZONE = "UTC"
UTC_ZONE = ZoneInfo(DEFAULT_ZONE)


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError when there is none (a path, an abbreviation like "GST")."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Asia/Dubai)") from None


def from_env(environ: Mapping[str, str]) -> ZoneInfo:
    """CENTRE_TIMEZONE, UTC when unset; SettingsError naming the variable when it is no zone."""
    name = (environ.get(VARIABLE) or DEFAULT_ZONE).strip()
    try:
        return zone_named(name)
    except ValueError as exc:
        raise SettingsError(f"{VARIABLE}: {exc}") from None


def local_day(at: datetime, zone: ZoneInfo) -> date:
    """The centre's calendar day that the instant `at` falls in."""
    return at.astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) the centre's day `day` begins."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def whole_days(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The local days [first, end_day) lying wholly inside [start, end) (first >= end_day: none)."""
    first = local_day(start, zone)
    if day_start(first, zone) < start:
        first += timedelta(days=1)
    end_day = local_day(end, zone)
    return first, end_day


def year_start(year: int, zone: ZoneInfo) -> datetime:
    """The instant (in UTC) the centre's year begins."""
    return day_start(date(year, 1, 1), zone)


def parse_bound(text: str, zone: ZoneInfo) -> datetime:
    """A period's bound as given in a query: an ISO 8601 date-time with an offset as it stands, one
    without an offset on the centre's clock, a plain date (2026-01-01) as its local midnight.
    ValueError says what is wrong."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), zone)
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (2026-01-01) or date-time (2026-01-01T08:00)") from None
    return at.replace(tzinfo=zone) if at.tzinfo is None else at
