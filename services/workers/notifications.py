"""The notifications sweep: pending outbound messages of channels with a callback are posted to it,
signed, with retries and exponential backoff; once the callback accepts one it is never sent again.
Only callbacks whose registering credential is still active are posted to, and each post goes through
the egress policy, pinned (services/workers/callback_sender.py)."""

import json
import logging
import time

from celery import Celery
from psycopg_pool import ConnectionPool

from services.shared import callback_signature
from services.shared.store import outbound_messages
from services.shared.store.outbound_messages import CallbackDelivery
from services.workers import retry
from services.workers.callback_sender import CallbackSender
from services.workers.database import ProcessPool
from services.workers.settings import WorkerSettings

log = logging.getLogger(__name__)

FAMILY = "notifications"
SWEEP = "notifications.deliver"
# Messages leased and posted per round; each round commits its lease before any request is made.
# Posted one after the other, a round of slow callbacks takes BATCH x CALLBACK_TIMEOUT_S: small
# rounds keep that inside the lease (so no other sender takes them meanwhile) and the time limit.
BATCH = 4
# No new round starts after this long, well inside the task's soft time limit (slow callbacks can
# make a round long); the next tick goes on where this one stopped.
ROUNDS_BUDGET_S = 20.0


def backoff_s(attempts: int, settings: WorkerSettings) -> float | None:
    """Seconds before the next attempt after `attempts` failed ones; None: give up."""
    if attempts >= settings.callback_max_attempts:
        return None
    return min(settings.callback_backoff_s * 2 ** (attempts - 1), settings.callback_backoff_max_s)


def record_attempt(
    pool: ConnectionPool, message_id: int, what: str, error: str | None, retry_in: float | None
) -> int:
    """Records one delivery attempt of an outbound message (1 when it is now delivered, else 0): a
    failure keeps its reason and comes back after `retry_in` seconds, or never when that is None."""
    with pool.connection() as conn, conn.transaction():
        if error is None:
            return outbound_messages.delivered_sync(conn, message_id)
        log.warning("%s for message %d failed: %s", what, message_id, error)
        outbound_messages.attempt_failed_sync(conn, message_id, error, retry_in)
        return 0


def payload(message: CallbackDelivery) -> bytes:
    return json.dumps(
        {
            "id": message.id,
            "channel": message.channel,
            "kind": message.kind,
            "recipient": message.recipient,
            "body": message.body,
            "ticket_id": message.ticket_id,
            "created_at": message.created_at.isoformat(),
            "attempt": message.attempts,
        },
        ensure_ascii=False,
    ).encode()


def post(sender: CallbackSender, message: CallbackDelivery) -> str | None:
    """Posts one message; None when the callback accepted it (2xx), else what went wrong."""
    body = payload(message)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        callback_signature.TIMESTAMP_HEADER: str(timestamp),
        callback_signature.SIGNATURE_HEADER: callback_signature.signature(message.secret, timestamp, body),
        callback_signature.MESSAGE_ID_HEADER: str(message.id),
    }
    return sender.post(message.url, body, headers)


def sweep(pool: ConnectionPool, settings: WorkerSettings, sender: CallbackSender | None = None) -> int:
    """Delivers what is due, round by round; returns how many messages callbacks accepted.

    The lease is committed before the request, so no row lock is held across a network call; a
    worker that dies mid-request leaves its messages leased, and they come back when the lease ends.
    A URL the egress policy refuses now (stored before the policy, or its name resolves elsewhere
    since) is a failed attempt with the reason, retried and given up like any other.
    """
    if sender is None:
        sender = CallbackSender(settings.callback_egress, settings.callback_timeout_s)
    delivered = 0
    lease_s = settings.callback_timeout_s * (BATCH + 1)
    stop_at = time.monotonic() + ROUNDS_BUDGET_S
    while True:
        with pool.connection() as conn, conn.transaction():
            batch = outbound_messages.lease_for_callback_sync(conn, BATCH, lease_s)
        for message in batch:
            error = post(sender, message)
            with pool.connection() as conn, conn.transaction():
                if error is None:
                    delivered += outbound_messages.delivered_sync(conn, message.id)
                else:
                    log.warning("callback for message %d failed: %s", message.id, error)
                    outbound_messages.attempt_failed_sync(
                        conn, message.id, error, backoff_s(message.attempts, settings)
                    )
        if len(batch) < BATCH or time.monotonic() > stop_at:
            return delivered


def kick(app: Celery) -> None:
    """Starts a delivery now (after the caller's commit); the beat tick would start one anyway."""
    try:
        app.send_task(SWEEP)
    except Exception as exc:  # the broker is away: the next tick delivers
        log.warning("could not start a delivery now: %s", exc)


def register(app: Celery, settings: WorkerSettings, db: ProcessPool) -> None:
    @app.task(name=SWEEP, shared=False, **retry.TASK_OPTIONS)
    def deliver_task() -> int:
        count = sweep(db.get(), settings)
        if count:
            log.info("delivered %d messages to callbacks", count)
        return count
