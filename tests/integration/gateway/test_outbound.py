"""Outbound delivery over HTTP: leased polling, idempotent acks, signed callbacks with retries; and the
SLA pause and survey refusals through the real gateway."""

import json
from collections.abc import Callable, Iterator

import psycopg
import pytest

from services.shared import callback_signature
from services.shared.db import open_pool
from services.workers import notifications
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.callbacks import (
    LOOPBACK_POLICY,
    Receiver,
    add_messages,
    start_alone,
    worker_settings,
)
from tests.integration.gateway.helpers import assert_problem, inquiry

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway_loopback(start_gateway: Callable[..., Gateway]) -> Gateway:
    """The gateway taking callbacks to plain-http receivers on loopback."""
    return start_alone(start_gateway, callback_egress=LOOPBACK_POLICY)


def test_two_pollers_never_get_the_same_messages_and_acks_are_final(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    ids = add_messages(gw.database_url, "phone", 5)
    add_messages(gw.database_url, "email", 1)
    token = gw.token("integration", channel="phone")
    with gw.client(token) as client:
        first = client.get("/v1/outbound", params={"channel": "phone", "limit": 3}).json()["messages"]
        second = client.get("/v1/outbound", params={"channel": "phone", "limit": 3}).json()["messages"]
        third = client.get("/v1/outbound", params={"channel": "phone"}).json()["messages"]
        assert [m["id"] for m in first] == ids[:3] and [m["id"] for m in second] == ids[3:]
        assert third == []
        assert first[0]["body"] == "m0" and first[0]["attempts"] == 1 and first[0]["lease_expires_at"]

        acked = client.post(f"/v1/outbound/{ids[0]}/ack")
        again = client.post(f"/v1/outbound/{ids[0]}/ack")
        assert acked.status_code == again.status_code == 200
        assert acked.json()["newly_acknowledged"] is True and again.json()["newly_acknowledged"] is False
        assert acked.json()["delivered_at"] == again.json()["delivered_at"]

        # Leases run out: every unacknowledged message comes back; the acknowledged one never does.
        with psycopg.connect(gw.database_url, autocommit=True) as conn:
            conn.execute("UPDATE outbound_messages SET leased_until = now() - interval '1 second'")
        back = client.get("/v1/outbound", params={"channel": "phone"}).json()["messages"]
        assert [m["id"] for m in back] == ids[1:] and {m["attempts"] for m in back} == {2}

        # A batch at once: all or nothing. One id that is not this channel's acknowledges none.
        unknown = client.post("/v1/outbound/ack", json={"ids": [ids[1], 999999]})
        assert_problem(unknown, 404)
        assert unknown.json()["unknown"] == [999999]
        with psycopg.connect(gw.database_url, autocommit=True) as conn:
            conn.execute("UPDATE outbound_messages SET leased_until = now() - interval '1 second'")
        still = client.get("/v1/outbound", params={"channel": "phone"}).json()["messages"]
        assert [m["id"] for m in still] == ids[1:]
        batch = client.post("/v1/outbound/ack", json={"ids": [ids[0], *ids[1:3]]})
        assert batch.status_code == 200, batch.text
        got = batch.json()["acknowledged"]
        assert [(a["id"], a["newly_acknowledged"]) for a in got] == [
            (ids[0], False),
            (ids[1], True),
            (ids[2], True),
        ]
        assert got[0]["delivered_at"] == acked.json()["delivered_at"]  # acknowledged before: unchanged
        for bad in ({"ids": []}, {"ids": [ids[3], ids[3]]}, {"ids": [0]}, {"ids": list(range(1, 502))}, {}):
            assert_problem(client.post("/v1/outbound/ack", json=bad), 422)
        with psycopg.connect(gw.database_url, autocommit=True) as conn:
            conn.execute("UPDATE outbound_messages SET leased_until = now() - interval '1 second'")
        rest = client.get("/v1/outbound", params={"channel": "phone"}).json()["messages"]
        assert [m["id"] for m in rest] == ids[3:]

        assert_problem(client.get("/v1/outbound", params={"channel": "email"}), 403)
        assert_problem(client.get("/v1/outbound", params={"channel": "fax"}), 422)
        assert_problem(client.get("/v1/outbound", params={"channel": "phone", "limit": 0}), 422)
        assert_problem(client.post("/v1/outbound/999999/ack"), 404)
    email_id = add_messages(gw.database_url, "email", 1)[0]
    with gw.client(token) as client:
        assert_problem(client.post(f"/v1/outbound/{email_id}/ack"), 404)  # another channel's message
    _agent_id, agent_token = gw.agent(["general"])
    with gw.client(agent_token) as client:
        assert_problem(client.get("/v1/outbound", params={"channel": "phone"}), 403)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    # The first attempt fails with a 503; the retry succeeds.
    opened = Receiver([503])
    yield opened
    opened.close()


def test_a_callback_gets_each_message_signed_retried_with_backoff_and_never_twice(
    gateway_loopback: Gateway, receiver: Receiver
) -> None:
    gw = gateway_loopback
    token = gw.token("integration", channel="chat")
    with gw.client(token) as client:
        assert_problem(client.put("/v1/outbound/callback", json={"url": "ftp://nowhere"}), 422)
        # Matches the pattern, but the sender could never post to it.
        assert_problem(client.put("/v1/outbound/callback", json={"url": "http://a:b:c/"}), 422)
        registered = client.put("/v1/outbound/callback", json={"url": receiver.url})
        assert registered.status_code == 200, registered.text
    secret = registered.json()["secret"]
    [message_id] = add_messages(gw.database_url, "chat", 1)
    settings = worker_settings(gw.database_url)

    with open_pool(gw.database_url, name="test-notifications") as pool:
        assert notifications.sweep(pool, settings) == 0  # 503: the callback refused it
        with psycopg.connect(gw.database_url) as conn:
            row = conn.execute(
                """SELECT attempts, next_attempt_at - now(), last_error, delivered_at, leased_until
                   FROM outbound_messages WHERE id = %s""",
                (message_id,),
            ).fetchone()
        assert row is not None
        attempts, wait, error, delivered_at, leased_until = row
        assert (attempts, error, delivered_at, leased_until) == (1, "HTTP 503", None, None)
        assert 8 < wait.total_seconds() <= 10  # the first backoff step
        assert notifications.sweep(pool, settings) == 0  # not due yet: nothing posted
        assert len(receiver.received) == 1

        with psycopg.connect(gw.database_url, autocommit=True) as conn:
            conn.execute("UPDATE outbound_messages SET next_attempt_at = now() WHERE id = %s", (message_id,))
        assert notifications.sweep(pool, settings) == 1
        assert notifications.sweep(pool, settings) == 0
    assert len(receiver.received) == 2
    headers, body = receiver.received[-1]
    timestamp = int(headers[callback_signature.TIMESTAMP_HEADER])
    assert callback_signature.verify(secret, timestamp, body, headers[callback_signature.SIGNATURE_HEADER])
    assert not callback_signature.verify(
        "another-secret-of-enough-length", timestamp, body, headers[callback_signature.SIGNATURE_HEADER]
    )
    assert headers[callback_signature.MESSAGE_ID_HEADER] == str(message_id)
    assert json.loads(body) | {"created_at": None} == {
        "id": message_id,
        "channel": "chat",
        "kind": "reply",
        "recipient": "+9665",
        "body": "m0",
        "ticket_id": None,
        "created_at": None,
        "attempt": 2,
    }
    # Delivered through the callback: polling does not hand it out either.
    with gw.client(token) as client:
        assert client.get("/v1/outbound", params={"channel": "chat"}).json()["messages"] == []
        assert client.delete("/v1/outbound/callback").status_code == 204
        assert_problem(client.delete("/v1/outbound/callback"), 404)


def test_a_callback_that_keeps_failing_is_given_up_and_left_for_polling(gateway_loopback: Gateway) -> None:
    gw = gateway_loopback
    receiver = Receiver([500] * 10)
    try:
        with gw.client(gw.token("integration", channel="web")) as client:
            client.put("/v1/outbound/callback", json={"url": receiver.url}).raise_for_status()
        [message_id] = add_messages(gw.database_url, "web", 1)
        settings = worker_settings(gw.database_url, CALLBACK_MAX_ATTEMPTS="3")
        with open_pool(gw.database_url, name="test-notifications") as pool:
            for _ in range(4):
                notifications.sweep(pool, settings)
                with psycopg.connect(gw.database_url, autocommit=True) as conn:
                    conn.execute(
                        "UPDATE outbound_messages SET next_attempt_at = now() WHERE id = %s", (message_id,)
                    )
        assert len(receiver.received) == 3
        with psycopg.connect(gw.database_url) as conn:
            failed = conn.execute(
                "SELECT failed_at FROM outbound_messages WHERE id = %s", (message_id,)
            ).fetchone()
        assert failed is not None and failed[0] is not None
    finally:
        receiver.close()


def test_an_agent_pauses_the_sla_clock_while_waiting_for_the_customer(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    with gw.client(gw.token("integration", channel="email")) as client:
        created = client.post("/v1/inquiries", json=inquiry("email", "mail-1")).json()
    ticket_id = created["id"]
    with psycopg.connect(gw.database_url) as conn:
        row = conn.execute(
            """SELECT first_response_due_at, resolution_due_at, sla_warn_at, escalate_at
               FROM tickets WHERE id = %s""",
            (ticket_id,),
        ).fetchone()
    assert row is not None and None not in row and row[2] == row[3] < row[0] < row[1]

    _agent_id, agent = gw.agent(["triage"])
    with gw.client(agent) as client:
        assert client.post("/v1/agent/claim").status_code == 200
        assert_problem(client.post(f"/v1/tickets/{ticket_id}/await-customer"), 409)  # not answered yet
        assert client.post(f"/v1/tickets/{ticket_id}/answer").status_code == 200
        paused = client.post(
            f"/v1/tickets/{ticket_id}/await-customer", json={"note": "asked for a statement"}
        )
        assert paused.status_code == 200, paused.text
        detail = client.get(f"/v1/tickets/{ticket_id}").json()
    assert detail["status"] == "answered" and detail["sla_paused_at"] is not None
    assert detail["first_response_due_at"] < detail["resolution_due_at"]
    assert [e["type"] for e in detail["events"]][-1] == "awaiting_customer"
    with psycopg.connect(gw.database_url) as conn:
        paused_row = conn.execute(
            "SELECT sla_paused_at IS NOT NULL, escalate_at FROM tickets WHERE id = %s", (ticket_id,)
        ).fetchone()
    assert paused_row == (True, None)

    # The customer writes again (the inquiry joins the open ticket as a `customer_message`): the
    # clock resumes, and the escalation sweep is woken to move the deadlines on.
    with gw.client(gw.token("integration", channel="email")) as client:
        again = client.post("/v1/inquiries", json=inquiry("email", "mail-2", text="Here is the statement"))
        assert again.status_code in (200, 201), again.text
    with psycopg.connect(gw.database_url) as conn:
        resumed = conn.execute(
            "SELECT sla_resumed_at IS NOT NULL, escalate_at IS NOT NULL FROM tickets WHERE id = %s",
            (ticket_id,),
        ).fetchone()
    assert resumed == (True, True)


def test_survey_replies_are_refused_clearly_when_expired_or_answered(gateway_alone: Gateway) -> None:
    from datetime import timedelta

    from services.shared.store import surveys
    from tests.integration.worker_tickets import db_now, insert_customer, insert_ticket

    gw = gateway_alone
    with psycopg.connect(gw.database_url, autocommit=True) as db:
        now = db_now(db)
        one = insert_ticket(db, customer_id=insert_customer(db), queued_at=now, status="resolved")
        two = insert_ticket(db, customer_id=insert_customer(db), queued_at=now, status="resolved")
        surveys.create_sync(db, one, "a-live-survey-token-1234", now, now + timedelta(days=7))
        surveys.create_sync(
            db, two, "an-expired-token-123456", now - timedelta(days=8), now - timedelta(days=1)
        )
    with gw.client() as client:
        assert (
            client.post(
                "/v1/surveys/a-live-survey-token-1234", json={"score": 5, "resolved": True}
            ).status_code
            == 200
        )
        assert_problem(client.post("/v1/surveys/a-live-survey-token-1234", json={"score": 1}), 409)
        assert_problem(client.post("/v1/surveys/an-expired-token-123456", json={"score": 4}), 410)
        assert_problem(client.post("/v1/surveys/" + "u" * 43, json={"score": 4}), 404)


def test_a_backlog_is_posted_round_by_round_each_message_once(gateway_loopback: Gateway) -> None:
    gw = gateway_loopback
    receiver = Receiver([])
    try:
        with gw.client(gw.token("integration", channel="mobile")) as client:
            client.put("/v1/outbound/callback", json={"url": receiver.url}).raise_for_status()
        ids = add_messages(gw.database_url, "mobile", 3 * notifications.BATCH + 1)
        add_messages(gw.database_url, "phone", 2)  # no callback for phone: left for polling
        settings = worker_settings(gw.database_url)
        with open_pool(gw.database_url, name="test-notifications") as pool:
            assert notifications.sweep(pool, settings) == len(ids)
            assert notifications.sweep(pool, settings) == 0
        posted = [int(headers[callback_signature.MESSAGE_ID_HEADER]) for headers, _ in receiver.received]
        assert posted == ids
    finally:
        receiver.close()
