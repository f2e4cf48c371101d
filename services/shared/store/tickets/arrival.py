"""A ticket's arrival: the intake statement (customer, ticket, events, documents in one round trip)
and a follow-up joining an open ticket's thread."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, AsyncRawCursor, errors
from psycopg.types.json import Jsonb

from services.shared.store import ticket_documents
from services.shared.store.ticket_documents import Document
from services.shared.store.tickets.queueing import AHEAD, BEHIND, Position
from services.shared.store.tickets.record import COLUMNS, FaqAnswer, Ticket


@dataclass(frozen=True)
class NewTicket:
    channel: str
    external_id: str
    request_hash: bytes
    # (kind, value, verified): only verified identities find or merge a customer.
    identities: list[tuple[str, str, bool]]
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
    # The customer's address on the ticket's channel (its native identity, as given), kept on the
    # ticket as `reply_to`: the FAQ answer, replies and the survey go there.
    recipient: str = ""
    documents: list[Document] = field(default_factory=list)
    # The SLA deadlines from the ticket's queuing (None for a self-served one, which waits for nobody).
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    sla_warn_at: datetime | None = None
    # Dated by a back-fill token: its `created` and `routed` events say so (`"backfill": true`).
    backfill: bool = False
    # A known customer may hear how their recent ticket on the same intent ended: the statement leaves
    # a `returning` row in proactive_due in the ticket's transaction, so a crash after it loses nothing.
    returning_due: bool = False


def numbered(query: str) -> tuple[str, list[str]]:
    """`query` with its `%(name)s` placeholders as `$1`, `$2`…, and the names in that order.

    psycopg parses a query's placeholders on every execution when it is longer than its cache takes
    (4 KiB), as INTAKE is: run as a raw query, it is parsed once, here.
    """
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    numbered = re.sub(r"%\((\w+)\)s", number, query)
    assert "%" not in numbered, "a placeholder that is not %(name)s"
    return numbered, names


# Intake in one statement, so one round trip commits it: find the customer by any identity given
# (or create one), attach the identities not yet known, store the ticket in the classifier's queue
# (`triage` if that queue does not exist), append its `created` and `routed` events, and store what
# was read from its documents. An inquiry the classifier answered from the FAQ is stored
# `self_served`, waiting in no queue (queued_at and escalate_at NULL), with a `self_served` event and
# the answer as an outbound message; its `routed` event still names the queue a human would take it
# in. A replay of (channel, external_id) inserts nothing and returns no ticket.
# The customer is found by a verified identity only (one the channel vouches for), and only verified
# identities find it: an unverified one given (an e-mail address typed into a phone inquiry) is
# recorded on the customer unverified and leads nowhere. An identity given verified that the customer
# held unverified becomes verified, unless another customer holds it verified.
# The same round trip looks for that customer's oldest open ticket in the classifier's queue on the
# same channel: when there is one other than (channel, external_id) itself, the inquiry joins its
# thread instead (`join_thread`), so nothing is stored and its id is returned. Never another channel's
# ticket: the integration that posted would be answered with it. A new queued ticket's place in its
# queue's claim order is counted here too, saving the intake a query; the new row is not in the
# statement's snapshot, hence the +1. A known customer's ticket may be due a `returning` message
# (gateway/actions/proactive_intake.py): its proactive_due row is written here, with the ticket.
INTAKE = f"""
WITH given AS (
    SELECT * FROM unnest(%(kinds)s::text[], %(values)s::text[], %(verified)s::boolean[])
        AS g (kind, value, verified)
), found AS (
    SELECT ci.customer_id AS id FROM customer_identities ci JOIN given g USING (kind, value)
    WHERE ci.verified AND g.verified
    ORDER BY ci.created_at, ci.customer_id LIMIT 1
), open_in_queue AS (
    SELECT id, channel, external_id FROM tickets
    WHERE %(may_join)s
      AND customer_id = (SELECT id FROM found)
      AND channel = %(channel)s
      AND queue_id = (SELECT id FROM queues WHERE name = %(queue)s)
      AND status IN ('queued', 'claimed', 'answered')
    ORDER BY created_at, id LIMIT 1
), open_other AS (
    SELECT id FROM open_in_queue WHERE (channel, external_id) <> (%(channel)s, %(external_id)s)
), created_customer AS (
    INSERT INTO customers (display_name, language, tier)
    SELECT %(customer_name)s, %(customer_language)s, %(customer_tier)s
    WHERE NOT EXISTS (SELECT 1 FROM found)
    RETURNING id
), customer AS (
    SELECT id FROM found UNION ALL SELECT id FROM created_customer
), identities AS (
    INSERT INTO customer_identities (kind, value, customer_id, verified)
    SELECT g.kind, g.value, customer.id, g.verified FROM given g CROSS JOIN customer
    WHERE NOT EXISTS (SELECT 1 FROM open_other)
    ON CONFLICT DO NOTHING
    RETURNING verified
), upgraded AS (
    UPDATE customer_identities ci SET verified = true
    FROM given g, customer
    WHERE ci.customer_id = customer.id AND (ci.kind, ci.value) = (g.kind, g.value)
      AND g.verified AND NOT ci.verified
      AND NOT EXISTS (SELECT 1 FROM customer_identities o
                      WHERE (o.kind, o.value) = (g.kind, g.value) AND o.verified)
      AND NOT EXISTS (SELECT 1 FROM open_other)
), queue AS (
    SELECT id, name FROM queues WHERE name = %(queue)s
    UNION ALL
    SELECT id, name FROM queues
    WHERE name = 'triage' AND NOT EXISTS (SELECT 1 FROM queues WHERE name = %(queue)s)
), t AS (
    INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status, priority,
        language, intent, subject, body, classification, routed_by, created_at, queued_at,
        last_event_at, escalate_at, first_response_due_at, resolution_due_at, sla_warn_at, reply_to)
    SELECT %(channel)s, %(external_id)s, %(request_hash)s, customer.id, queue.id, %(status)s, %(priority)s,
        %(language)s, %(intent)s, %(subject)s, %(body)s, %(classification)s, %(routed_by)s,
        %(occurred_at)s, %(queued_at)s::timestamptz, %(occurred_at)s, %(escalate_at)s::timestamptz,
        %(first_response_due_at)s::timestamptz, %(resolution_due_at)s::timestamptz,
        %(sla_warn_at)s::timestamptz, nullif(%(recipient)s::text, '')
    FROM customer CROSS JOIN queue
    WHERE NOT EXISTS (SELECT 1 FROM open_other)
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
), returning_due AS (
    INSERT INTO proactive_due (ticket_id, kind, due_at)
    SELECT id, 'returning', created_at FROM t
    WHERE %(returning_due)s AND NOT EXISTS (SELECT 1 FROM created_customer)
), documents AS (
    INSERT INTO ticket_documents (ticket_id, position, filename, content_type, bytes, pages, text, note,
        page_starts)
    SELECT t.id, d.position, d.filename, d.content_type, d.bytes, d.pages, d.text, d.note,
        string_to_array(d.page_starts, ',')::integer[]
    FROM t CROSS JOIN unnest(%(doc_filenames)s::text[], %(doc_content_types)s::text[],
        %(doc_bytes)s::integer[], %(doc_pages)s::integer[], %(doc_texts)s::text[], %(doc_notes)s::text[],
        %(doc_page_starts)s::text[])
        WITH ORDINALITY AS d (filename, content_type, bytes, pages, text, note, page_starts, position)
)
SELECT {COLUMNS},
       EXISTS (SELECT 1 FROM created_customer) AS new_customer,
       (SELECT count(*) FROM identities WHERE verified) AS verified_added,
       CASE WHEN t.status = 'queued' THEN {AHEAD} + 1 END AS position,
       CASE WHEN t.status = 'queued' THEN {BEHIND} END AS behind,
       (SELECT id FROM open_other) AS join_id
FROM (VALUES (1)) AS always LEFT JOIN (t JOIN queue q ON q.id = t.queue_id) ON true
"""
_INTAKE_NUMBERED, _INTAKE_PARAMS = numbered(INTAKE)
_TICKET_FIELDS = tuple(f.name for f in fields(Ticket))


_names: list[str] = []


def _result_names(cur: AsyncRawCursor[Any]) -> list[str]:
    """INTAKE's column names, read from the first result (dict_row would decode them every time)."""
    if not _names:
        result = cur.pgresult
        assert result is not None
        _names.extend(result.fname(i).decode() for i in range(result.nfields))  # type: ignore[union-attr]
    return _names


@dataclass(frozen=True)
class Intake:
    """What INTAKE did: stored `ticket` (with its `position` when queued), found an open ticket for
    the inquiry to join (`join_id`), or neither (a replay of (channel, external_id))."""

    ticket: Ticket | None = None
    position: Position | None = None
    join_id: int | None = None
    # The statement made the ticket's customer (and no raced twin took the ticket over): nobody
    # with an earlier ticket.
    new_customer: bool = False


def _backfill(backfill: bool) -> dict[str, bool]:
    return {"backfill": True} if backfill else {}


async def intake(conn: AsyncConnection[Any], new: NewTicket, *, may_join: bool = True) -> Intake:
    """Stores a new ticket unless it is a replay or (with `may_join`) the customer has another open
    ticket in the queue. `conn` is autocommit."""
    params = {
        "may_join": may_join,
        "kinds": [k for k, _, _ in new.identities],
        "values": [v for _, v, _ in new.identities],
        "verified": [verified for _, _, verified in new.identities],
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
        "first_response_due_at": None if new.faq else new.first_response_due_at,
        "resolution_due_at": None if new.faq else new.resolution_due_at,
        "sla_warn_at": None if new.faq else new.sla_warn_at,
        "created_data": Jsonb(
            {"channel": new.channel, "external_id": new.external_id, **_backfill(new.backfill)}
        ),
        "routed_data": Jsonb({"routed_by": new.routed_by, **new.classification, **_backfill(new.backfill)}),
        "self_served_data": Jsonb({"faq_id": new.faq.faq_id, "confidence": new.faq.confidence})
        if new.faq
        else None,
        "faq_answer": new.faq.text if new.faq else None,
        "recipient": new.recipient,
        "returning_due": new.returning_due,
        **ticket_documents.intake_params(new.documents),
    }
    for attempt in (1, 2):
        try:
            async with AsyncRawCursor(conn) as cur:
                await cur.execute(_INTAKE_NUMBERED, [params[name] for name in _INTAKE_PARAMS])
                values = await cur.fetchone()
                row = None if values is None else dict(zip(_result_names(cur), values, strict=True))
            break
        except errors.UniqueViolation:
            # Another intake made the same identity verified for another customer between this
            # statement's snapshot and its upgrade of it: once more, it now sees that customer.
            if attempt == 2:
                raise
    assert row is not None
    # By name: the statement's columns never change, so their names are read once per process.
    if row["id"] is None:
        return Intake(join_id=row["join_id"])
    ticket = Ticket(**{name: row[name] for name in _TICKET_FIELDS})
    new_customer = bool(row["new_customer"])
    if new_customer and row["verified_added"] < sum(verified for _, _, verified in new.identities):
        # Another intake created the same person at the same moment and won a verified identity: move
        # this ticket to that customer, so one verified identity always leads to one person.
        await _merge_raced_customer(conn, ticket.id, ticket.customer_id, new.identities)
        new_customer = False
    place = row["position"]
    position = None if place is None else Position(place, place + row["behind"])
    return Intake(ticket, position, new_customer=new_customer)


async def _merge_raced_customer(
    conn: AsyncConnection[Any], ticket_id: int, orphan_id: int, identities: list[tuple[str, str, bool]]
) -> None:
    verified = [(k, v) for k, v, ok in identities if ok]
    async with conn.transaction():
        await conn.execute(
            """UPDATE tickets SET customer_id = winner.customer_id
               FROM (SELECT ci.customer_id FROM customer_identities ci
                     JOIN unnest(%s::text[], %s::text[]) AS g (kind, value) USING (kind, value)
                     WHERE ci.verified AND ci.customer_id <> %s
                     ORDER BY ci.created_at, ci.customer_id LIMIT 1) AS winner
               WHERE tickets.id = %s""",
            ([k for k, _ in verified], [v for _, v in verified], orphan_id, ticket_id),
        )
        await conn.execute(
            """INSERT INTO customer_identities (kind, value, customer_id, verified, created_at)
               SELECT ci.kind, ci.value, t.customer_id, ci.verified, ci.created_at
               FROM customer_identities ci, tickets t
               WHERE ci.customer_id = %s AND t.id = %s AND t.customer_id <> %s
               ON CONFLICT DO NOTHING""",
            (orphan_id, ticket_id, orphan_id),
        )
        await conn.execute(
            """DELETE FROM customer_identities
               WHERE customer_id = %s AND NOT EXISTS (SELECT 1 FROM tickets WHERE customer_id = %s)""",
            (orphan_id, orphan_id),
        )
        await conn.execute(
            """DELETE FROM customers c
               WHERE id = %s AND NOT EXISTS (SELECT 1 FROM tickets WHERE customer_id = c.id)""",
            (orphan_id,),
        )


# A customer's follow-up joins their open ticket: a `customer_message` event with the text, unless
# (channel, external_id) is already a ticket of its own (a retry of that ticket's intake). A retry of
# the same follow-up finds its event by the unique index and adds nothing.
JOIN_THREAD = """
WITH t AS (
    UPDATE tickets SET last_event_at = greatest(last_event_at, %(at)s)
    WHERE id = %(ticket)s
      AND NOT EXISTS (SELECT 1 FROM tickets WHERE channel = %(channel)s AND external_id = %(external_id)s)
    RETURNING id, queue_id, last_event_at, customer_id
), identities AS (
    -- A new address the customer wrote from (a new chat visitor id) is theirs from now on.
    INSERT INTO customer_identities (kind, value, customer_id, verified)
    SELECT g.kind, g.value, t.customer_id, g.verified
    FROM t, unnest(%(kinds)s::text[], %(values)s::text[], %(verified)s::boolean[])
        AS g (kind, value, verified)
    ON CONFLICT DO NOTHING
), message AS (
    INSERT INTO ticket_events (ticket_id, type, occurred_at, queue_id, data)
    SELECT id, 'customer_message', last_event_at, queue_id, %(data)s FROM t
    ON CONFLICT DO NOTHING
    RETURNING id, ticket_id
), documents AS (
    -- The follow-up's attachments join the ticket after those it has (only when the message is new,
    -- so a replay adds none twice); `join_thread` holds the ticket's lock, so the count is current.
    INSERT INTO ticket_documents (ticket_id, position, filename, content_type, bytes, pages, text, note,
        page_starts)
    SELECT m.ticket_id,
        d.position + (SELECT coalesce(max(position), 0) FROM ticket_documents WHERE ticket_id = m.ticket_id),
        d.filename, d.content_type, d.bytes, d.pages, d.text, d.note,
        string_to_array(d.page_starts, ',')::integer[]
    FROM message m CROSS JOIN unnest(%(doc_filenames)s::text[], %(doc_content_types)s::text[],
        %(doc_bytes)s::integer[], %(doc_pages)s::integer[], %(doc_texts)s::text[], %(doc_notes)s::text[],
        %(doc_page_starts)s::text[])
        WITH ORDINALITY AS d (filename, content_type, bytes, pages, text, note, page_starts, position)
)
SELECT id FROM message
"""


async def join_thread(
    conn: AsyncConnection[Any],
    ticket_id: int,
    *,
    channel: str,
    external_id: str,
    text: str,
    subject: str,
    at: datetime,
    identities: list[tuple[str, str, bool]],
    backfill: bool = False,
    documents: Sequence[Document] = (),
) -> bool:
    """Adds the follow-up (and its documents) to the ticket's thread; False when it was there already
    or is a ticket. `conn` is autocommit."""
    data: dict[str, Any] = {"channel": channel, "external_id": external_id, "text": text, "subject": subject}
    data.update(_backfill(backfill))
    params = {
        "ticket": ticket_id,
        "channel": channel,
        "external_id": external_id,
        "at": at,
        "data": Jsonb(data),
        "kinds": [k for k, _, _ in identities],
        "values": [v for _, v, _ in identities],
        "verified": [verified for _, _, verified in identities],
        **ticket_documents.intake_params(list(documents)),
    }
    if not documents:
        # One statement: on the intake's autocommit connection it commits alone, in one round trip.
        cur = await conn.execute(JOIN_THREAD, params)
        return await cur.fetchone() is not None
    # Two follow-ups with documents at once would number theirs from the same count: the ticket's lock,
    # taken first, puts them one after the other, and the statement after it sees the other's rows.
    async with conn.transaction():
        await conn.execute("SELECT 1 FROM tickets WHERE id = %s FOR UPDATE", (ticket_id,))
        cur = await conn.execute(JOIN_THREAD, params)
        return await cur.fetchone() is not None
