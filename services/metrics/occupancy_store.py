"""SQL for occupancy's daily rollup: occupancy_daily (per day and agent) and occupancy_days."""

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from psycopg import AsyncConnection

from services.metrics.occupancy import AgentShare

HANDLING_TYPES = (
    "answered",
    "resolved",
    "transferred",
    "escalated",
    "released",
    "wrap_up_started",
    "wrap_up_ended",
)


async def delete_all(conn: AsyncConnection[Any]) -> None:
    await conn.execute("DELETE FROM occupancy_daily")
    await conn.execute("DELETE FROM occupancy_days")


async def mark_tickets(conn: AsyncConnection[Any], ticket_ids: Sequence[int], zone: str) -> None:
    """Marks to compute again every day (of the clock `zone`) from each ticket's first handling event
    to its last: a transfer moves the ticket's earlier handling to its new queue."""
    await conn.execute(
        """INSERT INTO occupancy_days (day, computed_until)
           SELECT DISTINCT generate_series(first, last, interval '1 day')::date, NULL::timestamptz
           FROM (SELECT (min(occurred_at) AT TIME ZONE %(zone)s)::date AS first,
                        (max(occurred_at) AT TIME ZONE %(zone)s)::date AS last
                 FROM ticket_events WHERE ticket_id = ANY(%(ids)s) AND type = ANY(%(types)s)
                 GROUP BY ticket_id) spans
           ON CONFLICT (day) DO UPDATE SET computed_until = NULL""",
        {"ids": list(ticket_ids), "zone": zone, "types": list(HANDLING_TYPES)},
    )


async def handling_day_range(conn: AsyncConnection[Any], zone: str) -> tuple[date, date] | None:
    """The first and last day (of the clock `zone`) with a handling event or presence interval."""
    cur = await conn.execute(
        """SELECT (least(min(e.at), min(p.at)) AT TIME ZONE %(zone)s)::date,
                  (greatest(max(e.last), max(p.last)) AT TIME ZONE %(zone)s)::date
           FROM (SELECT min(occurred_at) AS at, max(occurred_at) AS last FROM ticket_events
                 WHERE type = ANY(%(types)s)) e,
                (SELECT min(started_at) AS at, max(coalesce(ended_at, started_at)) AS last
                 FROM agent_presence_intervals) p""",
        {"zone": zone, "types": list(HANDLING_TYPES)},
    )
    row = await cur.fetchone()
    return None if row is None or row[0] is None else (row[0], row[1])


async def to_compute(conn: AsyncConnection[Any], before: date, zone: str, limit: int) -> list[date]:
    """Days before `before` marked to compute again or computed before their end on the clock
    `zone` (oldest first)."""
    cur = await conn.execute(
        """SELECT day FROM occupancy_days
           WHERE day < %(before)s
             AND (computed_until IS NULL OR computed_until < ((day + 1)::timestamp AT TIME ZONE %(zone)s))
           ORDER BY day LIMIT %(limit)s""",
        {"before": before, "zone": zone, "limit": limit},
    )
    return [r[0] for r in await cur.fetchall()]


async def write_day(
    conn: AsyncConnection[Any], day: date, shares: Mapping[int, AgentShare], computed_until: datetime
) -> None:
    """Replaces the day's rows with `shares`, computed up to `computed_until`."""
    await conn.execute("DELETE FROM occupancy_daily WHERE day = %s", (day,))
    if shares:
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO occupancy_daily (day, agent_id, available_s, handling_s, by_queue, by_channel)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (day, a, s.available_s, s.handling_s, json.dumps(s.by_queue), json.dumps(s.by_channel))
                    for a, s in shares.items()
                ],
            )
    await conn.execute(
        """INSERT INTO occupancy_days (day, computed_until) VALUES (%s, %s)
           ON CONFLICT (day) DO UPDATE SET computed_until = EXCLUDED.computed_until""",
        (day, computed_until),
    )


async def computed(conn: AsyncConnection[Any], first: date, end: date) -> dict[date, datetime]:
    """Each day in [first, end) computed (not marked again), with the instant computed up to."""
    cur = await conn.execute(
        "SELECT day, computed_until FROM occupancy_days"
        " WHERE day >= %s AND day < %s AND computed_until IS NOT NULL",
        (first, end),
    )
    return {r[0]: r[1] for r in await cur.fetchall()}


async def summed(conn: AsyncConnection[Any], days: Iterable[date]) -> dict[int, AgentShare]:
    """Each agent's shares summed over `days`."""
    params = {"days": list(days)}
    found: dict[int, AgentShare] = {}
    cur = await conn.execute(
        "SELECT agent_id, sum(available_s), sum(handling_s) FROM occupancy_daily"
        " WHERE day = ANY(%(days)s) GROUP BY agent_id",
        params,
    )
    for agent, available_s, handling_s in await cur.fetchall():
        found[agent] = AgentShare(available_s, handling_s)
    for column in ("by_queue", "by_channel"):
        cur = await conn.execute(
            f"SELECT agent_id, k.key, sum(k.value::float8) FROM occupancy_daily, jsonb_each_text({column}) k"
            " WHERE day = ANY(%(days)s) GROUP BY agent_id, k.key",
            params,
        )
        for agent, key, seconds in await cur.fetchall():
            getattr(found[agent], column)[key] = seconds
    return found
