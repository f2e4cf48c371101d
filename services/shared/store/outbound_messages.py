"""SQL for outbound_messages: texts to customers or supervisors, waiting for a channel to deliver them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row


@dataclass(frozen=True)
class NewMessage:
    channel: str
    kind: str
    body: str
    recipient: str = ""
    ticket_id: int | None = None
    customer_id: int | None = None

    def params(self) -> tuple[Any, ...]:
        return (self.ticket_id, self.customer_id, self.channel, self.kind, self.recipient, self.body)


@dataclass(frozen=True)
class OutboundMessage:
    id: int
    ticket_id: int | None
    customer_id: int | None
    channel: str
    kind: str
    recipient: str
    body: str
    created_at: datetime
    delivered_at: datetime | None


INSERT = """
INSERT INTO outbound_messages (ticket_id, customer_id, channel, kind, recipient, body)
VALUES (%s, %s, %s, %s, %s, %s)
RETURNING id
"""

COLUMNS = "id, ticket_id, customer_id, channel, kind, recipient, body, created_at, delivered_at"

# Oldest first, after a cursor, so an integration pages through its backlog without repeats.
PENDING = f"""
SELECT {COLUMNS} FROM outbound_messages
WHERE channel = %s AND delivered_at IS NULL AND id > %s
ORDER BY id
LIMIT %s
"""

# Only undelivered rows change, so a repeated acknowledgement reports nothing new and keeps the
# first delivery time.
MARK_DELIVERED = """
UPDATE outbound_messages SET delivered_at = %s
WHERE id = ANY(%s) AND channel = %s AND delivered_at IS NULL
RETURNING id
"""


def insert_sync(conn: Connection[Any], message: NewMessage) -> int:
    row = conn.execute(INSERT, message.params()).fetchone()
    assert row is not None
    return int(row[0])


async def insert(conn: AsyncConnection[Any], message: NewMessage) -> int:
    cur = await conn.execute(INSERT, message.params())
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])


def list_pending_sync(
    conn: Connection[Any], channel: str, *, after_id: int = 0, limit: int = 100
) -> list[OutboundMessage]:
    with conn.cursor(row_factory=class_row(OutboundMessage)) as cur:
        return cur.execute(PENDING, (channel, after_id, limit)).fetchall()


async def list_pending(
    conn: AsyncConnection[Any], channel: str, *, after_id: int = 0, limit: int = 100
) -> list[OutboundMessage]:
    async with conn.cursor(row_factory=class_row(OutboundMessage)) as cur:
        await cur.execute(PENDING, (channel, after_id, limit))
        return await cur.fetchall()


async def mark_delivered(
    conn: AsyncConnection[Any], channel: str, ids: list[int], delivered_at: datetime
) -> list[int]:
    """Marks the channel's messages delivered; returns the ids that were pending until now."""
    cur = await conn.execute(MARK_DELIVERED, (delivered_at, ids, channel))
    return sorted(row[0] for row in await cur.fetchall())
