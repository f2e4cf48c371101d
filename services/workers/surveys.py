"""The survey sweep: each resolved ticket due a survey gets one through its own channel (unless
suppressed), an unanswered one gets one reminder, and an unanswered one past its expiry is closed."""

import logging
import math
import secrets
from datetime import datetime, timedelta
from typing import Any

from celery import Celery
from psycopg import Connection
from psycopg_pool import ConnectionPool

from services.shared.store import outbound_messages, surveys, ticket_events
from services.shared.store.surveys import DueReminder, DueSurvey
from services.workers import notifications, retry
from services.workers.database import BeforeCommit, ProcessPool
from services.workers.settings import WorkerSettings
from services.workers.survey_text import reminder_text, suppression, survey_language, survey_link, survey_text

log = logging.getLogger(__name__)

FAMILY = "surveys"
SWEEP = "surveys.sweep"
# 32 random bytes: a link nobody can guess, still short enough for an SMS.
TOKEN_BYTES = 32


def send_survey(
    conn: Connection[Any], settings: WorkerSettings, due: DueSurvey, surveyed_lately: bool
) -> bool:
    """Creates the survey, its message and its event inside the caller's transaction.

    False when nothing went out: the ticket was reopened, the survey is suppressed, or the ticket had
    its survey already.
    """
    reason = suppression(due.status, due.resolution_code, settings.survey_suppressed_codes, surveyed_lately)
    if reason is not None:
        if reason != "reopened":
            ticket_events.append_sync(
                conn,
                ticket_events.NewEvent(
                    due.ticket_id,
                    "survey_suppressed",
                    due.swept_at,
                    queue_id=due.queue_id,
                    data={"reason": reason},
                ),
            )
        surveys.clear_due_sync(conn, due.ticket_id)
        return False
    token = secrets.token_urlsafe(TOKEN_BYTES)
    sent_at, mark = sending_time(due)
    # The link's life runs on the wall clock, back-filled or not: it is how long a person may answer.
    expires_at = due.swept_at + timedelta(days=settings.survey_expiry_days)
    reminder_due_at = due.swept_at + timedelta(hours=settings.survey_reminder_h)
    survey_id = surveys.create_sync(
        conn,
        due.ticket_id,
        token,
        sent_at,
        expires_at,
        reminder_due_at if reminder_due_at < expires_at else None,
    )
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
    message_id = _queue_message(conn, due, body)
    surveys.attach_message_sync(conn, survey_id, message_id)
    ticket_events.append_sync(
        conn,
        ticket_events.NewEvent(
            due.ticket_id,
            "survey_sent",
            sent_at,
            queue_id=due.queue_id,
            data={"survey_id": survey_id, "message_id": message_id, "language": language, **mark},
        ),
    )
    surveys.clear_due_sync(conn, due.ticket_id)
    return True


def sending_time(due: DueSurvey) -> tuple[datetime, dict[str, bool]]:
    """When the invitation counts as sent, and the mark its event carries.

    A ticket whose resolution a back-fill token dated (a replayed or imported past) is surveyed as
    it would have been then: sent at its resolution, marked `"backfill": true`. The sweep finds it
    now, on the wall clock; dated now, the invitation would follow the replayed reply it asks for,
    which then could not be recorded on its own date, and happiness is counted by reply time
    (KPIS.md). Every other survey is sent when the sweep sends it.
    """
    if due.backfilled_resolution_at is not None and due.backfilled_resolution_at < due.swept_at:
        return due.backfilled_resolution_at, {"backfill": True}
    return due.swept_at, {}


def _queue_message(conn: Connection[Any], due: DueSurvey | DueReminder, body: str) -> int:
    """The survey or its reminder as an outbound message on the ticket's own channel."""
    return outbound_messages.insert_sync(
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


def send_reminder(conn: Connection[Any], settings: WorkerSettings, due: DueReminder) -> None:
    """The survey's one reminder, with a second link to the same survey (the first is kept only as
    a digest, so it cannot be sent again)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    language = survey_language(due.language, due.customer_language)
    days_left = max(1, math.ceil((due.expires_at - due.swept_at) / timedelta(days=1)))
    body = reminder_text(
        language,
        due.channel,
        link=survey_link(settings.public_url, token),
        ticket_id=due.ticket_id,
        expires_days=days_left,
    )
    message_id = _queue_message(conn, due, body)
    surveys.record_reminder_sync(conn, due.survey_id, token, message_id, due.swept_at)
    ticket_events.append_sync(
        conn,
        ticket_events.NewEvent(
            due.ticket_id,
            "survey_reminded",
            due.swept_at,
            queue_id=due.queue_id,
            data={"survey_id": due.survey_id, "message_id": message_id},
        ),
    )


def _send_due(conn: Connection[Any], settings: WorkerSettings) -> tuple[int, int]:
    """One batch of due surveys: (how many were locked, how many went out)."""
    due = surveys.lock_due_sync(conn, settings.sweep_batch_size)
    if not due:
        return 0, 0
    customers = [d.customer_id for d in due]
    surveys.lock_customers_sync(conn, customers)
    since: datetime = due[0].swept_at - timedelta(days=settings.survey_quiet_days)
    lately = surveys.surveyed_since_sync(conn, customers, since) if settings.survey_quiet_days else set()
    sent = 0
    for item in due:
        if send_survey(conn, settings, item, item.customer_id in lately):
            sent += 1
            if settings.survey_quiet_days:
                # Two tickets of one customer in the same batch: the second is suppressed too.
                lately.add(item.customer_id)
    return len(due), sent


def sweep(pool: ConnectionPool, settings: WorkerSettings, before_commit: BeforeCommit | None = None) -> int:
    """Sends due surveys and reminders and closes expired ones, one transaction per batch; returns
    how many messages (surveys and reminders) went out."""
    total = 0
    while True:
        with pool.connection() as conn, conn.transaction():
            locked, sent = _send_due(conn, settings)
            if before_commit is not None:
                before_commit(conn)
        total += sent
        if locked < settings.sweep_batch_size:
            break
    while True:
        with pool.connection() as conn, conn.transaction():
            reminders = surveys.lock_due_reminders_sync(conn, settings.sweep_batch_size)
            for reminder in reminders:
                send_reminder(conn, settings, reminder)
        total += len(reminders)
        if len(reminders) < settings.sweep_batch_size:
            break
    while True:
        with pool.connection() as conn, conn.transaction():
            expired = surveys.expire_due_sync(conn, settings.sweep_batch_size)
            ticket_events.append_sync(
                conn,
                *(
                    ticket_events.NewEvent(
                        ticket_id, "survey_expired", at, queue_id=queue_id, data={"survey_id": sid}
                    )
                    for sid, ticket_id, queue_id, at in expired
                ),
            )
        if len(expired) < settings.sweep_batch_size:
            return total


def register(
    app: Celery, settings: WorkerSettings, db: ProcessPool, before_commit: BeforeCommit | None = None
) -> None:
    # Not shared: the task belongs to this app only, not to every app created after it.
    @app.task(name=SWEEP, shared=False, **retry.TASK_OPTIONS)
    def sweep_task() -> int:
        count = sweep(db.get(), settings, before_commit)
        if count:
            log.info("sent %d surveys and reminders", count)
            notifications.kick(app)
        return count
