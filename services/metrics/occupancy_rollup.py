"""Occupancy over long periods from the daily rollup (occupancy_daily), the rest computed live.

A day of the centre's clock is read from the rollup once computed up to its end and not touched by
an event since; every other stretch of the period (partial first and last days, today, days not
computed yet) is computed live from the events, as occupancy_source does for any period. Both give
agents' shares of disjoint windows, and occupancy sums those (services/metrics/occupancy.py), so
the figures are those of the live computation over the whole period.

The follower marks the days a ticket's handling spans (first to last handling event) whenever the
ticket has new events, and computes ended days marked or computed before their end, a few per pass
once caught up; a rebuild computes every day. Kept in the centre's zone like kpi_daily: a rebuild
on a zone change starts them again. Presence intervals are written as they happen (never back-dated),
so an ended day's presence does not change after it is computed.
"""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection

from services.metrics import occupancy_source, occupancy_store
from services.metrics.occupancy import AgentShare, Occupancy
from services.shared import centre_clock

# Days computed per follower pass once caught up: each reads one day's handling events.
DAYS_PER_PASS = 4


async def compute_day(conn: AsyncConnection[Any], day: date, zone: ZoneInfo, now: datetime) -> None:
    start = centre_clock.day_start(day, zone)
    end = centre_clock.day_start(day + timedelta(days=1), zone)
    found = await occupancy_source.shares(conn, start, end, now)
    await occupancy_store.write_day(conn, day, found, min(end, now))


async def compute_due(
    conn: AsyncConnection[Any], zone: ZoneInfo, now: datetime, limit: int = DAYS_PER_PASS
) -> int:
    """Computes up to `limit` ended days that are due; returns how many."""
    days = await occupancy_store.to_compute(conn, centre_clock.local_day(now, zone), zone.key, limit)
    for day in days:
        await compute_day(conn, day, zone, now)
    return len(days)


async def compute_all(conn: AsyncConnection[Any], zone: ZoneInfo, now: datetime) -> int:
    """Every ended day from the first handling event or presence interval (a rebuild); returns how many."""
    await occupancy_store.delete_all(conn)
    found = await occupancy_store.handling_day_range(conn, zone.key)
    if found is None:
        return 0
    day, today = found[0], centre_clock.local_day(now, zone)
    count = 0
    while day < today and day <= found[1]:
        await compute_day(conn, day, zone, now)
        day, count = day + timedelta(days=1), count + 1
    return count


async def read(
    conn: AsyncConnection[Any], start: datetime, end: datetime, now: datetime, zone: ZoneInfo
) -> Occupancy:
    """Occupancy over [start, end), as occupancy_source.read gives, whole computed days from the rollup."""
    until = min(end, now)
    first, end_day = centre_clock.whole_days(start, until, zone)
    ready: list[date] = []
    if first < end_day:
        computed = await occupancy_store.computed(conn, first, end_day)
        ready = [
            d
            for d, at in sorted(computed.items())
            if at >= centre_clock.day_start(d + timedelta(days=1), zone)
        ]
    parts: list[dict[int, AgentShare]] = []
    if ready:
        parts.append(await occupancy_store.summed(conn, ready))
    # The stretches between rollup days, computed live.
    edge = start
    for d in ready:
        day_start = centre_clock.day_start(d, zone)
        if edge < day_start:
            parts.append(await occupancy_source.shares(conn, edge, day_start, now))
        edge = centre_clock.day_start(d + timedelta(days=1), zone)
    if edge < until:
        parts.append(await occupancy_source.shares(conn, edge, until, now))
    return await occupancy_source.named(conn, parts)
