"""The ticket record: its columns, its dataclass, and the queries that read whole tickets."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True)
class FaqAnswer:
    """The classifier's answer to a frequent question: the ticket is self-served with it."""

    faq_id: str
    confidence: float
    text: str


# The columns of a Ticket, by the names of its fields (rows are decoded by name, with `class_row`);
# tests/unit/shared/test_record_columns.py holds the two together.
COLUMNS = """t.id, t.channel, t.external_id, t.request_hash, t.customer_id, t.queue_id, q.name AS queue,
  t.status, t.priority, t.language, t.intent, t.subject, t.body, t.classification, t.routed_by,
  t.assigned_agent_id, t.created_at, t.queued_at, t.answered_at, t.resolved_at, t.last_event_at,
  t.escalation_level, t.escalate_at, t.first_response_due_at, t.resolution_due_at, t.sla_paused_at"""


@dataclass(frozen=True)
class Ticket:
    id: int
    channel: str
    external_id: str
    request_hash: bytes
    customer_id: int
    queue_id: int
    queue: str
    status: str
    priority: int
    language: str
    intent: str
    subject: str
    body: str
    classification: dict[str, Any]
    routed_by: str
    assigned_agent_id: int | None
    created_at: datetime
    queued_at: datetime | None
    answered_at: datetime | None
    resolved_at: datetime | None
    last_event_at: datetime
    escalation_level: int
    escalate_at: datetime | None
    # The SLA deadlines (services/shared/sla.py); the clock stands still while sla_paused_at is set.
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    sla_paused_at: datetime | None = None

    @property
    def answer(self) -> FaqAnswer | None:
        """The FAQ answer the ticket was self-served with, as the classifier's result keeps it."""
        faq = self.classification.get("faq")
        if not isinstance(faq, dict):
            return None
        return FaqAnswer(faq_id=faq["id"], confidence=faq["confidence"], text=faq["answer"])


async def by_external_id(conn: AsyncConnection[Any], channel: str, external_id: str) -> Ticket | None:
    async with conn.cursor(row_factory=class_row(Ticket)) as cur:
        await cur.execute(
            f"SELECT {COLUMNS} FROM tickets t JOIN queues q ON q.id = t.queue_id "
            "WHERE t.channel = %s AND t.external_id = %s",
            (channel, external_id),
        )
        return await cur.fetchone()


async def get(conn: AsyncConnection[Any], ticket_id: int, *, for_update: bool = False) -> Ticket | None:
    lock = " FOR UPDATE OF t" if for_update else ""
    async with conn.cursor(row_factory=class_row(Ticket)) as cur:
        await cur.execute(
            f"SELECT {COLUMNS} FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.id = %s{lock}",
            (ticket_id,),
        )
        return await cur.fetchone()


async def for_customer(
    conn: AsyncConnection[Any], customer_id: int, limit: int = 50, before: tuple[datetime, int] | None = None
) -> list[Ticket]:
    """The customer's tickets on every channel, newest first, after the one of (created_at, id) `before`."""
    async with conn.cursor(row_factory=class_row(Ticket)) as cur:
        await cur.execute(
            f"""SELECT {COLUMNS} FROM tickets t JOIN queues q ON q.id = t.queue_id
                WHERE t.customer_id = %s
                  AND (%s::timestamptz IS NULL OR (t.created_at, t.id) < (%s::timestamptz, %s::bigint))
                ORDER BY t.created_at DESC, t.id DESC LIMIT %s""",
            (customer_id, before and before[0], before and before[0], before and before[1], limit),
        )
        return await cur.fetchall()


async def reply_address(conn: AsyncConnection[Any], ticket_id: int, kind: str) -> str:
    """Where a message on the ticket goes: the address its inquiry gave on its channel, or (tickets
    from before that was kept) the customer's most recent verified identity of `kind`; '' if none."""
    cur = await conn.execute(
        """SELECT coalesce(t.reply_to,
                           (SELECT ci.value FROM customer_identities ci
                            WHERE ci.customer_id = t.customer_id AND ci.kind = %s AND ci.verified
                            ORDER BY ci.created_at DESC LIMIT 1), '')
           FROM tickets t WHERE t.id = %s""",
        (kind, ticket_id),
    )
    row = await cur.fetchone()
    return "" if row is None else str(row[0])


async def held_by(conn: AsyncConnection[Any], agent_id: int) -> list[Ticket]:
    """The tickets the agent holds now, oldest first."""
    async with conn.cursor(row_factory=class_row(Ticket)) as cur:
        await cur.execute(
            f"""SELECT {COLUMNS} FROM tickets t JOIN queues q ON q.id = t.queue_id
                WHERE t.assigned_agent_id = %s AND t.status IN ('claimed', 'answered')
                ORDER BY t.last_event_at, t.id""",
            (agent_id,),
        )
        return await cur.fetchall()
