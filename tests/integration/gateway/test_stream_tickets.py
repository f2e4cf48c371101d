"""Stream tickets: single-use, short-lived, bound to a credential and a stream; no token in a URL;
and the cap on a credential's open streams."""

import time
from collections.abc import Callable
from typing import Any

import httpx
import psycopg

from gateway.http.rate_limits import RateLimitSettings
from services.admin import cli as admin
from services.shared import tokens
from services.shared.settings import Env
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem

OFFERS = "/v1/agent/offers/stream"
LIVE = "/v1/metrics/live"


def ticket_for(gw: Gateway, token: str, stream: str) -> httpx.Response:
    with gw.client(token) as client:
        return client.post("/v1/stream-tickets", json={"stream": stream})


def issued(gw: Gateway, token: str, stream: str) -> dict[str, Any]:
    response = ticket_for(gw, token, stream)
    assert response.status_code == 201, response.text
    return response.json()


def opens(gw: Gateway, url: str, **headers: str) -> httpx.Response:
    """The stream's answer; its body is left unread and the connection closed at once."""
    with httpx.Client(base_url=gw.url, timeout=10) as client, client.stream("GET", url, headers=headers) as r:
        if r.status_code != 200:
            r.read()
        return r


def test_a_ticket_opens_its_stream_once(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    _, agent = gw.agent(["triage"])
    ticket = issued(gw, agent, OFFERS)
    assert ticket["url"] == f"{OFFERS}?ticket={ticket['ticket']}" and agent not in ticket["url"]
    assert opens(gw, ticket["url"]).status_code == 200
    problem = assert_problem(opens(gw, ticket["url"]), 401)
    assert "used already" in problem["detail"]
    # Kept only as a digest, and gone once used.
    with psycopg.connect(gw.database_url) as conn:
        left = conn.execute("SELECT count(*) FROM stream_tickets").fetchone()[0]  # type: ignore[index]
        stored = conn.execute(
            "SELECT count(*) FROM stream_tickets WHERE ticket_hash = %s", (tokens.digest(ticket["ticket"]),)
        ).fetchone()[0]  # type: ignore[index]
    assert (left, stored) == (0, 0)


def test_a_ticket_expires(start_gateway: Callable[..., Gateway]) -> None:
    gw = start_gateway(stream_ticket_ttl_s=0.3)
    _, agent = gw.agent(["triage"])
    ticket = issued(gw, agent, OFFERS)
    time.sleep(0.4)
    problem = assert_problem(opens(gw, ticket["url"]), 401)
    assert "expired" in problem["detail"]


def test_a_ticket_is_bound_to_its_stream_and_its_credential(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    supervisor = gw.token("supervisor")
    agent_id, agent = gw.agent(["triage"])
    # A supervisor's ticket for the wallboard's stream opens no other stream, and is used up trying.
    live = issued(gw, supervisor, LIVE)
    problem = assert_problem(opens(gw, f"{OFFERS}?ticket={live['ticket']}"), 401)
    assert LIVE in problem["detail"]
    assert_problem(opens(gw, live["url"]), 401)
    # Nobody gets a ticket for a stream their role may not open.
    assert_problem(ticket_for(gw, agent, LIVE), 403)
    assert_problem(ticket_for(gw, supervisor, OFFERS), 403)
    assert_problem(ticket_for(gw, gw.token("integration", channel="phone"), OFFERS), 403)
    assert_problem(ticket_for(gw, agent, "/v1/tickets/1"), 422)
    # A ticket dies with its credential.
    ticket = issued(gw, agent, OFFERS)
    with psycopg.connect(gw.database_url) as conn:
        (ident,) = conn.execute("SELECT id FROM api_credentials WHERE agent_id = %s", (agent_id,)).fetchone()  # type: ignore[misc]
    assert admin.run(["revoke-token", str(ident)], gw.database_url) == 0
    assert_problem(opens(gw, ticket["url"]), 401)


def test_a_token_in_the_url_is_refused(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    _, agent = gw.agent(["triage"])
    supervisor = gw.token("supervisor")
    problem = assert_problem(opens(gw, f"{OFFERS}?access_token={agent}"), 401)
    assert "stream-tickets" in problem["detail"]
    assert_problem(opens(gw, f"{LIVE}?access_token={supervisor}"), 401)
    assert_problem(opens(gw, OFFERS), 401)
    # The header still works, for clients that can send one.
    assert opens(gw, OFFERS, authorization=f"Bearer {agent}").status_code == 200


def test_a_credential_has_at_most_so_many_streams_open(start_gateway: Callable[..., Gateway]) -> None:
    gw = start_gateway(rate_limits=RateLimitSettings.from_env(Env({"MAX_STREAMS_PER_CREDENTIAL": "1"})))
    _, agent = gw.agent(["triage"])
    _, other = gw.agent(["triage"], name="Other")
    header = {"Authorization": f"Bearer {agent}"}
    with (
        httpx.Client(base_url=gw.url, timeout=10) as client,
        client.stream("GET", OFFERS, headers=header) as held,
    ):
        assert held.status_code == 200
        refused = opens(gw, issued(gw, agent, OFFERS)["url"])
        problem = assert_problem(refused, 429)
        assert int(refused.headers["retry-after"]) > 0 and "streams open" in problem["detail"]
        # Another credential's streams are counted apart.
        assert opens(gw, OFFERS, authorization=f"Bearer {other}").status_code == 200
    # Closed: the slot is free again once the stream's end is noticed.
    deadline = time.monotonic() + 10
    while opens(gw, OFFERS, authorization=f"Bearer {agent}").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
