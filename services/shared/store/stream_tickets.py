"""SQL for stream_tickets: short-lived, single-use tickets for one credential's SSE stream."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row


async def issue(
    conn: AsyncConnection[Any], ticket_hash: bytes, credential_id: int, path: str, expires_at: datetime
) -> None:
    # Expired tickets nobody used are swept here, by the index on expiry: issuing is rare.
    await conn.execute("DELETE FROM stream_tickets WHERE expires_at < now()")
    await conn.execute(
        "INSERT INTO stream_tickets (ticket_hash, credential_id, path, expires_at) VALUES (%s, %s, %s, %s)",
        (ticket_hash, credential_id, path, expires_at),
    )


@dataclass(frozen=True)
class Used:
    credential_id: int
    path: str
    expires_at: datetime


async def consume(conn: AsyncConnection[Any], ticket_hash: bytes) -> Used | None:
    """Deletes the ticket and says what it was for; None when unknown or used already. Any use burns
    it, for the right path or not, so a ticket that leaked is worth one try at most."""
    async with conn.cursor(row_factory=class_row(Used)) as cur:
        await cur.execute(
            "DELETE FROM stream_tickets WHERE ticket_hash = %s RETURNING credential_id, path, expires_at",
            (ticket_hash,),
        )
        return await cur.fetchone()
