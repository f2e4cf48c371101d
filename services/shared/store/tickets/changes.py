"""State changes of tickets: a checked change with its event, overflow, a routed claim, a touch."""

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import class_row

from services.shared.store import ticket_events
from services.shared.store.ticket_events import NewEvent
from services.shared.store.tickets.record import COLUMNS, Ticket, get


async def apply_change(
    conn: AsyncConnection[Any], ticket_id: int, changes: dict[str, Any], event: NewEvent
) -> Ticket:
    """Writes a state change and its event in one statement, and returns the ticket as changed; the
    caller holds the row lock in the same transaction. (One round trip where an UPDATE, the event's
    INSERT and a re-read took three; the event's AFTER triggers see the change: they run at the
    statement's end.)"""
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column)) for column in changes
    )
    query = sql.SQL(
        "WITH changed AS (UPDATE tickets SET {} WHERE id = %(id)s RETURNING *), "
        "logged AS ({}) "
        "SELECT {} FROM changed t JOIN queues q ON q.id = t.queue_id"
    ).format(assignments, sql.SQL(ticket_events.INSERT_NAMED), sql.SQL(COLUMNS))
    async with conn.cursor(row_factory=class_row(Ticket)) as cur:
        await cur.execute(query, {**changes, **ticket_events.named_params(event), "id": ticket_id})
        changed = await cur.fetchone()
    assert changed is not None, f"ticket {ticket_id} changed under its caller's lock is gone"
    return changed


# Moves tickets that waited past their queue's overflow time to the overflow queue, one queue per
# call; passes over tickets under offer or locked by another router. The wait keeps counting from
# the first queuing: the customer has waited that long.
OVERFLOW = """
WITH due AS (
    SELECT t.id FROM tickets t
    WHERE t.status = 'queued' AND t.queue_id = (SELECT id FROM queues WHERE name = %(queue)s)
      AND coalesce(t.queued_at, t.created_at) <= %(before)s AND t.reserved_agent_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM ticket_offers o WHERE o.ticket_id = t.id AND o.outcome IS NULL)
    LIMIT %(limit)s FOR UPDATE SKIP LOCKED
), target AS (
    SELECT id FROM queues WHERE name = %(to_queue)s
), moved AS (
    UPDATE tickets t SET queue_id = target.id, last_event_at = greatest(t.last_event_at, %(now)s)
    FROM due, target WHERE t.id = due.id
    RETURNING t.id, t.queue_id, t.last_event_at
), events AS (
    INSERT INTO ticket_events (ticket_id, type, occurred_at, queue_id, data)
    SELECT id, %(event)s, last_event_at, queue_id,
           jsonb_build_object('overflow', true, 'from_queue', %(queue)s::text) FROM moved
)
SELECT id FROM moved
"""


async def overflow(
    conn: AsyncConnection[Any],
    queue: str,
    to_queue: str,
    *,
    before: datetime,
    now: datetime,
    event: str,
    limit: int = 500,
) -> list[int]:
    """Moves the queue's tickets waiting since `before` to `to_queue`; returns their ids."""
    cur = await conn.execute(
        OVERFLOW,
        {"queue": queue, "to_queue": to_queue, "before": before, "now": now, "event": event, "limit": limit},
    )
    return [int(ticket_id) for (ticket_id,) in await cur.fetchall()]


async def claim_next_routed(conn: AsyncConnection[Any], agent_id: int, at: datetime) -> Ticket | None:
    """Claims the agent's next ticket within their capacity (`routing_claim`, 0005_routing.sql)."""
    cur = await conn.execute("SELECT routing_claim(%s, %s)", (agent_id, at))
    row = await cur.fetchone()
    if row is None or row[0] is None:
        return None
    return await get(conn, int(row[0]))


async def touch(conn: AsyncConnection[Any], ticket_id: int, at: datetime) -> None:
    """Moves the ticket's last event time on to `at` (never back): an event was just appended."""
    await conn.execute(
        "UPDATE tickets SET last_event_at = greatest(last_event_at, %s) WHERE id = %s", (at, ticket_id)
    )
