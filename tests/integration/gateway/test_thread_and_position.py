"""Queue position and estimated wait, follow-ups joining the thread across channels, replies,
transfer to an agent, reopening, the customer's history, and the routing dry run."""

import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from gateway.actions.waits import CONTEXT_TTL_S
from services.shared.routing.erlang import WaitInputs, estimated_wait_s
from services.shared.store import agent_capacity, agent_skills
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, inquiry, someone
from tests.integration.routing_helpers import route

pytestmark = pytest.mark.integration


def resolved_history(gw: Gateway, queue: str, handle_s: list[int]) -> None:
    """Resolved tickets of the queue with the given handling times (answer to resolution)."""
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        customer = conn.execute("INSERT INTO customers DEFAULT VALUES RETURNING id").fetchone()[0]
        agent = conn.execute("INSERT INTO agents (name) VALUES ('Past') RETURNING id").fetchone()[0]
        for n, seconds in enumerate(handle_s):
            at = datetime.now(UTC) - timedelta(days=2, minutes=n)
            conn.execute(
                """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status,
                       priority, body, routed_by, assigned_agent_id, created_at, queued_at, answered_at,
                       resolved_at, last_event_at)
                   VALUES ('email', %s, '\\x00', %s, (SELECT id FROM queues WHERE name = %s), 'resolved', 2,
                       'old', 'classifier', %s, %s, %s, %s, %s, %s)""",
                (
                    f"past{n}",
                    customer,
                    queue,
                    agent,
                    at,
                    at,
                    at,
                    at + timedelta(seconds=seconds),
                    at + timedelta(seconds=seconds),
                ),
            )


def test_position_and_estimated_wait_follow_the_queue_and_its_agents(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    email = gw.token("integration", channel="email")
    resolved_history(gw, "triage", [100, 200, 300])  # a mean handling time of 200 s
    with gw.client(email) as client:
        first = client.post(
            "/v1/inquiries", json=inquiry(channel="email", external_id="e0", customer=someone(0))
        )
        body = first.json()
        # Nobody signed in who could take it: the position is known, the wait is not.
        assert (body["position"], body["queue_depth"], body["estimated_wait_s"]) == (1, 1, None)
        for n in range(1, 5):
            client.post(
                "/v1/inquiries", json=inquiry(channel="email", external_id=f"e{n}", customer=someone(n))
            )
    agent_id, token = gw.agent(["triage"])
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        agent_capacity.set_sync(conn, agent_id, {"email": 2})
    with gw.client(token) as agent:
        agent.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
    with gw.client(email) as client:
        last = client.get(f"/v1/tickets/{body['id'] + 4}/position").json()
    assert last["position"] == 5 and last["queue_depth"] == 5
    # The agents behind an estimate are cached for CONTEXT_TTL_S; ask again once that has passed.
    time.sleep(CONTEXT_TTL_S + 0.1)
    with gw.client(email) as client:
        head = client.get(f"/v1/tickets/{body['id']}/position").json()
        last = client.get(f"/v1/tickets/{body['id'] + 4}/position").json()
    arrivals = 5 / 3600  # five tickets in the last hour
    assert head["estimated_wait_s"] == 0  # a free slot takes it at once
    expected = estimated_wait_s(WaitInputs(5, slots=2, free_slots=2, handle_s=200, arrivals_per_s=arrivals))
    assert last["estimated_wait_s"] == pytest.approx(expected, abs=0.1)
    assert expected == pytest.approx(3 * 200 / 2)  # three ahead beyond the free slots, two slots
    # Integrations see only their own channel's tickets.
    phone = gw.token("integration", channel="phone")
    with gw.client(phone) as client:
        assert_problem(client.get(f"/v1/tickets/{body['id']}/position"), 404)


def test_a_follow_up_on_the_same_channel_joins_the_open_ticket_never_another_channels(
    gateway_alone: Gateway,
) -> None:
    gw = gateway_alone
    email = gw.token("integration", channel="email")
    chat = gw.token("integration", channel="chat")
    with gw.client(email) as client:
        ticket = client.post("/v1/inquiries", json=inquiry(channel="email", external_id="m1")).json()
        follow = inquiry(channel="email", external_id="m2", text="Any news about my card?")
        follow["customer"] = {"email": "SARA@example.com"}
        joined = client.post("/v1/inquiries", json=follow)
        again = client.post("/v1/inquiries", json=follow)  # a retry adds nothing
    assert joined.status_code == 200 and again.status_code == 200
    body = joined.json()
    assert body["joined"] is True and body["id"] == ticket["id"]
    assert (body["status"], body["position"], body["queue_depth"]) == ("queued", 1, 1)
    with gw.client(gw.token("supervisor")) as client:
        events = client.get(f"/v1/tickets/{ticket['id']}").json()["events"]
    messages = [e for e in events if e["type"] == "customer_message"]
    assert [(m["data"]["channel"], m["data"]["text"]) for m in messages] == [
        ("email", "Any news about my card?")
    ]
    # The same customer (the chat checked the address) on the chat: one person, but the chat's
    # integration is never answered with the e-mail ticket; the chat inquiry is a ticket of its own.
    with gw.client(chat) as client:
        other = inquiry(channel="chat", external_id="c9", text="Any news about my card?")
        other["customer"] = {
            "chat_visitor_id": "v-99",
            "email": "sara@example.com",
            "verified": {"email": True},
        }
        by_chat = client.post("/v1/inquiries", json=other)
    assert by_chat.status_code == 201, by_chat.text
    assert by_chat.json()["joined"] is False and by_chat.json()["id"] != ticket["id"]
    assert by_chat.json()["customer_id"] == ticket["customer_id"]
    with psycopg.connect(gw.database_url) as conn:
        (tickets_count,) = conn.execute("SELECT count(*) FROM tickets").fetchone()
    assert tickets_count == 2
    # A resolved ticket is not joined: the next inquiry opens a new one.
    _, token = gw.agent(["triage"])
    with gw.client(token) as agent:
        assert agent.post("/v1/agent/claim", json={}).json()["id"] == ticket["id"]
        agent.post(f"/v1/tickets/{ticket['id']}/answer", json={}).raise_for_status()
        agent.post(
            f"/v1/tickets/{ticket['id']}/resolve", json={"resolution_code": "card_blocked"}
        ).raise_for_status()
    with gw.client(email) as client:
        follow["external_id"] = "m3"
        fresh = client.post("/v1/inquiries", json=follow)
    assert fresh.status_code == 201 and fresh.json()["id"] != ticket["id"] and fresh.json()["joined"] is False


def test_reply_transfer_to_an_agent_reopen_and_history(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    web = gw.token("integration", channel="web")
    sara_id, sara = gw.agent(["triage"], name="Sara")
    omar_id, omar = gw.agent(["triage"], name="Omar")
    with gw.client(web) as client:
        ticket = client.post("/v1/inquiries", json=inquiry(channel="web", external_id="w1")).json()
    with gw.client(sara) as agent:
        assert agent.post("/v1/agent/claim", json={}).json()["id"] == ticket["id"]
        replied = agent.post(
            f"/v1/tickets/{ticket['id']}/reply", json={"text": "We blocked the card."}
        ).json()
        assert replied["status"] == "answered"  # the first reply answers it
        # Omar is offline: a ticket reserved for him would be offered to no one.
        assert_problem(
            agent.post(f"/v1/tickets/{ticket['id']}/transfer-to-agent", json={"agent_id": omar_id}), 409
        )
        assert agent.get(f"/v1/tickets/{ticket['id']}").json()["status"] == "answered"
    with gw.client(omar) as agent:
        agent.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
    with gw.client(sara) as agent:
        moved = agent.post(
            f"/v1/tickets/{ticket['id']}/transfer-to-agent", json={"agent_id": omar_id, "note": "for Omar"}
        ).json()
        assert (moved["status"], moved["assigned_agent_id"]) == ("queued", None)
        assert_problem(agent.post(f"/v1/tickets/{ticket['id']}/reply", json={"text": "more"}), 409)
        agent.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
    route(gw.database_url, gw.settings.routing)
    with gw.client(sara) as agent:
        assert agent.get("/v1/agent/offers").json() == []  # reserved for Omar
    with gw.client(omar) as agent:
        (offer,) = agent.get("/v1/agent/offers").json()
        agent.post(f"/v1/agent/offers/{offer['id']}/accept").raise_for_status()
        agent.post(
            f"/v1/tickets/{ticket['id']}/resolve", json={"resolution_code": "card_blocked"}
        ).raise_for_status()
        reopened = agent.post(f"/v1/tickets/{ticket['id']}/reopen", json={"note": "customer says no"}).json()
        assert (reopened["status"], reopened["assigned_agent_id"]) == ("queued", None)
        history = agent.get(f"/v1/tickets/{ticket['id']}/history").json()
    with psycopg.connect(gw.database_url) as conn:
        outbound = conn.execute("SELECT kind, channel, recipient, body FROM outbound_messages").fetchall()
    assert ("reply", "web", "w-42", "We blocked the card.") in outbound
    (item,) = history["tickets"]
    assert item["thread"] == [
        {"at": item["thread"][0]["at"], "from": "agent", "channel": "web", "text": "We blocked the card."}
    ]
    assert item["resolution_code"] == "card_blocked" and item["status"] == "queued"
    assert sara_id != omar_id


def test_the_dry_run_explains_who_may_take_a_ticket(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    phone = gw.token("integration", channel="phone")
    expert_id, expert = gw.agent(["triage"], name="Expert")
    away_id, away = gw.agent(["triage"], name="Away")
    other_id, _ = gw.agent(["cards"], name="Cards")
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        agent_skills.set_all_sync(conn, expert_id, {"fraud": 5})
    for token, state in ((expert, "available"), (away, "away")):
        with gw.client(token) as agent:
            agent.put("/v1/agent/presence", json={"presence": state}).raise_for_status()
    with gw.client(phone) as client:
        ticket = client.post("/v1/inquiries", json=inquiry()).json()
    supervisor = gw.token("supervisor")
    with gw.client(supervisor) as client:
        run = client.get(f"/v1/routing/tickets/{ticket['id']}/dry-run").json()
        overview = client.get("/v1/supervisor/overview").json()
    by_agent = {a["agent_id"]: a for a in run["agents"]}
    assert by_agent[expert_id]["eligible"] is True
    assert by_agent[away_id]["reasons"] == ["presence is away"]
    assert by_agent[other_id]["reasons"][0] == "serves none of triage"
    assert run["rule"]["queues"] == ["triage"] and run["status"] == "queued"
    triage = next(q for q in overview["queues"] if q["queue"] == "triage")
    assert triage["waiting"] == 1 and triage["offered"] == 0
    assert overview["agents_by_presence"] == {"available": 1, "away": 1, "offline": 1}
    with gw.client(expert) as agent:
        assert_problem(agent.get(f"/v1/routing/tickets/{ticket['id']}/dry-run"), 403)


def test_an_agent_escalates_up_a_tier(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    phone = gw.token("integration", channel="phone")
    _, token = gw.agent(["triage", "disputes_fraud"])
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        agent_capacity.set_sync(
            conn, int(conn.execute("SELECT max(id) FROM agents").fetchone()[0]), {"phone": 2}
        )
    with gw.client(phone) as client:
        first = client.post("/v1/inquiries", json=inquiry(external_id="p1", customer=someone(1))).json()
        second = client.post("/v1/inquiries", json=inquiry(external_id="p2", customer=someone(2))).json()
    with gw.client(token) as agent:
        assert agent.post("/v1/agent/claim", json={}).json()["id"] == first["id"]
        assert agent.post("/v1/agent/claim", json={}).json()["id"] == second["id"]
        up = agent.post(f"/v1/tickets/{first['id']}/escalate", json={"note": "needs a supervisor"}).json()
        assert (up["status"], up["queue"], up["escalation_level"], up["priority"]) == (
            "queued",
            "triage",
            1,
            "high",
        )
        assert_problem(agent.post(f"/v1/tickets/{first['id']}/escalate", json={}), 409)  # not held now
        events = agent.get(f"/v1/tickets/{first['id']}").json()["events"]
        assert events[-1]["type"] == "escalated"
        assert events[-1]["data"] == {"level": 1, "by": "agent", "from_queue_id": events[-1]["queue_id"],
                                      "note": "needs a supervisor"}  # fmt: skip
        with psycopg.connect(gw.database_url, autocommit=True) as conn:
            conn.execute(
                """UPDATE queues SET escalation_queue_id = (
                       SELECT id FROM queues WHERE name = 'disputes_fraud') WHERE name = 'triage'"""
            )
        moved = agent.post(f"/v1/tickets/{second['id']}/escalate").json()
    assert (moved["queue"], moved["escalation_level"]) == ("disputes_fraud", 1)
