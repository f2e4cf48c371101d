"""SQL for the tickets' escalation columns: which tickets are overdue, and moving them a level on."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import Connection
from psycopg.rows import class_row


@dataclass(frozen=True)
class DueTicket:
    id: int
    channel: str
    queue_id: int
    queue_name: str
    priority: int
    escalation_level: int
    queued_at: datetime | None
    escalate_at: datetime
    # The database's clock when the rows were locked: the time the escalation happens.
    swept_at: datetime


# Only tickets still waiting for their first answer escalate; a deadline left on an answered or
# closed ticket is ignored. SKIP LOCKED lets sweeps run side by side without waiting on each other
# or on an agent's claim in progress.
LOCK_DUE = """
SELECT t.id, t.channel, t.queue_id, q.name AS queue_name, t.priority, t.escalation_level,
       t.queued_at, t.escalate_at, now() AS swept_at
FROM tickets t JOIN queues q ON q.id = t.queue_id
WHERE t.escalate_at <= now() AND t.status IN ('queued', 'claimed')
ORDER BY t.escalate_at
LIMIT %s
FOR UPDATE OF t SKIP LOCKED
"""

# last_event_at stays: it guards the order of what integrations report (an answer dated a moment
# before the sweep ran is still true, and must not be refused because the sweep got in first).
ADVANCE = """
UPDATE tickets SET escalation_level = %s, priority = %s, escalate_at = %s WHERE id = %s
"""


def lock_due(conn: Connection[Any], limit: int) -> list[DueTicket]:
    """Locks up to `limit` overdue tickets until the caller's transaction ends."""
    with conn.cursor(row_factory=class_row(DueTicket)) as cur:
        return cur.execute(LOCK_DUE, (limit,)).fetchall()


def advance(
    conn: Connection[Any],
    ticket_id: int,
    *,
    level: int,
    priority: int,
    escalate_at: datetime | None,
) -> None:
    """Records that `level` happened and when the next one is due (None: no further level)."""
    conn.execute(ADVANCE, (level, priority, escalate_at, ticket_id))
