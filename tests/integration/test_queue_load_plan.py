"""A queue's recent load (the input of every estimated wait and of the staffing advice) stays an index
read as the year's tickets pile up, in the plan PostgreSQL keeps for the prepared statement."""

import asyncio
import re
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from services.shared.store.tickets import arrival, queueing

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
TICKETS = 6_000
# As wide as a replayed year's tickets (a text of several sentences, its classification): about five
# to a page, so reading them all is dear and the plan matters.
BODY = "x" * 1500


def _fill(db: psycopg.Connection) -> int:
    """A year of old tickets in `cards` (stored in no order of time), a few in the last hour; returns
    the queue's id."""
    customer = db.execute("INSERT INTO customers DEFAULT VALUES RETURNING id").fetchone()[0]
    queue = db.execute("SELECT id FROM queues WHERE name = 'cards'").fetchone()[0]
    db.execute(
        """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status,
               priority, body, routed_by, created_at, last_event_at)
           SELECT 'email', 'old' || n, '\\x00', %(c)s, %(q)s, 'abandoned', 2, %(body)s, 'classifier',
               %(now)s - interval '400 days' + n * interval '90 minutes',
               %(now)s - interval '400 days' + n * interval '90 minutes'
           FROM generate_series(1, %(n)s) AS n ORDER BY random()""",
        {"c": customer, "q": queue, "now": NOW, "n": TICKETS, "body": BODY},
    )
    for n in range(3):
        at = NOW - timedelta(minutes=10 * (n + 1))
        db.execute(
            """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status,
                   priority, body, routed_by, created_at, last_event_at)
               VALUES ('email', %s, '\\x00', %s, %s, 'queued', 2, 'new', 'classifier', %s, %s)""",
            (f"new{n}", customer, queue, at, at),
        )
    db.execute("ANALYZE tickets")
    return int(queue)


def test_the_generic_plan_counts_arrivals_from_the_index(db: psycopg.Connection) -> None:
    queue = _fill(db)
    # The statement as the server prepares it: its named placeholders numbered as psycopg numbers them.
    numbered, names = arrival.numbered(queueing.QUEUE_LOAD)
    types = {"q": "integer", "since": "timestamptz", "now": "timestamptz", "window_s": "float8"}
    db.execute("SET plan_cache_mode = force_generic_plan")
    db.execute(f"PREPARE load ({', '.join(types[n] for n in names)}) AS {numbered}")
    values = {"q": queue, "since": NOW - timedelta(hours=1), "now": NOW, "window_s": 3600.0}
    args = ", ".join(
        f"'{values[n].isoformat()}'" if isinstance(values[n], datetime) else str(values[n]) for n in names
    )
    plan = "\n".join(row[0] for row in db.execute(f"EXPLAIN EXECUTE load ({args})"))
    # An open range (`created_at > $2`) had the generic plan read every ticket of the table.
    assert not re.search(r"Seq Scan on tickets", plan), plan


def test_arrivals_are_those_of_the_window(database_url: str, db: psycopg.Connection) -> None:
    queue = _fill(db)

    async def read() -> queueing.QueueLoad:
        async with await psycopg.AsyncConnection.connect(database_url) as conn:
            return await queueing.queue_load(conn, queue, NOW, 3600.0)

    load = asyncio.run(read())
    assert load.arrivals_per_s == pytest.approx(3 / 3600.0)
    assert load.handle_s is None  # nothing of the queue was resolved
