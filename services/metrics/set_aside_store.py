"""SQL for event_set_aside: the events the follower could not process, with the reason."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection


@dataclass(frozen=True)
class SetAside:
    event_id: int
    ticket_id: int
    reason: str
    # None until stored (the database's clock sets it).
    set_aside_at: datetime | None = None


async def add(conn: AsyncConnection[Any], found: Sequence[SetAside]) -> None:
    """Records these events; one set aside again (by a rebuild) keeps its first time, the new reason."""
    if found:
        await conn.execute(
            """INSERT INTO event_set_aside (event_id, ticket_id, reason)
               SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[])
               ON CONFLICT (event_id) DO UPDATE SET reason = EXCLUDED.reason""",
            ([s.event_id for s in found], [s.ticket_id for s in found], [s.reason for s in found]),
        )


async def of_tickets(conn: AsyncConnection[Any], ticket_ids: Sequence[int]) -> set[int]:
    """The set-aside event ids of these tickets."""
    cur = await conn.execute(
        "SELECT event_id FROM event_set_aside WHERE ticket_id = ANY(%s)", (list(ticket_ids),)
    )
    return {row[0] for row in await cur.fetchall()}


async def count(conn: AsyncConnection[Any]) -> int:
    cur = await conn.execute("SELECT count(*) FROM event_set_aside")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def page(conn: AsyncConnection[Any], after_id: int, limit: int) -> list[SetAside]:
    """Up to `limit` set-aside events with ids above `after_id`, in id order."""
    cur = await conn.execute(
        """SELECT event_id, ticket_id, reason, set_aside_at FROM event_set_aside
           WHERE event_id > %s ORDER BY event_id LIMIT %s""",
        (after_id, limit),
    )
    return [SetAside(*row) for row in await cur.fetchall()]


async def delete_all(conn: AsyncConnection[Any]) -> None:
    """Forgets every set-aside event, for a rebuild that tries them again."""
    await conn.execute("DELETE FROM event_set_aside")
