"""RabbitMQ stopped and started while tickets breach their deadlines: every step still happens, once.

Runs on a private RabbitMQ node (tests/integration/private_rabbitmq.py) with a real worker and a
real beat: deadlines live in PostgreSQL, so the sweeps that run after the broker is back find them.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.fixtures.celery_worker import ROOT, WORKER_VARIABLES, running_worker, worker_env
from tests.integration.private_rabbitmq import private_rabbit
from tests.integration.test_escalation import phone_ticket
from tests.integration.worker_tickets import all_events, set_columns

pytestmark = pytest.mark.integration


@contextmanager
def running_beat(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    process_env = {k: v for k, v in os.environ.items() if k not in WORKER_VARIABLES} | env
    command = [sys.executable, "-m", "celery", "-A", "services.workers.app", "beat", "--loglevel=INFO"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=process_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_tickets_breaching_while_rabbitmq_is_down_escalate_once_when_it_is_back(
    database_url: str, db: psycopg.Connection[Any], tmp_path: Path
):
    tickets = [phone_ticket(db, waited_s=0) for _ in range(4)]  # nothing due yet
    with private_rabbit(tmp_path) as rabbit:
        env = worker_env(database_url, rabbit.url, ESCALATION_SWEEP_S="1", SURVEY_SWEEP_S="1")
        with running_worker(env, tmp_path / "worker.log") as worker, running_beat(env, tmp_path / "beat.log"):
            worker.wait_until(
                lambda: "escalations.sweep" in worker.log(), what="a first sweep through the broker"
            )
            rabbit.stop()

            # While the broker is away, every ticket passes its warning and its first-response deadline.
            for ticket_id in tickets:
                set_columns(
                    db,
                    ticket_id,
                    sla_warn_at=db_time(db, -2),
                    first_response_due_at=db_time(db, -1),
                    escalate_at=db_time(db, -2),
                )
            time.sleep(3)
            assert [all_events(db, t) for t in tickets] == [[]] * len(tickets)  # no sweep without a broker

            rabbit.start()
            worker.wait_until(
                lambda: all(("escalated", "1") in all_events(db, t) for t in tickets),
                timeout=90,
                what="the escalations after the broker came back",
            )
            # A few more ticks after the catch-up: still once each.
            marker = worker.log().count("escalations.sweep")
            worker.wait_until(
                lambda: worker.log().count("escalations.sweep") >= marker + 4, what="more sweeps"
            )

    for ticket_id in tickets:
        assert all_events(db, ticket_id) == [("sla_warning", "first_response"), ("escalated", "1")]


def db_time(db: psycopg.Connection[Any], seconds: float) -> Any:
    row = db.execute("SELECT now() + make_interval(secs => %s)", (seconds,)).fetchone()
    assert row is not None
    return row[0]
