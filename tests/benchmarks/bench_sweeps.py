"""Escalation sweep throughput: 100,000 overdue tickets escalated (level 1: priority up, the event,
the supervisors' notification), against a floor measured in the same run on the same rows: a bare
`UPDATE … FOR NO KEY UPDATE SKIP LOCKED` loop with the same batch size that only bumps the level.

Prints tickets per second for both and their ratio; asserts only that every ticket escalated once.
Run: `.venv/bin/python -m pytest tests/benchmarks/bench_sweeps.py -m benchmark -s`.
"""

import time
from typing import Any

import psycopg
import pytest

from services.shared import sla
from services.shared.db import open_pool
from services.workers import escalation
from tests.benchmarks.conftest import size
from tests.benchmarks.results import Figure, Results

# Past pytest's default timeout on a busy machine (the sizes are full-size).
pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(1800)]

TICKETS = size("TEST_BENCH_SWEEP_TICKETS", 100_000, 500)
BATCH = 200  # the worker's default SWEEP_BATCH_SIZE

# Phone tickets whose warning went out and whose first-response deadline passed 50 s ago: one step
# (level 1) is due on each, and level 2 is not yet.
SEED = """
WITH c AS (INSERT INTO customers (language) VALUES ('en') RETURNING id)
INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status, priority, body,
    routed_by, created_at, queued_at, last_event_at, escalate_at, first_response_due_at, resolution_due_at)
SELECT 'phone', 'bench-' || g, sha256(g::text::bytea), c.id, (SELECT id FROM queues WHERE name = 'general'),
    'queued', 2, 'Where is my card?', 'classifier', now() - interval '2 minutes',
    now() - interval '2 minutes', now() - interval '2 minutes', now() - interval '50 seconds',
    now() - interval '50 seconds', now() + interval '8 hours'
FROM generate_series(1, %s) AS g CROSS JOIN c
"""

FLOOR_BATCH = """
WITH due AS (
    SELECT id FROM tickets WHERE escalate_at <= now() ORDER BY escalate_at LIMIT %s
    FOR NO KEY UPDATE SKIP LOCKED
)
UPDATE tickets t SET escalation_level = 1, escalate_at = NULL FROM due WHERE t.id = due.id
"""

RESET = """
UPDATE tickets SET escalation_level = 0, priority = 2, escalate_at = now() - interval '50 seconds'
"""


def floor_loop(conn: psycopg.Connection[Any]) -> int:
    total = 0
    while True:
        with conn.transaction():
            done = conn.execute(FLOOR_BATCH, (BATCH,)).rowcount
        total += done
        if done < BATCH:
            return total


def test_escalation_sweep_throughput(database_url: str, bench_results: Results) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(SEED, (TICKETS,))
        conn.execute("VACUUM ANALYZE tickets")

        started = time.perf_counter()
        floor_count = floor_loop(conn)
        floor_s = time.perf_counter() - started
        assert floor_count == TICKETS
        conn.execute(RESET)
        conn.execute("VACUUM ANALYZE tickets")

    # An hour to a first answer, so level 2 (an hour after level 1) never falls due during the run.
    policies = sla.load(overrides="phone=3600")
    with open_pool(database_url, name="bench-sweeps", max_size=2) as pool:
        started = time.perf_counter()
        steps = escalation.sweep(pool, policies, BATCH)
        sweep_s = time.perf_counter() - started

    with psycopg.connect(database_url) as conn:
        levels = conn.execute("SELECT escalation_level, count(*) FROM tickets GROUP BY 1").fetchall()
        events = conn.execute("SELECT count(*) FROM ticket_events WHERE type = 'escalated'").fetchone()
        notes = conn.execute("SELECT count(*) FROM outbound_messages WHERE kind = 'notification'").fetchone()
    assert steps == TICKETS and levels == [(1, TICKETS)]
    assert events == (TICKETS,) and notes == (TICKETS,)

    sweep_rate, floor_rate = TICKETS / sweep_s, TICKETS / floor_s
    print(
        f"\nescalation sweep: {TICKETS} overdue tickets in {sweep_s:.2f} s = {sweep_rate:,.0f} tickets/s "
        f"(batches of {BATCH}; each: priority up, `escalated` event, supervisors' notification)"
    )
    print(
        f"floor (bare UPDATE ... SKIP LOCKED loop, same batches): {floor_s:.2f} s = "
        f"{floor_rate:,.0f} tickets/s"
    )
    print(f"sweep / floor: {sweep_rate / floor_rate:.2f}")
    bench_results.add(
        Figure(
            "escalation sweep in process",
            sweep_rate,
            "tickets/s",
            floor_rate,
            "bare UPDATE … SKIP LOCKED loop",
            note=f"{TICKETS:,} overdue tickets, batches of {BATCH}",
        )
    )


def test_two_sweeps_side_by_side_share_the_work(database_url: str) -> None:
    """Two workers' sweeps at once (SKIP LOCKED): together they escalate each ticket once."""
    from concurrent.futures import ThreadPoolExecutor

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(SEED, (TICKETS,))
        conn.execute("VACUUM ANALYZE tickets")
    policies = sla.load(overrides="phone=3600")
    with (
        open_pool(database_url, name="bench-sweeps-a", max_size=2) as one,
        open_pool(database_url, name="bench-sweeps-b", max_size=2) as two,
        ThreadPoolExecutor(2) as threads,
    ):
        started = time.perf_counter()
        counts = list(threads.map(lambda pool: escalation.sweep(pool, policies, BATCH), [one, two]))
        both_s = time.perf_counter() - started
    with psycopg.connect(database_url) as conn:
        events = conn.execute("SELECT count(DISTINCT ticket_id), count(*) FROM ticket_events").fetchone()
    assert sum(counts) == TICKETS and events == (TICKETS, TICKETS)
    print(
        f"\ntwo sweeps side by side (threads of one process): {TICKETS} tickets in {both_s:.2f} s = "
        f"{TICKETS / both_s:,.0f} tickets/s, split {counts[0]} / {counts[1]}"
    )
