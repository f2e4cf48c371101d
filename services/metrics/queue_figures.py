"""Live figures per queue, read from `tickets` at call time: depth, longest wait, work in progress, today."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection

from services.metrics.store import UnknownQueue
from services.shared import centre_clock


@dataclass(frozen=True)
class QueueFigures:
    queue: str
    waiting: int
    longest_wait_s: float | None
    in_progress: int
    answered_today: int
    abandoned_today: int


# "Today" starts at the centre's midnight (CENTRE_TIMEZONE), worked out in Python and passed in:
# neither the database session's TimeZone nor PostgreSQL's own zone names play a part.
# A ticket counts in its current queue. tickets has no abandoned_at column: an abandoned ticket's
# last_event_at is when it was abandoned, as nothing follows an abandonment. This reads every
# ticket of the day's queues; the wallboard's live figures (live.py) read today's rollups instead.
FIGURES = """
SELECT q.name AS queue,
       count(t.id) FILTER (WHERE t.status = 'queued') AS waiting,
       extract(epoch FROM now() - min(coalesce(t.queued_at, t.created_at))
                                     FILTER (WHERE t.status = 'queued'))::float8 AS longest_wait_s,
       count(t.id) FILTER (WHERE t.status IN ('claimed', 'answered')) AS in_progress,
       count(t.id) FILTER (WHERE t.answered_at >= %(today)s) AS answered_today,
       count(t.id) FILTER (WHERE t.status = 'abandoned' AND t.last_event_at >= %(today)s)
           AS abandoned_today,
       now() AS as_of
FROM queues q
LEFT JOIN tickets t ON t.queue_id = q.id
    AND (t.status IN ('queued', 'claimed', 'answered') OR t.last_event_at >= %(today)s)
WHERE %(queue)s::text IS NULL OR q.name = %(queue)s
GROUP BY q.id, q.name
ORDER BY q.name
"""


async def read(
    conn: AsyncConnection[Any], queue: str | None, zone: ZoneInfo
) -> tuple[list[QueueFigures], datetime]:
    """Figures of every queue, or of one (UnknownQueue when there is none by that name), and their
    time; "today" is the day on the centre's clock `zone`."""
    today = centre_clock.day_start(centre_clock.local_day(datetime.now(UTC), zone), zone)
    cur = await conn.execute(FIGURES, {"queue": queue, "today": today})
    rows = await cur.fetchall()
    if queue is not None and not rows:
        raise UnknownQueue(queue)
    if not rows:
        cur = await conn.execute("SELECT now()")
        row = await cur.fetchone()
        assert row is not None
        return [], row[0]
    return [_figures(*row[:-1]) for row in rows], rows[0][-1]


def _figures(queue: str, waiting: int, longest: float | None, *counts: int) -> QueueFigures:
    # An integration's clock may run a little ahead: a wait is never shown below zero.
    return QueueFigures(queue, waiting, None if longest is None else max(0.0, longest), *counts)
