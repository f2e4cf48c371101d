"""The escalation sweep on the real PostgreSQL, through a real worker on the real broker."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from services.shared.db import open_pool
from services.shared.sla import EscalationPolicy
from services.shared.store import ticket_events
from services.workers import escalation
from tests.fixtures.celery_worker import WorkerHandle, running_worker, worker_env
from tests.integration.worker_tickets import db_now, events, insert_customer, insert_ticket, messages, ticket

pytestmark = pytest.mark.integration

POLICY = EscalationPolicy.parse(None)  # the worker fixture runs on the default deadlines too


def overdue_ticket(db: psycopg.Connection[Any], *, waited_s: int = 70, **columns: Any) -> int:
    """A phone ticket queued `waited_s` ago whose level 1 (due after 60 s) has not been swept yet."""
    queued_at = db_now(db) - timedelta(seconds=waited_s)
    columns.setdefault("escalate_at", POLICY.due_at("phone", queued_at, 1))
    return insert_ticket(db, customer_id=insert_customer(db), queued_at=queued_at, **columns)


def shift_back(db: psycopg.Connection[Any], ticket_id: int, seconds: int) -> None:
    """Moves the ticket's clock back, as if `seconds` had passed."""
    db.execute(
        """UPDATE tickets SET queued_at = queued_at - make_interval(secs => %s),
                              escalate_at = escalate_at - make_interval(secs => %s)
           WHERE id = %s""",
        (seconds, seconds, ticket_id),
    )


@pytest.fixture
def pool(database_url: str) -> Iterator[ConnectionPool]:
    with open_pool(database_url, name="test-escalation") as opened:
        yield opened


def test_an_overdue_ticket_escalates_once_per_level(db: psycopg.Connection[Any], celery_worker: WorkerHandle):
    ticket_id = overdue_ticket(db, priority=2)
    queued_at = ticket(db, ticket_id)["queued_at"]

    assert celery_worker.run(escalation.SWEEP) == 1
    assert celery_worker.run(escalation.SWEEP) == 0

    row = ticket(db, ticket_id)
    assert (row["escalation_level"], row["priority"]) == (1, 3)
    assert row["escalate_at"] == queued_at + timedelta(seconds=120)
    [event] = events(db, ticket_id, "escalated")
    assert event["data"] == {"level": 1, "reason": "wait_deadline", "priority": 3}
    assert event["queue_id"] == row["queue_id"]
    # The sweep does not move the guard on integrations' report times: an answer dated before it holds.
    assert row["last_event_at"] == queued_at
    [note] = messages(db, ticket_id, "notification")
    assert note["recipient"] == "supervisors:general" and f"Ticket {ticket_id} " in note["body"]

    shift_back(db, ticket_id, 60)
    assert celery_worker.run(escalation.SWEEP) == 1
    assert celery_worker.run(escalation.SWEEP) == 0

    row = ticket(db, ticket_id)
    assert (row["escalation_level"], row["priority"], row["escalate_at"]) == (2, 4, None)
    assert [e["data"]["level"] for e in events(db, ticket_id, "escalated")] == [1, 2]
    assert len(messages(db, ticket_id, "notification")) == 2


def test_only_tickets_waiting_for_an_answer_escalate(
    db: psycopg.Connection[Any], celery_worker: WorkerHandle
):
    claimed = overdue_ticket(db, status="claimed")
    not_yet = overdue_ticket(db, waited_s=30)
    done = [overdue_ticket(db, status=s) for s in ("answered", "resolved", "abandoned", "self_served")]

    assert celery_worker.run(escalation.SWEEP) == 1

    assert ticket(db, claimed)["escalation_level"] == 1
    for ticket_id in [not_yet, *done]:
        row = ticket(db, ticket_id)
        assert (row["escalation_level"], row["priority"]) == (0, 2)
        assert events(db, ticket_id, "escalated") == []
        assert messages(db, ticket_id, "notification") == []


def test_a_ticket_locked_elsewhere_is_skipped_not_waited_for(
    database_url: str, db: psycopg.Connection[Any], pool: ConnectionPool
):
    ticket_id = overdue_ticket(db)
    with psycopg.connect(database_url) as other:
        other.execute("SELECT 1 FROM tickets WHERE id = %s FOR UPDATE", (ticket_id,))
        assert escalation.sweep(pool, POLICY, batch_size=10) == 0
    assert escalation.sweep(pool, POLICY, batch_size=10) == 1


def test_a_sweep_works_through_every_batch(db: psycopg.Connection[Any], pool: ConnectionPool):
    ticket_ids = [overdue_ticket(db) for _ in range(5)]

    assert escalation.sweep(pool, POLICY, batch_size=2) == 5

    assert {ticket(db, t)["escalation_level"] for t in ticket_ids} == {1}


def test_a_level_recorded_before_is_not_repeated(db: psycopg.Connection[Any], pool: ConnectionPool):
    # As after a reopen that reset the level: the level 1 event exists, the ticket says level 0.
    ticket_id = overdue_ticket(db, priority=2)
    at = db_now(db)
    ticket_events.append_sync(
        db, ticket_events.NewEvent(ticket_id, "escalated", at, data={"level": 1, "reason": "wait_deadline"})
    )

    assert escalation.sweep(pool, POLICY, batch_size=10) == 0

    row = ticket(db, ticket_id)
    assert (row["escalation_level"], row["priority"]) == (1, 2)
    assert row["escalate_at"] > at  # moved on to level 2, so the sweep does not find it again
    assert len(events(db, ticket_id, "escalated")) == 1
    assert messages(db, ticket_id, "notification") == []


def test_the_filesystem_broker_runs_a_sweep_end_to_end(
    database_url: str, db: psycopg.Connection[Any], tmp_path: Path
):
    ticket_id = overdue_ticket(db)
    env = worker_env(database_url, "filesystem://", BROKER_FILESYSTEM_DIR=str(tmp_path / "broker"))

    with running_worker(env, tmp_path / "worker.log") as worker:
        worker.send(escalation.SWEEP)
        worker.wait_until(lambda: ticket(db, ticket_id)["escalation_level"] == 1, what="the escalation")

    assert len(events(db, ticket_id, "escalated")) == 1
    assert list((tmp_path / "broker" / "messages").iterdir()) == []  # the message was consumed
