"""SQL for the tickets' SLA columns: which tickets have a step due, and recording a batch of steps."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import Connection
from psycopg.rows import class_row


@dataclass(frozen=True)
class DueTicket:
    id: int
    channel: str
    status: str
    queue_id: int
    queue_name: str
    # Where the queue sends what breaches its first-response deadline; None: it stays.
    escalation_queue_id: int | None
    escalation_queue_name: str | None
    priority: int
    escalation_level: int
    queued_at: datetime | None
    escalate_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    sla_warn_at: datetime | None
    sla_paused_at: datetime | None
    # When the customer wrote again on a paused ticket (set by a trigger, see 0006).
    sla_resumed_at: datetime | None
    resolution_breached_at: datetime | None
    # The classifier's reason for its routing (low_confidence, ...), or None.
    reason: str | None
    # The database's clock when the rows were locked: the time the steps happen.
    swept_at: datetime


# Every ticket whose pointer has passed, whatever its state: the caller decides what is due, and a
# pointer left on a closed ticket is cleared. SKIP LOCKED lets sweeps run side by side without
# waiting on each other or on an agent's action in progress; NO KEY UPDATE (no key changes here)
# lets other transactions go on appending events that reference the locked tickets.
LOCK_DUE = """
SELECT t.id, t.channel, t.status, t.queue_id, q.name AS queue_name,
       q.escalation_queue_id, eq.name AS escalation_queue_name, t.priority, t.escalation_level,
       t.queued_at, t.escalate_at, t.first_response_due_at, t.resolution_due_at, t.sla_warn_at,
       t.sla_paused_at, t.sla_resumed_at, t.resolution_breached_at, t.classification ->> 'reason' AS reason,
       now() AS swept_at
FROM tickets t JOIN queues q ON q.id = t.queue_id LEFT JOIN queues eq ON eq.id = q.escalation_queue_id
WHERE t.escalate_at <= now()
ORDER BY t.escalate_at
LIMIT %s
FOR NO KEY UPDATE OF t SKIP LOCKED
"""


@dataclass(frozen=True)
class TicketUpdate:
    id: int
    escalation_level: int
    priority: int
    queue_id: int
    sla_warn_at: datetime | None
    escalate_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    resolution_breached_at: datetime | None
    # Still paused (the customer has not written); None clears the pause and its resumption.
    sla_paused_at: datetime | None


@dataclass(frozen=True)
class StepEvent:
    ticket_id: int
    type: str
    occurred_at: datetime
    queue_id: int
    data: dict[str, Any]


# ON CONFLICT DO NOTHING meets the once-per-ticket unique indexes (escalated by level, warnings and
# breaches by target): a step recorded before is not recorded again, and its ticket is told apart by
# what comes back.
INSERT_EVENTS = """
INSERT INTO ticket_events (ticket_id, type, occurred_at, queue_id, data)
SELECT e.ticket_id, e.type, e.occurred_at, e.queue_id, e.data::jsonb
FROM unnest(%b::bigint[], %b::text[], %b::timestamptz[], %b::integer[], %b::text[])
     AS e (ticket_id, type, occurred_at, queue_id, data)
ON CONFLICT DO NOTHING
RETURNING ticket_id, type, coalesce(data ->> 'level', data ->> 'target')
"""

# last_event_at stays: it guards the order of what integrations report (an answer dated a moment
# before the sweep ran is still true, and must not be refused because the sweep got in first).
UPDATE = """
UPDATE tickets t SET escalation_level = u.level, priority = u.priority, queue_id = u.queue_id,
    sla_warn_at = u.warn_at, escalate_at = u.escalate_at,
    first_response_due_at = u.first_response_due_at, resolution_due_at = u.resolution_due_at,
    resolution_breached_at = u.breached_at, sla_paused_at = u.paused_at,
    sla_resumed_at = CASE WHEN u.paused_at IS NULL THEN NULL ELSE t.sla_resumed_at END
FROM unnest(%b::bigint[], %b::smallint[], %b::smallint[], %b::integer[], %b::timestamptz[],
            %b::timestamptz[], %b::timestamptz[], %b::timestamptz[], %b::timestamptz[], %b::timestamptz[])
     AS u (id, level, priority, queue_id, warn_at, escalate_at, first_response_due_at,
           resolution_due_at, breached_at, paused_at)
WHERE t.id = u.id
"""


def lock_due(conn: Connection[Any], limit: int) -> list[DueTicket]:
    """Locks up to `limit` tickets whose SLA pointer has passed, until the caller's transaction ends."""
    with conn.cursor(row_factory=class_row(DueTicket)) as cur:
        return cur.execute(LOCK_DUE, (limit,)).fetchall()


def record_events(conn: Connection[Any], events: Sequence[StepEvent]) -> set[tuple[int, str, str]]:
    """Appends the events not recorded before; returns (ticket_id, type, level or target) of those."""
    if not events:
        return set()
    # Binary parameters (%b): arrays of a batch's texts are sent without per-element escaping.
    rows = conn.execute(
        INSERT_EVENTS,
        (
            [e.ticket_id for e in events],
            [e.type for e in events],
            [e.occurred_at for e in events],
            [e.queue_id for e in events],
            [json.dumps(e.data, default=str) for e in events],
        ),
    ).fetchall()
    return {(int(r[0]), str(r[1]), str(r[2])) for r in rows}


def update(conn: Connection[Any], updates: Sequence[TicketUpdate]) -> None:
    if not updates:
        return
    conn.execute(
        UPDATE,
        (
            [u.id for u in updates],
            [u.escalation_level for u in updates],
            [u.priority for u in updates],
            [u.queue_id for u in updates],
            [u.sla_warn_at for u in updates],
            [u.escalate_at for u in updates],
            [u.first_response_due_at for u in updates],
            [u.resolution_due_at for u in updates],
            [u.resolution_breached_at for u in updates],
            [u.sla_paused_at for u in updates],
        ),
    )
