"""SQL for ticket_events: the append-only record of every ticket state change."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class NewEvent:
    ticket_id: int
    type: str
    occurred_at: datetime
    agent_id: int | None = None
    queue_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def params(self) -> tuple[Any, ...]:
        return (self.ticket_id, self.type, self.occurred_at, self.agent_id, self.queue_id, Jsonb(self.data))


INSERT = """
INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, queue_id, data)
VALUES (%s, %s, %s, %s, %s, %s)
"""
# The same by name, for a statement that appends an event beside other work (tickets.apply_change).
INSERT_NAMED = """INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, queue_id, data)
VALUES (%(event_ticket_id)s, %(event_type)s, %(event_occurred_at)s, %(event_agent_id)s,
        %(event_queue_id)s, %(event_data)s)"""


def named_params(event: NewEvent) -> dict[str, Any]:
    """INSERT_NAMED's parameters for `event`."""
    names = ("ticket_id", "type", "occurred_at", "agent_id", "queue_id", "data")
    return {f"event_{name}": value for name, value in zip(names, event.params(), strict=True)}


async def append(conn: AsyncConnection[Any], *events: NewEvent) -> None:
    """Appends events inside the caller's transaction (the one that makes the state change)."""
    async with conn.cursor() as cur:
        await cur.executemany(INSERT, [e.params() for e in events])


def append_sync(conn: Connection[Any], *events: NewEvent) -> None:
    with conn.cursor() as cur:
        cur.executemany(INSERT, [e.params() for e in events])


async def for_ticket(
    conn: AsyncConnection[Any],
    ticket_id: int,
    *,
    after_id: int = 0,
    limit: int | None = None,
    types: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The ticket's events in order, after the event `after_id`, at most `limit` (None: all), only of
    `types` when given."""
    kinds = None if types is None else list(types)
    async with conn.cursor() as cur:
        await cur.execute(
            """SELECT id, type, occurred_at, agent_id, queue_id, data
               FROM ticket_events
               WHERE ticket_id = %s AND id > %s AND (%s::text[] IS NULL OR type = ANY(%s::text[]))
               ORDER BY id LIMIT %s""",
            (ticket_id, after_id, kinds, kinds, limit),
        )
        cols = [c.name for c in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in await cur.fetchall()]
