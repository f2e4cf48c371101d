"""The messaging sweep: pending messages (replies, FAQ answers, surveys) of tickets that are an SMS or
WhatsApp conversation, sent back the way the customer wrote, with retries.

A text the provider accepted but whose delivery was not recorded (a crash in between) is sent again
after its lease: providers have no idempotency key for a send, so at-least-once is the promise here.
"""

import logging
import time

from celery import Celery
from psycopg_pool import ConnectionPool

from services.shared.store import messaging_threads
from services.workers import retry
from services.workers.database import ProcessPool
from services.workers.messaging_senders import OutgoingText, ProviderSender, SendFailed, TextSender
from services.workers.notifications import backoff_s, record_attempt
from services.workers.settings import WorkerSettings

log = logging.getLogger(__name__)

FAMILY = "messaging"
SWEEP = "messaging.deliver"
# Messages leased per round; sent one after the other, so a round of a slow provider takes BATCH x
# CALLBACK_TIMEOUT_S, kept inside the lease. More per round: fewer queries, longer leases.
BATCH = 8
ROUNDS_BUDGET_S = 20.0


def enabled(settings: WorkerSettings) -> bool:
    channels = settings.channels
    return channels.twilio.enabled or bool(channels.whatsapp.access_token)


def sweep(pool: ConnectionPool, settings: WorkerSettings, sender: TextSender | None = None) -> int:
    """Sends what is due, round by round; returns how many texts the providers took."""
    channels = settings.channels
    send = sender or ProviderSender(channels.twilio, channels.whatsapp, settings.callback_timeout_s)
    sent = 0
    lease_s = settings.callback_timeout_s * (BATCH + 1)
    stop_at = time.monotonic() + ROUNDS_BUDGET_S
    while True:
        with pool.connection() as conn, conn.transaction():
            batch = messaging_threads.lease_sync(conn, BATCH, lease_s)
        for message in batch:
            error: str | None = None
            retry_in: float | None = None
            try:
                send.send(OutgoingText(message.transport, message.customer, message.centre, message.body))
            except SendFailed as exc:
                error = str(exc)
                retry_in = None if exc.permanent else backoff_s(message.attempts, settings)
            sent += record_attempt(pool, message.id, "text", error, retry_in)
        if len(batch) < BATCH or time.monotonic() > stop_at:
            return sent


def register(app: Celery, settings: WorkerSettings, db: ProcessPool) -> None:
    @app.task(name=SWEEP, shared=False, **retry.TASK_OPTIONS)
    def deliver_task() -> int:
        count = sweep(db.get(), settings)
        if count:
            log.info("sent %d texts", count)
        return count
