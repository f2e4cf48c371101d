"""Every route of the OpenAPI document, called by no token, a wrong token, each role, and each role on
another's objects: the answers must be the allowed matrix below, and every route must be in it.

The world of each route: a chat ticket T taken in by the chat integration and held by agent A (who
serves `triage`, where T waits until A takes it); T2 waiting in `triage`, offered to A. Agent B serves
`loans`-like `fees_charges` only and never touched either; the phone integration is another channel.

A cell says what the caller gets: OK means admitted (any answer but 401, 403 and 404: a 409 or 422 is
the route's own rule speaking), 401/403/404 a refusal. 404 is how a ticket out of reach is refused,
so that ids cannot be probed. Cells marked GONE name objects that do not exist (a follow-up, an
outbound message, a survey token): there an admitted caller's 404 is the right answer.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from gateway.http.app import create_app
from gateway.http.openapi import document
from gateway.settings import GatewaySettings
from tests.fixtures import internal_grpc
from tests.fixtures.gateway import Gateway

pytestmark = pytest.mark.integration

OK = "ok"
GONE = "gone"  # admitted, and the object named does not exist: 404
CALLERS = ("anonymous", "wrong", "phone_integration", "agent_b", "chat_integration", "agent_a", "supervisor")


@dataclass(frozen=True)
class Row:
    """Expected answers of the five token holders; no token and a wrong token get 401 unless public."""

    chat_integration: str | int
    phone_integration: str | int
    agent_a: str | int
    agent_b: str | int
    supervisor: str | int
    public: bool = False

    def expected(self, caller: str) -> str | int:
        if caller in ("anonymous", "wrong"):
            return self.supervisor if self.public else 401
        return getattr(self, caller)


PUBLIC = Row(OK, OK, OK, OK, OK, public=True)
AGENT_ON_T = Row(403, 403, OK, 404, 403)
AGENT_SELF = Row(403, 403, OK, OK, 403)
CUSTOMER_ON_T = Row(OK, 404, 403, 403, 403)
ANYONE_ON_T = Row(OK, 404, OK, 404, OK)
SUPERVISOR = Row(403, 403, 403, 403, OK)
INTEGRATION = Row(OK, OK, 403, 403, 403)
# Signed by the provider (X-Twilio-Signature, X-Hub-Signature-256, the WhatsApp verify token), never
# by a bearer token: every caller here, token or not, is refused.
PROVIDER_SIGNED = Row(403, 403, 403, 403, 403, public=True)
# The web chat: started by a public widget key (none of these callers has a valid one), then reached
# by the session's own secret, which no bearer token is: every caller here is refused.
CHAT_KEY = Row(401, 401, 401, 401, 401, public=True)
CHAT_SESSION = Row(401, 401, 401, 401, 401)

MATRIX: dict[str, Row] = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /console": PUBLIC,
    "GET /supervisor": PUBLIC,
    "GET /wallboard": PUBLIC,
    "GET /report": PUBLIC,
    # A survey answers by its single-use token, not by a bearer token (a back-fill one may date the
    # reply; any other caller's date is a 422: test_survey_reply_times.py).
    "POST /v1/surveys/{token}": Row(GONE, GONE, GONE, GONE, GONE, public=True),
    # The page the invitation links to: the same single-use token.
    "GET /survey/{token}": Row(GONE, GONE, GONE, GONE, GONE, public=True),
    # Only an integration token of the e-mail channel, which none of these callers holds.
    "POST /v1/channels/email/inbound": Row(403, 403, 403, 403, 403),
    "POST /v1/channels/twilio/voice": PROVIDER_SIGNED,
    "POST /v1/channels/twilio/messages": PROVIDER_SIGNED,
    "GET /v1/channels/whatsapp": PROVIDER_SIGNED,
    "POST /v1/channels/whatsapp": PROVIDER_SIGNED,
    "POST /v1/inquiries": Row(OK, 403, 403, 403, 403),
    "POST /v1/inquiries/multipart": Row(OK, 403, 403, 403, 403),
    "GET /v1/tickets/{ticket_id}": ANYONE_ON_T,
    "GET /v1/tickets/{ticket_id}/events": ANYONE_ON_T,
    "GET /v1/tickets/{ticket_id}/position": ANYONE_ON_T,
    "POST /v1/tickets/{ticket_id}/abandon": CUSTOMER_ON_T,
    "POST /v1/tickets/{ticket_id}/human": CUSTOMER_ON_T,
    "POST /v1/tickets/{ticket_id}/answer": AGENT_ON_T,
    "POST /v1/tickets/{ticket_id}/await-customer": AGENT_ON_T,
    "POST /v1/tickets/{ticket_id}/release": AGENT_ON_T,
    "POST /v1/tickets/{ticket_id}/transfer": AGENT_ON_T,
    "POST /v1/tickets/{ticket_id}/resolve": AGENT_ON_T,
    "POST /v1/tickets/{ticket_id}/reply": AGENT_ON_T,
    "POST /v1/tickets/{ticket_id}/transfer-to-agent": AGENT_ON_T,
    "POST /v1/tickets/{ticket_id}/escalate": AGENT_ON_T,
    # Reopening: the agent who resolved it (A, in this route's world) or a supervisor.
    "POST /v1/tickets/{ticket_id}/reopen": Row(403, 403, OK, 404, OK),
    "GET /v1/tickets/{ticket_id}/history": Row(403, 403, OK, 404, OK),
    "POST /v1/tickets/{ticket_id}/quality": SUPERVISOR,
    "POST /v1/tickets/{ticket_id}/evaluations": SUPERVISOR,
    "GET /v1/quality/scorecards": SUPERVISOR,
    "GET /v1/quality/sample": SUPERVISOR,
    "GET /quality": PUBLIC,
    "GET /v1/routing/tickets/{ticket_id}/dry-run": SUPERVISOR,
    "POST /v1/agent/claim": AGENT_SELF,
    "GET /v1/agent/me": AGENT_SELF,
    "GET /v1/agent/tickets": AGENT_SELF,
    "PUT /v1/agent/presence": AGENT_SELF,
    "PUT /v1/agent/language": AGENT_SELF,
    "POST /v1/agent/wrap-up/end": AGENT_SELF,
    "GET /v1/agent/offers": AGENT_SELF,
    "GET /v1/agent/offers/stream": AGENT_SELF,
    # The offer is A's: another agent cannot tell it from one that does not exist.
    "POST /v1/agent/offers/{offer_id}/accept": Row(403, 403, OK, 404, 403),
    "POST /v1/agent/offers/{offer_id}/reject": Row(403, 403, OK, 409, 403),
    "GET /v1/follow-ups": SUPERVISOR,
    "POST /v1/follow-ups/{follow_up_id}/close": Row(403, 403, 403, 403, GONE),
    "GET /v1/supervisor/overview": SUPERVISOR,
    # T is held by A: a supervisor moves it (A loses it); nobody else may.
    "POST /v1/supervisor/tickets/{ticket_id}/move": SUPERVISOR,
    "PUT /v1/supervisor/agents/{agent_id}/presence": SUPERVISOR,
    "GET /v1/metrics/kpis": SUPERVISOR,
    "GET /v1/metrics/report": SUPERVISOR,
    "GET /v1/metrics/export": SUPERVISOR,
    "GET /v1/metrics/set-aside": SUPERVISOR,
    "GET /v1/metrics/live": SUPERVISOR,
    "GET /v1/staffing": SUPERVISOR,
    "GET /v1/metrics/proactive": SUPERVISOR,
    "GET /v1/outbound": INTEGRATION,
    "POST /v1/outbound/{message_id}/ack": Row(GONE, GONE, 403, 403, 403),
    "POST /v1/outbound/ack": Row(GONE, GONE, 403, 403, 403),
    "PUT /v1/outbound/callback": INTEGRATION,
    "DELETE /v1/outbound/callback": Row(GONE, GONE, 403, 403, 403),
    "POST /v1/stream-tickets": Row(403, 403, OK, OK, 403),
    "GET /v1/metrics/demand": SUPERVISOR,
    "GET /widget.js": PUBLIC,
    "GET /contact": PUBLIC,
    "POST /v1/chat/sessions": CHAT_KEY,
    "POST /v1/chat/sessions/multipart": CHAT_KEY,
    "GET /v1/chat/session": CHAT_SESSION,
    "POST /v1/chat/session/messages": CHAT_SESSION,
    "POST /v1/chat/session/human": CHAT_SESSION,
    "POST /v1/chat/session/leave": CHAT_SESSION,
}


def _routes_of_the_document() -> set[str]:
    env = {"DATABASE_URL": "postgresql://unused/unused", **internal_grpc.ENV}
    paths = document(create_app(GatewaySettings.from_env(env)))["paths"]
    return {f"{method.upper()} {path}" for path, operations in paths.items() for method in operations}


def test_every_route_of_the_document_is_in_the_matrix() -> None:
    routes = _routes_of_the_document()
    assert routes - MATRIX.keys() == set(), "routes missing from MATRIX"
    assert MATRIX.keys() - routes == set(), "MATRIX names routes that no longer exist"


@dataclass
class World:
    tokens: dict[str, str | None]
    ticket: int
    offer: int
    agent_a: int


def _world(gateway: Gateway) -> World:
    chat = gateway.token("integration", channel="chat")
    agent_a, token_a = gateway.agent(["triage"], "Agent A")
    _, token_b = gateway.agent(["fees_charges"], "Agent B")
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "wrong": "tkt_" + uuid.uuid4().hex,
        "chat_integration": chat,
        "phone_integration": gateway.token("integration", channel="phone"),
        "agent_a": token_a,
        "agent_b": token_b,
        "supervisor": gateway.token("supervisor"),
    }
    with gateway.client(chat) as client:
        ticket = client.post("/v1/inquiries", json=_inquiry("held")).json()["id"]
    with gateway.client(token_a) as client:
        claimed = client.post("/v1/agent/claim", json={})
        assert claimed.status_code == 200 and claimed.json()["id"] == ticket, claimed.text
    with gateway.client(chat) as client:
        waiting = client.post("/v1/inquiries", json=_inquiry("waiting")).json()["id"]
    now = datetime.now(UTC)
    with psycopg.connect(gateway.database_url, autocommit=True) as conn:
        row = conn.execute(
            """INSERT INTO ticket_offers (ticket_id, agent_id, queue_id, channel, offered_at, expires_at)
               SELECT id, %s, queue_id, channel, %s, %s FROM tickets WHERE id = %s RETURNING id""",
            (agent_a, now, now + timedelta(minutes=10), waiting),
        ).fetchone()
    assert row is not None
    return World(tokens, ticket, int(row[0]), agent_a)


def _inquiry(external_id: str) -> dict[str, Any]:
    return {
        "channel": "chat",
        "external_id": f"{external_id}-{uuid.uuid4().hex[:8]}",
        "customer": {"chat_visitor_id": "visitor-1"},
        "text": "My card payment was declined twice today",
    }


CHAT_START = {"widget_key": "wk_not-a-key-of-this-centre", "text": "My card was declined"}


def _request(route: str, world: World) -> dict[str, Any]:
    """A request that passes the route's validation, so that only the access rule can refuse it."""
    method, template = route.split(" ", 1)
    path = template.format(
        ticket_id=world.ticket,
        offer_id=world.offer,
        follow_up_id=987654,
        agent_id=world.agent_a,
        message_id=987654,
        token="survey-token-that-does-not-exist",
    )
    bodies: dict[str, Any] = {
        "POST /v1/inquiries": _inquiry("new"),
        "POST /v1/tickets/{ticket_id}/transfer": {"queue": "general"},
        "POST /v1/tickets/{ticket_id}/reply": {"text": "We are looking into it"},
        "POST /v1/tickets/{ticket_id}/transfer-to-agent": {"agent_id": world.agent_a},
        "POST /v1/tickets/{ticket_id}/quality": {"score": 90},
        "POST /v1/tickets/{ticket_id}/evaluations": {"scores": {"greeting": 90}},
        "POST /v1/surveys/{token}": {"score": 5},
        "PUT /v1/agent/presence": {"presence": "available"},
        "PUT /v1/agent/language": {"language": "en"},
        "POST /v1/supervisor/tickets/{ticket_id}/move": {"queue": "general"},
        "PUT /v1/supervisor/agents/{agent_id}/presence": {"presence": "away"},
        "PUT /v1/outbound/callback": {"url": "https://hooks.example.com/ticketing"},
        "POST /v1/outbound/ack": {"ids": [999999]},
        "POST /v1/stream-tickets": {"stream": "/v1/agent/offers/stream"},
        "POST /v1/chat/sessions": CHAT_START,
        "POST /v1/chat/session/messages": {"text": "still there?"},
    }
    params: dict[str, Any] = {
        "GET /v1/metrics/kpis": {"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"},
        "GET /v1/metrics/export": {"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"},
        "GET /v1/metrics/report": {"year": 2026},
        "GET /v1/metrics/proactive": {"year": 2026},
    }
    request: dict[str, Any] = {"method": method, "url": path, "params": params.get(route)}
    if route == "POST /v1/inquiries/multipart":
        request["files"] = {"inquiry": (None, json.dumps(_inquiry("multi")))}
    elif route == "POST /v1/chat/sessions/multipart":
        request["files"] = {"session": (None, json.dumps(CHAT_START))}
    elif route in bodies:
        request["json"] = bodies[route]
    elif method in ("POST", "PUT"):
        request["json"] = {}
    return request


def _call(gateway: Gateway, token: str | None, request: dict[str, Any]) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # Streamed, so an event stream that admits the caller answers with its status and is closed.
    with (
        httpx.Client(base_url=gateway.url, headers=headers, timeout=10) as client,
        client.stream(**request) as response,
    ):
        return response.status_code


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_each_caller_gets_what_the_matrix_allows(route: str, gateway_alone: Gateway) -> None:
    world = _world(gateway_alone)
    row = MATRIX[route]
    if route.endswith("/reopen"):
        with gateway_alone.client(world.tokens["agent_a"]) as client:
            for step in ("answer", "resolve"):
                assert client.post(f"/v1/tickets/{world.ticket}/{step}", json={}).status_code == 200
    answers = {
        caller: _call(gateway_alone, world.tokens[caller], _request(route, world)) for caller in CALLERS
    }
    wrong = {}
    for caller, status in answers.items():
        expected = row.expected(caller)
        # The metrics service is away in this world: 503 is an admitted caller's answer there.
        admitted = status not in (401, 403, 404, 500)
        fits = status == 404 if expected == GONE else admitted if expected == OK else status == expected
        if not fits:
            wrong[caller] = f"expected {expected}, got {status}"
    assert not wrong, (route, wrong)
