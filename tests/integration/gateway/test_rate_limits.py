"""Rate limits per credential and route class, and on failed authentications per client address:
429 problems with Retry-After (tiny limits configured for the test)."""

from collections.abc import Callable

import httpx

from gateway.http.rate_limits import RateLimitSettings
from services.shared.settings import Env
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, inquiry, someone


def limited(start_gateway: Callable[..., Gateway], **env: str) -> Gateway:
    return start_gateway(rate_limits=RateLimitSettings.from_env(Env(env)))


def assert_too_many(response: httpx.Response) -> dict:
    problem = assert_problem(response, 429)
    assert 0 < int(response.headers["retry-after"]) <= 60
    return problem


def test_each_credential_has_its_own_budget_per_route_class(start_gateway: Callable[..., Gateway]) -> None:
    gw = limited(start_gateway, RATE_LIMIT_READS="3/minute", RATE_LIMIT_INTAKE="2/minute")
    supervisor, other = gw.token("supervisor"), gw.token("supervisor")
    with gw.client(supervisor) as client:
        for _ in range(3):
            assert client.get("/v1/supervisor/overview").status_code == 200
        problem = assert_too_many(client.get("/v1/supervisor/overview"))
        assert "reads" in problem["detail"]
    with gw.client(other) as client:
        assert client.get("/v1/supervisor/overview").status_code == 200

    with gw.client(gw.token("integration", channel="phone")) as client:
        for n in range(2):
            made = client.post("/v1/inquiries", json=inquiry(external_id=f"c-{n}", customer=someone(n)))
            assert made.status_code == 201, made.text
        assert_too_many(client.post("/v1/inquiries", json=inquiry(external_id="c-9", customer=someone(9))))
        # Reads are a budget of their own.
        assert client.get(f"/v1/tickets/{made.json()['id']}").status_code == 200


def test_stream_tickets_and_reports_are_limited(start_gateway: Callable[..., Gateway]) -> None:
    gw = limited(start_gateway, RATE_LIMIT_STREAM_TICKETS="1/minute")
    _, agent = gw.agent(["triage"])
    with gw.client(agent) as client:
        ask = {"stream": "/v1/agent/offers/stream"}
        assert client.post("/v1/stream-tickets", json=ask).status_code == 201
        assert_too_many(client.post("/v1/stream-tickets", json=ask))


def test_failed_authentications_are_limited_per_address(start_gateway: Callable[..., Gateway]) -> None:
    gw = limited(start_gateway, RATE_LIMIT_AUTH_FAILURES="3/minute")
    known = gw.token("supervisor")
    with gw.client(known) as client:
        assert client.get("/v1/supervisor/overview").status_code == 200
    for n in range(3):
        with gw.client(f"tkt_guess{n}") as client:
            assert_problem(client.get("/v1/supervisor/overview"), 401)
    with gw.client("tkt_guess9") as client:
        problem = assert_too_many(client.get("/v1/supervisor/overview"))
    assert "failed authentication" in problem["detail"]
    # A token this process has not seen yet waits too: guessing must not cost a query each.
    with gw.client(gw.token("supervisor")) as client:
        assert_too_many(client.get("/v1/supervisor/overview"))
    # Requests without any token are not guesses and get their 401.
    with gw.client() as client:
        assert_problem(client.get("/v1/supervisor/overview"), 401)
