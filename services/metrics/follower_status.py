"""The follower's lag and set-aside count, read from PostgreSQL for gRPC, Prometheus and readiness.

- events_behind: committed events the follower has yet to process (after its position in
  ticket_events' (tx, id) order), counted up to BEHIND_CAP.
- oldest_unprocessed_age_s: how long ago the first of them was written (its recorded_at); 0 when none.
- set_aside: the events set aside so far (event_set_aside).
- stuck: events wait and the first of them has waited longer than `stuck_after_s`: the follower
  is stopped, fails on every pass, waits behind a transaction left open, or falls behind faster
  than it catches up. A healthy follower reaches an event within a second of its commit.

Read from the tables rather than from the follower's memory, so every copy of the service tells the
same, and a follower that fails on every pass is seen as stuck.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection

from services.metrics.store import CURSOR

# Counting a backlog walks the (tx, id) index; past this many events "that many or more" is enough.
BEHIND_CAP = 1_000_000

STATUS = """
SELECT (SELECT count(*) FROM (SELECT 1 FROM ticket_events e
            WHERE (e.tx, e.id) > (c.last_tx, c.last_id) LIMIT %(cap)s) behind),
       (SELECT greatest(0, extract(epoch FROM now() - e.recorded_at))::float8 FROM ticket_events e
            WHERE (e.tx, e.id) > (c.last_tx, c.last_id) ORDER BY e.tx, e.id LIMIT 1),
       (SELECT count(*) FROM event_set_aside),
       c.caught_up_at
FROM metrics_cursor c WHERE c.name = %(name)s
"""


@dataclass(frozen=True)
class FollowerStatus:
    events_behind: int
    oldest_unprocessed_age_s: float
    set_aside: int
    caught_up_at: datetime | None
    stuck: bool


def is_stuck(events_behind: int, oldest_unprocessed_age_s: float, stuck_after_s: float) -> bool:
    return events_behind > 0 and oldest_unprocessed_age_s > stuck_after_s


def _status(row: tuple[Any, ...] | None, stuck_after_s: float) -> FollowerStatus:
    if row is None:  # no cursor row: the migrations have not run
        return FollowerStatus(0, 0.0, 0, None, stuck=False)
    behind, age, set_aside, caught_up_at = row
    age = float(age or 0.0)
    return FollowerStatus(
        int(behind), age, int(set_aside), caught_up_at, is_stuck(int(behind), age, stuck_after_s)
    )


async def read(conn: AsyncConnection[Any], stuck_after_s: float) -> FollowerStatus:
    cur = await conn.execute(STATUS, {"cap": BEHIND_CAP, "name": CURSOR})
    return _status(await cur.fetchone(), stuck_after_s)


def read_sync(conn: Connection[Any], stuck_after_s: float) -> FollowerStatus:
    """The same, for the Prometheus scrape (a thread with a synchronous pool)."""
    return _status(conn.execute(STATUS, {"cap": BEHIND_CAP, "name": CURSOR}).fetchone(), stuck_after_s)
