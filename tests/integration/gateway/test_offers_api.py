"""Offers over HTTP: the live stream, accept and reject, presence, disconnects, capacity on pulls."""

import json
import time

import psycopg
import pytest

from services.shared.store import agent_capacity
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, inquiry, someone
from tests.integration.routing_helpers import OfferStream, route

pytestmark = pytest.mark.integration


def presence(gw: Gateway, agent_id: int) -> str:
    with psycopg.connect(gw.database_url) as conn:
        return conn.execute("SELECT presence FROM agents WHERE id = %s", (agent_id,)).fetchone()[0]


def wait_until(check, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_an_offer_reaches_the_agent_live_and_accepting_claims_and_answers(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    email = gw.token("integration", channel="email")
    agent_id, token = gw.agent(["triage"])
    stream = OfferStream(gw.url, token)
    try:
        with gw.client(token) as agent:
            assert agent.put("/v1/agent/presence", json={"presence": "available"}).json() == {
                "presence": "available",
                "previous": "offline",
            }
            with gw.client(email) as client:
                ticket = client.post("/v1/inquiries", json=inquiry(channel="email", external_id="e1")).json()
            assert ticket["position"] == 1 and ticket["estimated_wait_s"] == 0  # a free agent waits
            assert route(gw.database_url, gw.settings.routing).offered == 1
            offer = stream.next("offer")
            assert offer["ticket_id"] == ticket["id"] and offer["ticket"]["channel"] == "email"
            assert [o["id"] for o in agent.get("/v1/agent/offers").json()] == [offer["id"]]
            taken = agent.post(f"/v1/agent/offers/{offer['id']}/accept", json={}).json()
            assert (taken["status"], taken["assigned_agent_id"]) == ("answered", agent_id)
            assert stream.next("offer_closed") == {"offer_id": offer["id"], "state": "accepted"}
            assert_problem(agent.post(f"/v1/agent/offers/{offer['id']}/accept", json={}), 409)
            events = agent.get(f"/v1/tickets/{ticket['id']}").json()["events"]
            assert [e["type"] for e in events] == ["created", "routed", "offered", "claimed", "answered"]
            assert events[3]["data"]["offer_id"] == offer["id"]
            me = agent.get("/v1/agent/me").json()
            assert (
                me["load"] == {"email": 1} and me["capacity"]["email"] == 5 and me["capacity"]["phone"] == 1
            )
    finally:
        stream.close()


def test_a_rejected_offer_goes_to_the_next_agent_and_is_missed(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    chat = gw.token("integration", channel="chat")
    first_id, first = gw.agent(["triage"], name="First")
    second_id, second = gw.agent(["triage"], name="Second")
    for token in (first, second):
        with gw.client(token) as agent:
            agent.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
    with gw.client(chat) as client:
        ticket = client.post("/v1/inquiries", json=inquiry(channel="chat", external_id="c1")).json()
    route(gw.database_url, gw.settings.routing)
    tokens = {first_id: first, second_id: second}
    with gw.client(first) as a, gw.client(second) as b:
        offered = [
            (aid, o) for aid, c in ((first_id, a), (second_id, b)) for o in c.get("/v1/agent/offers").json()
        ]
    ((holder, offer),) = offered
    with gw.client(tokens[holder]) as agent:
        assert agent.post(f"/v1/agent/offers/{offer['id']}/reject").status_code == 204
        assert_problem(agent.post(f"/v1/agent/offers/{offer['id']}/reject"), 409)
    route(gw.database_url, gw.settings.routing)
    other = second_id if holder == first_id else first_id
    with gw.client(tokens[other]) as agent:
        (again,) = agent.get("/v1/agent/offers").json()
        assert again["ticket_id"] == ticket["id"]
        events = agent.get(f"/v1/tickets/{ticket['id']}").json()["events"]
    missed = [e for e in events if e["type"] == "offer_missed"]
    assert [(e["agent_id"], e["data"]["outcome"]) for e in missed] == [(holder, "rejected")]


def test_a_closed_stream_signs_the_agent_out_and_gives_their_offers_back(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    web = gw.token("integration", channel="web")
    agent_id, token = gw.agent(["triage"])
    stream = OfferStream(gw.url, token)
    with gw.client(token) as agent:
        agent.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
    with gw.client(web) as client:
        ticket = client.post("/v1/inquiries", json=inquiry(channel="web", external_id="w1")).json()
    route(gw.database_url, gw.settings.routing)
    stream.next("offer")
    stream.close()
    wait_until(lambda: presence(gw, agent_id) == "offline")
    with psycopg.connect(gw.database_url) as conn:
        outcomes = conn.execute(
            "SELECT outcome FROM ticket_offers WHERE ticket_id = %s", (ticket["id"],)
        ).fetchall()
        intervals = conn.execute(
            "SELECT presence FROM agent_presence_intervals WHERE agent_id = %s ORDER BY id", (agent_id,)
        ).fetchall()
    assert outcomes == [("withdrawn",)]
    assert [p for (p,) in intervals] == ["offline", "available", "offline"]
    assert route(gw.database_url, gw.settings.routing).offered == 0  # offline: nothing more


def test_pulling_respects_capacity_presence_and_offers(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    phone = gw.token("integration", channel="phone")
    agent_id, token = gw.agent(["triage"])
    other_id, other = gw.agent(["triage"], name="Other")
    with gw.client(phone) as client:
        ids = [
            client.post("/v1/inquiries", json=inquiry(external_id=f"p{n}", customer=someone(n))).json()["id"]
            for n in range(3)
        ]
    with gw.client(other) as agent:
        agent.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
    route(gw.database_url, gw.settings.routing)  # the oldest call is offered to Other
    with gw.client(token) as agent:
        # Offline, so pulling signs the agent in; the offered ticket is passed over.
        assert agent.post("/v1/agent/claim", json={}).json()["id"] == ids[1]
        assert presence(gw, agent_id) == "available"
        # One call at a time: nothing more until it is done, though a call waits.
        assert agent.post("/v1/agent/claim", json={}).status_code == 204
        with psycopg.connect(gw.database_url, autocommit=True) as conn:
            agent_capacity.set_sync(conn, agent_id, {"phone": 2})
        assert agent.post("/v1/agent/claim", json={}).json()["id"] == ids[2]
        agent.put("/v1/agent/presence", json={"presence": "away"}).raise_for_status()
        assert_problem(agent.post("/v1/agent/claim", json={}), 409)
    with psycopg.connect(gw.database_url) as conn:
        offered = conn.execute("SELECT ticket_id, agent_id FROM ticket_offers").fetchall()
    assert offered == [(ids[0], other_id)]


def test_a_caller_who_hangs_up_while_offered_frees_the_agent_at_once(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    phone = gw.token("integration", channel="phone")
    agent_id, token = gw.agent(["triage"])
    stream = OfferStream(gw.url, token)
    try:
        with gw.client(token) as agent:
            agent.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
        with gw.client(phone) as client:
            ticket = client.post("/v1/inquiries", json=inquiry(external_id="hang-up")).json()
            assert route(gw.database_url, gw.settings.routing).offered == 1
            offer = stream.next("offer")
            client.post(f"/v1/tickets/{ticket['id']}/abandon", json={}).raise_for_status()
        # Withdrawn with the abandonment, not at the timeout: the agent's one phone slot is free again.
        assert stream.next("offer_closed") == {"offer_id": offer["id"], "state": "withdrawn"}
        with gw.client(token) as agent:
            assert agent.get("/v1/agent/offers").json() == []
            assert agent.get("/v1/agent/me").json()["load"].get("phone", 0) == 0
            assert_problem(agent.post(f"/v1/agent/offers/{offer['id']}/accept", json={}), 409)
            # An offer withdrawn is no work of the agent's: the ticket is out of their reach now.
            assert_problem(agent.get(f"/v1/tickets/{ticket['id']}"), 404)
        with gw.client(gw.token("supervisor")) as supervisor:
            events = supervisor.get(f"/v1/tickets/{ticket['id']}").json()["events"]
        missed = [e for e in events if e["type"] == "offer_missed"]
        assert [(e["agent_id"], e["data"]["outcome"]) for e in missed] == [(agent_id, "withdrawn")]
    finally:
        stream.close()


def test_an_offer_pending_on_connect_and_notified_again_is_sent_once(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    web = gw.token("integration", channel="web")
    agent_id, token = gw.agent(["triage"])
    with gw.client(token) as agent:
        agent.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
    with gw.client(web) as client:
        client.post("/v1/inquiries", json=inquiry(channel="web", external_id="w1")).raise_for_status()
    assert route(gw.database_url, gw.settings.routing).offered == 1
    stream = OfferStream(gw.url, token)
    try:
        offer = stream.next("offer")
        # What the router's notification does when the offer is made while the stream connects: the
        # offer is in the pending list the stream reads and then arrives as a notification as well.
        with psycopg.connect(gw.database_url, autocommit=True) as conn:
            note = {"offer_id": offer["id"], "agent_id": agent_id, "ticket_id": offer["ticket_id"]}
            conn.execute("SELECT pg_notify('ticket_offers', %s)", (json.dumps({**note, "state": "pending"}),))
        with gw.client(token) as agent:
            assert agent.post(f"/v1/agent/offers/{offer['id']}/reject").status_code == 204
        seen = []
        while not seen or seen[-1][0] != "offer_closed":
            seen.append(stream.events.get(timeout=10))
        assert seen == [("offer_closed", {"offer_id": offer["id"], "state": "rejected"})]
    finally:
        stream.close()
