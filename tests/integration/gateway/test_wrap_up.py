"""Wrap-up: after resolving an answered ticket the agent is offered nothing until they end it, change
presence or pull work, or the limit passes; each start and end is an event."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.fixtures.gateway import Gateway, unused_port
from tests.integration.gateway.helpers import inquiry, someone

pytestmark = pytest.mark.integration


def _offer(database_url: str, ticket: int, agent: int) -> int | None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT routing_offer(%s, %s, '30 seconds', '{}'::jsonb)", (ticket, agent)
        ).fetchone()
    return None if row is None else row[0]


def _handled(gateway: Gateway, integration: str, agent: str, n: int) -> int:
    with gateway.client(integration) as client:
        client.post(
            "/v1/inquiries", json=inquiry(external_id=f"w-{n}", customer=someone(n))
        ).raise_for_status()
    with gateway.client(agent) as client:
        ticket = client.post("/v1/agent/claim", json={}).json()["id"]
        client.post(f"/v1/tickets/{ticket}/answer", json={}).raise_for_status()
        client.post(f"/v1/tickets/{ticket}/resolve", json={}).raise_for_status()
    return ticket


def test_wrap_up_holds_offers_until_ended_and_is_recorded(start_gateway: Callable[..., Gateway]) -> None:
    gateway = start_gateway(classifier_addr=f"127.0.0.1:{unused_port()}", wrap_up_limit_s=60.0)
    phone = gateway.token("integration", channel="phone")
    supervisor = gateway.token("supervisor")
    agent_id, agent = gateway.agent(["triage"])
    first = _handled(gateway, phone, agent, 1)
    with gateway.client(phone) as client:
        waiting = client.post(
            "/v1/inquiries", json=inquiry(external_id="w-next", customer=someone(9))
        ).json()["id"]

    with gateway.client(agent) as client:
        me = client.get("/v1/agent/me").json()
    until = datetime.fromisoformat(me["wrap_up_until"])
    assert timedelta(seconds=50) < until - datetime.now(UTC) <= timedelta(seconds=60)
    # The router's rule and its locked check in the database both hold the offer back.
    with gateway.client(supervisor) as client:
        dry = client.get(f"/v1/routing/tickets/{waiting}/dry-run").json()
    verdict = next(a for a in dry["agents"] if a["agent_id"] == agent_id)
    assert not verdict["eligible"] and any(r.startswith("in wrap-up until") for r in verdict["reasons"])
    assert _offer(gateway.database_url, waiting, agent_id) is None

    with gateway.client(agent) as client:
        assert client.post("/v1/agent/wrap-up/end").json() == {"ended": True}
        assert client.post("/v1/agent/wrap-up/end").json() == {"ended": False}
        assert client.get("/v1/agent/me").json()["wrap_up_until"] is None
        events = client.get(f"/v1/tickets/{first}").json()["events"]
    assert [e["type"] for e in events][-3:] == ["resolved", "wrap_up_started", "wrap_up_ended"]
    assert events[-2]["data"] == {"limit_s": 60.0} and events[-1]["data"] == {"reason": "agent"}
    assert _offer(gateway.database_url, waiting, agent_id) is not None


def test_presence_change_and_the_limit_end_it_and_release_starts_none(
    start_gateway: Callable[..., Gateway],
) -> None:
    gateway = start_gateway(classifier_addr=f"127.0.0.1:{unused_port()}", wrap_up_limit_s=1.0)
    phone = gateway.token("integration", channel="phone")
    agent_id, agent = gateway.agent(["triage"])
    _handled(gateway, phone, agent, 1)
    with gateway.client(agent) as client:
        assert client.get("/v1/agent/me").json()["wrap_up_until"] is not None
        client.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
        assert client.get("/v1/agent/me").json()["wrap_up_until"] is None
    second = _handled(gateway, phone, agent, 2)
    with psycopg.connect(gateway.database_url, autocommit=True) as conn:
        # Past the one-second limit, the agent may be offered work with no event written.
        conn.execute(
            "UPDATE agents SET wrap_up_until = now() - interval '1 second' WHERE id = %s", (agent_id,)
        )
    with gateway.client(phone) as client:
        waiting = client.post("/v1/inquiries", json=inquiry(external_id="w-3", customer=someone(3))).json()[
            "id"
        ]
    assert _offer(gateway.database_url, waiting, agent_id) is not None
    with gateway.client(agent) as client:
        assert client.post("/v1/agent/wrap-up/end").json() == {"ended": False}
        assert [e["type"] for e in client.get(f"/v1/tickets/{second}").json()["events"]][
            -1
        ] == "wrap_up_started"
        # A release (a ticket given back unanswered) has nothing to wrap up.
        ticket = client.post("/v1/agent/claim", json={}).json()["id"]
        assert ticket == waiting
        client.post(f"/v1/tickets/{ticket}/release", json={}).raise_for_status()
        assert client.get("/v1/agent/me").json()["wrap_up_until"] is None
