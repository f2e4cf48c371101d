"""Bad input gets a 4xx problem response and writes nothing."""

import json

import psycopg
import pytest

from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, counts, inquiry

pytestmark = pytest.mark.integration


def test_each_bad_intake_is_refused_with_a_problem_and_writes_nothing(gateway_alone: Gateway) -> None:
    phone = gateway_alone.token("integration", channel="phone")
    _agent_id, agent = gateway_alone.agent(["triage"])
    before = counts(gateway_alone.database_url)
    cases = [
        ("unknown channel", phone, json.dumps(inquiry(channel="phone") | {"channel": "fax"}), 422),
        ("invalid JSON", phone, '{"channel": "phone", ', 400),
        ("wrong type", phone, json.dumps(inquiry() | {"text": 12345}), 422),
        ("wrong type in customer", phone, json.dumps(inquiry() | {"customer": {"phone": 966501234567}}), 422),
        ("no identity", phone, json.dumps(inquiry() | {"customer": {"name": "Sara"}}), 422),
        ("unknown field", phone, json.dumps(inquiry() | {"occured_at": "2026-01-01T00:00:00Z"}), 422),
        ("naive time", phone, json.dumps(inquiry() | {"occurred_at": "2026-01-01T00:00:00"}), 422),
        ("future time", phone, json.dumps(inquiry() | {"occurred_at": "2099-01-01T00:00:00Z"}), 422),
        ("empty text", phone, json.dumps(inquiry() | {"text": ""}), 422),
        # PostgreSQL text cannot hold NUL: refused as input, not a failed statement (500).
        ("NUL in text", phone, json.dumps(inquiry() | {"text": "card\u0000lost"}), 422),
        ("missing token", None, json.dumps(inquiry()), 401),
        ("wrong token", "tkt_not-a-real-token", json.dumps(inquiry()), 401),
        ("wrong role", agent, json.dumps(inquiry()), 403),
        ("other channel's key", phone, json.dumps(inquiry(channel="email")), 403),
    ]
    for name, token, body, status in cases:
        with gateway_alone.client(token) as client:
            response = client.post(
                "/v1/inquiries", content=body, headers={"content-type": "application/json"}
            )
        problem = assert_problem(response, status)
        assert problem["detail"], name
    assert counts(gateway_alone.database_url) == before


def test_a_body_over_one_mebibyte_is_refused_early(gateway_alone: Gateway) -> None:
    phone = gateway_alone.token("integration", channel="phone")
    before = counts(gateway_alone.database_url)
    huge = json.dumps(inquiry() | {"text": "x" * (1024 * 1024 + 1)})
    with gateway_alone.client(phone) as client:
        assert_problem(
            client.post("/v1/inquiries", content=huge, headers={"content-type": "application/json"}), 413
        )

        # Without a Content-Length (chunked), the limit still holds as the body streams in.
        def chunks():
            for i in range(0, len(huge), 65536):
                yield huge[i : i + 65536].encode()

        assert_problem(
            client.post("/v1/inquiries", content=chunks(), headers={"content-type": "application/json"}), 413
        )
    assert counts(gateway_alone.database_url) == before


def test_unknown_ticket_and_illegal_transition(gateway_alone: Gateway) -> None:
    phone = gateway_alone.token("integration", channel="phone")
    _agent_id, agent = gateway_alone.agent(["triage"])
    with gateway_alone.client(phone) as client:
        ticket = client.post("/v1/inquiries", json=inquiry()).json()
    with gateway_alone.client(agent) as client:
        assert_problem(client.get("/v1/tickets/999999"), 404)
        assert_problem(client.post("/v1/tickets/999999/answer", json={}), 404)
        assert_problem(client.get("/v1/tickets/not-a-number"), 422)
        before = counts(gateway_alone.database_url)
        # Resolve before answer: the ticket is only queued.
        problem = assert_problem(client.post(f"/v1/tickets/{ticket['id']}/resolve", json={}), 409)
        assert "queued" in problem["detail"]
        assert client.post("/v1/agent/claim", json={}).status_code == 200
        after_claim = counts(gateway_alone.database_url)
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/resolve", json={}), 409)
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/transfer", json={"queue": "no_such"}), 422)
        assert_problem(
            client.post(f"/v1/tickets/{ticket['id']}/answer", json={"occurred_at": "2000-01-01T00:00:00Z"}),
            422,
        )
        assert counts(gateway_alone.database_url) == {**after_claim}
        assert after_claim["ticket_events"] == before["ticket_events"] + 1


def test_roles_see_only_what_they_may(gateway_alone: Gateway) -> None:
    phone = gateway_alone.token("integration", channel="phone")
    email = gateway_alone.token("integration", channel="email")
    supervisor = gateway_alone.token("supervisor")
    with gateway_alone.client(phone) as client:
        ticket = client.post("/v1/inquiries", json=inquiry()).json()
        assert client.get(f"/v1/tickets/{ticket['id']}").status_code == 200
        assert_problem(client.post("/v1/agent/claim", json={}), 403)
        assert_problem(client.get("/v1/metrics/kpis"), 403)
    with gateway_alone.client(email) as client:
        # Another channel's integration cannot see or abandon the ticket: it is as if absent.
        assert_problem(client.get(f"/v1/tickets/{ticket['id']}"), 404)
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/abandon", json={}), 404)
    with gateway_alone.client(supervisor) as client:
        assert_problem(client.post("/v1/inquiries", json=inquiry(external_id="x")), 403)
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/answer", json={}), 403)


def test_multipart_inquiry_that_is_not_utf8_is_refused_not_stored_as_mojibake(gateway_alone: Gateway) -> None:
    phone = gateway_alone.token("integration", channel="phone")
    before = counts(gateway_alone.database_url)
    good = json.dumps(inquiry(text="بطاقتي ضاعت"), ensure_ascii=False).encode()
    # The same JSON with one byte that cannot start a UTF-8 sequence: in a JSON body this is a 400.
    broken = good.replace("بطاقتي".encode(), b"\xff\xfe card")
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="inquiry"\r\n\r\n'.encode()
        + broken
        + f"\r\n--{boundary}--\r\n".encode()
    )
    with gateway_alone.client(phone) as client:
        response = client.post(
            "/v1/inquiries/multipart",
            content=body,
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        problem = assert_problem(response, 422)
        assert "UTF-8" in problem["detail"]
        assert counts(gateway_alone.database_url) == before
        # The well-formed body is taken, Arabic intact.
        response = client.post(
            "/v1/inquiries/multipart",
            content=body.replace(broken, good),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        assert response.status_code == 201, response.text
        with psycopg.connect(gateway_alone.database_url) as conn:
            stored = conn.execute(
                "SELECT body FROM tickets WHERE id = %s", (response.json()["id"],)
            ).fetchone()
        assert stored == ("بطاقتي ضاعت",)
