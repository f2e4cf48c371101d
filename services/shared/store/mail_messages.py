"""SQL for mail_messages: the Message-IDs of the e-mail channel's conversations and their tickets."""

from typing import Any

from psycopg import AsyncConnection, Connection


async def ticket_of(conn: AsyncConnection[Any], message_ids: list[str]) -> int | None:
    """The ticket of the first of `message_ids` (newest first) that is a mail of a ticket's thread."""
    if not message_ids:
        return None
    cur = await conn.execute(
        """SELECT m.ticket_id FROM unnest(%s::text[]) WITH ORDINALITY AS r (id, n)
           JOIN mail_messages m ON m.message_id = r.id
           WHERE m.ticket_id IS NOT NULL ORDER BY r.n LIMIT 1""",
        (message_ids,),
    )
    row = await cur.fetchone()
    return None if row is None else int(row[0])


async def is_outbound(conn: AsyncConnection[Any], message_id: str) -> bool:
    cur = await conn.execute(
        "SELECT 1 FROM mail_messages WHERE message_id = %s AND direction = 'out'", (message_id,)
    )
    return await cur.fetchone() is not None


async def remember_inbound(conn: AsyncConnection[Any], message_id: str, ticket_id: int) -> None:
    """Idempotent: a mail taken twice keeps the ticket it was first taken for."""
    await conn.execute(
        """INSERT INTO mail_messages (message_id, ticket_id, direction) VALUES (%s, %s, 'in')
           ON CONFLICT (message_id) DO NOTHING""",
        (message_id, ticket_id),
    )


def thread_sync(conn: Connection[Any], ticket_id: int) -> list[str]:
    """The ticket's Message-IDs, oldest first."""
    rows = conn.execute(
        "SELECT message_id FROM mail_messages WHERE ticket_id = %s ORDER BY created_at, message_id",
        (ticket_id,),
    ).fetchall()
    return [str(r[0]) for r in rows]


def outbound_id_sync(
    conn: Connection[Any], outbound_message_id: int, new_id: str, ticket_id: int | None
) -> str:
    """The Message-ID of an outbound message: the one it was first given, else `new_id` (kept now)."""
    conn.execute(
        """INSERT INTO mail_messages (message_id, ticket_id, direction, outbound_message_id)
           VALUES (%s, %s, 'out', %s) ON CONFLICT (outbound_message_id) DO NOTHING""",
        (new_id, ticket_id, outbound_message_id),
    )
    row = conn.execute(
        "SELECT message_id FROM mail_messages WHERE outbound_message_id = %s", (outbound_message_id,)
    ).fetchone()
    assert row is not None
    return str(row[0])
