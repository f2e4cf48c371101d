"""SQL for chat_sessions: a web chat or contact-form customer's hold on their one ticket, found by the
digest of its secret."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row

from services.shared.store import api_credentials


@dataclass(frozen=True)
class ChatSession:
    id: int
    ticket_id: int
    visitor: str
    widget_key_id: int
    credential_id: int
    allowed_origins: list[str]
    expires_at: datetime


async def create(
    conn: AsyncConnection[Any],
    secret_hash: bytes,
    widget_key_id: int,
    ticket_id: int,
    visitor: str,
    expires_at: datetime,
) -> int:
    cur = await conn.execute(
        """INSERT INTO chat_sessions (secret_hash, widget_key_id, ticket_id, visitor, expires_at)
           VALUES (%s, %s, %s, %s, %s) RETURNING id""",
        (secret_hash, widget_key_id, ticket_id, visitor, expires_at),
    )
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def find_open(conn: AsyncConnection[Any], secret_hash: bytes, now: datetime) -> ChatSession | None:
    """The session of a secret while it has not ended or expired and its widget's credential is active
    (neither revoked nor expired)."""
    async with conn.cursor(row_factory=class_row(ChatSession)) as cur:
        await cur.execute(
            f"""SELECT s.id, s.ticket_id, s.visitor, s.widget_key_id, w.credential_id, w.allowed_origins,
                       s.expires_at
                FROM chat_sessions s JOIN widget_keys w ON w.id = s.widget_key_id
                WHERE s.secret_hash = %(hash)s AND s.ended_at IS NULL AND s.expires_at > %(now)s
                  AND w.credential_id IN ({api_credentials.ACTIVE_IDS})
                  AND w.credential_id IN (SELECT id FROM api_credentials WHERE expires_at > %(now)s)""",
            {"hash": secret_hash, "now": now},
        )
        return await cur.fetchone()


async def end(conn: AsyncConnection[Any], session_id: int, at: datetime) -> None:
    await conn.execute(
        "UPDATE chat_sessions SET ended_at = %s WHERE id = %s AND ended_at IS NULL", (at, session_id)
    )
