"""SQL for outbound_messages: texts to customers or supervisors, waiting for a channel to deliver them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

from services.shared.store import api_credentials


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


INSERT_MANY = """
INSERT INTO outbound_messages (ticket_id, customer_id, channel, kind, recipient, body)
SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::text[], %b::text[], %b::text[], %b::text[])
RETURNING id
"""


def insert_many_sync(conn: Connection[Any], messages: list[NewMessage]) -> list[int]:
    """Inserts the messages in one statement; returns their ids in the same order."""
    if not messages:
        return []
    columns = list(zip(*(m.params() for m in messages), strict=True))
    # Binary parameters (%b): the bodies are sent without per-element array escaping.
    rows = conn.execute(INSERT_MANY, [list(c) for c in columns]).fetchall()
    return [int(r[0]) for r in rows]


@dataclass(frozen=True)
class Leased:
    id: int
    ticket_id: int | None
    channel: str
    kind: str
    recipient: str
    body: str
    created_at: datetime
    attempts: int
    leased_until: datetime


# A polling integration takes the oldest pending messages of its channel that nobody holds, each
# for `lease` seconds: a second poller passes over them (SKIP LOCKED while the first commits, the
# lease after), and what is not acknowledged in time is handed out again.
LEASE_FOR_POLL = """
WITH batch AS (
    SELECT id FROM outbound_messages
    WHERE channel = %(channel)s AND delivered_at IS NULL
      AND (leased_until IS NULL OR leased_until <= now())
    ORDER BY id
    LIMIT %(limit)s
    FOR NO KEY UPDATE SKIP LOCKED
)
UPDATE outbound_messages m
SET leased_until = now() + make_interval(secs => %(lease_s)s), attempts = m.attempts + 1
FROM batch WHERE m.id = batch.id
RETURNING m.id, m.ticket_id, m.channel, m.kind, m.recipient, m.body, m.created_at, m.attempts,
          m.leased_until
"""

# Acknowledged once: a repeat finds delivered_at set and changes nothing (RETURNING tells the two
# apart); a message of another channel is not found at all. The row is locked first: a second ack
# racing the first waits, then reads the first one's delivered_at (FOR UPDATE returns the newest
# version) instead of acknowledging again from its older snapshot.
ACK = """
WITH target AS (
    SELECT id, delivered_at FROM outbound_messages WHERE id = %(id)s AND channel = %(channel)s FOR UPDATE
),
acked AS (
    UPDATE outbound_messages m SET delivered_at = %(at)s, leased_until = NULL
    FROM target WHERE m.id = target.id AND target.delivered_at IS NULL
    RETURNING m.delivered_at
)
SELECT coalesce((SELECT delivered_at FROM acked), (SELECT delivered_at FROM target)),
       EXISTS (SELECT 1 FROM acked)
WHERE EXISTS (SELECT 1 FROM target)
"""

# A polled batch acknowledged at once: every id must be the channel's (else nothing changes and the
# unknown ones are named); those not yet acknowledged are now. Locked in id order, as ACK locks one.
ACK_MANY = """
WITH target AS (
    SELECT id, delivered_at FROM outbound_messages
    WHERE id = ANY(%(ids)s) AND channel = %(channel)s ORDER BY id FOR UPDATE
),
acked AS (
    UPDATE outbound_messages m SET delivered_at = %(at)s, leased_until = NULL
    FROM target WHERE m.id = target.id AND target.delivered_at IS NULL
    RETURNING m.id
)
SELECT t.id, coalesce(t.delivered_at, %(at)s), a.id IS NOT NULL
FROM target t LEFT JOIN acked a ON a.id = t.id ORDER BY t.id
"""


async def acknowledge_many(
    conn: AsyncConnection[Any], channel: str, message_ids: list[int], at: datetime
) -> dict[int, tuple[datetime, bool]]:
    """{id: (delivered_at, newly)} for the channel's messages among `message_ids`, all acknowledged
    in the caller's transaction; ids that are not the channel's are absent (the caller rolls back)."""
    cur = await conn.execute(ACK_MANY, {"ids": message_ids, "channel": channel, "at": at})
    return {int(row[0]): (row[1], bool(row[2])) for row in await cur.fetchall()}


async def lease_for_poll(
    conn: AsyncConnection[Any], channel: str, limit: int, lease_s: float
) -> list[Leased]:
    async with conn.cursor(row_factory=class_row(Leased)) as cur:
        await cur.execute(LEASE_FOR_POLL, {"channel": channel, "limit": limit, "lease_s": lease_s})
        return await cur.fetchall()


async def acknowledge(
    conn: AsyncConnection[Any], channel: str, message_id: int, at: datetime
) -> tuple[datetime, bool] | None:
    """(delivered_at, newly) for the channel's message; None when the channel has no such message."""
    cur = await conn.execute(ACK, {"id": message_id, "channel": channel, "at": at})
    row = await cur.fetchone()
    return None if row is None else (row[0], bool(row[1]))


# The callback sender's share: pending messages of channels with a callback whose credential is
# still active (revoking it stops the posting at once; the messages wait for polling), due for an
# attempt, leased while they are posted (so a crashed sender's messages come back after the lease).
LEASE_FOR_CALLBACK = f"""
WITH batch AS (
    SELECT m.id FROM outbound_messages m JOIN outbound_callbacks c ON c.channel = m.channel
    WHERE m.delivered_at IS NULL AND m.failed_at IS NULL
      AND c.credential_id IN ({api_credentials.ACTIVE_IDS})
      AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= now())
      AND (m.leased_until IS NULL OR m.leased_until <= now())
    ORDER BY m.id
    LIMIT %(limit)s
    FOR NO KEY UPDATE OF m SKIP LOCKED
)
UPDATE outbound_messages m
SET leased_until = now() + make_interval(secs => %(lease_s)s), attempts = m.attempts + 1
FROM batch, outbound_callbacks c
WHERE m.id = batch.id AND c.channel = m.channel
RETURNING m.id, m.ticket_id, m.channel, m.kind, m.recipient, m.body, m.created_at, m.attempts,
          m.leased_until, c.url, c.secret
"""


@dataclass(frozen=True)
class CallbackDelivery(Leased):
    """A leased message and the callback it is posted to."""

    url: str
    secret: str


def lease_for_callback_sync(conn: Connection[Any], limit: int, lease_s: float) -> list[CallbackDelivery]:
    with conn.cursor(row_factory=class_row(CallbackDelivery)) as cur:
        return cur.execute(LEASE_FOR_CALLBACK, {"limit": limit, "lease_s": lease_s}).fetchall()


def delivered_sync(conn: Connection[Any], message_id: int) -> bool:
    """Marks a message the callback accepted; False when it was acknowledged already (by a poller)."""
    row = conn.execute(
        """UPDATE outbound_messages SET delivered_at = now(), leased_until = NULL, last_error = ''
           WHERE id = %s AND delivered_at IS NULL RETURNING id""",
        (message_id,),
    ).fetchone()
    return row is not None


def attempt_failed_sync(conn: Connection[Any], message_id: int, error: str, retry_in_s: float | None) -> None:
    """Schedules the next attempt in `retry_in_s`, or gives up (failed_at) when it is None."""
    conn.execute(
        """UPDATE outbound_messages
           SET leased_until = NULL, last_error = %s,
               next_attempt_at = CASE WHEN %s::float8 IS NULL THEN next_attempt_at
                                      ELSE now() + make_interval(secs => %s::float8) END,
               failed_at = CASE WHEN %s::float8 IS NULL THEN now() END
           WHERE id = %s AND delivered_at IS NULL""",
        (error[:500], retry_in_s, retry_in_s, retry_in_s, message_id),
    )


# The mail sender's share: pending e-mail messages due for an attempt, with their ticket's subject,
# leased while they are sent (a crashed sender's messages come back after the lease). Messages of a
# channel with a callback are the callback's.
LEASE_FOR_MAIL = """
WITH batch AS (
    SELECT m.id FROM outbound_messages m
    WHERE m.channel = 'email' AND m.delivered_at IS NULL AND m.failed_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM outbound_callbacks c WHERE c.channel = m.channel)
      AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= now())
      AND (m.leased_until IS NULL OR m.leased_until <= now())
    ORDER BY m.id
    LIMIT %(limit)s
    FOR NO KEY UPDATE OF m SKIP LOCKED
)
UPDATE outbound_messages m
SET leased_until = now() + make_interval(secs => %(lease_s)s), attempts = m.attempts + 1
FROM batch
WHERE m.id = batch.id
RETURNING m.id, m.ticket_id, m.channel, m.kind, m.recipient, m.body, m.created_at, m.attempts,
          m.leased_until, coalesce((SELECT t.subject FROM tickets t WHERE t.id = m.ticket_id), '') AS subject
"""


@dataclass(frozen=True)
class MailDelivery(Leased):
    """A leased e-mail message and its ticket's subject."""

    subject: str


def lease_for_mail_sync(conn: Connection[Any], limit: int, lease_s: float) -> list[MailDelivery]:
    with conn.cursor(row_factory=class_row(MailDelivery)) as cur:
        return cur.execute(LEASE_FOR_MAIL, {"limit": limit, "lease_s": lease_s}).fetchall()


# What one customer is sent on a ticket, in order, whatever its kind (a reply, an automatic answer, the
# survey and its reminder, anything added later): the messages to their address on the ticket's
# channel, so notices about the ticket to supervisors (other recipients) are never among them.
FOR_RECIPIENT = f"""
SELECT {COLUMNS} FROM outbound_messages
WHERE ticket_id = %s AND channel = %s AND recipient = %s AND id > %s
ORDER BY id
LIMIT %s
"""


async def for_recipient(
    conn: AsyncConnection[Any],
    ticket_id: int,
    channel: str,
    recipient: str,
    *,
    after_id: int = 0,
    limit: int = 100,
) -> list[OutboundMessage]:
    """The messages to `recipient` on the ticket and channel after `after_id`, oldest first."""
    async with conn.cursor(row_factory=class_row(OutboundMessage)) as cur:
        await cur.execute(FOR_RECIPIENT, (ticket_id, channel, recipient, after_id, limit))
        return await cur.fetchall()
