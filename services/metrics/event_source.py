"""The follower's reads of ticket_events and tickets: new events in (tx, id) order, and tickets' histories."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from services.metrics.occupancy import HandlingEvent
from services.metrics.store import Position
from services.metrics.timeline import Event

# Only events of transactions below the snapshot's xmin: every such transaction has ended, so no
# event can still appear behind the cursor. An id alone would not do: ids are handed out before
# commit, and a transaction that commits late would add an event behind a cursor that moved on.
# ORDER BY names the table's columns: the output column `tx` is text, and text order is neither
# xid order ('999' > '1000') nor able to use the (tx, id) index.
AFTER = """
SELECT e.tx::text, e.id, e.ticket_id FROM ticket_events e
WHERE (e.tx, e.id) > (%s::text::xid8, %s) AND e.tx < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY e.tx, e.id
LIMIT %s
"""

# The newest position that AFTER could reach now: where a rebuild leaves the cursor.
LAST = """
SELECT e.tx::text, e.id FROM ticket_events e
WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY e.tx DESC, e.id DESC
LIMIT 1
"""

# A moment before which every committed event is below the xmin of a snapshot taken after it:
# a transaction that held back xmin got its xid after its own start, so anything that committed
# before the oldest running writer started has a smaller xid. Run it first in the transaction:
# pg_stat_activity is read once per transaction. Other roles' sessions show no xact_start without
# pg_read_all_stats, so give the metrics role that when other roles write events.
HORIZON_TIME = """
SELECT least(now(), min(xact_start)) FROM pg_stat_activity WHERE backend_xid IS NOT NULL
"""


@dataclass(frozen=True)
class TicketFacts:
    """What a ticket's events do not repeat: fixed at intake."""

    id: int
    channel: str
    customer_id: int
    created_at: datetime
    queue_id: int


async def horizon_time(conn: AsyncConnection[Any]) -> datetime:
    cur = await conn.execute(HORIZON_TIME)
    row = await cur.fetchone()
    assert row is not None
    return row[0]


async def after(conn: AsyncConnection[Any], position: Position, limit: int) -> list[tuple[Position, int]]:
    """Up to `limit` (position, ticket_id) of the final events after `position`."""
    cur = await conn.execute(AFTER, (str(position.tx), position.id, limit))
    return [(Position(int(tx), event_id), ticket_id) for tx, event_id, ticket_id in await cur.fetchall()]


async def last_position(conn: AsyncConnection[Any]) -> Position | None:
    cur = await conn.execute(LAST)
    row = await cur.fetchone()
    return None if row is None else Position(int(row[0]), row[1])


async def tickets(conn: AsyncConnection[Any], ticket_ids: Sequence[int]) -> list[TicketFacts]:
    cur = await conn.execute(
        "SELECT id, channel, customer_id, created_at, queue_id FROM tickets WHERE id = ANY(%s) ORDER BY id",
        (list(ticket_ids),),
    )
    return [TicketFacts(*row) for row in await cur.fetchall()]


async def ticket_ids_after(conn: AsyncConnection[Any], after_id: int, limit: int) -> list[int]:
    """Ticket ids above `after_id` in order, for walking every ticket in batches."""
    cur = await conn.execute("SELECT id FROM tickets WHERE id > %s ORDER BY id LIMIT %s", (after_id, limit))
    return [row[0] for row in await cur.fetchall()]


async def event_ids_of(conn: AsyncConnection[Any], ticket_id: int) -> list[int]:
    """A ticket's event ids (visible now), in order."""
    cur = await conn.execute("SELECT id FROM ticket_events WHERE ticket_id = %s ORDER BY id", (ticket_id,))
    return [row[0] for row in await cur.fetchall()]


async def histories(
    conn: AsyncConnection[Any], ticket_ids: Sequence[int], leave_out: Collection[int] = ()
) -> dict[int, list[Event]]:
    """All events of each ticket (visible now) but those in `leave_out`, in id order."""
    cur = await conn.execute(
        # Only the numbers the timeline reads from `data`, not whole documents (a routed event
        # carries the classifier's explanation).
        """SELECT ticket_id, id, type, occurred_at, agent_id, queue_id,
                  CASE WHEN type IN ('survey_answered', 'quality_evaluated')
                       THEN (data ->> 'score')::float8 END,
                  CASE WHEN type = 'routed' THEN (data ->> 'classify_ms')::float8 END,
                  CASE WHEN type = 'wrap_up_started' THEN (data ->> 'limit_s')::float8 END
           FROM ticket_events WHERE ticket_id = ANY(%s) AND NOT id = ANY(%s) ORDER BY ticket_id, id""",
        # Left out in the query, not after it: a set-aside event may hold what cannot be read.
        (list(ticket_ids), list(leave_out)),
    )
    found: dict[int, list[Event]] = defaultdict(list)
    for ticket_id, *event in await cur.fetchall():
        found[ticket_id].append(Event(*event))
    return found


# The tickets with a handling event in the period (or the lookback before it), and those held and
# answered now (a segment still open), with all their handling events. The partial index
# ticket_events_handling finds the first set by time.
HANDLING = """
WITH touched AS (
    SELECT ticket_id FROM ticket_events
    WHERE type IN ('answered', 'resolved', 'transferred', 'escalated', 'released',
                   'wrap_up_started', 'wrap_up_ended')
      AND occurred_at >= %(since)s AND occurred_at < %(end)s
    UNION
    SELECT id FROM tickets WHERE status = 'answered'
)
SELECT e.ticket_id, q.name, t.channel, e.id, e.type, e.occurred_at, e.agent_id,
       CASE WHEN e.type = 'wrap_up_started' THEN (e.data ->> 'limit_s')::float8 END
FROM touched JOIN tickets t ON t.id = touched.ticket_id JOIN queues q ON q.id = t.queue_id
JOIN ticket_events e ON e.ticket_id = t.id
WHERE e.type IN ('answered', 'resolved', 'transferred', 'escalated', 'released',
                 'wrap_up_started', 'wrap_up_ended')
ORDER BY e.ticket_id, e.id
"""


async def handling_events(
    conn: AsyncConnection[Any], since: datetime, end: datetime
) -> dict[int, tuple[str, str, list[HandlingEvent]]]:
    """(queue, channel, handling events) per ticket touched in [since, end) or answered now."""
    cur = await conn.execute(HANDLING, {"since": since, "end": end})
    found: dict[int, tuple[str, str, list[HandlingEvent]]] = {}
    for ticket_id, queue, channel, *event in await cur.fetchall():
        found.setdefault(ticket_id, (queue, channel, []))[2].append(HandlingEvent(*event))
    return found
