"""A year's proactive messages by kind, channel and outcome, and the repeat contacts of tickets told of
their resolution beside the rest: GET /v1/metrics/proactive's answer, also shown in the yearly report."""

from typing import Any
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection

from services.shared import centre_clock
from services.shared.store import proactive_messages

# The window of a repeat contact: first-contact resolution's (docs/kpis.md), so the two compare.
REPEAT_DAYS = 7


def _repeat(found: proactive_messages.RepeatContacts | None) -> dict[str, Any]:
    if found is None:
        return {"resolved": 0, "repeated": 0, "rate": None}
    return {"resolved": found.resolved, "repeated": found.repeated, "rate": found.repeated / found.resolved}


async def for_year(conn: AsyncConnection[Any], year: int, zone: ZoneInfo) -> dict[str, Any]:
    """The year on the centre's calendar: `counts` (kind, channel, outcome, count), `window_days`,
    `told` and `not_told` (resolved, repeated, rate: null with nothing resolved)."""
    since, until = centre_clock.year_start(year, zone), centre_clock.year_start(year + 1, zone)
    counts = await proactive_messages.counts(conn, since, until)
    repeats = {r.told: r for r in await proactive_messages.repeat_contacts(conn, since, until, REPEAT_DAYS)}
    return {
        "year": year,
        "time_zone": zone.key,
        "counts": [
            {"kind": c.kind, "channel": c.channel, "outcome": c.outcome, "count": c.count} for c in counts
        ],
        "window_days": REPEAT_DAYS,
        "told": _repeat(repeats.get(True)),
        "not_told": _repeat(repeats.get(False)),
    }
