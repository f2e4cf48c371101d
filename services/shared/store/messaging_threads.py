"""SQL for messaging_threads: which SMS / WhatsApp conversation a ticket is, for follow-ups and replies."""

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

from services.shared.store.outbound_messages import Leased


async def remember(
    conn: AsyncConnection[Any], ticket_id: int, transport: str, customer: str, centre: str
) -> None:
    """The ticket's conversation; the first one stays (a ticket is answered the way it was opened)."""
    await conn.execute(
        """INSERT INTO messaging_threads (ticket_id, transport, customer, centre) VALUES (%s, %s, %s, %s)
           ON CONFLICT (ticket_id) DO NOTHING""",
        (ticket_id, transport, customer, centre),
    )


async def open_ticket(
    conn: AsyncConnection[Any], channel: str, transport: str, customer: str, centre: str
) -> int | None:
    """The customer's newest ticket of `channel` still open in this conversation (same transport, same
    number of ours). A call's ticket has a conversation too (its replies go by SMS), but a text
    never joins a call: the channel keeps them apart."""
    cur = await conn.execute(
        """SELECT m.ticket_id FROM messaging_threads m JOIN tickets t ON t.id = m.ticket_id
           WHERE m.customer = %s AND m.transport = %s AND m.centre = %s
             AND t.channel = %s AND t.status NOT IN ('resolved', 'abandoned')
           ORDER BY m.created_at DESC LIMIT 1""",
        (customer, transport, centre, channel),
    )
    row = await cur.fetchone()
    return None if row is None else int(row[0])


# The messaging sender's share: pending messages of tickets that are an SMS / WhatsApp conversation,
# due for an attempt, leased while they are sent. Messages of a channel with a callback are the
# callback's, as with mail.
LEASE = """
WITH batch AS (
    SELECT m.id FROM outbound_messages m JOIN messaging_threads th ON th.ticket_id = m.ticket_id
    WHERE m.delivered_at IS NULL AND m.failed_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM outbound_callbacks c WHERE c.channel = m.channel)
      AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= now())
      AND (m.leased_until IS NULL OR m.leased_until <= now())
    ORDER BY m.id
    LIMIT %(limit)s
    FOR NO KEY UPDATE OF m SKIP LOCKED
)
UPDATE outbound_messages m
SET leased_until = now() + make_interval(secs => %(lease_s)s), attempts = m.attempts + 1
FROM batch, messaging_threads th
WHERE m.id = batch.id AND th.ticket_id = m.ticket_id
RETURNING m.id, m.ticket_id, m.channel, m.kind, m.recipient, m.body, m.created_at, m.attempts,
          m.leased_until, th.transport, th.customer, th.centre
"""


@dataclass(frozen=True)
class TextDelivery(Leased):
    """A leased message and the conversation it goes back into."""

    transport: str
    customer: str
    centre: str


def lease_sync(conn: Connection[Any], limit: int, lease_s: float) -> list[TextDelivery]:
    with conn.cursor(row_factory=class_row(TextDelivery)) as cur:
        return cur.execute(LEASE, {"limit": limit, "lease_s": lease_s}).fetchall()
