"""Agents claim by priority then age, hold a ticket alone, and every step is an event."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from services.shared.store import agent_capacity
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, inquiry, someone

pytestmark = pytest.mark.integration


def iso(moment: datetime) -> str:
    return moment.isoformat()


def test_claim_takes_priority_then_age_and_the_lifecycle_is_recorded(gateway_alone: Gateway) -> None:
    phone = gateway_alone.token("integration", channel="phone")
    # A back-fill token: the test replays a timeline with the agent's actions dated.
    agent_id, agent = gateway_alone.agent(["triage"], backfill=True)
    with psycopg.connect(gateway_alone.database_url, autocommit=True) as conn:
        agent_capacity.set_sync(conn, agent_id, {"phone": 2})  # two calls at once (one by default)
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    with gateway_alone.client(phone) as client:
        old = client.post(
            "/v1/inquiries", json=inquiry(external_id="a", occurred_at=iso(t0), customer=someone("a"))
        ).json()
        new = client.post(
            "/v1/inquiries",
            json=inquiry(external_id="b", occurred_at=iso(t0 + timedelta(minutes=1)), customer=someone("b")),
        ).json()
    with psycopg.connect(gateway_alone.database_url, autocommit=True) as conn:
        conn.execute("UPDATE tickets SET priority = 4 WHERE id = %s", (new["id"],))
    with gateway_alone.client(agent) as client:
        first = client.post("/v1/agent/claim", json={"occurred_at": iso(t0 + timedelta(minutes=2))}).json()
        second = client.post(
            "/v1/agent/claim", json={"occurred_at": iso(t0 + timedelta(minutes=2, seconds=30))}
        ).json()
        assert [first["id"], second["id"]] == [new["id"], old["id"]]
        assert client.post("/v1/agent/claim", json={}).status_code == 204

        answered = client.post(
            f"/v1/tickets/{old['id']}/answer", json={"occurred_at": iso(t0 + timedelta(minutes=3))}
        )
        assert answered.status_code == 200, answered.text
        assert answered.json()["status"] == "answered"
        resolved = client.post(
            f"/v1/tickets/{old['id']}/resolve", json={"resolution_code": "card_blocked"}
        ).json()
        assert resolved["status"] == "resolved" and resolved["resolved_at"]
        detail = client.get(f"/v1/tickets/{old['id']}").json()
    # Resolving a ticket one answered starts a wrap-up (after-contact work), recorded after it.
    assert [e["type"] for e in detail["events"]] == [
        "created", "routed", "claimed", "answered", "resolved", "wrap_up_started",
    ]  # fmt: skip
    assert detail["answered_at"] == (t0 + timedelta(minutes=3)).isoformat().replace("+00:00", "Z")
    assert detail["events"][-2]["data"]["resolution_code"] == "card_blocked"
    with psycopg.connect(gateway_alone.database_url) as conn:
        # Resolution makes a survey due; the worker's sweep sends it.
        assert conn.execute(
            "SELECT survey_due_at IS NOT NULL FROM tickets WHERE id = %s", (old["id"],)
        ).fetchone()[0]


def test_only_the_holder_may_act_and_transfer_requeues(gateway_alone: Gateway) -> None:
    phone = gateway_alone.token("integration", channel="phone")
    _, sara = gateway_alone.agent(["triage"], name="Sara")
    _, omar = gateway_alone.agent(["cards"], name="Omar")
    with gateway_alone.client(phone) as client:
        ticket = client.post("/v1/inquiries", json=inquiry()).json()
    with gateway_alone.client(sara) as client:
        assert client.post("/v1/agent/claim", json={}).json()["id"] == ticket["id"]
    with gateway_alone.client(omar) as client:
        # Held by Sara in a queue Omar does not serve: out of his reach, as if it did not exist.
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/answer", json={}), 404)
        assert client.post("/v1/agent/claim", json={}).status_code == 204
    with gateway_alone.client(sara) as client:
        client.post(f"/v1/tickets/{ticket['id']}/answer", json={}).raise_for_status()
        moved = client.post(
            f"/v1/tickets/{ticket['id']}/transfer", json={"queue": "cards", "note": "card issue"}
        ).json()
    assert moved["status"] == "queued" and moved["queue"] == "cards" and moved["assigned_agent_id"] is None
    with gateway_alone.client(omar) as client:
        assert client.post("/v1/agent/claim", json={}).json()["id"] == ticket["id"]
    with gateway_alone.client(sara) as client:
        # Sara handled it, so she sees it; only its holder may act on it.
        problem = assert_problem(client.post(f"/v1/tickets/{ticket['id']}/answer", json={}), 409)
        assert "not held" in problem["detail"]
    with gateway_alone.client(omar) as client:
        client.post(f"/v1/tickets/{ticket['id']}/answer", json={}).raise_for_status()
        client.post(f"/v1/tickets/{ticket['id']}/resolve", json={}).raise_for_status()
        events = client.get(f"/v1/tickets/{ticket['id']}").json()["events"]
    # Each agent's handling ends in a wrap-up of their own (after-contact work).
    assert [e["type"] for e in events] == [
        "created",
        "routed",
        "claimed",
        "answered",
        "transferred",
        "wrap_up_started",
        "claimed",
        "answered",
        "resolved",
        "wrap_up_started",
    ]
    assert events[4]["data"]["note"] == "card issue"


def test_customer_abandons_before_an_answer(gateway_alone: Gateway) -> None:
    chat = gateway_alone.token("integration", channel="chat")
    _, agent = gateway_alone.agent(["triage"])
    with gateway_alone.client(chat) as client:
        ticket = client.post("/v1/inquiries", json=inquiry(channel="chat")).json()
        left = client.post(f"/v1/tickets/{ticket['id']}/abandon", json={}).json()
        assert left["status"] == "abandoned"
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/abandon", json={}), 409)
    with gateway_alone.client(agent) as client:
        assert client.post("/v1/agent/claim", json={}).status_code == 204


def test_concurrent_claims_never_hand_one_ticket_to_two_agents(gateway_alone: Gateway) -> None:
    web = gateway_alone.token("integration", channel="web")
    agents = [gateway_alone.agent(["triage"], name=f"Agent {i}")[1] for i in range(8)]
    with gateway_alone.client(web) as client:
        ids = {
            client.post(
                "/v1/inquiries",
                json=inquiry(channel="web", external_id=f"w{i}", customer={"web_user_id": f"w-{i}"}),
            ).json()["id"]
            for i in range(40)
        }

    def drain(token: str) -> list[int]:
        got = []
        with gateway_alone.client(token) as client:
            while (response := client.post("/v1/agent/claim", json={})).status_code == 200:
                got.append(response.json()["id"])
        return got

    with ThreadPoolExecutor(len(agents)) as pool:
        claimed = [tid for batch in pool.map(drain, agents) for tid in batch]
    # Eight agents with room for five web tickets each take all forty: every ticket once, none twice.
    assert len(ids) == 40
    assert sorted(claimed) == sorted(ids)
    with psycopg.connect(gateway_alone.database_url) as conn:
        (claims,) = conn.execute("SELECT count(*) FROM ticket_events WHERE type = 'claimed'").fetchone()
    assert claims == len(ids)


def test_same_customer_across_channels_is_one_person(gateway_alone: Gateway) -> None:
    chat = gateway_alone.token("integration", channel="chat")
    email = gateway_alone.token("integration", channel="email")
    with gateway_alone.client(email) as client:
        by_mail = client.post("/v1/inquiries", json=inquiry(channel="email", external_id="m1")).json()
    with gateway_alone.client(chat) as client:
        # The chat gives a new visitor id and the same e-mail address (in capitals), which the chat
        # platform checked (the visitor signed in): same customer.
        body = inquiry(channel="chat", external_id="c1")
        body["customer"] = {
            "chat_visitor_id": "v-new",
            "email": "SARA@example.com",
            "verified": {"email": True},
        }
        by_chat = client.post("/v1/inquiries", json=body).json()
    assert by_chat["customer_id"] == by_mail["customer_id"]
    with psycopg.connect(gateway_alone.database_url) as conn:
        kinds = conn.execute(
            "SELECT kind FROM customer_identities WHERE customer_id = %s ORDER BY kind",
            (by_mail["customer_id"],),
        ).fetchall()
    assert [k for (k,) in kinds] == ["chat_visitor", "email"]
