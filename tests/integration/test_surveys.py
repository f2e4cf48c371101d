"""The survey sweep and survey replies on the real PostgreSQL, through a real worker on the real broker."""

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from services.shared.store import outbound_messages, surveys
from services.shared.store.surveys import ReplyOutcome, ReplyResult, token_digest
from services.workers import surveys as survey_tasks
from tests.fixtures.celery_worker import TEST_PUBLIC_URL, WorkerHandle
from tests.integration.worker_tickets import db_now, events, insert_customer, insert_ticket, messages, ticket

pytestmark = pytest.mark.integration

LINK = re.compile(re.escape(TEST_PUBLIC_URL) + r"/survey/([A-Za-z0-9_-]+)")


def resolved_ticket(db: psycopg.Connection[Any], customer_id: int, **columns: Any) -> int:
    """A ticket resolved a minute ago whose survey is due now."""
    now = db_now(db)
    columns.setdefault("status", "resolved")
    return insert_ticket(
        db, customer_id=customer_id, queued_at=now - timedelta(minutes=5), survey_due_at=now, **columns
    )


def survey(db: psycopg.Connection[Any], ticket_id: int) -> dict[str, Any]:
    with db.cursor(row_factory=dict_row) as cur:
        found = cur.execute("SELECT * FROM surveys WHERE ticket_id = %s", (ticket_id,)).fetchone()
    assert found is not None
    return found


def reply(database_url: str, token: str, score: int = 5, occurred_at: datetime | None = None) -> ReplyResult:
    """Calls the gateway's async record_reply on a connection of its own."""

    async def run() -> ReplyResult:
        async with await psycopg.AsyncConnection.connect(database_url) as conn:
            at = occurred_at or datetime.now().astimezone()
            return await surveys.record_reply(conn, token, score, True, "quick and kind", at)

    return asyncio.run(run())


def test_a_resolved_ticket_gets_one_survey_even_when_swept_twice(
    database_url: str, db: psycopg.Connection[Any], celery_worker: WorkerHandle
):
    customer = insert_customer(db, identities={"phone": "+962790000001", "email": "a@example.com"})
    ticket_id = resolved_ticket(db, customer, channel="phone", language="en")

    results = [celery_worker.send(survey_tasks.SWEEP) for _ in range(2)]
    assert sorted(r.get(timeout=30) for r in results) == [0, 1]

    [message] = messages(db, ticket_id, "survey")
    assert (message["channel"], message["recipient"], message["customer_id"]) == (
        "phone",
        "+962790000001",
        customer,
    )
    assert message["body"].startswith("Thank you for contacting us.")
    match = LINK.search(message["body"])
    assert match is not None
    row = survey(db, ticket_id)
    assert bytes(row["token_hash"]) == token_digest(match.group(1))
    assert row["message_id"] == message["id"]
    assert row["expires_at"] - row["sent_at"] == timedelta(days=7)
    [sent] = events(db, ticket_id, "survey_sent")
    assert sent["data"] == {"survey_id": row["id"], "message_id": message["id"], "language": "en"}
    assert ticket(db, ticket_id)["survey_due_at"] is None


def test_survey_wording_follows_language_and_channel(
    db: psycopg.Connection[Any], celery_worker: WorkerHandle
):
    arabic = resolved_ticket(
        db, insert_customer(db, identities={"email": "b@example.com"}), channel="email", language="ar"
    )
    # No chat identity on record, and an undetermined ticket language: the customer's language decides.
    no_address = resolved_ticket(db, insert_customer(db, language="ar"), channel="chat")
    reopened = resolved_ticket(db, insert_customer(db), status="queued")

    assert celery_worker.run(survey_tasks.SWEEP) == 2

    [email] = messages(db, arabic, "survey")
    assert (email["channel"], email["recipient"]) == ("email", "b@example.com")
    assert email["body"].startswith("مرحباً") and LINK.search(email["body"])
    [chat] = messages(db, no_address, "survey")
    assert (chat["channel"], chat["recipient"]) == ("chat", "")
    assert chat["body"].startswith("شكراً")
    assert messages(db, reopened, "survey") == []
    assert events(db, reopened, "survey_sent") == []
    assert ticket(db, reopened)["survey_due_at"] is None


def test_a_survey_is_answered_once(
    database_url: str, db: psycopg.Connection[Any], celery_worker: WorkerHandle
):
    ticket_id = resolved_ticket(db, insert_customer(db, identities={"app_user": "u-17"}), channel="mobile")
    assert celery_worker.run(survey_tasks.SWEEP) == 1
    [message] = messages(db, ticket_id, "survey")
    match = LINK.search(message["body"])
    assert match is not None
    answered_at = db_now(db)

    first = reply(database_url, match.group(1), score=4, occurred_at=answered_at)
    second = reply(database_url, match.group(1), score=1)

    assert first == ReplyResult(ReplyOutcome.RECORDED, survey(db, ticket_id)["id"], ticket_id)
    assert second.outcome is ReplyOutcome.ALREADY_ANSWERED
    row = survey(db, ticket_id)
    assert (row["score"], row["resolved"], row["comment"], row["answered_at"]) == (
        4,
        True,
        "quick and kind",
        answered_at,
    )
    [event] = events(db, ticket_id, "survey_answered")
    assert event["data"]["score"] == 4 and event["occurred_at"] == answered_at
    assert event["queue_id"] == ticket(db, ticket_id)["queue_id"]


def test_unknown_and_expired_tokens_change_nothing(database_url: str, db: psycopg.Connection[Any]):
    ticket_id = resolved_ticket(db, insert_customer(db))
    now = db_now(db)
    assert surveys.create_sync(
        db, ticket_id, "expired-token", now - timedelta(days=8), now - timedelta(seconds=1)
    )
    assert surveys.create_sync(db, ticket_id, "second-token", now, now + timedelta(days=7)) is None

    assert reply(database_url, "expired-token").outcome is ReplyOutcome.EXPIRED
    assert reply(database_url, "no-such-token").outcome is ReplyOutcome.NOT_FOUND
    assert reply(database_url, "second-token").outcome is ReplyOutcome.NOT_FOUND  # one survey per ticket

    assert survey(db, ticket_id)["answered_at"] is None
    assert events(db, ticket_id, "survey_answered") == []


def test_a_message_stays_pending_until_its_channel_acknowledges_it(
    database_url: str, db: psycopg.Connection[Any]
):
    ticket_id = resolved_ticket(db, insert_customer(db))
    new = outbound_messages.NewMessage(channel="phone", kind="survey", body="hi", ticket_id=ticket_id)
    first, second = outbound_messages.insert_sync(db, new), outbound_messages.insert_sync(db, new)
    outbound_messages.insert_sync(db, outbound_messages.NewMessage(channel="email", kind="survey", body="hi"))

    async def run() -> tuple[list[int], list[int], list[int], list[int]]:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            pending = [m.id for m in await outbound_messages.list_pending(conn, "phone")]
            acked = await outbound_messages.mark_delivered(conn, "phone", [first], db_now(db))
            again = await outbound_messages.mark_delivered(conn, "phone", [first], db_now(db))
            left = [m.id for m in await outbound_messages.list_pending(conn, "phone")]
            return pending, acked, again, left

    assert asyncio.run(run()) == ([first, second], [first], [], [second])
    assert [m.id for m in outbound_messages.list_pending_sync(db, "phone", after_id=first)] == [second]


def link_token(message: dict[str, Any]) -> str:
    match = LINK.search(message["body"])
    assert match is not None
    return match.group(1)


def resolved_with(db: psycopg.Connection[Any], customer_id: int, code: str, **columns: Any) -> int:
    """A resolved ticket whose `resolved` event carries the resolution code."""
    ticket_id = resolved_ticket(db, customer_id, **columns)
    db.execute(
        """INSERT INTO ticket_events (ticket_id, type, occurred_at, data)
           VALUES (%s, 'resolved', now(), jsonb_build_object('resolution_code', %s::text))""",
        (ticket_id, code),
    )
    return ticket_id


def test_spam_merged_and_recently_surveyed_customers_get_no_survey(
    db: psycopg.Connection[Any], celery_worker: WorkerHandle
):
    spam = resolved_with(db, insert_customer(db), "spam")
    merged = resolved_with(db, insert_customer(db), "merged")
    # One customer, two tickets resolved together: one survey, the other suppressed.
    both = insert_customer(db, identities={"phone": "+962790000009"})
    first, second = resolved_ticket(db, both), resolved_ticket(db, both)
    # A customer surveyed 10 days ago (within the 30 quiet days) is not asked again.
    earlier = insert_customer(db)
    old = resolved_ticket(db, earlier)
    assert surveys.create_sync(db, old, "old-survey-token", db_now(db) - timedelta(days=10), db_now(db))
    db.execute("UPDATE tickets SET survey_due_at = NULL WHERE id = %s", (old,))
    again = resolved_ticket(db, earlier)

    assert celery_worker.run(survey_tasks.SWEEP) == 1

    assert len(messages(db, first, "survey")) + len(messages(db, second, "survey")) == 1
    reasons = {
        ticket_id: [e["data"]["reason"] for e in events(db, ticket_id, "survey_suppressed")]
        for ticket_id in (spam, merged, first, second, again)
    }
    assert (
        reasons[spam] == ["spam"]
        and reasons[merged] == ["merged"]
        and reasons[again] == ["recently_surveyed"]
    )
    assert sorted(reasons[first] + reasons[second]) == ["recently_surveyed"]
    for ticket_id in (spam, merged, again):
        assert messages(db, ticket_id, "survey") == []
        assert ticket(db, ticket_id)["survey_due_at"] is None
    assert celery_worker.run(survey_tasks.SWEEP) == 0


def test_one_reminder_with_a_link_of_its_own_then_expiry_once(database_url: str, db: psycopg.Connection[Any]):
    from services.shared.db import open_pool
    from services.workers.settings import WorkerSettings

    settings = WorkerSettings.from_env(
        {"DATABASE_URL": database_url, "BROKER_URL": "amqp://unused//", "PUBLIC_URL": TEST_PUBLIC_URL}
    )
    ticket_id = resolved_ticket(
        db, insert_customer(db, identities={"email": "r@example.com"}), channel="email"
    )
    with open_pool(database_url, name="test-surveys") as pool:
        assert survey_tasks.sweep(pool, settings) == 1
        [invitation] = messages(db, ticket_id, "survey")
        assert survey(db, ticket_id)["reminder_due_at"] - survey(db, ticket_id)["sent_at"] == timedelta(
            hours=48
        )
        db.execute("UPDATE surveys SET reminder_due_at = now() WHERE ticket_id = %s", (ticket_id,))

        assert survey_tasks.sweep(pool, settings) == 1
        assert survey_tasks.sweep(pool, settings) == 0

        [_, reminder] = messages(db, ticket_id, "survey")
        assert reminder["body"].startswith("Reminder: Hello,") and reminder["recipient"] == "r@example.com"
        assert link_token(reminder) != link_token(invitation)
        [reminded] = events(db, ticket_id, "survey_reminded")
        assert reminded["data"]["message_id"] == reminder["id"]

        # Either link answers the survey, once.
        assert reply(database_url, link_token(reminder), score=3).outcome is ReplyOutcome.RECORDED
        assert reply(database_url, link_token(invitation), score=5).outcome is ReplyOutcome.ALREADY_ANSWERED

        # Another ticket's survey runs out unanswered: marked expired once, its links refused.
        other = resolved_ticket(db, insert_customer(db, identities={"phone": "+962790000010"}))
        assert survey_tasks.sweep(pool, settings) == 1
        token = link_token(messages(db, other, "survey")[0])
        db.execute(
            "UPDATE surveys SET expires_at = now() - interval '1 second' WHERE ticket_id = %s", (other,)
        )
        assert survey_tasks.sweep(pool, settings) == 0  # no reminder for an expired survey
        survey_tasks.sweep(pool, settings)
    [expired] = events(db, other, "survey_expired")
    assert expired["data"] == {"survey_id": survey(db, other)["id"]}
    assert survey(db, other)["expired_at"] is not None
    assert reply(database_url, token).outcome is ReplyOutcome.EXPIRED
    assert events(db, ticket_id, "survey_expired") == []  # answered surveys never expire


def test_a_low_score_opens_one_follow_up_for_the_supervisors(
    database_url: str, db: psycopg.Connection[Any], celery_worker: WorkerHandle
):
    from services.shared.store import queue_supervisors
    from tests.integration.worker_tickets import queue_id

    general = queue_id(db, "general")
    queue_supervisors.add_sync(db, general, "email", "lead@bank.example")
    low = resolved_ticket(db, insert_customer(db, identities={"phone": "+962790000011"}))
    high = resolved_ticket(db, insert_customer(db, identities={"phone": "+962790000012"}))
    assert celery_worker.run(survey_tasks.SWEEP) == 2

    assert (
        reply(database_url, link_token(messages(db, low, "survey")[0]), score=2).outcome
        is ReplyOutcome.RECORDED
    )
    assert (
        reply(database_url, link_token(messages(db, high, "survey")[0]), score=4).outcome
        is ReplyOutcome.RECORDED
    )

    with db.cursor(row_factory=dict_row) as cur:
        follow_ups = cur.execute("SELECT * FROM survey_follow_ups ORDER BY id").fetchall()
    assert [(f["ticket_id"], f["queue_id"], f["score"], f["closed_at"]) for f in follow_ups] == [
        (low, general, 2, None)
    ]
    [opened] = events(db, low, "follow_up_opened")
    assert opened["data"]["follow_up_id"] == follow_ups[0]["id"]
    [note] = messages(db, low, "notification")
    assert note["recipient"] == "lead@bank.example" and "scored 2/5" in note["body"]
    assert events(db, high, "follow_up_opened") == [] and messages(db, high, "notification") == []
