"""The escalation sweep on the real PostgreSQL, through a real worker on the real broker."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from services.shared import sla
from services.shared.db import open_pool
from services.shared.store import queue_supervisors, ticket_events
from services.workers import escalation
from tests.fixtures.celery_worker import WorkerHandle, running_worker, worker_env
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem
from tests.integration.router.rows import agent
from tests.integration.routing_helpers import OfferStream, route
from tests.integration.worker_tickets import (
    all_events,
    db_now,
    events,
    insert_customer,
    insert_ticket,
    messages,
    queue_id,
    set_columns,
    ticket,
)

pytestmark = pytest.mark.integration

POLICIES = sla.load()  # the worker fixture runs on the shipped policies too: phone 60 s, 8 h


def phone_ticket(db: psycopg.Connection[Any], *, waited_s: float = 70, **columns: Any) -> int:
    """A phone ticket queued `waited_s` ago with its deadlines stored as intake stores them."""
    queued_at = db_now(db) - timedelta(seconds=waited_s)
    due = POLICIES.deadlines("phone", columns.get("priority", 2), queued_at)
    ticket_id = insert_ticket(
        db, customer_id=insert_customer(db), queued_at=queued_at, escalate_at=due.warn_at, **columns
    )
    set_columns(
        db,
        ticket_id,
        first_response_due_at=due.first_response_due_at,
        resolution_due_at=due.resolution_due_at,
        sla_warn_at=due.warn_at,
    )
    return ticket_id


def shift_back(db: psycopg.Connection[Any], ticket_id: int, seconds: float) -> None:
    """Moves the ticket's clocks back, as if `seconds` had passed."""
    db.execute(
        """UPDATE tickets SET queued_at = queued_at - make_interval(secs => %(s)s),
                  escalate_at = escalate_at - make_interval(secs => %(s)s),
                  first_response_due_at = first_response_due_at - make_interval(secs => %(s)s),
                  resolution_due_at = resolution_due_at - make_interval(secs => %(s)s),
                  sla_warn_at = sla_warn_at - make_interval(secs => %(s)s)
           WHERE id = %(id)s""",
        {"s": seconds, "id": ticket_id},
    )


@pytest.fixture
def pool(database_url: str) -> Iterator[ConnectionPool]:
    with open_pool(database_url, name="test-escalation") as opened:
        yield opened


def test_warning_breach_and_second_level_each_happen_once(
    db: psycopg.Connection[Any], celery_worker: WorkerHandle
):
    general, fraud = queue_id(db, "general"), queue_id(db, "disputes_fraud")
    db.execute("UPDATE queues SET escalation_queue_id = %s WHERE id = %s", (fraud, general))
    queue_supervisors.add_sync(db, general, "email", "lead-general@bank.example", "Lead")
    queue_supervisors.add_sync(db, general, "phone", "+966500000001")
    ticket_id = phone_ticket(db, waited_s=50, priority=2)  # past the warning (48 s)
    # The deadline an hour away, so however slowly this machine runs the warning comes alone.
    db.execute(
        "UPDATE tickets SET first_response_due_at = now() + interval '1 hour' WHERE id = %s", (ticket_id,)
    )

    assert celery_worker.run(escalation.SWEEP) == 1
    assert celery_worker.run(escalation.SWEEP) == 0

    row = ticket(db, ticket_id)
    assert (row["escalation_level"], row["priority"], row["sla_warn_at"]) == (0, 2, None)
    assert row["escalate_at"] == row["first_response_due_at"]
    [warning] = events(db, ticket_id, "sla_warning")
    assert warning["data"]["target"] == "first_response" and warning["queue_id"] == general
    notes = messages(db, ticket_id, "notification")
    assert [(n["channel"], n["recipient"]) for n in notes] == [
        ("email", "lead-general@bank.example"),
        ("phone", "+966500000001"),
    ]
    assert "close to its first-response deadline" in notes[0]["body"]

    shift_back(db, ticket_id, 3601)
    assert celery_worker.run(escalation.SWEEP) == 1
    assert celery_worker.run(escalation.SWEEP) == 0

    row = ticket(db, ticket_id)
    assert (row["escalation_level"], row["priority"], row["queue_id"]) == (1, 3, fraud)
    [level_one] = events(db, ticket_id, "escalated")
    assert level_one["queue_id"] == fraud
    assert level_one["data"] | {"due_at": None} == {
        "level": 1,
        "reason": "first_response",
        "priority": 3,
        "from_queue_id": general,
        "due_at": None,
    }
    # The escalation target's supervisors hear of it: nobody is listed there, so the console does.
    [moved_note] = messages(db, ticket_id, "notification")[2:]
    assert (
        moved_note["recipient"] == "supervisors:disputes_fraud"
        and "moved to disputes_fraud" in moved_note["body"]
    )
    # The sweep does not move the guard on integrations' report times: an answer dated before it holds.
    assert row["last_event_at"] == row["queued_at"] + timedelta(seconds=3601)

    shift_back(db, ticket_id, 60)
    assert celery_worker.run(escalation.SWEEP) == 1
    assert celery_worker.run(escalation.SWEEP) == 0

    row = ticket(db, ticket_id)
    assert (row["escalation_level"], row["priority"]) == (2, 4)
    assert row["escalate_at"] == row["resolution_due_at"]  # only the resolution deadline is left
    assert all_events(db, ticket_id)[-3:] == [
        ("sla_warning", "first_response"),
        ("escalated", "1"),
        ("escalated", "2"),
    ]


def test_only_open_tickets_escalate_and_closed_ones_leave_the_sweep(
    db: psycopg.Connection[Any], celery_worker: WorkerHandle
):
    claimed = phone_ticket(db, status="claimed")
    not_yet = phone_ticket(db, waited_s=0)
    answered = phone_ticket(db, status="answered")
    closed = [phone_ticket(db, status=s) for s in ("resolved", "abandoned", "self_served")]

    # The claimed ticket: its warning and its level 1, both missed by now.
    assert celery_worker.run(escalation.SWEEP) == 2

    assert ticket(db, claimed)["escalation_level"] == 1
    assert [e for e, _ in all_events(db, claimed)] == ["sla_warning", "escalated"]
    for ticket_id in [not_yet, answered, *closed]:
        row = ticket(db, ticket_id)
        assert (row["escalation_level"], row["priority"]) == (0, 2)
        assert events(db, ticket_id, "escalated") == events(db, ticket_id, "sla_warning") == []
        assert messages(db, ticket_id, "notification") == []
    # An answered ticket waits only for its resolution deadline; closed ones for nothing.
    assert ticket(db, answered)["escalate_at"] == ticket(db, answered)["resolution_due_at"]
    assert {ticket(db, t)["escalate_at"] for t in closed} == {None}


def test_a_missed_resolution_deadline_is_recorded_once(db: psycopg.Connection[Any], pool: ConnectionPool):
    ticket_id = phone_ticket(db, status="answered")
    shift_back(db, ticket_id, 8 * 3600)

    assert escalation.sweep(pool, POLICIES, batch_size=10) == 1
    assert escalation.sweep(pool, POLICIES, batch_size=10) == 0

    [breach] = events(db, ticket_id, "sla_breached")
    assert breach["data"]["target"] == "resolution"
    row = ticket(db, ticket_id)
    assert row["resolution_breached_at"] is not None and row["escalate_at"] is None
    assert len(messages(db, ticket_id, "notification")) == 1


def test_a_paused_clock_runs_no_deadline_until_the_customer_writes(
    db: psycopg.Connection[Any], pool: ConnectionPool
):
    ticket_id = phone_ticket(db, status="answered")
    paused_at = db_now(db) - timedelta(hours=9)
    set_columns(db, ticket_id, sla_paused_at=paused_at, escalate_at=None)
    shift_back(db, ticket_id, 8 * 3600)  # the resolution deadline passed while paused

    assert escalation.sweep(pool, POLICIES, batch_size=10) == 0
    due_before = ticket(db, ticket_id)["resolution_due_at"]

    wrote_at = db_now(db)
    ticket_events.append_sync(db, ticket_events.NewEvent(ticket_id, "customer_message", wrote_at))
    row = ticket(db, ticket_id)
    assert (row["sla_resumed_at"], row["escalate_at"]) == (wrote_at, wrote_at)  # the trigger wakes the sweep

    assert escalation.sweep(pool, POLICIES, batch_size=10) == 0
    row = ticket(db, ticket_id)
    # The deadline moved on by the 9 hours paused (the live-channel calendar is always open).
    assert row["resolution_due_at"] == due_before + (wrote_at - paused_at)
    assert (row["sla_paused_at"], row["sla_resumed_at"]) == (None, None)
    assert row["escalate_at"] == row["resolution_due_at"]
    assert events(db, ticket_id, "sla_breached") == []


def test_a_ticket_locked_elsewhere_is_skipped_not_waited_for(
    database_url: str, db: psycopg.Connection[Any], pool: ConnectionPool
):
    ticket_id = phone_ticket(db)
    with psycopg.connect(database_url) as other:
        other.execute("SELECT 1 FROM tickets WHERE id = %s FOR UPDATE", (ticket_id,))
        assert escalation.sweep(pool, POLICIES, batch_size=10) == 0
    assert escalation.sweep(pool, POLICIES, batch_size=10) == 2


def offer(db: psycopg.Connection[Any], ticket_id: int, agent_id: int) -> int:
    """The ticket offered to the agent by the router's own function, for five minutes."""
    row = db.execute(
        "SELECT routing_offer(%s, %s, interval '5 minutes', '{}')", (ticket_id, agent_id)
    ).fetchone()
    assert row is not None and row[0] is not None
    return int(row[0])


def test_an_escalation_into_another_queue_withdraws_the_pending_offer(
    db: psycopg.Connection[Any], pool: ConnectionPool, gateway_alone: Gateway
):
    gw = gateway_alone
    general, fraud = queue_id(db, "general"), queue_id(db, "disputes_fraud")
    db.execute("UPDATE queues SET escalation_queue_id = %s WHERE id = %s", (fraud, general))
    first_id, first = gw.agent(["general"], name="General")
    ticket_id = phone_ticket(db)  # waited 70 s: past the phone's 60 s first-response deadline
    stream = OfferStream(gw.url, first)
    try:
        with gw.client(first) as console:
            console.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
            offer_id = offer(db, ticket_id, first_id)
            assert stream.next("offer")["id"] == offer_id

            assert escalation.sweep(pool, POLICIES, batch_size=10) == 2  # the warning and level 1
            row = ticket(db, ticket_id)
            assert (row["status"], row["queue_id"], row["priority"]) == ("queued", fraud, 3)
            outcome = db.execute("SELECT outcome FROM ticket_offers WHERE id = %s", (offer_id,)).fetchone()
            assert outcome == ("withdrawn",)
            [missed] = events(db, ticket_id, "offer_missed")
            assert (missed["agent_id"], missed["queue_id"], missed["data"]) == (
                first_id,
                general,
                {"offer_id": offer_id, "outcome": "withdrawn"},
            )
            # The agent's live stream drops it, and accepting it now changes nothing.
            assert stream.next("offer_closed") == {"offer_id": offer_id, "state": "withdrawn"}
            assert_problem(console.post(f"/v1/agent/offers/{offer_id}/accept", json={}), 409)
            assert console.get("/v1/agent/offers").json() == []
            assert ticket(db, ticket_id)["status"] == "queued"
    finally:
        stream.close()

    # Free for its new queue at once, not after the old offer's timeout.
    second_id = agent(db, ["disputes_fraud"], skills={"fraud": 4}, name="Fraud")
    assert route(gw.database_url, gw.settings.routing).offered == 1
    pending = db.execute(
        "SELECT agent_id, queue_id FROM ticket_offers WHERE ticket_id = %s AND outcome IS NULL", (ticket_id,)
    ).fetchall()
    assert pending == [(second_id, fraud)]


def test_an_escalation_that_keeps_the_queue_keeps_the_offer(
    db: psycopg.Connection[Any], pool: ConnectionPool
):
    agent_id = agent(db, ["general"])  # general has no escalation target: level 1 only raises priority
    ticket_id = phone_ticket(db)
    offer_id = offer(db, ticket_id, agent_id)
    assert escalation.sweep(pool, POLICIES, batch_size=10) == 2
    assert ticket(db, ticket_id)["priority"] == 3
    assert db.execute("SELECT outcome FROM ticket_offers WHERE id = %s", (offer_id,)).fetchone() == (None,)
    assert events(db, ticket_id, "offer_missed") == []


def test_a_ticket_whose_offer_is_being_decided_waits_for_the_next_sweep(
    database_url: str, db: psycopg.Connection[Any], pool: ConnectionPool
):
    general, fraud = queue_id(db, "general"), queue_id(db, "disputes_fraud")
    db.execute("UPDATE queues SET escalation_queue_id = %s WHERE id = %s", (fraud, general))
    ticket_id = phone_ticket(db)
    offer_id = offer(db, ticket_id, agent(db, ["general"]))
    # An accept in progress holds the offer and waits for the ticket: the sweep must not wait for it.
    with psycopg.connect(database_url) as accepting:
        accepting.execute("SELECT 1 FROM ticket_offers WHERE id = %s FOR UPDATE", (offer_id,))
        assert escalation.sweep(pool, POLICIES, batch_size=10) == 0
        assert ticket(db, ticket_id)["queue_id"] == general
    assert escalation.sweep(pool, POLICIES, batch_size=10) == 2
    assert ticket(db, ticket_id)["queue_id"] == fraud
    assert db.execute("SELECT outcome FROM ticket_offers WHERE id = %s", (offer_id,)).fetchone() == (
        "withdrawn",
    )


def test_a_sweep_works_through_every_batch(db: psycopg.Connection[Any], pool: ConnectionPool):
    ticket_ids = [phone_ticket(db) for _ in range(5)]

    assert escalation.sweep(pool, POLICIES, batch_size=2) == 10

    assert {ticket(db, t)["escalation_level"] for t in ticket_ids} == {1}


def test_a_level_recorded_before_is_not_repeated(db: psycopg.Connection[Any], pool: ConnectionPool):
    # As after a reopen that reset the level: the level 1 event exists, the ticket says level 0.
    ticket_id = phone_ticket(db, priority=2)
    set_columns(db, ticket_id, sla_warn_at=None)
    at = db_now(db)
    ticket_events.append_sync(
        db, ticket_events.NewEvent(ticket_id, "escalated", at, data={"level": 1, "reason": "first_response"})
    )

    assert escalation.sweep(pool, POLICIES, batch_size=10) == 0

    row = ticket(db, ticket_id)
    assert (row["escalation_level"], row["priority"]) == (1, 2)
    assert row["escalate_at"] > at  # moved on to level 2, so the sweep does not find it again
    assert len(events(db, ticket_id, "escalated")) == 1
    assert messages(db, ticket_id, "notification") == []


def test_a_ticket_stored_without_deadlines_gets_them(db: psycopg.Connection[Any], pool: ConnectionPool):
    queued_at: datetime = db_now(db) - timedelta(seconds=10)
    ticket_id = insert_ticket(db, customer_id=insert_customer(db), queued_at=queued_at, escalate_at=queued_at)

    assert escalation.sweep(pool, POLICIES, batch_size=10) == 0

    row = ticket(db, ticket_id)
    assert row["first_response_due_at"] == queued_at + timedelta(seconds=60)
    assert row["escalate_at"] == row["sla_warn_at"] == queued_at + timedelta(seconds=48)


def test_the_filesystem_broker_runs_a_sweep_end_to_end(
    database_url: str, db: psycopg.Connection[Any], tmp_path: Path
):
    ticket_id = phone_ticket(db)
    env = worker_env(database_url, "filesystem://", BROKER_FILESYSTEM_DIR=str(tmp_path / "broker"))

    with running_worker(env, tmp_path / "worker.log") as worker:
        worker.send(escalation.SWEEP)
        worker.wait_until(lambda: ticket(db, ticket_id)["escalation_level"] == 1, what="the escalation")

    assert len(events(db, ticket_id, "escalated")) == 1
    # The sweep's message was consumed; the delivery kick it sent after its commit may still wait.
    assert len(list((tmp_path / "broker" / "messages").iterdir())) <= 1


def test_the_admin_cli_sets_escalation_targets_and_supervisors(
    database_url: str, db: psycopg.Connection[Any], capsys: pytest.CaptureFixture[str]
):
    from services.admin import cli as admin

    assert admin.run(["set-escalation-queue", "cards", "disputes_fraud"], database_url) == 0
    assert (
        admin.run(
            ["add-supervisor", "cards", "--channel", "email", "--address", "l@bank.example"], database_url
        )
        == 0
    )
    assert admin.run(["set-escalation-queue", "cards", "nowhere"], database_url) == 2
    assert (
        admin.run(["add-supervisor", "nowhere", "--channel", "email", "--address", "x@y.z"], database_url)
        == 2
    )
    assert "unknown queue" in capsys.readouterr().err

    cards = queue_id(db, "cards")
    target = db.execute("SELECT escalation_queue_id FROM queues WHERE id = %s", (cards,)).fetchone()
    assert target == (queue_id(db, "disputes_fraud"),)
    assert queue_supervisors.for_queues_sync(db, [cards]) == {cards: [("email", "l@bank.example")]}
    assert admin.run(["set-escalation-queue", "cards", "none"], database_url) == 0
    assert db.execute("SELECT escalation_queue_id FROM queues WHERE id = %s", (cards,)).fetchone() == (None,)
