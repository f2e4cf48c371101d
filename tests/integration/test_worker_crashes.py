"""Exactly-once effects when a worker is SIGKILLed mid-task or a task message is delivered twice.

A pause injected by the test (TEST_SWEEP_PAUSE, tests/fixtures/paused_worker.py) makes a sweep wait in its
transaction, its effects written but not committed, on an advisory lock this test holds: the kill
lands at that known point. The real RabbitMQ hands the unacknowledged message to the next worker.
"""

import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from services.shared.db import open_pool
from services.workers import escalation
from services.workers import surveys as survey_tasks
from tests.fixtures.celery_worker import WorkerHandle, running_worker, worker_env
from tests.integration.test_escalation import POLICIES, phone_ticket
from tests.integration.worker_tickets import all_events, db_now, insert_customer, insert_ticket, messages

pytestmark = pytest.mark.integration


@contextmanager
def advisory_lock(database_url: str, key: int) -> Iterator[psycopg.Connection[Any]]:
    """Holds the lock the hooked sweep waits for; yields the holding connection (unlock with it)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        yield conn


def waiting_backends(db: psycopg.Connection[Any], key: int) -> list[int]:
    """Backends waiting for the advisory lock `key` (a key below 2**32 is objid with classid 0)."""
    rows = db.execute(
        """SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
           AND classid = 0 AND objid = %s AND objsubid = 1""",
        (key,),
    ).fetchall()
    return [int(r[0]) for r in rows]


def wait_for(check: Any, what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return found


def kill_blocked_worker(
    db: psycopg.Connection[Any],
    worker: WorkerHandle,
    holder: psycopg.Connection[Any],
    key: int,
    *,
    child: bool = False,
):
    """SIGKILLs the worker while its sweep waits in the hook, then lets its orphaned backend end.

    PostgreSQL notices a dead client only when it next talks to it: once the lock is released the
    orphan gets it, finds its client gone and rolls the transaction back. With `child`, only the
    prefork pool process running the task is killed.
    """
    [backend] = wait_for(lambda: waiting_backends(db, key), "the sweep to reach the hook")
    if child:
        # The prefork pool's process running the task; the worker's main process sees it lost and
        # gives the message back (task_reject_on_worker_lost).
        [pid] = pool_processes(worker.process.pid)
        os.kill(pid, signal.SIGKILL)
    else:
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
    holder.execute("SELECT pg_advisory_unlock(%s)", (key,))
    wait_for(
        lambda: (
            db.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone() == (0,)
        ),
        "the killed worker's transaction to roll back",
    )


def pool_processes(parent: int) -> list[int]:
    """The prefork pool's processes under a worker's main process."""
    found = subprocess.run(["ps", "--ppid", str(parent), "-o", "pid="], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def test_a_worker_killed_mid_escalation_leaves_each_effect_exactly_once_after_a_new_worker_runs(
    database_url: str, broker_url: str, db: psycopg.Connection[Any], tmp_path: Path
):
    tickets = [phone_ticket(db) for _ in range(3)]  # each past its warning and its level 1
    key = random.randrange(1, 2**31)
    env = worker_env(database_url, broker_url, TEST_SWEEP_PAUSE=f"escalations:{key}")

    with advisory_lock(database_url, key) as holder, running_worker(env, tmp_path / "first.log") as first:
        first.send(escalation.SWEEP)
        kill_blocked_worker(db, first, holder, key)
        # Killed before its commit: nothing of the sweep is visible.
        assert [all_events(db, t) for t in tickets] == [[], [], []]

        # The message was never acknowledged: RabbitMQ gives it to the next worker on the queue.
        with running_worker(env, tmp_path / "second.log") as second:
            second.wait_until(
                lambda: all(("escalated", "1") in all_events(db, t) for t in tickets),
                what="the redelivered sweep",
            )

    for ticket_id in tickets:
        assert all_events(db, ticket_id) == [("sla_warning", "first_response"), ("escalated", "1")]
        assert len(messages(db, ticket_id, "notification")) == 2
    # A later sweep finds nothing left to do.
    with open_pool(database_url, name="test-crashes") as pool:
        assert escalation.sweep(pool, POLICIES, batch_size=10) == 0


def test_a_pool_process_killed_mid_escalation_gives_its_message_back_and_the_effects_happen_once(
    database_url: str, broker_url: str, db: psycopg.Connection[Any], tmp_path: Path
):
    tickets = [phone_ticket(db) for _ in range(3)]
    key = random.randrange(1, 2**31)
    env = worker_env(database_url, broker_url, TEST_SWEEP_PAUSE=f"escalations:{key}")

    with (
        advisory_lock(database_url, key) as holder,
        running_worker(env, tmp_path / "prefork.log", pool="prefork") as worker,
    ):
        worker.send(escalation.SWEEP)
        kill_blocked_worker(db, worker, holder, key, child=True)
        # The same worker, with a new pool process, runs the message it was given back.
        worker.wait_until(
            lambda: all(("escalated", "1") in all_events(db, t) for t in tickets), what="the requeued sweep"
        )
        assert "WorkerLostError" in worker.log()

    for ticket_id in tickets:
        assert all_events(db, ticket_id) == [("sla_warning", "first_response"), ("escalated", "1")]
        assert len(messages(db, ticket_id, "notification")) == 2


def test_a_worker_killed_mid_survey_leaves_one_survey_per_ticket(
    database_url: str, broker_url: str, db: psycopg.Connection[Any], tmp_path: Path
):
    now = db_now(db)
    tickets = [
        insert_ticket(
            db,
            customer_id=insert_customer(db, identities={"phone": f"+96279000010{i}"}),
            queued_at=now - timedelta(minutes=5),
            status="resolved",
            survey_due_at=now,
        )
        for i in range(3)
    ]
    key = random.randrange(1, 2**31)
    env = worker_env(database_url, broker_url, TEST_SWEEP_PAUSE=f"surveys:{key}")

    with advisory_lock(database_url, key) as holder, running_worker(env, tmp_path / "first.log") as first:
        first.send(survey_tasks.SWEEP)
        kill_blocked_worker(db, first, holder, key)
        assert db.execute("SELECT count(*) FROM surveys").fetchone() == (0,)

        with running_worker(env, tmp_path / "second.log") as second:
            second.wait_until(
                lambda: db.execute("SELECT count(*) FROM surveys").fetchone() == (3,),
                what="the redelivered sweep",
            )

    for ticket_id in tickets:
        assert len(messages(db, ticket_id, "survey")) == 1
        assert [e for e, _ in all_events(db, ticket_id)] == ["survey_sent"]


def test_the_same_task_message_delivered_twice_has_one_effect(
    database_url: str, broker_url: str, db: psycopg.Connection[Any], tmp_path: Path
):
    tickets = [phone_ticket(db) for _ in range(3)]
    key = random.randrange(1, 2**31)
    env = worker_env(
        database_url, broker_url, TEST_SWEEP_PAUSE=f"escalations:{key}", CELERY_RESULT_BACKEND="rpc://"
    )

    # Two workers, one copy of the message each, both inside the sweep at the same time.
    with (
        advisory_lock(database_url, key) as holder,
        running_worker(env, tmp_path / "a.log") as one,
        running_worker(env, tmp_path / "b.log", name="other"),
    ):
        task_id = "escalation-sweep-duplicate"
        results = [one.app.send_task(escalation.SWEEP, task_id=task_id) for _ in range(2)]
        wait_for(lambda: len(waiting_backends(db, key)) == 2, "both deliveries to be inside the sweep")
        holder.execute("SELECT pg_advisory_unlock(%s)", (key,))
        counts = sorted(r.get(timeout=30) for r in results)

    # One delivery found the three tickets (warning and level 1 each); the other found them locked.
    assert counts == [0, 6]
    for ticket_id in tickets:
        assert all_events(db, ticket_id) == [("sla_warning", "first_response"), ("escalated", "1")]
