"""Escalations and surveys per second through RabbitMQ and a real Celery worker, against a no-op task.

The worker (tests/benchmarks/noop_worker.py: the product's app plus one no-op task) runs on the
machine's RabbitMQ. Floor: TEST_BENCH_NOOP_TASKS no-op tasks sent at once, the last one's result awaited:
what one message through the broker, the worker and back costs here. Then the product's way: beat
sends one sweep message, and the sweep escalates every overdue ticket (level 1: priority up, the
`escalated` event, the supervisors' notification) or sends every due survey (the survey, its message
and its event), in batches of SWEEP_BATCH_SIZE. The figure is items per second from sending the
message to its result; the ratio is against no-op tasks per second, so above 1 means a sweep does
an item for less than a bare task message costs.

Asserts only that each ticket was escalated once and each survey sent once.
Run: `.venv/bin/python -m pytest tests/benchmarks/bench_tasks.py -m benchmark -s`.
"""

import os
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from services.workers import escalation, surveys
from tests.benchmarks import procwatch
from tests.benchmarks.bench_sweeps import SEED as SEED_OVERDUE
from tests.benchmarks.conftest import size
from tests.benchmarks.noop_worker import NOOP
from tests.benchmarks.results import Figure, Results
from tests.fixtures.celery_worker import running_worker, worker_env

# Past pytest's default timeout on a busy machine (the sizes are full-size).
pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(1800)]

TICKETS = size("TEST_BENCH_TASK_TICKETS", 20_000, 200)
NOOP_TASKS = size("TEST_BENCH_NOOP_TASKS", 2000, 50)

# Resolved e-mail tickets whose survey fell due a minute ago, each its own customer (a customer
# surveyed lately is not asked again), with an address to send to.
SEED_SURVEYS = """
WITH c AS (INSERT INTO customers (language) SELECT 'en' FROM generate_series(1, %(n)s) RETURNING id),
     numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS g FROM c)
INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status, priority, body,
    routed_by, created_at, last_event_at, answered_at, resolved_at, survey_due_at, reply_to)
SELECT 'email', 'survey-' || g, sha256(g::text::bytea), id, (SELECT id FROM queues WHERE name = 'general'),
    'resolved', 2, 'Thank you', 'classifier', now() - interval '1 hour', now() - interval '2 minutes',
    now() - interval '30 minutes', now() - interval '2 minutes', now() - interval '1 minute',
    'customer' || g || '@example.com'
FROM numbered
"""


def test_escalations_and_surveys_through_rabbitmq(
    database_url: str, broker_url: str, tmp_path: Path, bench_results: Results
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(SEED_OVERDUE, (TICKETS,))
        conn.execute(SEED_SURVEYS, {"n": TICKETS})
        conn.execute("VACUUM ANALYZE tickets")
    # An hour to a first answer on phone, so level 2 never falls due during the run; results by rpc.
    env = worker_env(database_url, broker_url, CELERY_RESULT_BACKEND="rpc://", ESCALATE_AFTER_S="phone=3600")
    dbname = conninfo_to_dict(database_url)["dbname"]
    watch_conn = psycopg.connect(database_url, autocommit=True)
    # As deployed (docker-compose.yml, services/stack): the prefork pool with a process per core,
    # heartbeats on.
    with running_worker(
        env,
        tmp_path / "worker.log",
        module="tests.benchmarks.noop_worker",
        pool="prefork",
        concurrency=os.cpu_count() or 1,
        as_deployed=True,
    ) as worker:
        roles = {
            "worker": procwatch.with_children(worker.process.pid),
            "postgres": procwatch.postgres_backends(watch_conn, dbname),
            "sender (this process)": lambda: [os.getpid()],
        }
        worker.run(NOOP)  # warm up: connections, queues declared

        def noops() -> tuple[float, float]:
            # The queue is run in order: when the last result is back, all have run but at most
            # the few still running beside it (waiting on each result in turn would measure the
            # result backend's polling instead). The time the
            # sending alone took is kept: RabbitMQ may hold publishers back (flow control).
            started = time.perf_counter()
            for _ in range(NOOP_TASKS - 1):
                worker.send(NOOP)
            sent_s = time.perf_counter() - started
            worker.run(NOOP, timeout=600)
            return time.perf_counter() - started, sent_s

        with procwatch.watch(roles) as noop_watch:
            noop_s, noop_sent_s = noops()

        def sweep(task: str) -> tuple[int, float, procwatch.Watch]:
            with procwatch.watch(roles) as w:
                started = time.perf_counter()
                count = worker.run(task, timeout=600)
                took = time.perf_counter() - started
            return count, took, w

        escalated, escalation_s, escalation_watch = sweep(escalation.SWEEP)
        sent, survey_s, survey_watch = sweep(surveys.SWEEP)
    watch_conn.close()

    with psycopg.connect(database_url) as conn:
        events: dict[str, Any] = dict(
            conn.execute(
                """SELECT type, count(DISTINCT ticket_id) FROM ticket_events
                   WHERE type IN ('escalated', 'survey_sent') GROUP BY type"""
            ).fetchall()
        )
    assert escalated == TICKETS and events.get("escalated") == TICKETS
    assert sent == TICKETS and events.get("survey_sent") == TICKETS

    floor = NOOP_TASKS / noop_s
    print(
        f"\nno-op Celery task: {NOOP_TASKS} in {noop_s:.2f} s = {floor:,.0f}/s "
        f"(saturates {noop_watch.saturates()}; publishing them took {noop_sent_s:.2f} s)"
        f"\nescalation sweep: {TICKETS} in {escalation_s:.2f} s = {TICKETS / escalation_s:,.0f}/s"
        f"\nsurvey sweep: {TICKETS} in {survey_s:.2f} s = {TICKETS / survey_s:,.0f}/s"
    )
    for name, took, w in (
        ("escalations through RabbitMQ (one sweep message)", escalation_s, escalation_watch),
        ("surveys through RabbitMQ (one sweep message)", survey_s, survey_watch),
    ):
        bench_results.add(
            Figure(
                name,
                TICKETS / took,
                "tickets/s",
                floor,
                "no-op Celery task round trips",
                saturates=w.saturates(),
                cpu=w.percent,
                note=f"{TICKETS} due tickets; no-op floor: {NOOP_TASKS} tasks, publishing "
                f"{noop_sent_s:.1f} s of {noop_s:.1f} s, saturates {noop_watch.saturates()}",
            )
        )
