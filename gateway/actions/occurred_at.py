"""When an event happened: the caller's word, checked against the clock and the caller's right to
date events (pure).

- No occurred_at: now, for everyone.
- Every token: between EARLIEST and LATEST (what every service computes with: business hours, SLA
  deadlines, metrics' days and years), with an offset, and not in the future beyond the clock skew.
- An integration: at most the past window back (its platform's record of when a call was answered).
- An agent or a supervisor: refused (422). Their actions happen when they make them; a dated resolve
  could make a handling time zero. Refused rather than ignored, so a client that dates its calls
  learns so at once instead of reporting figures the server silently changed.
- A back-fill token, any role: anything after the ticket's last event (checked by the state
  machine) and not in the future; the events it dates carry `"backfill": true` in their data.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Bounds for every token. The lower one is far before any contact centre's records in this system and
# leaves a year 0001 (whose business-hours arithmetic overflows) out; the upper one is far beyond
# any clock skew and keeps a year of days or a deadline's week ahead inside what datetime holds.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class InvalidTime(ValueError):
    pass


@dataclass(frozen=True)
class Window:
    # How far back an integration may date an event.
    past_s: float
    # How far ahead anyone may date one, for clocks that run a little ahead.
    future_s: float


def resolve(
    reported: datetime | None, now: datetime, window: Window, *, role: str, backfill: bool = False
) -> datetime:
    """The time of an event `reported` by a caller of `role`; InvalidTime says why it may not be."""
    if reported is None:
        return now
    if reported.tzinfo is None or reported.utcoffset() is None:
        raise InvalidTime("occurred_at needs a time zone offset (e.g. 2026-01-31T09:00:00Z)")
    # Compared, never converted: converting year 1 or 9999 with an offset to UTC overflows.
    if not EARLIEST <= reported < LATEST:
        raise InvalidTime(
            f"occurred_at {reported.isoformat()} is outside {EARLIEST.date()} to {LATEST.date()}"
        )
    if reported > now + timedelta(seconds=window.future_s):
        raise InvalidTime(f"occurred_at {reported.isoformat()} is in the future")
    if backfill:
        return reported
    if role != "integration":
        raise InvalidTime(
            f"a {role}'s actions are dated by the server: leave out occurred_at "
            "(only a token made with --backfill may date them)"
        )
    if reported < now - timedelta(seconds=window.past_s):
        raise InvalidTime(
            f"occurred_at {reported.isoformat()} is more than {window.past_s:g} s ago "
            "(OCCURRED_AT_WINDOW_S); dating further back needs a token made with --backfill"
        )
    return reported


def dated_by_backfill(reported: datetime | None, backfill: bool) -> bool:
    """Whether an event's time is a back-fill token's word, to be recorded on the event."""
    return backfill and reported is not None
