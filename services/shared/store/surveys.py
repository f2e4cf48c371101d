"""SQL for surveys: tickets due a survey, creating one per ticket, and recording its single reply."""

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

from services.shared.domain import CHANNEL_IDENTITY
from services.shared.store import ticket_events


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
    swept_at: datetime


# A customer's address on a channel: the most recent identity of the matching kind.
LOCK_DUE = """
SELECT t.id AS ticket_id, t.channel, t.status, t.queue_id, t.customer_id, t.language,
       c.language AS customer_language,
       coalesce((SELECT ci.value FROM customer_identities ci
                 WHERE ci.customer_id = t.customer_id
                   AND ci.kind = (SELECT m.kind FROM unnest(%(channels)s::text[], %(kinds)s::text[])
                                  AS m (channel, kind) WHERE m.channel = t.channel)
                 ORDER BY ci.created_at DESC LIMIT 1), '') AS recipient,
       now() AS swept_at
FROM tickets t JOIN customers c ON c.id = t.customer_id
WHERE t.survey_due_at <= now()
ORDER BY t.survey_due_at
LIMIT %(limit)s
FOR UPDATE OF t SKIP LOCKED
"""

# One survey per ticket, ever: a second attempt (a ticket resolved again) creates nothing.
CREATE = """
INSERT INTO surveys (ticket_id, token_hash, sent_at, expires_at)
VALUES (%s, %s, %s, %s)
ON CONFLICT (ticket_id) DO NOTHING
RETURNING id
"""


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
    conn: Connection[Any], ticket_id: int, token: str, sent_at: datetime, expires_at: datetime
) -> int | None:
    """The new survey's id, or None when the ticket already has one."""
    row = conn.execute(CREATE, (ticket_id, token_digest(token), sent_at, expires_at)).fetchone()
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


@dataclass(frozen=True)
class ReplyResult:
    outcome: ReplyOutcome
    survey_id: int | None = None
    ticket_id: int | None = None


# The row lock makes a concurrent second reply wait, then find answered_at set and change nothing.
ANSWER = """
UPDATE surveys SET score = %s, resolved = %s, comment = %s, answered_at = %s
WHERE token_hash = %s AND answered_at IS NULL AND expires_at > now()
RETURNING id, ticket_id, (SELECT queue_id FROM tickets WHERE tickets.id = surveys.ticket_id)
"""


async def record_reply(
    conn: AsyncConnection[Any],
    token: str,
    score: int,
    resolved: bool | None,
    comment: str | None,
    occurred_at: datetime,
) -> ReplyResult:
    """Answers the survey once, with its `survey_answered` event in the same transaction.

    NOT_FOUND, EXPIRED and ALREADY_ANSWERED change nothing (for 404, 410 and 409).
    """
    if not 1 <= score <= 5:
        raise ValueError(f"score must be 1 to 5, not {score}")
    digest = token_digest(token)
    async with conn.transaction():
        cur = await conn.execute(ANSWER, (score, resolved, comment, occurred_at, digest))
        answered = await cur.fetchone()
        if answered is None:
            cur = await conn.execute(
                "SELECT answered_at IS NOT NULL, expires_at <= now() FROM surveys WHERE token_hash = %s",
                (digest,),
            )
            found = await cur.fetchone()
            if found is None:
                return ReplyResult(ReplyOutcome.NOT_FOUND)
            return ReplyResult(ReplyOutcome.ALREADY_ANSWERED if found[0] else ReplyOutcome.EXPIRED)
        survey_id, ticket_id, queue_id = answered
        await ticket_events.append(
            conn,
            ticket_events.NewEvent(
                ticket_id,
                "survey_answered",
                occurred_at,
                queue_id=queue_id,
                data={"score": score, "resolved": resolved, "survey_id": survey_id},
            ),
        )
    return ReplyResult(ReplyOutcome.RECORDED, survey_id, ticket_id)
