"""The proactive sweep: a ticket that waits past its channel's stated wait is told so, and one an
agent took or resolved is told that, each once, on its own channel in the customer's language, as
an outbound message the channel's usual path delivers (callback, polling, mail, SMS / WhatsApp).

Exactly once: the decision is a proactive_messages row, unique per ticket and kind, written in the
transaction that writes the message; tickets are locked with SKIP LOCKED, so two workers split the
work, and a worker that dies before its commit leaves the ticket due for the next sweep.
"""

import logging
from typing import Any

from celery import Celery
from psycopg import Connection
from psycopg_pool import ConnectionPool

from services.shared.domain import CHANNELS
from services.shared.proactive import policy
from services.shared.store import proactive_messages
from services.shared.store.proactive_messages import Due
from services.workers import notifications, retry
from services.workers.database import BeforeCommit, ProcessPool
from services.workers.settings import WorkerSettings

log = logging.getLogger(__name__)

FAMILY = "proactive"
SWEEP = "proactive.sweep"
# A returning customer's message is the gateway's to decide right after the intake commits; the sweep
# takes it only once it has stayed undecided this long (the gateway died in between).
RETURNING_GRACE_S = 30.0


def decide(conn: Connection[Any], settings: WorkerSettings, due: Due) -> bool:
    """Records the decision for one locked ticket with its message; True when one went out."""
    if due.kind == "returning" and due.about_ticket_id is None:
        return False  # no earlier ticket on the intent: nothing to tell, nothing to record
    outcome, text = policy.decision(due, settings.channels.proactive, settings.centre_zone)
    return proactive_messages.decide_sync(conn, due, outcome, text) is not None


def sweep(pool: ConnectionPool, settings: WorkerSettings, before_commit: BeforeCommit | None = None) -> int:
    """Returning customers' messages a gateway left undecided first (they come before anything else
    said of the ticket), then wait notices, then taken and resolved tickets, one transaction per
    batch; returns how many messages went out."""
    proactive = settings.channels.proactive
    waits: dict[str, float] = {channel: proactive.wait_s(channel) for channel in CHANNELS}
    sent = 0
    for lock in (
        lambda conn: proactive_messages.lock_returning_sync(
            conn, proactive.returning_days, RETURNING_GRACE_S, settings.sweep_batch_size
        ),
        lambda conn: proactive_messages.lock_waiting_sync(conn, waits, settings.sweep_batch_size),
        lambda conn: proactive_messages.lock_due_sync(conn, settings.sweep_batch_size),
    ):
        while True:
            with pool.connection() as conn, conn.transaction():
                batch = lock(conn)
                sent += sum(decide(conn, settings, due) for due in batch)
                proactive_messages.clear_due_sync(
                    conn, [(d.ticket_id, d.kind) for d in batch if d.kind != "wait"]
                )
                if before_commit is not None:
                    before_commit(conn)
            if len(batch) < settings.sweep_batch_size:
                break
    return sent


def register(
    app: Celery, settings: WorkerSettings, db: ProcessPool, before_commit: BeforeCommit | None = None
) -> None:
    @app.task(name=SWEEP, shared=False, **retry.TASK_OPTIONS)
    def sweep_task() -> int:
        count = sweep(db.get(), settings, before_commit)
        if count:
            log.info("sent %d proactive messages", count)
            notifications.kick(app)
        return count
