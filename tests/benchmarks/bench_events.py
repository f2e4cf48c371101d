"""How many ticket events one PostgreSQL takes, in this project's transaction shapes (docs/scaling.md).

Each shape runs for BENCH_EVENTS_S seconds (default 3) at several client counts, every client a
connection of its own in a thread, each transaction committed (synchronous_commit as the server has
it). Beside them, in the same run, the floor: one single-row INSERT per transaction into a table with
nothing but a primary key, which is what a commit costs here.

- `one event`: a state change that records one event (an answer, a reply): one `ticket_events` row.
- `intake`: what POST /v1/inquiries commits: a ticket row (whose trigger NOTIFYs the routers), its
  `created` and `routed` events.
- `intake, no NOTIFY`: the same with the tickets' wake-up trigger disabled, to show what the NOTIFY
  costs: PostgreSQL serialises the commits of all transactions that notified (one lock on its queue).
- `intake, NOTIFY after commit`: the trigger disabled and the same NOTIFY sent by the client in a
  transaction of its own once the intake committed, which writes nothing and so waits for no flush.
- `sweep batch`: a worker sweep's batch: 200 events in one transaction (one pipelined statement).

Prints transactions and events per second per shape and client count, each shape's ratio to the floor
at the same client count, and the WAL and disk bytes one event costs. Asserts only that every event
was written. Run: `.venv/bin/python -m pytest tests/benchmarks/bench_events.py -m benchmark -s`.
"""

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from services.shared.store import ticket_events
from services.shared.store.ticket_events import NewEvent

pytestmark = pytest.mark.benchmark

DURATION_S = float(os.environ.get("BENCH_EVENTS_S", "3"))
CLIENTS = (1, 4, 16)
TICKETS = 2_000
SWEEP_BATCH = 200  # the workers' SWEEP_BATCH_SIZE

SEED = """
WITH c AS (INSERT INTO customers (language) VALUES ('en') RETURNING id)
INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status, priority, body,
    routed_by, created_at, queued_at, last_event_at)
SELECT 'web', 'bench-' || g, sha256(g::text::bytea), c.id, (SELECT id FROM queues WHERE name = 'general'),
    'queued', 2, 'Where is my card?', 'classifier', now(), now(), now()
FROM generate_series(1, %s) AS g CROSS JOIN c
"""
NEW_TICKET = """
INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status, priority, body,
    routed_by, created_at, queued_at, last_event_at)
VALUES ('web', %s, sha256(%s::bytea), %s, %s, 'queued', 2, 'Where is my card?', 'classifier', now(), now(),
    now())
RETURNING id
"""
FLOOR_TABLE = "CREATE TABLE bench_floor (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n bigint)"


@dataclass(frozen=True)
class Setup:
    ticket_ids: list[int]
    customer_id: int
    queue_id: int


# A shape: one transaction's work on a connection; returns the events it wrote.
Shape = Callable[[psycopg.Connection[Any], Setup, int, int], int]


def floor(conn: psycopg.Connection[Any], setup: Setup, client: int, n: int) -> int:
    conn.execute("INSERT INTO bench_floor (n) VALUES (%s)", (n,))
    return 0


def one_event(conn: psycopg.Connection[Any], setup: Setup, client: int, n: int) -> int:
    ticket = setup.ticket_ids[(client * 7919 + n) % len(setup.ticket_ids)]
    ticket_events.append_sync(conn, NewEvent(ticket, "answered", datetime.now(UTC), data={"bench": n}))
    return 1


def intake(conn: psycopg.Connection[Any], setup: Setup, client: int, n: int) -> int:
    key = f"intake-{client}-{n}-{time.monotonic_ns()}"
    row = conn.execute(NEW_TICKET, (key, key, setup.customer_id, setup.queue_id)).fetchone()
    assert row is not None
    now = datetime.now(UTC)
    ticket_events.append_sync(
        conn,
        NewEvent(row[0], "created", now, data={"channel": "web"}),
        NewEvent(row[0], "routed", now, queue_id=setup.queue_id, data={"queue": "general"}),
    )
    return 2


# Run before and after a shape, on the benchmark's own database.
AROUND: dict[str, tuple[str, str]] = {
    name: (
        "ALTER TABLE tickets DISABLE TRIGGER tickets_routing_wake",
        "ALTER TABLE tickets ENABLE TRIGGER tickets_routing_wake",
    )
    for name in ("intake, no NOTIFY", "intake, NOTIFY after commit")
}
# Run by the client after each of the shape's transactions committed.
AFTER_COMMIT = {"intake, NOTIFY after commit": "SELECT pg_notify('routing', '')"}


def sweep_batch(conn: psycopg.Connection[Any], setup: Setup, client: int, n: int) -> int:
    now = datetime.now(UTC)
    start = (client * 7919 + n * SWEEP_BATCH) % len(setup.ticket_ids)
    events = [
        NewEvent(setup.ticket_ids[(start + i) % len(setup.ticket_ids)], "offer_missed", now, data={"n": n})
        for i in range(SWEEP_BATCH)
    ]
    ticket_events.append_sync(conn, *events)
    return SWEEP_BATCH


SHAPES: dict[str, Shape] = {
    "floor (1-row INSERT)": floor,
    "one event": one_event,
    "intake": intake,
    "intake, no NOTIFY": intake,
    "intake, NOTIFY after commit": intake,
    "sweep batch": sweep_batch,
}


def drive(
    database_url: str, setup: Setup, shape: Shape, clients: int, after_commit: str | None = None
) -> tuple[int, int, float]:
    """Runs `shape` on `clients` connections for DURATION_S; returns transactions, events, seconds."""
    counts = [(0, 0)] * clients
    start = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        transactions = events = 0
        with psycopg.connect(database_url, autocommit=True) as conn:
            start.wait()
            deadline = time.monotonic() + DURATION_S
            while time.monotonic() < deadline:
                with conn.transaction():
                    events += shape(conn, setup, index, transactions)
                if after_commit:
                    conn.execute(after_commit)
                transactions += 1
        counts[index] = (transactions, events)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return sum(t for t, _ in counts), sum(e for _, e in counts), elapsed


def _prepare(conn: psycopg.Connection[Any]) -> Setup:
    conn.execute(SEED, (TICKETS,))
    conn.execute(FLOOR_TABLE)
    ids = [row[0] for row in conn.execute("SELECT id FROM tickets ORDER BY id")]
    customer, queue = conn.execute("SELECT customer_id, queue_id FROM tickets LIMIT 1").fetchone() or (0, 0)
    conn.execute("VACUUM ANALYZE")
    return Setup(ids, customer, queue)


def _server(conn: psycopg.Connection[Any]) -> str:
    settings = ("server_version", "synchronous_commit", "fsync", "shared_buffers", "wal_level")
    return ", ".join(f"{name}={conn.execute(f'SHOW {name}').fetchone()[0]}" for name in settings)  # type: ignore[index]


def test_ticket_events_per_second(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        setup = _prepare(conn)
        print(f"\nserver: {_server(conn)}; {os.cpu_count()} CPUs shared by client and server")
        wal_start = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
        (events_before,) = conn.execute("SELECT count(*) FROM ticket_events").fetchone()  # type: ignore[misc]

    print(f"{'shape':<28} {'clients':>7} {'tx/s':>9} {'events/s':>10} {'tx / floor tx':>14}")
    floors: dict[int, float] = {}
    written = 0
    for name, shape in SHAPES.items():
        before, after = AROUND.get(name, ("", ""))
        if before:
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(before)
        for clients in CLIENTS:
            transactions, events, seconds = drive(database_url, setup, shape, clients, AFTER_COMMIT.get(name))
            written += events
            tx_rate = transactions / seconds
            if shape is floor:
                floors[clients] = tx_rate
            print(
                f"{name:<28} {clients:>7} {tx_rate:>9,.0f} {events / seconds:>10,.0f} "
                f"{tx_rate / floors[clients]:>14.2f}"
            )
        if after:
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(after)

    with psycopg.connect(database_url, autocommit=True) as conn:
        (events_after,) = conn.execute("SELECT count(*) FROM ticket_events").fetchone()  # type: ignore[misc]
        wal = conn.execute("SELECT pg_current_wal_lsn() - %s::pg_lsn", (wal_start,)).fetchone()[0]  # type: ignore[index]
        conn.execute("VACUUM ANALYZE ticket_events")
        size = conn.execute("SELECT pg_total_relation_size('ticket_events')").fetchone()[0]  # type: ignore[index]
    assert events_after - events_before == written
    # The WAL includes the floor's and the intake's other rows: an upper bound per event.
    print(
        f"{written:,} events written; WAL {wal / written:,.0f} bytes/event (upper bound, all shapes); "
        f"table and indexes {size / events_after:,.0f} bytes/event on disk"
    )
