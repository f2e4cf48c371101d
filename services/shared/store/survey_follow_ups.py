"""SQL for survey_follow_ups: low survey scores a supervisor follows up (opened with the reply)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True)
class FollowUp:
    id: int
    ticket_id: int
    queue: str
    score: int
    comment: str | None
    opened_at: datetime
    closed_at: datetime | None
    note: str


SELECT = """
SELECT f.id, f.ticket_id, q.name AS queue, f.score, f.comment, f.opened_at, f.closed_at, f.note
FROM survey_follow_ups f JOIN queues q ON q.id = f.queue_id
"""


async def list_open(
    conn: AsyncConnection[Any], queue: str | None, limit: int, after_id: int = 0
) -> list[FollowUp]:
    """Open follow-ups of one queue or all, in the order they were opened (by id), after `after_id`."""
    async with conn.cursor(row_factory=class_row(FollowUp)) as cur:
        await cur.execute(
            SELECT + "WHERE f.closed_at IS NULL AND (%s::text IS NULL OR q.name = %s) AND f.id > %s "
            "ORDER BY f.id LIMIT %s",
            (queue, queue, after_id, limit),
        )
        return await cur.fetchall()


async def close(conn: AsyncConnection[Any], follow_up_id: int, note: str, at: datetime) -> FollowUp | None:
    """Closes a follow-up once (a second close keeps the first note and time); None when unknown."""
    async with conn.cursor(row_factory=class_row(FollowUp)) as cur:
        await cur.execute(
            """UPDATE survey_follow_ups SET closed_at = %s, note = %s WHERE id = %s AND closed_at IS NULL""",
            (at, note, follow_up_id),
        )
        await cur.execute(SELECT + "WHERE f.id = %s", (follow_up_id,))
        return await cur.fetchone()
