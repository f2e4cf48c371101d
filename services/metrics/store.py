"""SQL for ticket_metrics and metrics_cursor: the follower's position, per-ticket rows, KPI sums."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql

from services.metrics.timeline import Timeline

# The cursor row of the ticket_metrics follower (inserted by migration 0003).
CURSOR = "ticket_metrics"


class UnknownQueue(LookupError):
    """A filter names a queue that does not exist."""


@dataclass(frozen=True, order=True)
class Position:
    """A place in ticket_events' (tx, id) order; tx is the xid8 as decimal text."""

    tx: int
    id: int


START = Position(0, 0)


async def lock_cursor(conn: AsyncConnection[Any], *, wait: bool, name: str = CURSOR) -> Position | None:
    """Locks the cursor row until the transaction ends; None when another process holds it (wait=False)."""
    skip = "" if wait else " SKIP LOCKED"
    cur = await conn.execute(
        f"SELECT last_tx::text, last_id FROM metrics_cursor WHERE name = %s FOR UPDATE{skip}", (name,)
    )
    row = await cur.fetchone()
    return None if row is None else Position(int(row[0]), row[1])


async def move_cursor(
    conn: AsyncConnection[Any], to: Position, *, caught_up_at: datetime | None, name: str = CURSOR
) -> None:
    """Moves the cursor; caught_up_at None leaves the previous catch-up time."""
    await conn.execute(
        """UPDATE metrics_cursor
           SET last_tx = %s::text::xid8, last_id = %s, caught_up_at = coalesce(%s, caught_up_at),
               updated_at = now()
           WHERE name = %s""",
        (str(to.tx), to.id, caught_up_at, name),
    )


async def caught_up_at(conn: AsyncConnection[Any], name: str = CURSOR) -> datetime | None:
    cur = await conn.execute("SELECT caught_up_at FROM metrics_cursor WHERE name = %s", (name,))
    row = await cur.fetchone()
    return None if row is None else row[0]


@dataclass(frozen=True)
class MetricsRow:
    ticket_id: int
    channel: str
    customer_id: int
    created_at: datetime
    timeline: Timeline


UPSERT = """
INSERT INTO ticket_metrics (ticket_id, channel, queue_id, customer_id, created_at, queued_at,
    answered_at, abandoned_at, resolved_at, answered_by, resolved_by, wait_s, handle_s, segments,
    transfers, escalations, reopens, faq_answered, self_served, last_event_id, recomputed_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())
ON CONFLICT (ticket_id) DO UPDATE SET
    channel = EXCLUDED.channel, queue_id = EXCLUDED.queue_id, customer_id = EXCLUDED.customer_id,
    created_at = EXCLUDED.created_at, queued_at = EXCLUDED.queued_at,
    answered_at = EXCLUDED.answered_at, abandoned_at = EXCLUDED.abandoned_at,
    resolved_at = EXCLUDED.resolved_at, answered_by = EXCLUDED.answered_by,
    resolved_by = EXCLUDED.resolved_by, wait_s = EXCLUDED.wait_s, handle_s = EXCLUDED.handle_s,
    segments = EXCLUDED.segments, transfers = EXCLUDED.transfers,
    escalations = EXCLUDED.escalations, reopens = EXCLUDED.reopens,
    faq_answered = EXCLUDED.faq_answered, self_served = EXCLUDED.self_served,
    last_event_id = EXCLUDED.last_event_id, recomputed_at = EXCLUDED.recomputed_at
"""


def _params(row: MetricsRow) -> tuple[Any, ...]:
    t = row.timeline
    return (
        row.ticket_id, row.channel, t.queue_id, row.customer_id, row.created_at, t.queued_at,
        t.answered_at, t.abandoned_at, t.resolved_at, t.answered_by, t.resolved_by, t.wait_s,
        t.handle_s, t.segments, t.transfers, t.escalations, t.reopens, t.faq_answered,
        t.self_served, t.last_event_id,
    )  # fmt: skip


async def upsert(conn: AsyncConnection[Any], rows: Sequence[MetricsRow]) -> None:
    if rows:
        async with conn.cursor() as cur:
            await cur.executemany(UPSERT, [_params(r) for r in rows])


async def delete_all(conn: AsyncConnection[Any]) -> None:
    # DELETE, not TRUNCATE: readers keep seeing the old rows until a rebuild commits.
    await conn.execute("DELETE FROM ticket_metrics")


# One row per channel the query covers (th), each figure family over its own period column and
# index. A whole year of a busy centre scans most of the table (about 1 ms per thousand tickets
# here); the yearly report should read daily rollups instead. Short abandonments only need leaving
# out of the queued_at family: an abandoned ticket is never resolved or self-served.
KPI_SUMS = """
WITH th (channel, threshold_s) AS (
    SELECT * FROM unnest(%(channels)s::text[], %(thresholds)s::float8[])
), q AS (
    SELECT m.channel,
           count(*) AS offered,
           count(*) FILTER (WHERE m.answered_at IS NOT NULL) AS answered,
           count(*) FILTER (WHERE m.abandoned_at IS NOT NULL) AS abandoned,
           sum(m.wait_s) FILTER (WHERE m.answered_at IS NOT NULL) AS answered_wait_s,
           sum(m.wait_s) FILTER (WHERE m.abandoned_at IS NOT NULL) AS abandoned_wait_s,
           count(*) FILTER (WHERE m.answered_at IS NOT NULL AND m.wait_s <= th.threshold_s)
               AS answered_in_time
    FROM ticket_metrics m JOIN th ON th.channel = m.channel
    WHERE m.queued_at >= %(start)s AND m.queued_at < %(end)s {queue} {short_abandon}
    GROUP BY m.channel
), r AS (
    SELECT m.channel, count(*) AS resolved, count(m.handle_s) AS handled, sum(m.handle_s) AS handle_s
    FROM ticket_metrics m
    WHERE m.resolved_at >= %(start)s AND m.resolved_at < %(end)s
          AND m.channel = ANY(%(channels)s) {queue}
    GROUP BY m.channel
), s AS (
    SELECT m.channel, count(*) AS self_served
    FROM ticket_metrics m
    WHERE m.created_at >= %(start)s AND m.created_at < %(end)s AND m.self_served
          AND m.channel = ANY(%(channels)s) {queue}
    GROUP BY m.channel
)
SELECT th.channel,
       coalesce(q.offered, 0) AS offered, coalesce(q.answered, 0) AS answered,
       coalesce(q.abandoned, 0) AS abandoned, coalesce(q.answered_wait_s, 0) AS answered_wait_s,
       coalesce(q.abandoned_wait_s, 0) AS abandoned_wait_s,
       coalesce(q.answered_in_time, 0) AS answered_in_time,
       coalesce(r.resolved, 0) AS resolved, coalesce(r.handled, 0) AS handled,
       coalesce(r.handle_s, 0) AS handle_s, coalesce(s.self_served, 0) AS self_served
FROM th LEFT JOIN q USING (channel) LEFT JOIN r USING (channel) LEFT JOIN s USING (channel)
"""


async def kpi_sums(
    conn: AsyncConnection[Any],
    *,
    start: datetime,
    end: datetime,
    thresholds: Mapping[str, float],
    queue_id: int | None = None,
    short_abandon_s: float = 0,
) -> dict[str, dict[str, Any]]:
    """Counts and sums per channel of `thresholds` (the channels covered), keyed by channel."""
    # Optional filters are added to the text rather than written as "(%s IS NULL OR ...)", so the
    # planner sees plain range conditions it can match to the partial indexes.
    queue = sql.SQL("AND m.queue_id = %(queue_id)s") if queue_id is not None else sql.SQL("")
    short = (
        sql.SQL("AND (m.abandoned_at IS NULL OR m.wait_s >= %(short_abandon_s)s)")
        if short_abandon_s > 0
        else sql.SQL("")
    )
    query = sql.SQL(KPI_SUMS).format(queue=queue, short_abandon=short)  # type: ignore[arg-type]
    params = {
        "channels": list(thresholds),
        "thresholds": list(thresholds.values()),
        "start": start,
        "end": end,
        "queue_id": queue_id,
        "short_abandon_s": short_abandon_s,
    }
    cur = await conn.execute(query, params)
    names = [c.name for c in cur.description or ()]
    rows = [dict(zip(names, row, strict=True)) for row in await cur.fetchall()]
    return {row.pop("channel"): row for row in rows}
