"""Demand's reading of tickets: counts per week, intent, queue and channel, and inquiry texts.

The intent and confidence are those the classifier recorded on the ticket (tickets.intent and
tickets.classification), the latest when a worker routed it again. The queue is where routing put
it (ticket_metrics.opened_queue_id), else its queue now, so a transfer by an agent does not move demand.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

# Classifier reasons for sending an inquiry to triage (services/classifier/decision.py).
UNPLACED_REASONS = ("no_match", "low_confidence", "out_of_scope")
# Of a long e-mail, the start says what is asked; the rest is history and signatures.
TEXT_CHARS = 2000


@dataclass(frozen=True)
class WeekCount:
    week: int
    intent: str
    queue: str
    channel: str
    count: int


COUNTS = """
WITH w (i, a, b) AS (SELECT * FROM unnest(%s::int[], %s::timestamptz[], %s::timestamptz[]))
SELECT w.i, t.intent, coalesce(q.name, ''), t.channel, count(*)
FROM w
JOIN tickets t ON t.created_at >= w.a AND t.created_at < w.b
LEFT JOIN ticket_metrics m ON m.ticket_id = t.id
LEFT JOIN queues q ON q.id = coalesce(m.opened_queue_id, t.queue_id)
GROUP BY 1, 2, 3, 4
"""


async def week_counts(
    conn: AsyncConnection[Any], weeks: Sequence[tuple[datetime, datetime]]
) -> list[WeekCount]:
    """Tickets created in each [start, end) of `weeks` (numbered by position), per intent, queue, channel."""
    cur = await conn.execute(COUNTS, (list(range(len(weeks))), [a for a, _ in weeks], [b for _, b in weeks]))
    return [WeekCount(*row) for row in await cur.fetchall()]


TEXTS = """
SELECT t.id, left(t.subject || E'\n' || t.body, %(chars)s),
       t.classification ->> 'reason' = ANY(%(reasons)s)
         OR coalesce((t.classification ->> 'confidence')::float8, 1.0) < %(low)s
FROM tickets t
WHERE t.created_at >= %(a)s AND t.created_at < %(b)s AND t.routed_by = 'classifier'
ORDER BY t.created_at DESC, t.id DESC
LIMIT %(limit)s
"""


async def inquiry_texts(
    conn: AsyncConnection[Any], start: datetime, end: datetime, *, low_confidence: float, limit: int
) -> list[tuple[int, str, bool]]:
    """(ticket id, text, unplaced) of the latest `limit` inquiries the classifier judged in [start, end);
    unplaced: sent to triage for a reason of UNPLACED_REASONS, or confidence under `low_confidence`."""
    cur = await conn.execute(
        TEXTS,
        {
            "a": start, "b": end, "chars": TEXT_CHARS, "reasons": list(UNPLACED_REASONS),
            "low": low_confidence, "limit": limit,
        },
    )  # fmt: skip
    return [(int(i), str(text), bool(unplaced)) for i, text, unplaced in await cur.fetchall()]


# Weeks by their starts (the centre's Mondays, in order): each ticket's week found by a binary search
# of them, rather than converting every ticket's time to the centre's clock; the intent from the
# index (0022), so a year is counted from the index alone.
WEEKLY = """
SELECT t.intent, width_bucket(t.created_at, %(starts)s::timestamptz[]), count(*)
FROM tickets t
WHERE t.created_at >= %(a)s AND t.created_at < %(b)s
GROUP BY 1, 2
"""


async def weekly_intents(
    conn: AsyncConnection[Any], starts: Sequence[datetime]
) -> list[tuple[str, int, int]]:
    """(intent, week, tickets) of tickets created from `starts[0]` to `starts[-1]`, where week k
    (1-based) runs from starts[k-1] to starts[k]."""
    cur = await conn.execute(WEEKLY, {"a": starts[0], "b": starts[-1], "starts": list(starts)})
    return [(str(i), int(w), int(n)) for i, w, n in await cur.fetchall()]
