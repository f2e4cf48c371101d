"""SQL for tickets: intake, lookup, the claim order, and state changes."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg import AsyncConnection, AsyncRawCursor, errors, sql
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from services.shared.store import ticket_documents, ticket_events
from services.shared.store.ticket_documents import Document
from services.shared.store.ticket_events import NewEvent

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


def _numbered(query: str) -> tuple[str, list[str]]:
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


def _waiting(condition: str) -> str:
    """A count of the tickets waiting in the new ticket's queue that meet `condition`."""
    return f"(SELECT count(*) FROM tickets WHERE status = 'queued' AND queue_id = t.queue_id AND {condition})"


# The new ticket's place: the waiting tickets before and after it in claim order (as `position`
# counts them), each part a range of the `tickets_waiting` index, so a count reads only what it
# counts rather than the whole queue twice (a new ticket usually comes last among its priority, so
# the part after it is small).
_AHEAD = " + ".join(
    map(
        _waiting,
        ["priority > t.priority", "priority = t.priority AND (queued_at, id) < (t.queued_at, t.id)"],
    )
)
_BEHIND = " + ".join(
    map(
        _waiting,
        [
            "priority < t.priority",
            "priority = t.priority AND (queued_at, id) > (t.queued_at, t.id)",
            "priority = t.priority AND queued_at IS NULL",
        ],
    )
)

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
# statement's snapshot, hence the +1.
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
), documents AS (
    INSERT INTO ticket_documents (ticket_id, position, filename, content_type, bytes, pages, text, note)
    SELECT t.id, d.position, d.filename, d.content_type, d.bytes, d.pages, d.text, d.note
    FROM t CROSS JOIN unnest(%(doc_filenames)s::text[], %(doc_content_types)s::text[],
        %(doc_bytes)s::integer[], %(doc_pages)s::integer[], %(doc_texts)s::text[], %(doc_notes)s::text[])
        WITH ORDINALITY AS d (filename, content_type, bytes, pages, text, note, position)
)
SELECT {COLUMNS},
       EXISTS (SELECT 1 FROM created_customer) AS new_customer,
       (SELECT count(*) FROM identities WHERE verified) AS verified_added,
       CASE WHEN t.status = 'queued' THEN {_AHEAD} + 1 END AS position,
       CASE WHEN t.status = 'queued' THEN {_BEHIND} END AS behind,
       (SELECT id FROM open_other) AS join_id
FROM (VALUES (1)) AS always LEFT JOIN (t JOIN queue q ON q.id = t.queue_id) ON true
"""
_INTAKE_NUMBERED, _INTAKE_PARAMS = _numbered(INTAKE)


@dataclass(frozen=True)
class Position:
    # 1 = next in its queue.
    position: int
    queue_depth: int


@dataclass(frozen=True)
class Intake:
    """What INTAKE did: stored `ticket` (with its `position` when queued), found an open ticket for
    the inquiry to join (`join_id`), or neither (a replay of (channel, external_id))."""

    ticket: Ticket | None = None
    position: Position | None = None
    join_id: int | None = None


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
        **ticket_documents.intake_params(new.documents),
    }
    for attempt in (1, 2):
        try:
            async with AsyncRawCursor(conn) as cur:
                await cur.execute(_INTAKE_NUMBERED, [params[name] for name in _INTAKE_PARAMS])
                row = await cur.fetchone()
            break
        except errors.UniqueViolation:
            # Another intake made the same identity verified for another customer between this
            # statement's snapshot and its upgrade of it: once more, it now sees that customer.
            if attempt == 2:
                raise
    assert row is not None
    # By position, in COLUMNS order: reading cursor.description would cost more than the rest of
    # this function on the intake's hot path.
    *values, new_customer, verified_added, place, behind, join_id = row
    if values[0] is None:
        return Intake(join_id=join_id)
    ticket = Ticket(*values)
    if new_customer and verified_added < sum(verified for _, _, verified in new.identities):
        # Another intake created the same person at the same moment and won a verified identity: move
        # this ticket to that customer, so one verified identity always leads to one person.
        await _merge_raced_customer(conn, ticket.id, ticket.customer_id, new.identities)
    return Intake(ticket, None if place is None else Position(place, place + behind))


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


@dataclass(frozen=True)
class AccessFacts:
    """What gateway/actions/access.py decides a caller's reach from: the ticket's channel, state and holder,
    and how one agent stands to it."""

    channel: str
    status: str
    assigned_agent_id: int | None
    reserved_agent_id: int | None
    # The agent serves the queue the ticket is in now.
    serves_queue: bool
    # The agent recorded an event on the ticket (offers made to them or missed by them do not count:
    # the router makes those, the agent did nothing).
    handled: bool
    # A pending offer of the ticket to the agent.
    offered: bool
    # The agent of the ticket's latest `resolved` event.
    resolved_by: int | None


ACCESS_FACTS = """
SELECT t.channel, t.status, t.assigned_agent_id, t.reserved_agent_id,
       EXISTS (SELECT 1 FROM agent_queues aq WHERE aq.agent_id = %(agent)s AND aq.queue_id = t.queue_id)
         AS serves_queue,
       EXISTS (SELECT 1 FROM ticket_events e
               WHERE e.ticket_id = t.id AND e.agent_id = %(agent)s
                 AND e.type NOT IN ('offered', 'offer_missed')) AS handled,
       EXISTS (SELECT 1 FROM ticket_offers o
               WHERE o.ticket_id = t.id AND o.agent_id = %(agent)s AND o.outcome IS NULL) AS offered,
       (SELECT e.agent_id FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'resolved'
        ORDER BY e.id DESC LIMIT 1) AS resolved_by
FROM tickets t WHERE t.id = %(id)s
"""


async def access_facts(
    conn: AsyncConnection[Any], ticket_id: int, agent_id: int | None
) -> AccessFacts | None:
    """The facts of one ticket as they concern `agent_id` (None: no agent); None when there is no such
    ticket. Inside a transaction holding the ticket's row lock they cannot change before it ends."""
    async with conn.cursor(row_factory=class_row(AccessFacts)) as cur:
        await cur.execute(ACCESS_FACTS, {"id": ticket_id, "agent": agent_id})
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


@dataclass(frozen=True)
class Waiting:
    """A ticket waiting for an agent, as the router sees it."""

    id: int
    queue: str
    channel: str
    language: str
    priority: int
    queued_at: datetime
    reserved_agent_id: int | None


# Waiting tickets not under offer on the given channels, in claim order, a page at a time after a
# (priority, queued_at, id) key; the router re-sorts each page with its policies.
WAITING = """
SELECT t.id, q.name AS queue, t.channel, t.language, t.priority,
       coalesce(t.queued_at, t.created_at) AS queued_at, t.reserved_agent_id
FROM tickets t JOIN queues q ON q.id = t.queue_id
WHERE t.status = 'queued' AND t.channel = ANY(%(channels)s)
  AND (-t.priority, coalesce(t.queued_at, t.created_at), t.id) > (%(priority)s, %(queued_at)s, %(id)s)
  AND NOT EXISTS (SELECT 1 FROM ticket_offers o WHERE o.ticket_id = t.id AND o.outcome IS NULL)
ORDER BY -t.priority, coalesce(t.queued_at, t.created_at), t.id
LIMIT %(limit)s
"""

FIRST_PAGE = (-99, datetime(1, 1, 1, tzinfo=UTC), 0)


async def waiting(
    conn: AsyncConnection[Any],
    channels: list[str],
    limit: int,
    after: tuple[int, datetime, int] = FIRST_PAGE,
) -> list[Waiting]:
    """A page of waiting tickets; pass the last one's `(-priority, queued_at, id)` for the next."""
    async with conn.cursor(row_factory=class_row(Waiting)) as cur:
        await cur.execute(
            WAITING,
            {
                "channels": channels,
                "limit": limit,
                "priority": after[0],
                "queued_at": after[1],
                "id": after[2],
            },
        )
        return await cur.fetchall()


async def waiting_one(conn: AsyncConnection[Any], ticket_id: int) -> Waiting | None:
    async with conn.cursor(row_factory=class_row(Waiting)) as cur:
        await cur.execute(
            """SELECT t.id, q.name AS queue, t.channel, t.language, t.priority,
                      coalesce(t.queued_at, t.created_at) AS queued_at, t.reserved_agent_id
               FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.id = %s""",
            (ticket_id,),
        )
        return await cur.fetchone()


# Moves tickets that waited past their queue's overflow time to the overflow queue, one queue per
# call; passes over tickets under offer or locked by another router. The wait keeps counting from
# the first queuing: the customer has waited that long.
OVERFLOW = """
WITH due AS (
    SELECT t.id FROM tickets t
    WHERE t.status = 'queued' AND t.queue_id = (SELECT id FROM queues WHERE name = %(queue)s)
      AND coalesce(t.queued_at, t.created_at) <= %(before)s AND t.reserved_agent_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM ticket_offers o WHERE o.ticket_id = t.id AND o.outcome IS NULL)
    LIMIT %(limit)s FOR UPDATE SKIP LOCKED
), target AS (
    SELECT id FROM queues WHERE name = %(to_queue)s
), moved AS (
    UPDATE tickets t SET queue_id = target.id, last_event_at = greatest(t.last_event_at, %(now)s)
    FROM due, target WHERE t.id = due.id
    RETURNING t.id, t.queue_id, t.last_event_at
), events AS (
    INSERT INTO ticket_events (ticket_id, type, occurred_at, queue_id, data)
    SELECT id, %(event)s, last_event_at, queue_id,
           jsonb_build_object('overflow', true, 'from_queue', %(queue)s::text) FROM moved
)
SELECT id FROM moved
"""


async def overflow(
    conn: AsyncConnection[Any],
    queue: str,
    to_queue: str,
    *,
    before: datetime,
    now: datetime,
    event: str,
    limit: int = 500,
) -> list[int]:
    """Moves the queue's tickets waiting since `before` to `to_queue`; returns their ids."""
    cur = await conn.execute(
        OVERFLOW,
        {"queue": queue, "to_queue": to_queue, "before": before, "now": now, "event": event, "limit": limit},
    )
    return [int(ticket_id) for (ticket_id,) in await cur.fetchall()]


async def claim_next_routed(conn: AsyncConnection[Any], agent_id: int, at: datetime) -> Ticket | None:
    """Claims the agent's next ticket within their capacity (`routing_claim`, 0005_routing.sql)."""
    cur = await conn.execute("SELECT routing_claim(%s, %s)", (agent_id, at))
    row = await cur.fetchone()
    if row is None or row[0] is None:
        return None
    return await get(conn, int(row[0]))


async def position(conn: AsyncConnection[Any], ticket: Ticket) -> Position:
    """Where a waiting ticket stands in its queue's claim order (priority, then age)."""
    cur = await conn.execute(
        """SELECT count(*) FILTER (WHERE priority > %(p)s
                                     OR (priority = %(p)s AND (queued_at, id) < (%(q)s, %(id)s))),
                  count(*)
           FROM tickets WHERE status = 'queued' AND queue_id = %(queue)s""",
        {
            "p": ticket.priority,
            "q": ticket.queued_at or ticket.created_at,
            "id": ticket.id,
            "queue": ticket.queue_id,
        },
    )
    row = await cur.fetchone()
    assert row is not None
    return Position(int(row[0]) + 1, int(row[1]))


@dataclass(frozen=True)
class QueueLoad:
    """Recent history of a queue, for estimated waits."""

    handle_s: float | None
    arrivals_per_s: float


async def queue_load(conn: AsyncConnection[Any], queue_id: int, now: datetime, window_s: float) -> QueueLoad:
    """Mean handling time (answer to resolution) of the queue's last 200 resolved tickets, and the
    arrival rate over the window."""
    cur = await conn.execute(
        """SELECT (SELECT avg(extract(epoch FROM resolved_at - answered_at)) FROM (
                     SELECT resolved_at, answered_at FROM tickets
                     WHERE queue_id = %(q)s AND status = 'resolved' AND answered_at IS NOT NULL
                     ORDER BY resolved_at DESC LIMIT 200) recent),
                  (SELECT count(*) FROM tickets WHERE queue_id = %(q)s AND created_at > %(since)s)""",
        {"q": queue_id, "since": now - timedelta(seconds=window_s)},
    )
    row = await cur.fetchone()
    assert row is not None
    return QueueLoad(None if row[0] is None else float(row[0]), int(row[1]) / window_s)


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
    INSERT INTO ticket_documents (ticket_id, position, filename, content_type, bytes, pages, text, note)
    SELECT m.ticket_id,
        d.position + (SELECT coalesce(max(position), 0) FROM ticket_documents WHERE ticket_id = m.ticket_id),
        d.filename, d.content_type, d.bytes, d.pages, d.text, d.note
    FROM message m CROSS JOIN unnest(%(doc_filenames)s::text[], %(doc_content_types)s::text[],
        %(doc_bytes)s::integer[], %(doc_pages)s::integer[], %(doc_texts)s::text[], %(doc_notes)s::text[])
        WITH ORDINALITY AS d (filename, content_type, bytes, pages, text, note, position)
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


@dataclass(frozen=True)
class QueueNow:
    """A queue at this moment, for the supervisor's page."""

    queue_id: int
    queue: str
    waiting: int
    oldest_queued_at: datetime | None
    held: int


async def queues_now(conn: AsyncConnection[Any]) -> list[QueueNow]:
    async with conn.cursor(row_factory=class_row(QueueNow)) as cur:
        await cur.execute(
            """SELECT q.id AS queue_id, q.name AS queue,
                      count(t.id) FILTER (WHERE t.status = 'queued') AS waiting,
                      min(coalesce(t.queued_at, t.created_at)) FILTER (WHERE t.status = 'queued')
                        AS oldest_queued_at,
                      count(t.id) FILTER (WHERE t.status IN ('claimed', 'answered')) AS held
               FROM queues q
               LEFT JOIN tickets t ON t.queue_id = q.id AND t.status IN ('queued', 'claimed', 'answered')
               GROUP BY q.id ORDER BY q.name"""
        )
        return await cur.fetchall()


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


async def touch(conn: AsyncConnection[Any], ticket_id: int, at: datetime) -> None:
    """Moves the ticket's last event time on to `at` (never back): an event was just appended."""
    await conn.execute(
        "UPDATE tickets SET last_event_at = greatest(last_event_at, %s) WHERE id = %s", (at, ticket_id)
    )


async def arrivals_by_queue(conn: AsyncConnection[Any], since: datetime) -> dict[int, int]:
    """Tickets queued for a human since `since`, per queue they wait or waited in (self-served ones
    are never offered and do not count)."""
    cur = await conn.execute(
        """SELECT queue_id, count(*) FROM tickets
           WHERE queued_at >= %s AND status <> 'self_served' GROUP BY queue_id""",
        (since,),
    )
    return {int(q): int(n) for q, n in await cur.fetchall()}
