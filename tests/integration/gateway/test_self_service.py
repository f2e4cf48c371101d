"""FAQ self-service: answered at once, queued for nobody, until the customer asks for a person."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from services.metrics.timeline import Event, timeline
from tests.fixtures.gateway import Gateway, unused_port
from tests.integration.gateway.helpers import assert_problem, counts, inquiry
from tests.integration.gateway.stand_in import ANSWER, FaqClassifier, serving

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway(start_gateway: Callable[..., Gateway]) -> Iterator[Gateway]:
    with serving(FaqClassifier()) as addr:
        yield start_gateway(
            classifier_addr=addr, metrics_addr=f"127.0.0.1:{unused_port()}", classifier_timeout_s=3.0
        )


def events_of(database_url: str, ticket_id: int) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            """SELECT e.id, e.type, e.occurred_at, e.agent_id, e.queue_id, q.name, e.data
               FROM ticket_events e LEFT JOIN queues q ON q.id = e.queue_id
               WHERE e.ticket_id = %s ORDER BY e.id""",
            (ticket_id,),
        ).fetchall()


def timeline_of(database_url: str, ticket_id: int):
    rows = events_of(database_url, ticket_id)
    return timeline(Event(r[0], r[1], r[2], r[3], r[4]) for r in rows)


def test_a_frequent_question_is_answered_at_once_and_waits_for_nobody(gateway: Gateway) -> None:
    phone = gateway.token("integration", channel="phone")
    _, agent = gateway.agent(["cards", "triage"])
    at = datetime.now(UTC) - timedelta(minutes=5)
    body = inquiry(external_id="faq-1", text="How do I activate my new card?", occurred_at=at.isoformat())
    with gateway.client(phone) as client:
        response = client.post("/v1/inquiries", json=body)
        assert response.status_code == 201, response.text
        ticket = response.json()
        before_retry = counts(gateway.database_url)
        retry = client.post("/v1/inquiries", json=body)
    assert ticket["status"] == "self_served" and ticket["queue"] == "cards"
    assert ticket["answer"] == {"text": ANSWER, "faq_id": "cards.activate", "confidence": 0.93}
    assert ticket["queued_at"] is None and ticket["answered_at"] is None
    # A retry gets the same ticket and answer, and sends nothing again.
    assert retry.status_code == 200 and retry.json() == ticket
    assert counts(gateway.database_url) == before_retry

    events = events_of(gateway.database_url, ticket["id"])
    assert [(e[1], e[5]) for e in events] == [
        ("created", None),
        ("routed", "cards"),
        ("self_served", "cards"),
    ]
    assert events[2][6] == {"faq_id": "cards.activate", "confidence": 0.93}
    with psycopg.connect(gateway.database_url) as conn:
        escalate_at = conn.execute(
            "SELECT escalate_at FROM tickets WHERE id = %s", (ticket["id"],)
        ).fetchone()
        messages = conn.execute(
            """SELECT ticket_id, customer_id, channel, kind, recipient, body, delivered_at
               FROM outbound_messages"""
        ).fetchall()
    assert escalate_at == (None,)
    assert messages == [
        (ticket["id"], ticket["customer_id"], "phone", "faq_answer", "+966501234567", ANSWER, None)
    ]
    with gateway.client(agent) as client:
        assert client.post("/v1/agent/claim", json={}).status_code == 204
    # The metrics service counts it self-served: never offered to a queue, never answered by an agent.
    served = timeline_of(gateway.database_url, ticket["id"])
    assert (served.self_served, served.queued_at, served.answered_at) == (True, None, None)


def test_asking_for_a_human_queues_it_then_an_agent_claims_and_answers(gateway: Gateway) -> None:
    chat = gateway.token("integration", channel="chat")
    email = gateway.token("integration", channel="email")
    agent_id, agent = gateway.agent(["cards"], backfill=True)  # its actions are dated
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    with gateway.client(chat) as client:
        ticket = client.post(
            "/v1/inquiries",
            json=inquiry(channel="chat", text="how do I activate it?", occurred_at=t0.isoformat()),
        ).json()
        asked = t0 + timedelta(minutes=2)
        queued = client.post(f"/v1/tickets/{ticket['id']}/human", json={"occurred_at": asked.isoformat()})
        assert queued.status_code == 200, queued.text
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/human", json={}), 409)
    assert queued.json()["status"] == "queued"
    assert datetime.fromisoformat(queued.json()["queued_at"]) == asked
    with psycopg.connect(gateway.database_url) as conn:
        (escalate_at,) = conn.execute(
            "SELECT escalate_at FROM tickets WHERE id = %s", (ticket["id"],)
        ).fetchone()  # type: ignore[misc]
    # The SLA clock starts when the customer asks: the first warning is the sweep's next look.
    # The integration's view holds no classifier details: the intake's answer has them.
    assert "classification" not in queued.json() and "priority" not in queued.json()
    priority = {"low": 1, "normal": 2, "high": 3, "urgent": 4}[ticket["priority"]]
    reason = ticket["classification"].get("reason")
    assert escalate_at == gateway.settings.escalation.deadlines("chat", priority, asked, reason).warn_at
    with gateway.client(email) as client:  # another channel's integration: as if absent
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/human", json={}), 404)
    with gateway.client(agent) as client:
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/human", json={}), 403)
        claimed = client.post(
            "/v1/agent/claim", json={"occurred_at": (asked + timedelta(minutes=1)).isoformat()}
        )
        assert claimed.json()["id"] == ticket["id"]
        answered_at = asked + timedelta(minutes=3)
        client.post(
            f"/v1/tickets/{ticket['id']}/answer", json={"occurred_at": answered_at.isoformat()}
        ).raise_for_status()
    types = [e[1] for e in events_of(gateway.database_url, ticket["id"])]
    assert types == ["created", "routed", "self_served", "human_requested", "claimed", "answered"]
    handled = timeline_of(gateway.database_url, ticket["id"])
    # Offered when the customer asked, not at intake; answered by the agent, so not self-served.
    assert (handled.self_served, handled.faq_answered) == (False, True)
    assert handled.queued_at == asked and handled.wait_s == 180 and handled.answered_by == agent_id


def test_other_inquiries_are_queued_as_before(gateway: Gateway) -> None:
    web = gateway.token("integration", channel="web")
    with gateway.client(web) as client:
        ticket = client.post("/v1/inquiries", json=inquiry(channel="web", text="my card is broken")).json()
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/human", json={}), 409)
    assert (ticket["status"], ticket["queue"], ticket["answer"]) == ("queued", "general", None)
    assert counts(gateway.database_url)["outbound_messages"] == 0
