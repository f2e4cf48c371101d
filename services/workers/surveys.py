"""The survey sweep: each resolved ticket due a survey gets one, through its own channel."""

import logging
import secrets
from datetime import timedelta
from typing import Any

from celery import Celery
from psycopg import Connection
from psycopg_pool import ConnectionPool

from services.shared.store import outbound_messages, surveys, ticket_events
from services.shared.store.surveys import DueSurvey
from services.workers.database import ProcessPool
from services.workers.settings import WorkerSettings
from services.workers.survey_text import should_send, survey_language, survey_link, survey_text

log = logging.getLogger(__name__)

FAMILY = "surveys"
SWEEP = "surveys.sweep"
# 32 random bytes: a link nobody can guess, still short enough for an SMS.
TOKEN_BYTES = 32


def send_survey(conn: Connection[Any], settings: WorkerSettings, due: DueSurvey) -> bool:
    """Creates the survey, its message and its event inside the caller's transaction.

    False when nothing went out: the ticket was reopened, or it had its survey already.
    """
    if not should_send(due.status):
        surveys.clear_due_sync(conn, due.ticket_id)
        return False
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = due.swept_at + timedelta(days=settings.survey_expiry_days)
    survey_id = surveys.create_sync(conn, due.ticket_id, token, due.swept_at, expires_at)
    if survey_id is None:
        surveys.clear_due_sync(conn, due.ticket_id)
        return False
    language = survey_language(due.language, due.customer_language)
    body = survey_text(
        language,
        due.channel,
        link=survey_link(settings.public_url, token),
        ticket_id=due.ticket_id,
        expires_days=settings.survey_expiry_days,
    )
    message_id = outbound_messages.insert_sync(
        conn,
        outbound_messages.NewMessage(
            channel=due.channel,
            kind="survey",
            body=body,
            recipient=due.recipient,
            ticket_id=due.ticket_id,
            customer_id=due.customer_id,
        ),
    )
    surveys.attach_message_sync(conn, survey_id, message_id)
    ticket_events.append_sync(
        conn,
        ticket_events.NewEvent(
            due.ticket_id,
            "survey_sent",
            due.swept_at,
            queue_id=due.queue_id,
            data={"survey_id": survey_id, "message_id": message_id, "language": language},
        ),
    )
    surveys.clear_due_sync(conn, due.ticket_id)
    return True


def sweep(pool: ConnectionPool, settings: WorkerSettings) -> int:
    """Sends every due survey, one transaction per batch; returns how many went out."""
    total = 0
    while True:
        with pool.connection() as conn, conn.transaction():
            due = surveys.lock_due_sync(conn, settings.sweep_batch_size)
            total += sum(send_survey(conn, settings, item) for item in due)
        # A short batch means nothing else is due, or the rest is locked by another sweep.
        if len(due) < settings.sweep_batch_size:
            return total


def register(app: Celery, settings: WorkerSettings, db: ProcessPool) -> None:
    # Not shared: the task belongs to this app only, not to every app created after it.
    @app.task(name=SWEEP, shared=False)
    def sweep_task() -> int:
        count = sweep(db.get(), settings)
        if count:
            log.info("sent %d surveys", count)
        return count
