"""SQL for routing again the tickets the gateway routed by fallback: lock those still waiting, move them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import Connection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class FallbackTicket:
    """A ticket routed by fallback that still waits, unanswered, in the fallback queue."""

    id: int
    channel: str
    queue_id: int
    priority: int
    escalation_level: int
    language: str
    subject: str
    body: str
    customer_tier: str
    classification: dict[str, Any]
    queued_at: datetime
    last_event_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    sla_paused_at: datetime | None
    # The database's clock when the rows were locked: the time the re-routing happens.
    swept_at: datetime


# Oldest first, within the waiting-tickets index of the fallback queue. SKIP LOCKED lets sweeps run
# side by side, and passes over a ticket an agent is claiming at this moment (it is no longer waiting
# once the claim commits, and the next sweep will not see it). NO KEY UPDATE lets other transactions
# go on appending events that reference the locked tickets.
LOCK_WAITING = """
SELECT t.id, t.channel, t.queue_id, t.priority, t.escalation_level, t.language, t.subject, t.body,
       c.tier AS customer_tier, t.classification, coalesce(t.queued_at, t.created_at) AS queued_at,
       t.last_event_at, t.first_response_due_at, t.resolution_due_at, t.sla_paused_at, now() AS swept_at
FROM tickets t JOIN customers c ON c.id = t.customer_id
WHERE t.status = 'queued' AND t.routed_by = 'fallback'
  AND t.queue_id = (SELECT id FROM queues WHERE name = %(queue)s)
ORDER BY t.priority DESC, t.queued_at, t.id
LIMIT %(limit)s
FOR NO KEY UPDATE OF t SKIP LOCKED
"""


def lock_waiting(conn: Connection[Any], fallback_queue: str, limit: int) -> list[FallbackTicket]:
    """Locks up to `limit` waiting fallback tickets of `fallback_queue` for the caller's transaction."""
    with conn.cursor(row_factory=class_row(FallbackTicket)) as cur:
        cur.execute(LOCK_WAITING, {"queue": fallback_queue, "limit": limit})
        return cur.fetchall()


def queue_ids(conn: Connection[Any], names: Sequence[str]) -> dict[str, int]:
    """The ids of the named queues that exist."""
    rows = conn.execute("SELECT name, id FROM queues WHERE name = ANY(%s)", (list(names),)).fetchall()
    return {str(name): int(queue_id) for name, queue_id in rows}


@dataclass(frozen=True)
class Reroute:
    """What routing a ticket again sets, and the `routed` event that records it."""

    ticket_id: int
    queue_id: int
    priority: int
    language: str
    intent: str
    classification: dict[str, Any]
    occurred_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    sla_warn_at: datetime | None
    escalate_at: datetime | None
    event_data: dict[str, Any]


# `routed_by = 'fallback'` again in the WHERE: with the row lock it makes the change happen once,
# whatever number of sweeps ran over the ticket.
UPDATE = """
UPDATE tickets SET queue_id = %(queue_id)s, priority = %(priority)s, language = %(language)s,
    intent = %(intent)s, classification = %(classification)s, routed_by = 'classifier',
    first_response_due_at = %(first_response_due_at)s, resolution_due_at = %(resolution_due_at)s,
    sla_warn_at = %(sla_warn_at)s, escalate_at = %(escalate_at)s,
    last_event_at = greatest(last_event_at, %(occurred_at)s)
WHERE id = %(ticket_id)s AND routed_by = 'fallback' AND status = 'queued'
RETURNING id
"""

EVENT = """
INSERT INTO ticket_events (ticket_id, type, occurred_at, queue_id, data)
VALUES (%(ticket_id)s, 'routed', %(occurred_at)s, %(queue_id)s, %(event_data)s)
"""


def apply(conn: Connection[Any], reroutes: Sequence[Reroute]) -> list[int]:
    """Writes each re-routing and its event in the caller's transaction; returns the tickets changed."""
    changed = []
    for r in reroutes:
        params = {
            **r.__dict__,
            "classification": Jsonb(r.classification),
            "event_data": Jsonb(r.event_data),
        }
        if conn.execute(UPDATE, params).fetchone() is not None:
            conn.execute(EVENT, params)
            changed.append(r.ticket_id)
    return changed
