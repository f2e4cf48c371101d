"""SQL for surveys: tickets due a survey, creating one per ticket, and recording its single reply."""

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

from services.shared.domain import CHANNEL_IDENTITY
from services.shared.i18n import catalogue
from services.shared.store import outbound_messages, queue_supervisors, ticket_events


def token_digest(token: str) -> bytes:
    """Tokens are kept as SHA-256 digests: the database never holds a usable link."""
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True)
class DueSurvey:
    ticket_id: int
    channel: str
    status: str
    queue_id: int
    customer_id: int
    language: str
    customer_language: str | None
    # The customer's address on the ticket's channel; '' when the customer has none on record.
    recipient: str
    # The code the agent resolved with (resolved, spam, merged, ...); '' when none was recorded.
    resolution_code: str
    # When a back-fill token dated the resolution (its event carries "backfill": true), that time;
    # the invitation is dated from it, so a replayed reply can follow it (see workers/surveys.py).
    backfilled_resolution_at: datetime | None
    swept_at: datetime


# The survey goes where the ticket came from: the address the inquiry gave on the ticket's channel
# (tickets.reply_to); for tickets from before that was kept, the customer's most recent verified
# identity of the channel's kind, never one merely claimed by someone else's inquiry.
LOCK_DUE = """
SELECT t.id AS ticket_id, t.channel, t.status, t.queue_id, t.customer_id, t.language,
       c.language AS customer_language,
       coalesce(t.reply_to,
                (SELECT ci.value FROM customer_identities ci
                 WHERE ci.customer_id = t.customer_id AND ci.verified
                   AND ci.kind = (SELECT m.kind FROM unnest(%(channels)s::text[], %(kinds)s::text[])
                                  AS m (channel, kind) WHERE m.channel = t.channel)
                 ORDER BY ci.created_at DESC LIMIT 1), '') AS recipient,
       coalesce((SELECT e.data ->> 'resolution_code' FROM ticket_events e
                 WHERE e.ticket_id = t.id AND e.type = 'resolved' ORDER BY e.id DESC LIMIT 1), '')
           AS resolution_code,
       (SELECT CASE WHEN e.data ->> 'backfill' = 'true' THEN e.occurred_at END FROM ticket_events e
        WHERE e.ticket_id = t.id AND e.type = 'resolved' ORDER BY e.id DESC LIMIT 1)
           AS backfilled_resolution_at,
       now() AS swept_at
FROM tickets t JOIN customers c ON c.id = t.customer_id
WHERE t.survey_due_at <= now()
ORDER BY t.survey_due_at
LIMIT %(limit)s
FOR NO KEY UPDATE OF t SKIP LOCKED
"""

# One survey per ticket, ever: a second attempt (a ticket resolved again) creates nothing.
CREATE = """
INSERT INTO surveys (ticket_id, token_hash, sent_at, expires_at, reminder_due_at)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (ticket_id) DO NOTHING
RETURNING id
"""


def lock_customers_sync(conn: Connection[Any], customer_ids: list[int]) -> None:
    """Serialises sweeps deciding for the same customers, so "surveyed lately" is never raced.

    NO KEY UPDATE does not hold up intake, whose foreign-key checks only share the key.
    """
    conn.execute(
        "SELECT 1 FROM customers WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
        (sorted(set(customer_ids)),),
    )


def surveyed_since_sync(conn: Connection[Any], customer_ids: list[int], since: datetime) -> set[int]:
    """The customers among `customer_ids` who were sent a survey at or after `since`."""
    rows = conn.execute(
        """SELECT DISTINCT t.customer_id FROM surveys s JOIN tickets t ON t.id = s.ticket_id
           WHERE t.customer_id = ANY(%s) AND s.sent_at >= %s""",
        (customer_ids, since),
    ).fetchall()
    return {int(r[0]) for r in rows}


def lock_due_sync(conn: Connection[Any], limit: int) -> list[DueSurvey]:
    """Locks up to `limit` tickets whose survey is due, until the caller's transaction ends."""
    with conn.cursor(row_factory=class_row(DueSurvey)) as cur:
        params = {
            "channels": list(CHANNEL_IDENTITY),
            "kinds": list(CHANNEL_IDENTITY.values()),
            "limit": limit,
        }
        return cur.execute(LOCK_DUE, params).fetchall()


def create_sync(
    conn: Connection[Any],
    ticket_id: int,
    token: str,
    sent_at: datetime,
    expires_at: datetime,
    reminder_due_at: datetime | None = None,
) -> int | None:
    """The new survey's id, or None when the ticket already has one."""
    params = (ticket_id, token_digest(token), sent_at, expires_at, reminder_due_at)
    row = conn.execute(CREATE, params).fetchone()
    return None if row is None else int(row[0])


def attach_message_sync(conn: Connection[Any], survey_id: int, message_id: int) -> None:
    conn.execute("UPDATE surveys SET message_id = %s WHERE id = %s", (message_id, survey_id))


def clear_due_sync(conn: Connection[Any], ticket_id: int) -> None:
    """Takes the ticket off the survey sweep.

    Survey events leave tickets.last_event_at alone: it guards the order of the handling steps that
    integrations report, and a survey is no handling step.
    """
    conn.execute("UPDATE tickets SET survey_due_at = NULL WHERE id = %s", (ticket_id,))


class ReplyOutcome(enum.Enum):
    RECORDED = "recorded"
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    ALREADY_ANSWERED = "already_answered"
    # A back-dated reply dated at or before the invitation went out.
    BEFORE_SENT = "before_sent"


@dataclass(frozen=True)
class ReplyResult:
    outcome: ReplyOutcome
    survey_id: int | None = None
    ticket_id: int | None = None
    # For BEFORE_SENT: when the survey was sent, which a reply's time must follow.
    sent_at: datetime | None = None


# Either link of the survey answers it (the first one or the reminder's). The row lock makes a
# concurrent second reply wait, then find answered_at set and change nothing.
ANSWER = """
UPDATE surveys SET score = %(score)s, resolved = %(resolved)s, comment = %(comment)s, answered_at = %(at)s
WHERE (token_hash = %(digest)s OR reminder_token_hash = %(digest)s) AND answered_at IS NULL
  AND expires_at > now() AND (NOT %(dated)s OR sent_at < %(at)s)
RETURNING id, ticket_id, (SELECT queue_id FROM tickets WHERE tickets.id = surveys.ticket_id)
"""

# A score at or below this opens a follow-up for the queue's supervisors: an unhappy customer hears
# from a person, not only a statistic.
FOLLOW_UP_AT_OR_BELOW = 2

OPEN_FOLLOW_UP = """
WITH opened AS (
    INSERT INTO survey_follow_ups (survey_id, ticket_id, queue_id, score, comment, opened_at)
    VALUES (%(survey_id)s, %(ticket_id)s, %(queue_id)s, %(score)s, %(comment)s, %(at)s)
    ON CONFLICT (survey_id) DO NOTHING
    RETURNING id
)
SELECT o.id, q.name FROM opened o, queues q WHERE q.id = %(queue_id)s
"""


async def record_reply(
    conn: AsyncConnection[Any],
    token: str,
    score: int,
    resolved: bool | None,
    comment: str | None,
    occurred_at: datetime,
    backfill: bool = False,
) -> ReplyResult:
    """Answers the survey once, with its `survey_answered` event in the same transaction.

    `backfill`: `occurred_at` is a back-fill token's word, not the server's clock; it must then
    follow the survey's sending, and the events carry `"backfill": true`.
    NOT_FOUND, EXPIRED, ALREADY_ANSWERED and BEFORE_SENT change nothing (for 404, 410, 409 and 422).
    """
    if not 1 <= score <= 5:
        raise ValueError(f"score must be 1 to 5, not {score}")
    digest = token_digest(token)
    async with conn.transaction():
        params = {
            "score": score,
            "resolved": resolved,
            "comment": comment,
            "at": occurred_at,
            "digest": digest,
            "dated": backfill,
        }
        cur = await conn.execute(ANSWER, params)
        answered = await cur.fetchone()
        if answered is None:
            return await _refusal(conn, digest)
        survey_id, ticket_id, queue_id = answered
        mark = {"backfill": True} if backfill else {}
        await ticket_events.append(
            conn,
            ticket_events.NewEvent(
                ticket_id,
                "survey_answered",
                occurred_at,
                queue_id=queue_id,
                data={"score": score, "resolved": resolved, "survey_id": survey_id, **mark},
            ),
        )
        if score <= FOLLOW_UP_AT_OR_BELOW:
            await _open_follow_up(conn, survey_id, ticket_id, queue_id, score, comment, occurred_at, mark)
    return ReplyResult(ReplyOutcome.RECORDED, survey_id, ticket_id)


async def _refusal(conn: AsyncConnection[Any], digest: bytes) -> ReplyResult:
    """Why a reply changed nothing: no such survey, answered already, expired, or dated too early."""
    cur = await conn.execute(
        """SELECT answered_at IS NOT NULL, expires_at <= now(), sent_at FROM surveys
           WHERE token_hash = %(digest)s OR reminder_token_hash = %(digest)s""",
        {"digest": digest},
    )
    found = await cur.fetchone()
    if found is None:
        return ReplyResult(ReplyOutcome.NOT_FOUND)
    answered, expired, sent_at = found
    if answered:
        return ReplyResult(ReplyOutcome.ALREADY_ANSWERED)
    if expired:
        return ReplyResult(ReplyOutcome.EXPIRED)
    return ReplyResult(ReplyOutcome.BEFORE_SENT, sent_at=sent_at)


async def _open_follow_up(
    conn: AsyncConnection[Any],
    survey_id: int,
    ticket_id: int,
    queue_id: int,
    score: int,
    comment: str | None,
    at: datetime,
    mark: dict[str, bool],
) -> None:
    """The follow-up, its event and the supervisors' notifications, in the reply's transaction."""
    params = {
        "survey_id": survey_id,
        "ticket_id": ticket_id,
        "queue_id": queue_id,
        "score": score,
        "comment": comment,
        "at": at,
    }
    cur = await conn.execute(OPEN_FOLLOW_UP, params)
    row = await cur.fetchone()
    if row is None:
        return
    follow_up_id, queue_name = row
    await ticket_events.append(
        conn,
        ticket_events.NewEvent(
            ticket_id,
            "follow_up_opened",
            at,
            queue_id=queue_id,
            data={"follow_up_id": follow_up_id, "survey_id": survey_id, "score": score, **mark},
        ),
    )
    supervisors = await queue_supervisors.for_queues(conn, [queue_id])
    # To the queue's supervisors, whose language is not known: Arabic, then English.
    text = "\n\n".join(
        catalogue.text(language, "notify.low_score", ticket=ticket_id, queue=queue_name, score=score)
        + (catalogue.text(language, "notify.comment", comment=comment) if comment else "")
        for language in catalogue.LANGUAGES
    )
    for channel, address in queue_supervisors.recipients(supervisors, queue_id, queue_name):
        await outbound_messages.insert(
            conn,
            outbound_messages.NewMessage(
                channel=channel, kind="notification", recipient=address, body=text, ticket_id=ticket_id
            ),
        )


@dataclass(frozen=True)
class DueReminder:
    survey_id: int
    ticket_id: int
    channel: str
    recipient: str
    customer_id: int | None
    queue_id: int
    language: str
    customer_language: str | None
    expires_at: datetime
    swept_at: datetime


# An unanswered, unexpired survey whose reminder is due; the reminder goes where the survey went.
LOCK_DUE_REMINDERS = """
SELECT s.id AS survey_id, s.ticket_id, m.channel, m.recipient, m.customer_id, t.queue_id, t.language,
       c.language AS customer_language, s.expires_at, now() AS swept_at
FROM surveys s JOIN outbound_messages m ON m.id = s.message_id JOIN tickets t ON t.id = s.ticket_id
     JOIN customers c ON c.id = t.customer_id
WHERE s.reminder_due_at <= now() AND s.reminded_at IS NULL AND s.answered_at IS NULL
  AND s.expires_at > now()
ORDER BY s.reminder_due_at
LIMIT %s
FOR NO KEY UPDATE OF s SKIP LOCKED
"""


def lock_due_reminders_sync(conn: Connection[Any], limit: int) -> list[DueReminder]:
    with conn.cursor(row_factory=class_row(DueReminder)) as cur:
        return cur.execute(LOCK_DUE_REMINDERS, (limit,)).fetchall()


def record_reminder_sync(
    conn: Connection[Any], survey_id: int, token: str, message_id: int, at: datetime
) -> None:
    conn.execute(
        """UPDATE surveys SET reminded_at = %s, reminder_token_hash = %s, reminder_message_id = %s
           WHERE id = %s""",
        (at, token_digest(token), message_id, survey_id),
    )


# Unanswered surveys past their expiry, marked once (expired_at) with their queue for the event.
EXPIRE_DUE = """
WITH due AS (
    SELECT id FROM surveys
    WHERE expires_at <= now() AND expired_at IS NULL AND answered_at IS NULL
    ORDER BY expires_at
    LIMIT %s
    FOR NO KEY UPDATE SKIP LOCKED
)
UPDATE surveys s SET expired_at = now() FROM due WHERE s.id = due.id
RETURNING s.id, s.ticket_id, (SELECT queue_id FROM tickets t WHERE t.id = s.ticket_id), s.expired_at
"""


def expire_due_sync(conn: Connection[Any], limit: int) -> list[tuple[int, int, int, datetime]]:
    """Marks up to `limit` unanswered surveys expired; (survey, ticket, queue, expired_at) of each."""
    return [tuple(r) for r in conn.execute(EXPIRE_DUE, (limit,)).fetchall()]


@dataclass(frozen=True)
class SurveyState:
    """What the survey page shows for a token: the question, or that it is answered or expired."""

    ticket_id: int
    expires_at: datetime
    answered_at: datetime | None
    # The language the invitation went out in (its survey_sent event), so the page speaks it too.
    language: str


async def state(conn: AsyncConnection[Any], token: str) -> SurveyState | None:
    async with conn.cursor(row_factory=class_row(SurveyState)) as cur:
        await cur.execute(
            """SELECT s.ticket_id, s.expires_at, s.answered_at,
                      coalesce((SELECT e.data->>'language' FROM ticket_events e
                                WHERE e.ticket_id = s.ticket_id AND e.type = 'survey_sent'
                                ORDER BY e.id DESC LIMIT 1), 'en') AS language
               FROM surveys s WHERE s.token_hash = %(digest)s OR s.reminder_token_hash = %(digest)s""",
            {"digest": token_digest(token)},
        )
        return await cur.fetchone()
