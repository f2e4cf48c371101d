"""SQL for tickets: intake, lookup, the claim order, and state changes."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from services.shared.store import ticket_documents, ticket_events
from services.shared.store.ticket_documents import Document
from services.shared.store.ticket_events import NewEvent

COLUMNS = """t.id, t.channel, t.external_id, t.request_hash, t.customer_id, t.queue_id, q.name AS queue,
  t.status, t.priority, t.language, t.intent, t.subject, t.body, t.classification, t.routed_by,
  t.assigned_agent_id, t.created_at, t.queued_at, t.answered_at, t.resolved_at, t.last_event_at,
  t.escalation_level, t.escalate_at"""


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


@dataclass(frozen=True)
class FaqAnswer:
    """The classifier's answer to a frequent question: the ticket is self-served with it."""

    faq_id: str
    confidence: float
    text: str


@dataclass(frozen=True)
class NewTicket:
    channel: str
    external_id: str
    request_hash: bytes
    identities: list[tuple[str, str]]
    customer_name: str | None
    customer_language: str | None
    customer_tier: str
    queue: str
    priority: int
    language: str
    intent: str
    subject: str
    body: str
    classification: dict[str, Any]
    routed_by: str
    occurred_at: datetime
    escalate_at: datetime | None
    # Set when the inquiry is answered at once: the ticket is `self_served`, queued for nobody.
    faq: FaqAnswer | None = None
    # The customer's address on the ticket's channel, for the FAQ answer's outbound message.
    recipient: str = ""
    documents: list[Document] = field(default_factory=list)


# Intake in one statement, so one round trip commits it: find the customer by any identity given
# (or create one), attach the identities not yet known, store the ticket in the classifier's queue
# (`triage` if that queue does not exist), append its `created` and `routed` events, and store what
# was read from its documents. An inquiry the classifier answered from the FAQ is stored
# `self_served`, waiting in no queue (queued_at and escalate_at NULL), with a `self_served` event and
# the answer as an outbound message; its `routed` event still names the queue a human would take it
# in. A replay of (channel, external_id) inserts nothing and returns no row.
INTAKE = f"""
WITH given AS (
    SELECT * FROM unnest(%(kinds)s::text[], %(values)s::text[]) AS g (kind, value)
), found AS (
    SELECT ci.customer_id AS id FROM customer_identities ci JOIN given g USING (kind, value)
    ORDER BY ci.created_at, ci.customer_id LIMIT 1
), created_customer AS (
    INSERT INTO customers (display_name, language, tier)
    SELECT %(customer_name)s, %(customer_language)s, %(customer_tier)s
    WHERE NOT EXISTS (SELECT 1 FROM found)
    RETURNING id
), customer AS (
    SELECT id FROM found UNION ALL SELECT id FROM created_customer
), identities AS (
    INSERT INTO customer_identities (kind, value, customer_id)
    SELECT g.kind, g.value, customer.id FROM given g CROSS JOIN customer
    ON CONFLICT (kind, value) DO NOTHING
    RETURNING 1
), queue AS (
    SELECT id, name FROM queues WHERE name = %(queue)s
    UNION ALL
    SELECT id, name FROM queues
    WHERE name = 'triage' AND NOT EXISTS (SELECT 1 FROM queues WHERE name = %(queue)s)
), t AS (
    INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status, priority,
        language, intent, subject, body, classification, routed_by, created_at, queued_at,
        last_event_at, escalate_at)
    SELECT %(channel)s, %(external_id)s, %(request_hash)s, customer.id, queue.id, %(status)s, %(priority)s,
        %(language)s, %(intent)s, %(subject)s, %(body)s, %(classification)s, %(routed_by)s,
        %(occurred_at)s, %(queued_at)s::timestamptz, %(occurred_at)s, %(escalate_at)s::timestamptz
    FROM customer CROSS JOIN queue
    ON CONFLICT (channel, external_id) DO NOTHING
    RETURNING *
), events AS (
    INSERT INTO ticket_events (ticket_id, type, occurred_at, queue_id, data)
    SELECT id, 'created', created_at, NULL, %(created_data)s FROM t
    UNION ALL
    SELECT id, 'routed', created_at, queue_id, %(routed_data)s FROM t
    UNION ALL
    SELECT id, 'self_served', created_at, queue_id, %(self_served_data)s::jsonb FROM t
    WHERE %(self_served_data)s::jsonb IS NOT NULL
), answer AS (
    INSERT INTO outbound_messages (ticket_id, customer_id, channel, kind, recipient, body)
    SELECT id, customer_id, channel, 'faq_answer', %(recipient)s, %(faq_answer)s::text FROM t
    WHERE %(faq_answer)s::text IS NOT NULL
), documents AS (
    INSERT INTO ticket_documents (ticket_id, position, filename, content_type, bytes, pages, text, note)
    SELECT t.id, d.position, d.filename, d.content_type, d.bytes, d.pages, d.text, d.note
    FROM t CROSS JOIN unnest(%(doc_filenames)s::text[], %(doc_content_types)s::text[],
        %(doc_bytes)s::integer[], %(doc_pages)s::integer[], %(doc_texts)s::text[], %(doc_notes)s::text[])
        WITH ORDINALITY AS d (filename, content_type, bytes, pages, text, note, position)
)
SELECT {COLUMNS},
       EXISTS (SELECT 1 FROM created_customer) AS new_customer,
       (SELECT count(*) FROM identities) AS identities_added
FROM t JOIN queue q ON q.id = t.queue_id
"""


async def intake(conn: AsyncConnection[Any], new: NewTicket) -> Ticket | None:
    """Stores a new ticket; None when (channel, external_id) already exists. `conn` is autocommit."""
    params = {
        "kinds": [k for k, _ in new.identities],
        "values": [v for _, v in new.identities],
        "customer_name": new.customer_name,
        "customer_language": new.customer_language,
        "customer_tier": new.customer_tier,
        "queue": new.queue,
        "channel": new.channel,
        "external_id": new.external_id,
        "request_hash": new.request_hash,
        "priority": new.priority,
        "language": new.language,
        "intent": new.intent,
        "subject": new.subject,
        "body": new.body,
        "classification": Jsonb(new.classification),
        "routed_by": new.routed_by,
        "occurred_at": new.occurred_at,
        "status": "self_served" if new.faq else "queued",
        "queued_at": None if new.faq else new.occurred_at,
        "escalate_at": None if new.faq else new.escalate_at,
        "created_data": Jsonb({"channel": new.channel, "external_id": new.external_id}),
        "routed_data": Jsonb({"routed_by": new.routed_by, **new.classification}),
        "self_served_data": Jsonb({"faq_id": new.faq.faq_id, "confidence": new.faq.confidence})
        if new.faq
        else None,
        "faq_answer": new.faq.text if new.faq else None,
        "recipient": new.recipient,
        **ticket_documents.intake_params(new.documents),
    }
    cur = await conn.execute(INTAKE, params)
    row = await cur.fetchone()
    if row is None:
        return None
    # By position, in COLUMNS order: reading cursor.description would cost more than the rest of
    # this function on the intake's hot path.
    *values, new_customer, added = row
    ticket = Ticket(*values)
    if new_customer and added < len(new.identities):
        # Another intake created the same person at the same moment and won the identity: move this
        # ticket to that customer, so one identity always leads to one person.
        await _merge_raced_customer(conn, ticket.id, ticket.customer_id, new.identities)
    return ticket


async def _merge_raced_customer(
    conn: AsyncConnection[Any], ticket_id: int, orphan_id: int, identities: list[tuple[str, str]]
) -> None:
    async with conn.transaction():
        await conn.execute(
            """UPDATE tickets SET customer_id = ci.customer_id
               FROM customer_identities ci
               WHERE tickets.id = %s AND (ci.kind, ci.value) = (%s, %s) AND ci.customer_id <> %s""",
            (ticket_id, identities[0][0], identities[0][1], orphan_id),
        )
        await conn.execute(
            """UPDATE customer_identities SET customer_id = (SELECT customer_id FROM tickets WHERE id = %s)
               WHERE customer_id = %s""",
            (ticket_id, orphan_id),
        )
        await conn.execute(
            """DELETE FROM customers c
               WHERE id = %s AND NOT EXISTS (SELECT 1 FROM tickets WHERE customer_id = c.id)""",
            (orphan_id,),
        )


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


# The best waiting ticket of the agent's queues (priority, then age); SKIP LOCKED lets concurrent
# claims pass over a ticket another agent is taking instead of queueing behind its lock.
CLAIM_NEXT = f"""
WITH next AS (
    SELECT id FROM tickets
    WHERE status = 'queued'
      AND queue_id IN (SELECT queue_id FROM agent_queues WHERE agent_id = %(agent_id)s)
    ORDER BY priority DESC, queued_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), t AS (
    UPDATE tickets SET status = 'claimed', assigned_agent_id = %(agent_id)s,
        last_event_at = greatest(last_event_at, %(at)s)
    FROM next WHERE tickets.id = next.id
    RETURNING tickets.*
), events AS (
    INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, queue_id, data)
    SELECT id, 'claimed', last_event_at, %(agent_id)s, queue_id, '{{}}' FROM t
)
SELECT {COLUMNS} FROM t JOIN queues q ON q.id = t.queue_id
"""


async def claim_next(conn: AsyncConnection[Any], agent_id: int, at: datetime) -> Ticket | None:
    """Claims and returns the agent's next ticket, or None when none waits. A claim dated before the
    ticket's last event is recorded at that event's time, so no duration is ever negative."""
    async with conn.cursor(row_factory=class_row(Ticket)) as cur:
        await cur.execute(CLAIM_NEXT, {"agent_id": agent_id, "at": at})
        return await cur.fetchone()


async def apply_change(
    conn: AsyncConnection[Any], ticket_id: int, changes: dict[str, Any], event: NewEvent
) -> None:
    """Writes a state change and its event; the caller holds the row lock in the same transaction."""
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column)) for column in changes
    )
    await conn.execute(
        sql.SQL("UPDATE tickets SET {} WHERE id = %(id)s").format(assignments),
        {**changes, "id": ticket_id},
    )
    await ticket_events.append(conn, event)
