"""SQL for proactive_messages and proactive_due: which proactive message each ticket had (once per
kind, ever), what is due, and the counts by kind, channel and outcome (0019_proactive_messages.sql)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

from services.shared.domain import CHANNEL_IDENTITY


@dataclass(frozen=True)
class Due:
    """A ticket whose proactive message of `kind` is to be decided now, with what its text needs."""

    ticket_id: int
    kind: str
    channel: str
    status: str
    customer_id: int
    language: str
    customer_language: str | None
    # The customer's address on the ticket's channel; '' when none is on record.
    recipient: str
    # The agent's note for the customer at the latest resolution ('' without one); for `returning`,
    # the note of the earlier ticket.
    customer_note: str
    # For `returning`: the customer's earlier ticket on the same intent and when it was resolved;
    # None when there is none (nothing to tell).
    about_ticket_id: int | None = None
    about_resolved_at: datetime | None = None


# Where a message to the ticket's customer goes: as surveys do (services/shared/store/surveys.py),
# the address the inquiry gave on the ticket's channel, else the customer's newest verified one.
RECIPIENT = """
coalesce(t.reply_to,
         (SELECT ci.value FROM customer_identities ci
          WHERE ci.customer_id = t.customer_id AND ci.verified
            AND ci.kind = (SELECT m.kind FROM unnest(%(channels)s::text[], %(kinds)s::text[])
                           AS m (channel, kind) WHERE m.channel = t.channel)
          ORDER BY ci.created_at DESC LIMIT 1), '')
"""

COLUMNS = f"""
t.id AS ticket_id, t.channel, t.status, t.customer_id, t.language, c.language AS customer_language,
{RECIPIENT} AS recipient
"""

# Tickets waiting past their channel's stated wait that were told nothing yet, and never taken (a
# ticket given back to the queue after an agent took it is not told it waits: the order the customer
# reads stays wait, taken, resolved). Locked, skipping those another sweep or an agent holds.
LOCK_WAITING = f"""
SELECT {COLUMNS}, 'wait' AS kind, '' AS customer_note
FROM tickets t
JOIN unnest(%(wait_channels)s::text[], %(wait_s)s::float8[]) AS w (channel, wait_s) ON w.channel = t.channel
JOIN customers c ON c.id = t.customer_id
WHERE t.status = 'queued' AND w.wait_s > 0
  AND coalesce(t.queued_at, t.created_at) <= now() - make_interval(secs => w.wait_s)
  AND NOT EXISTS (SELECT 1 FROM proactive_messages p
                  WHERE p.ticket_id = t.id AND p.kind IN ('wait', 'taken'))
  AND NOT EXISTS (SELECT 1 FROM proactive_due d WHERE d.ticket_id = t.id)
ORDER BY coalesce(t.queued_at, t.created_at), t.id
LIMIT %(limit)s
FOR NO KEY UPDATE OF t SKIP LOCKED
"""

# Taken and resolved tickets, in the order the events happened; the ticket is locked with its due
# row, so two sweeps never decide one ticket's messages at once (and out of order).
LOCK_DUE = f"""
SELECT {COLUMNS}, d.kind,
       coalesce((SELECT e.data ->> 'customer_note' FROM ticket_events e
                 WHERE e.ticket_id = t.id AND e.type = 'resolved' ORDER BY e.id DESC LIMIT 1), '')
           AS customer_note
FROM proactive_due d JOIN tickets t ON t.id = d.ticket_id JOIN customers c ON c.id = t.customer_id
WHERE d.kind IN ('taken', 'resolved')
ORDER BY d.due_at, d.ticket_id, d.kind DESC
LIMIT %(limit)s
FOR UPDATE OF d SKIP LOCKED
FOR NO KEY UPDATE OF t SKIP LOCKED
"""

# The newest ticket of the customer on the intent resolved within the window before the new ticket
# (reopened ones are not resolved), other than the new one. Written over `t`, the new ticket.
EARLIER = """
SELECT p.id AS ticket_id, p.resolved_at,
       coalesce((SELECT e.data ->> 'customer_note' FROM ticket_events e
                 WHERE e.ticket_id = p.id AND e.type = 'resolved' ORDER BY e.id DESC LIMIT 1), '')
           AS customer_note,
       (SELECT c.language FROM customers c WHERE c.id = p.customer_id) AS customer_language
FROM tickets p
WHERE p.customer_id = t.customer_id AND p.intent = t.intent AND p.id <> t.id
  AND p.status = 'resolved' AND p.resolved_at >= t.created_at - make_interval(days => %(days)s)
ORDER BY p.resolved_at DESC, p.id DESC
LIMIT 1
"""

# A new ticket's `returning` message, with what its text needs: the earlier ticket (NULL when there
# is none) beside the ticket's own columns. Both deciders read it: the gateway right after the
# intake, the sweep for what a dead gateway left.
RETURNING = f"""
SELECT {COLUMNS}, 'returning' AS kind, coalesce(e.customer_note, '') AS customer_note,
       e.ticket_id AS about_ticket_id, e.resolved_at AS about_resolved_at
FROM tickets t JOIN customers c ON c.id = t.customer_id
LEFT JOIN LATERAL ({EARLIER}) e ON true
"""

# Returning customers whose message a gateway left undecided (it died between the intake's commit
# and its decision): only rows older than the gateway needs, so the sweep never races a live intake.
LOCK_RETURNING = f"""
{RETURNING}
JOIN proactive_due d ON d.ticket_id = t.id AND d.kind = 'returning'
WHERE d.due_at <= now() - make_interval(secs => %(grace_s)s)
ORDER BY d.due_at, d.ticket_id
LIMIT %(limit)s
FOR UPDATE OF d SKIP LOCKED
FOR NO KEY UPDATE OF t SKIP LOCKED
"""

# For the gateway, right after the intake (no lock: nobody else decides it within the grace): the
# ticket's facts, and when it has no earlier ticket its due row goes in the same round trip (most
# inquiries find nothing and pay this one query only).
RETURNING_OR_CLEAR = f"""
WITH found AS ({RETURNING} WHERE t.id = %(ticket)s),
cleared AS (
    DELETE FROM proactive_due
    WHERE ticket_id = %(ticket)s AND kind = 'returning'
      AND NOT EXISTS (SELECT 1 FROM found WHERE about_ticket_id IS NOT NULL)
)
SELECT * FROM found WHERE about_ticket_id IS NOT NULL
"""


def _identity_params() -> dict[str, Any]:
    return {"channels": list(CHANNEL_IDENTITY), "kinds": list(CHANNEL_IDENTITY.values())}


def lock_waiting_sync(conn: Connection[Any], waits: dict[str, float], limit: int) -> list[Due]:
    """Locks up to `limit` tickets due a wait notice (`waits`: each channel's stated wait, seconds)."""
    params = {
        **_identity_params(),
        "wait_channels": list(waits),
        "wait_s": list(waits.values()),
        "limit": limit,
    }
    with conn.cursor(row_factory=class_row(Due)) as cur:
        return cur.execute(LOCK_WAITING, params).fetchall()


def lock_due_sync(conn: Connection[Any], limit: int) -> list[Due]:
    """Locks up to `limit` taken or resolved tickets whose message is due, oldest event first."""
    with conn.cursor(row_factory=class_row(Due)) as cur:
        return cur.execute(LOCK_DUE, {**_identity_params(), "limit": limit}).fetchall()


def lock_returning_sync(conn: Connection[Any], returning_days: int, grace_s: float, limit: int) -> list[Due]:
    """Locks up to `limit` returning customers' tickets left undecided for `grace_s`, each with the
    earlier ticket its message would name (None: nothing to tell)."""
    params = {**_identity_params(), "days": returning_days, "grace_s": grace_s, "limit": limit}
    with conn.cursor(row_factory=class_row(Due)) as cur:
        return cur.execute(LOCK_RETURNING, params).fetchall()


def clear_due_sync(conn: Connection[Any], due: list[tuple[int, str]]) -> None:
    """Forgets the (ticket, kind) pairs decided in this transaction, in one statement."""
    if due:
        conn.execute(
            """DELETE FROM proactive_due
               WHERE (ticket_id, kind) IN (SELECT * FROM unnest(%s::bigint[], %s::text[]))""",
            ([t for t, _ in due], [k for _, k in due]),
        )


# The decision and, when it is `sent`, its message, in one statement (one round trip per ticket).
# The caller holds the ticket's lock, so nobody else decides it meanwhile; should anyone, the unique
# key fails this statement and its whole transaction, never leaving a message without its decision.
DECIDE = """
WITH message AS (
    INSERT INTO outbound_messages (ticket_id, customer_id, channel, kind, recipient, body)
    SELECT %(ticket)s, %(customer)s, %(channel)s, 'proactive', %(recipient)s, %(body)s
    WHERE %(outcome)s = 'sent'
      AND NOT EXISTS (SELECT 1 FROM proactive_messages WHERE ticket_id = %(ticket)s AND kind = %(kind)s)
    RETURNING id
)
INSERT INTO proactive_messages (ticket_id, kind, channel, outcome, message_id, about_ticket_id)
SELECT %(ticket)s, %(kind)s, %(channel)s, %(outcome)s, (SELECT id FROM message), %(about)s
WHERE NOT EXISTS (SELECT 1 FROM proactive_messages WHERE ticket_id = %(ticket)s AND kind = %(kind)s)
RETURNING message_id
"""


def _decide_params(due: Due, outcome: str, body: str) -> dict[str, Any]:
    return {
        "ticket": due.ticket_id,
        "customer": due.customer_id,
        "channel": due.channel,
        "recipient": due.recipient,
        "body": body,
        "kind": due.kind,
        "outcome": outcome,
        "about": due.about_ticket_id,
    }


def decide_sync(conn: Connection[Any], due: Due, outcome: str, body: str) -> int | None:
    """Records the decision for `due` (now) with its message when `outcome` is sent; the message's
    id, or None when nothing went out (not sent, or decided before)."""
    row = conn.execute(DECIDE, _decide_params(due, outcome, body)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


async def decide(conn: AsyncConnection[Any], due: Due, outcome: str, body: str) -> int | None:
    """As decide_sync, for the gateway."""
    cur = await conn.execute(DECIDE, _decide_params(due, outcome, body))
    row = await cur.fetchone()
    return None if row is None or row[0] is None else int(row[0])


async def returning_due(conn: AsyncConnection[Any], ticket_id: int, returning_days: int) -> Due | None:
    """The new ticket's `returning` message to decide, when the customer has an earlier ticket on the
    intent; without one, the ticket's due row is cleared (nothing to tell)."""
    params = {**_identity_params(), "ticket": ticket_id, "days": returning_days}
    async with conn.cursor(row_factory=class_row(Due)) as cur:
        await cur.execute(RETURNING_OR_CLEAR, params)
        return await cur.fetchone()


async def clear_returning(conn: AsyncConnection[Any], ticket_id: int) -> None:
    await conn.execute("DELETE FROM proactive_due WHERE ticket_id = %s AND kind = 'returning'", (ticket_id,))


@dataclass(frozen=True)
class Count:
    kind: str
    channel: str
    outcome: str
    count: int


async def counts(conn: AsyncConnection[Any], since: datetime, until: datetime) -> list[Count]:
    """How many proactive messages were decided in [since, until), by kind, channel and outcome."""
    async with conn.cursor(row_factory=class_row(Count)) as cur:
        await cur.execute(
            """SELECT kind, channel, outcome, count(*) AS count FROM proactive_messages
               WHERE decided_at >= %s AND decided_at < %s
               GROUP BY kind, channel, outcome ORDER BY kind, channel, outcome""",
            (since, until),
        )
        return await cur.fetchall()


@dataclass(frozen=True)
class RepeatContacts:
    """Resolved tickets, told of their resolution or not, and how many of them brought the customer
    back to the same queue within the window (the repeat contacts that first-contact resolution counts)."""

    told: bool
    resolved: int
    repeated: int


# By resolution time in [since, until). `told`: a `resolved` message went out; the others were
# suppressed, stale, back-filled, or resolved before proactive messages existed.
REPEAT_CONTACTS = """
WITH resolved AS (
    SELECT t.id, t.customer_id, t.queue_id, t.resolved_at,
           EXISTS (SELECT 1 FROM proactive_messages p
                   WHERE p.ticket_id = t.id AND p.kind = 'resolved' AND p.outcome = 'sent') AS told
    FROM tickets t
    WHERE t.status = 'resolved' AND t.resolved_at >= %(since)s AND t.resolved_at < %(until)s
)
SELECT r.told, count(*) AS resolved,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM tickets n
           WHERE n.customer_id = r.customer_id AND n.queue_id = r.queue_id AND n.id <> r.id
             AND n.created_at > r.resolved_at
             AND n.created_at <= r.resolved_at + make_interval(days => %(days)s))) AS repeated
FROM resolved r
GROUP BY r.told
ORDER BY r.told DESC
"""


async def repeat_contacts(
    conn: AsyncConnection[Any], since: datetime, until: datetime, days: int
) -> list[RepeatContacts]:
    async with conn.cursor(row_factory=class_row(RepeatContacts)) as cur:
        await cur.execute(REPEAT_CONTACTS, {"since": since, "until": until, "days": days})
        return await cur.fetchall()
