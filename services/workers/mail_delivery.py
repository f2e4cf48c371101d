"""The mail sweep: pending e-mail messages (replies, FAQ answers, surveys) sent over SMTP, each in
its ticket's conversation, with retries; a message the relay accepted is never sent again.

Each message gets its Message-ID once, kept before the first attempt, so a resend after a crash is
the same mail to the customer's client; In-Reply-To / References name the customer's mail and ours
before it, and the subject carries `[#ticket]`, so replies find their ticket again.
"""

import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage

from celery import Celery
from psycopg_pool import ConnectionPool

from services.shared.channels import EmailChannel, SmtpRelay
from services.shared.mail import outbound, threads
from services.shared.store import mail_messages, outbound_messages
from services.shared.store.outbound_messages import MailDelivery
from services.workers import retry
from services.workers.database import ProcessPool
from services.workers.notifications import backoff_s, record_attempt
from services.workers.settings import WorkerSettings

log = logging.getLogger(__name__)

FAMILY = "mail"
SWEEP = "mail.deliver"
# Messages leased per round; sent one after the other, a round of a slow relay takes BATCH x
# CALLBACK_TIMEOUT_S, kept inside the lease.
BATCH = 8
ROUNDS_BUDGET_S = 20.0


def send_smtp(relay: SmtpRelay, mail: EmailMessage, timeout_s: float) -> None:
    """Hands the mail to the relay; raises smtplib.SMTPException or OSError when it is not taken."""
    context = ssl.create_default_context()
    client = (
        smtplib.SMTP_SSL(relay.host, relay.port, timeout=timeout_s, context=context)
        if relay.security == "tls"
        else smtplib.SMTP(relay.host, relay.port, timeout=timeout_s)
    )
    with client:
        if relay.security == "starttls":
            client.starttls(context=context)
        if relay.username:
            client.login(relay.username, relay.password)
        client.send_message(mail)


Send = Callable[[SmtpRelay, EmailMessage, float], None]


def compose(conn_pool: ConnectionPool, channel: EmailChannel, message: MailDelivery) -> EmailMessage:
    """The mail for a leased message, its Message-ID kept first; raises ValueError for a recipient
    or header the email policy refuses (CR/LF in it: an injection attempt)."""
    with conn_pool.connection() as conn, conn.transaction():
        thread = mail_messages.thread_sync(conn, message.ticket_id) if message.ticket_id else []
        new_id = threads.new_message_id(channel.domain, message.ticket_id, message.id)
        message_id = mail_messages.outbound_id_sync(conn, message.id, new_id, message.ticket_id)
    return outbound.compose(
        sender=channel.sender,
        recipient=message.recipient,
        subject=message.subject,
        body=message.body,
        message_id=message_id,
        thread=[m for m in thread if m != message_id],
        ticket_id=message.ticket_id,
        kind=message.kind,
    )


def sweep(pool: ConnectionPool, settings: WorkerSettings, send: Send = send_smtp) -> int:
    """Sends what is due, round by round; returns how many mails the relay took."""
    channel = settings.channels.email
    relay = channel.relay
    if relay is None:
        return 0
    sent = 0
    lease_s = settings.callback_timeout_s * (BATCH + 1)
    stop_at = time.monotonic() + ROUNDS_BUDGET_S
    while True:
        with pool.connection() as conn, conn.transaction():
            batch = outbound_messages.lease_for_mail_sync(conn, BATCH, lease_s)
        for message in batch:
            error: str | None
            retry_in: float | None = None
            try:
                mail = compose(pool, channel, message)
            except ValueError as exc:
                error = f"refused to compose: {exc}"  # never retried: the same headers fail again
            else:
                try:
                    send(relay, mail, settings.callback_timeout_s)
                    error = None
                except (smtplib.SMTPException, OSError) as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    permanent = isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600
                    retry_in = None if permanent else backoff_s(message.attempts, settings)
            sent += record_attempt(pool, message.id, "mail", error, retry_in)
        if len(batch) < BATCH or time.monotonic() > stop_at:
            return sent


def register(app: Celery, settings: WorkerSettings, db: ProcessPool) -> None:
    @app.task(name=SWEEP, shared=False, **retry.TASK_OPTIONS)
    def deliver_task() -> int:
        count = sweep(db.get(), settings)
        if count:
            log.info("sent %d mails", count)
        return count
