"""The proactive sweep on the real PostgreSQL: exactly once per ticket and kind while two sweeps run
at once, after a sweep dies before its commit, and never for back-filled history."""

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from services.shared.db import open_pool
from services.workers import proactive
from services.workers.settings import WorkerSettings
from tests.fixtures.celery_worker import worker_env
from tests.integration.worker_tickets import db_now, insert_customer, insert_ticket, messages

pytestmark = pytest.mark.integration


@pytest.fixture
def pool(database_url: str) -> Iterator[ConnectionPool]:
    with open_pool(database_url, name="test-proactive") as opened:
        yield opened


@pytest.fixture
def settings(database_url: str, broker_url: str) -> WorkerSettings:
    return WorkerSettings.from_env(worker_env(database_url, broker_url, PROACTIVE_WAIT_NOTICE_S="300"))


def waiting_ticket(db: psycopg.Connection[Any]) -> int:
    """A chat ticket queued an hour ago: past the stated wait."""
    customer = insert_customer(db, identities={"chat_visitor": "visitor-3"})
    return insert_ticket(db, customer_id=customer, channel="chat", queued_at=db_now(db) - timedelta(hours=1))


def claimed(db: psycopg.Connection[Any], ticket_id: int, **data: Any) -> None:
    """The `claimed` event as any path writes it (the trigger makes the message due)."""
    db.execute(
        "INSERT INTO ticket_events (ticket_id, type, occurred_at, data) VALUES (%s, 'claimed', now(), %s)",
        (ticket_id, psycopg.types.json.Jsonb(data)),
    )


class Paused:
    """A before-commit hook that holds the first batch that decided something open until released."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.release = threading.Event()

    def __call__(self, conn: Any) -> None:
        decided = conn.execute("SELECT count(*) FROM proactive_messages").fetchone()[0]
        if decided and not self.inside.is_set():
            self.inside.set()
            assert self.release.wait(30)


def run_paused(
    pool: ConnectionPool, settings: WorkerSettings, hook: Paused
) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(proactive.sweep(pool, settings, hook)))
    thread.start()
    assert hook.inside.wait(30)
    return thread, result


@pytest.mark.parametrize("kind", ["wait", "taken"])
def test_two_sweeps_at_once_send_one_message(
    db: psycopg.Connection[Any], pool: ConnectionPool, settings: WorkerSettings, kind: str
) -> None:
    ticket_id = waiting_ticket(db)
    if kind == "taken":
        db.execute("UPDATE tickets SET queued_at = now() WHERE id = %s", (ticket_id,))  # not waited yet
        claimed(db, ticket_id)
    hook = Paused()
    thread, first = run_paused(pool, settings, hook)
    # The first sweep holds the ticket, its message written but not committed: the second passes by.
    assert proactive.sweep(pool, settings) == 0
    hook.release.set()
    thread.join(30)
    assert first == [1]
    assert proactive.sweep(pool, settings) == 0
    assert len(messages(db, ticket_id, "proactive")) == 1


def test_a_sweep_that_dies_before_its_commit_leaves_the_ticket_due(
    db: psycopg.Connection[Any], pool: ConnectionPool, settings: WorkerSettings
) -> None:
    ticket_id = waiting_ticket(db)
    claimed(db, ticket_id)

    def crash(_conn: Any) -> None:
        raise RuntimeError("the worker died")

    with pytest.raises(RuntimeError):
        proactive.sweep(pool, settings, crash)
    assert messages(db, ticket_id, "proactive") == []
    # Nothing was kept of the dead sweep's work: the next one sends the taking, once (a ticket whose
    # taking is due is not told it waits, so the order stays wait, taken, resolved).
    assert proactive.sweep(pool, settings) == 1
    assert proactive.sweep(pool, settings) == 0
    [message] = messages(db, ticket_id, "proactive")
    assert message["channel"] == "chat" and message["recipient"] == "visitor-3"


def test_back_filled_history_is_nobodys_news(
    db: psycopg.Connection[Any], pool: ConnectionPool, settings: WorkerSettings
) -> None:
    ticket_id = waiting_ticket(db)
    db.execute("UPDATE tickets SET queued_at = now() WHERE id = %s", (ticket_id,))
    claimed(db, ticket_id, backfill=True)
    assert proactive.sweep(pool, settings) == 0
    assert db.execute("SELECT count(*) FROM proactive_due").fetchone() == (0,)
