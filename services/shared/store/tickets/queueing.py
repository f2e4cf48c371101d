"""Tickets as they wait: the router's pages of waiting tickets, a ticket's place, a queue's load."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row

from services.shared.routing.eligibility import TicketView
from services.shared.store.tickets.record import Ticket


def _waiting(condition: str) -> str:
    """A count of the tickets waiting in the new ticket's queue that meet `condition`."""
    return f"(SELECT count(*) FROM tickets WHERE status = 'queued' AND queue_id = t.queue_id AND {condition})"


# A new ticket `t`'s place: the waiting tickets before and after it in claim order (as `position`
# counts them), each part a range of the `tickets_waiting` index, so a count reads only what it
# counts rather than the whole queue twice (a new ticket usually comes last among its priority, so
# the part after it is small). The intake statement counts them in its own round trip.
AHEAD = " + ".join(
    map(
        _waiting,
        ["priority > t.priority", "priority = t.priority AND (queued_at, id) < (t.queued_at, t.id)"],
    )
)
BEHIND = " + ".join(
    map(
        _waiting,
        [
            "priority < t.priority",
            "priority = t.priority AND (queued_at, id) > (t.queued_at, t.id)",
            "priority = t.priority AND queued_at IS NULL",
        ],
    )
)


@dataclass(frozen=True)
class Position:
    # 1 = next in its queue.
    position: int
    queue_depth: int


# A waiting ticket as the routing rules see it, decoded by name straight into their TicketView.
WAITING_COLUMNS = """t.id, q.name AS queue, t.channel, t.language, t.priority,
       coalesce(t.queued_at, t.created_at) AS queued_at, t.reserved_agent_id"""

# Waiting tickets not under offer on the given channels, in claim order, a page at a time after a
# (priority, queued_at, id) key; the router re-sorts each page with its policies.
WAITING = f"""
SELECT {WAITING_COLUMNS}
FROM tickets t JOIN queues q ON q.id = t.queue_id
WHERE t.status = 'queued' AND t.channel = ANY(%(channels)s)
  AND (-t.priority, coalesce(t.queued_at, t.created_at), t.id) > (%(priority)s, %(queued_at)s, %(id)s)
  AND NOT EXISTS (SELECT 1 FROM ticket_offers o WHERE o.ticket_id = t.id AND o.outcome IS NULL)
ORDER BY -t.priority, coalesce(t.queued_at, t.created_at), t.id
LIMIT %(limit)s
"""

FIRST_PAGE = (-99, datetime(1, 1, 1, tzinfo=UTC), 0)


async def waiting(
    conn: AsyncConnection[Any],
    channels: list[str],
    limit: int,
    after: tuple[int, datetime, int] = FIRST_PAGE,
) -> list[TicketView]:
    """A page of waiting tickets; pass the last one's `(-priority, queued_at, id)` for the next."""
    async with conn.cursor(row_factory=class_row(TicketView)) as cur:
        await cur.execute(
            WAITING,
            {
                "channels": channels,
                "limit": limit,
                "priority": after[0],
                "queued_at": after[1],
                "id": after[2],
            },
        )
        return await cur.fetchall()


async def waiting_one(conn: AsyncConnection[Any], ticket_id: int) -> TicketView | None:
    """One ticket as `waiting` would give it, whatever its state."""
    async with conn.cursor(row_factory=class_row(TicketView)) as cur:
        await cur.execute(
            f"SELECT {WAITING_COLUMNS} FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.id = %s",
            (ticket_id,),
        )
        return await cur.fetchone()


POSITION = """SELECT count(*) FILTER (WHERE priority > %(p)s
                         OR (priority = %(p)s AND (queued_at, id) < (%(q)s, %(id)s)))
        + 1 AS position,
      count(*) AS queue_depth
FROM tickets WHERE status = 'queued' AND queue_id = %(queue)s"""


async def position(conn: AsyncConnection[Any], ticket: Ticket) -> Position:
    """Where a waiting ticket stands in its queue's claim order (priority, then age)."""
    async with conn.cursor(row_factory=class_row(Position)) as cur:
        await cur.execute(
            POSITION,
            {
                "p": ticket.priority,
                "q": ticket.queued_at or ticket.created_at,
                "id": ticket.id,
                "queue": ticket.queue_id,
            },
        )
        found = await cur.fetchone()
    assert found is not None
    return found


@dataclass(frozen=True)
class QueueLoad:
    """Recent history of a queue, for estimated waits."""

    handle_s: float | None
    arrivals_per_s: float


# The arrivals are counted between two bounds, not from `since` on: the statement is prepared, and
# PostgreSQL's generic plan guesses a third of the table for an open range (`created_at > $2`), so it
# read every ticket (a sequential scan: 9 ms at 5,700 tickets, growing with the year) where a closed
# range goes to the created_at index (0.03 ms).
QUEUE_LOAD = """SELECT (SELECT avg(extract(epoch FROM resolved_at - answered_at))::float8 FROM (
         SELECT resolved_at, answered_at FROM tickets
         WHERE queue_id = %(q)s AND status = 'resolved' AND answered_at IS NOT NULL
         ORDER BY resolved_at DESC LIMIT 200) recent) AS handle_s,
      (SELECT count(*) FROM tickets
         WHERE queue_id = %(q)s AND created_at > %(since)s AND created_at <= %(now)s)
        / %(window_s)s::float8 AS arrivals_per_s"""


async def queue_load(conn: AsyncConnection[Any], queue_id: int, now: datetime, window_s: float) -> QueueLoad:
    """Mean handling time (answer to resolution) of the queue's last 200 resolved tickets, and the
    arrival rate over the window."""
    async with conn.cursor(row_factory=class_row(QueueLoad)) as cur:
        await cur.execute(
            QUEUE_LOAD,
            {"q": queue_id, "since": now - timedelta(seconds=window_s), "now": now, "window_s": window_s},
        )
        found = await cur.fetchone()
    assert found is not None
    return found


@dataclass(frozen=True)
class QueueNow:
    """A queue at this moment, for the supervisor's page."""

    queue_id: int
    queue: str
    waiting: int
    oldest_queued_at: datetime | None
    held: int


QUEUES_NOW = """SELECT q.id AS queue_id, q.name AS queue,
      count(t.id) FILTER (WHERE t.status = 'queued') AS waiting,
      min(coalesce(t.queued_at, t.created_at)) FILTER (WHERE t.status = 'queued')
        AS oldest_queued_at,
      count(t.id) FILTER (WHERE t.status IN ('claimed', 'answered')) AS held
FROM queues q
LEFT JOIN tickets t ON t.queue_id = q.id AND t.status IN ('queued', 'claimed', 'answered')
GROUP BY q.id ORDER BY q.name"""


async def queues_now(conn: AsyncConnection[Any]) -> list[QueueNow]:
    async with conn.cursor(row_factory=class_row(QueueNow)) as cur:
        await cur.execute(QUEUES_NOW)
        return await cur.fetchall()


async def arrivals_by_queue(conn: AsyncConnection[Any], since: datetime) -> dict[int, int]:
    """Tickets queued for a human since `since`, per queue they wait or waited in (self-served ones
    are never offered and do not count)."""
    cur = await conn.execute(
        """SELECT queue_id, count(*) FROM tickets
           WHERE queued_at >= %s AND status <> 'self_served' GROUP BY queue_id""",
        (since,),
    )
    return {int(q): int(n) for q, n in await cur.fetchall()}
