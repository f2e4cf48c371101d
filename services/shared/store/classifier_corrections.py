"""SQL for classifier_corrections: (ticket text, queue an agent moved it to), to retrain the classifier."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection

RECORD = """
INSERT INTO classifier_corrections (ticket_id, text, queue_id, from_queue_id, agent_id, occurred_at)
VALUES (%s, %s, %s, %s, %s, %s)
"""

# The last correction of each ticket is its final queue: an A -> B -> C ticket teaches C only.
# `triage` is where nobody knew; it teaches the classifier nothing about any department.
EXPORT = """
SELECT text, queue FROM (
    SELECT DISTINCT ON (c.ticket_id) c.text, q.name AS queue, c.created_at
    FROM classifier_corrections c JOIN queues q ON q.id = c.queue_id
    WHERE %(since)s::timestamptz IS NULL OR c.created_at >= %(since)s
    ORDER BY c.ticket_id, c.id DESC
) last
WHERE queue <> 'triage'
ORDER BY created_at
"""


@dataclass(frozen=True)
class Correction:
    ticket_id: int
    text: str
    queue_id: int
    from_queue_id: int
    agent_id: int | None
    occurred_at: datetime


def ticket_text(subject: str, body: str) -> str:
    """What the classifier read of the ticket: the subject, then the body."""
    return f"{subject}\n{body}" if subject.strip() else body


async def record(conn: AsyncConnection[Any], correction: Correction) -> None:
    """Inside the caller's transaction: the transfer's."""
    c = correction
    await conn.execute(RECORD, (c.ticket_id, c.text, c.queue_id, c.from_queue_id, c.agent_id, c.occurred_at))


def export_sync(conn: Connection[Any], since: datetime | None = None) -> Iterator[tuple[str, str]]:
    """(text, queue) pairs, oldest first, streamed with a server-side cursor (which needs a transaction)."""
    with conn.transaction(), conn.cursor(name="corrections_export") as cur:
        cur.execute(EXPORT, {"since": since})
        yield from cur
