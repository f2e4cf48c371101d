"""Object-level access on the real gateway and PostgreSQL: agents reach only their own work (404
otherwise), reopen is the resolver's or a supervisor's, integrations see their own channel in the
customer-facing view, identities merge only when verified, and long lists come a page at a time."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, inquiry, someone

pytestmark = pytest.mark.integration

NO_BODY: dict[str, Any] = {}


def agent_routes(ticket_id: int, other_agent: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every route an agent may call with a ticket id: each must keep a ticket out of reach hidden."""
    base = f"/v1/tickets/{ticket_id}"
    return [
        ("GET", base, None),
        ("GET", f"{base}/events", None),
        ("GET", f"{base}/history", None),
        ("GET", f"{base}/position", None),
        ("POST", f"{base}/answer", NO_BODY),
        ("POST", f"{base}/await-customer", NO_BODY),
        ("POST", f"{base}/release", NO_BODY),
        ("POST", f"{base}/transfer", {"queue": "cards"}),
        ("POST", f"{base}/resolve", NO_BODY),
        ("POST", f"{base}/reply", {"text": "hello"}),
        ("POST", f"{base}/escalate", NO_BODY),
        ("POST", f"{base}/transfer-to-agent", {"agent_id": other_agent}),
        ("POST", f"{base}/reopen", NO_BODY),
    ]


def call(client: httpx.Client, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
    return client.request(method, path, json=body) if body is not None else client.request(method, path)


def assert_hidden(client: httpx.Client, ticket_id: int, other_agent: int) -> None:
    """Every agent route answers the ticket as it answers one that does not exist."""
    for method, path, body in agent_routes(ticket_id, other_agent):
        hidden = assert_problem(call(client, method, path, body), 404)
        missing = assert_problem(call(client, method, path.replace(f"/{ticket_id}", "/987654321"), body), 404)
        assert (hidden["title"], hidden["type"]) == (missing["title"], missing["type"]), path


def test_an_agent_reaches_only_the_tickets_they_hold_handled_or_may_take(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    phone = gw.token("integration", channel="phone")
    supervisor = gw.token("supervisor")
    a_id, a = gw.agent(["cards"], name="A")
    b_id, b = gw.agent(["triage"], name="B")
    with gw.client(phone) as client:
        first = client.post("/v1/inquiries", json=inquiry(external_id="p1", customer=someone(1))).json()
        other = client.post("/v1/inquiries", json=inquiry(external_id="p2", customer=someone(2))).json()
    with gw.client(b) as client:
        client.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
        assert client.post("/v1/agent/claim", json={}).json()["id"] == first["id"]
        # Waiting in B's queue: B may read it before claiming it.
        assert client.get(f"/v1/tickets/{other['id']}").status_code == 200
    with gw.client(a) as client:
        # Held by B in a queue A does not serve: hidden on every route, as if it did not exist.
        assert_hidden(client, first["id"], b_id)
        assert_hidden(client, other["id"], b_id)  # waiting, but in a queue A does not serve
    with gw.client(b) as client:
        client.post(f"/v1/tickets/{first['id']}/answer", json={"note": "wants a new card"}).raise_for_status()
        client.post(f"/v1/tickets/{first['id']}/transfer", json={"queue": "cards"}).raise_for_status()
    with gw.client(a) as client:
        # Now it waits in A's queue: A reads it, its events and its customer's history.
        assert client.get(f"/v1/tickets/{first['id']}").json()["status"] == "queued"
        assert client.get(f"/v1/tickets/{first['id']}/events").status_code == 200
        assert client.get(f"/v1/tickets/{first['id']}/history").json()["customer_id"] == first["customer_id"]
        assert client.post("/v1/agent/claim", json={}).json()["id"] == first["id"]
        client.post(f"/v1/tickets/{first['id']}/answer", json={}).raise_for_status()
        client.post(f"/v1/tickets/{first['id']}/transfer", json={"queue": "triage"}).raise_for_status()
    with gw.client(b) as client:
        assert client.post("/v1/agent/claim", json={}).json()["id"] == first["id"]
        client.post(f"/v1/tickets/{first['id']}/answer", json={}).raise_for_status()
        client.post(f"/v1/tickets/{first['id']}/resolve", json={}).raise_for_status()
    with gw.client(a) as client:
        # Handled earlier, resolved by B since: A still reads it and its history...
        assert client.get(f"/v1/tickets/{first['id']}").json()["status"] == "resolved"
        history = client.get(f"/v1/tickets/{first['id']}/history").json()
        assert [t["id"] for t in history["tickets"]] == [first["id"]]
        # ...but may not reopen it (403: A sees it), and cannot reach the other customer's history.
        refused = assert_problem(client.post(f"/v1/tickets/{first['id']}/reopen", json={}), 403)
        assert "who resolved" in refused["detail"]
        assert_problem(client.get(f"/v1/tickets/{other['id']}/history"), 404)
    with gw.client(b) as client:
        assert client.post(f"/v1/tickets/{first['id']}/reopen", json={}).json()["status"] == "queued"
        assert client.post("/v1/agent/claim", json={}).json()["id"] in (first["id"], other["id"])
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        # Resolved again by B (set directly: the route's own path is tested above).
        conn.execute(
            """UPDATE tickets SET status = 'resolved', assigned_agent_id = NULL WHERE id = %s""",
            (first["id"],),
        )
    with gw.client(supervisor) as client:
        assert client.post(f"/v1/tickets/{first['id']}/reopen", json={"note": "checked"}).status_code == 200
        assert client.get(f"/v1/tickets/{other['id']}/history").status_code == 200
    assert a_id != b_id


def test_an_integration_reads_its_own_channel_in_the_customer_facing_view(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    phone = gw.token("integration", channel="phone")
    chat = gw.token("integration", channel="chat")
    _, agent = gw.agent(["triage"])
    with gw.client(phone) as client:
        ticket = client.post("/v1/inquiries", json=inquiry()).json()
    with gw.client(agent) as client:
        client.post("/v1/agent/claim", json={}).raise_for_status()
        client.post(f"/v1/tickets/{ticket['id']}/answer", json={"note": "INTERNAL: caller sounds drunk"})
        client.post(f"/v1/tickets/{ticket['id']}/reply", json={"text": "We blocked your card."})
        staff = client.get(f"/v1/tickets/{ticket['id']}").json()
    assert staff["classification"]["reason"] == "classifier_unavailable"
    assert any(e["data"].get("note") == "INTERNAL: caller sounds drunk" for e in staff["events"])
    with gw.client(chat) as client:
        for path in ("", "/events", "/position"):
            assert_problem(client.get(f"/v1/tickets/{ticket['id']}{path}"), 404)
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/abandon", json={}), 404)
    with gw.client(phone) as client:
        view = client.get(f"/v1/tickets/{ticket['id']}").json()
        events = client.get(f"/v1/tickets/{ticket['id']}/events").json()
    assert (view["status"], view["queue"]) == ("answered", "triage")
    for shown in (view, events):
        text = repr(shown)
        for internal in ("drunk", "note", "classification", "classifier_unavailable", "routed_by", "fallback",
                         "agent_id", "assigned_agent_id", "priority", "intent", "confidence"):  # fmt: skip
            assert internal not in text, internal
    assert [e["type"] for e in events] == ["created", "routed", "claimed", "answered", "agent_message"]
    assert events[-1]["data"] == {"text": "We blocked your card."}


def identities(database_url: str) -> set[tuple[str, str, int, bool]]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT kind, value, customer_id, verified FROM customer_identities").fetchall()
    return {(k, v, int(c), bool(ok)) for k, v, c, ok in rows}


def test_an_unverified_email_never_joins_its_owners_record_or_ticket(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    email = gw.token("integration", channel="email")
    phone = gw.token("integration", channel="phone")
    _, agent = gw.agent(["triage"])
    victim_mail = {"email": "victim@example.com", "name": "Victim"}
    with gw.client(email) as client:
        victim = client.post(
            "/v1/inquiries", json=inquiry(channel="email", external_id="v1", customer=victim_mail)
        )
    victim_ticket = victim.json()
    with gw.client(phone) as client:
        attack = inquiry(external_id="a1", customer={"phone": "+966500000666", "email": "VICTIM@example.com"})
        attacked = client.post("/v1/inquiries", json=attack)
        # Not even on the victim's own channel when the integration does not vouch for the address.
        same_channel = client.post("/v1/inquiries", json={**attack, "external_id": "a2"})
    assert attacked.status_code == 201, attacked.text
    body = attacked.json()
    assert body["joined"] is False and body["id"] != victim_ticket["id"]
    assert body["customer_id"] != victim_ticket["customer_id"]
    assert (
        same_channel.json()["id"] in (body["id"], victim_ticket["id"])
        and same_channel.json()["customer_id"] == body["customer_id"]
    )
    held = identities(gw.database_url)
    assert ("email", "victim@example.com", victim_ticket["customer_id"], True) in held
    assert ("email", "victim@example.com", body["customer_id"], False) in held
    assert not any(c == victim_ticket["customer_id"] and k == "phone" for k, _, c, _ in held)
    # The victim's ticket is as it was, and its replies go to the victim's own address.
    with gw.client(agent) as client:
        assert client.post("/v1/agent/claim", json={}).json()["id"] == victim_ticket["id"]
        client.post(f"/v1/tickets/{victim_ticket['id']}/reply", json={"text": "Done."}).raise_for_status()
        history = client.get(f"/v1/tickets/{victim_ticket['id']}/history").json()
    assert [t["id"] for t in history["tickets"]] == [victim_ticket["id"]]
    with psycopg.connect(gw.database_url) as conn:
        recipients = conn.execute("SELECT recipient FROM outbound_messages WHERE kind = 'reply'").fetchall()
    assert recipients == [("victim@example.com",)]
    # Claiming an address first wins nothing: its owner, verified, gets a record of their own.
    with gw.client(phone) as client:
        client.post(
            "/v1/inquiries",
            json=inquiry(external_id="a3", customer={"phone": "+966500000666", "email": "new@example.com"}),
        ).raise_for_status()
    with gw.client(email) as client:
        owner = client.post(
            "/v1/inquiries",
            json=inquiry(channel="email", external_id="n1", customer={"email": "new@example.com"}),
        ).json()
    assert owner["customer_id"] not in (body["customer_id"], victim_ticket["customer_id"])


def test_identities_verified_on_both_channels_merge(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    email = gw.token("integration", channel="email")
    phone = gw.token("integration", channel="phone")
    with gw.client(email) as client:
        by_mail = client.post(
            "/v1/inquiries",
            json=inquiry(channel="email", external_id="m1", customer={"email": "s@example.com"}),
        ).json()
    with gw.client(phone) as client:
        customer = {"phone": "+966501110000", "email": "s@example.com", "verified": {"email": True}}
        by_phone = client.post("/v1/inquiries", json=inquiry(external_id="p1", customer=customer)).json()
        # A claim about an identity the inquiry does not carry is refused.
        assert_problem(
            client.post(
                "/v1/inquiries",
                json=inquiry(
                    external_id="p2", customer={"phone": "+966501110000", "verified": {"email": True}}
                ),
            ),
            422,
        )
    assert by_phone["customer_id"] == by_mail["customer_id"] and by_phone["id"] != by_mail["id"]
    assert ("phone", "+966501110000", by_mail["customer_id"], True) in identities(gw.database_url)


def walk(client: httpx.Client, path: str, items: str | None = None) -> list[list[Any]]:
    """Every page from `path` on, following `Link: <...>; rel="next"`."""
    pages = []
    url: str | None = path
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body[items] if items else body)
        link = response.headers.get("link")
        found = re.fullmatch(r'<([^>]+)>; rel="next"', link) if link else None
        url = found[1] if found else None
        assert (link is None) == (found is None), link
    return pages


def test_events_history_and_follow_ups_come_a_page_at_a_time(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    phone = gw.token("integration", channel="phone")
    supervisor = gw.token("supervisor")
    with gw.client(phone) as client:
        ticket = client.post("/v1/inquiries", json=inquiry()).json()
    now = datetime.now(UTC)
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        for n in range(23):
            conn.execute(
                """INSERT INTO ticket_events (ticket_id, type, occurred_at, data)
                   VALUES (%s, 'customer_message', %s, jsonb_build_object('channel', 'phone',
                           'external_id', 'x' || %s::text, 'text', 'message ' || %s::text))""",
                (ticket["id"], now, n, n),
            )
        # The customer's earlier tickets, and a low-score follow-up on each.
        for n in range(6):
            at = now - timedelta(days=n + 1)
            (old,) = conn.execute(
                """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status,
                       priority, body, routed_by, created_at, last_event_at, resolved_at)
                   VALUES ('email', %s, '\\x00', %s, (SELECT id FROM queues WHERE name = 'triage'),
                       'resolved', 2, 'old', 'classifier', %s, %s, %s) RETURNING id""",
                (f"old{n}", ticket["customer_id"], at, at, at),
            ).fetchone()
            (survey,) = conn.execute(
                """INSERT INTO surveys (ticket_id, token_hash, expires_at, score, answered_at)
                   VALUES (%s, %s, %s, 1, %s) RETURNING id""",
                (old, f"t{n}".encode(), now, now),
            ).fetchone()
            conn.execute(
                """INSERT INTO survey_follow_ups (survey_id, ticket_id, queue_id, score, opened_at)
                   VALUES (%s, %s, (SELECT id FROM queues WHERE name = 'triage'), 1, %s)""",
                (survey, old, now),
            )
        all_ids = [r[0] for r in conn.execute("SELECT id FROM ticket_events WHERE ticket_id = %s ORDER BY id",
                                              (ticket["id"],))]  # fmt: skip
    with gw.client(supervisor) as client:
        pages = walk(client, f"/v1/tickets/{ticket['id']}/events?limit=4")
        assert [len(p) for p in pages] == [4] * 6 + [1]  # 25 events: created, routed and 23 messages
        assert [e["id"] for p in pages for e in p] == all_ids
        # The ticket itself carries the first page and points at the rest.
        first = client.get(f"/v1/tickets/{ticket['id']}", params={"limit": 10})
        assert [e["id"] for e in first.json()["events"]] == all_ids[:10]
        rest = walk(client, re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["link"])[1])  # type: ignore[index]
        assert [e["id"] for p in rest for e in p] == all_ids[10:]
        history = walk(client, f"/v1/tickets/{ticket['id']}/history?limit=3", items="tickets")
        ids = [t["id"] for p in history for t in p]
        assert (
            len(ids) == len(set(ids)) == 7
            and ids[0] == ticket["id"]
            and [len(p) for p in history] == [3, 3, 1]
        )
        follow_ups = walk(client, "/v1/follow-ups?limit=4&queue=triage")
        assert [len(p) for p in follow_ups] == [4, 2]
        assert len({f["id"] for p in follow_ups for f in p}) == 6
        assert walk(client, "/v1/follow-ups") == [[f for p in follow_ups for f in p]]
        for bad in ("/v1/follow-ups?queue=tri%00age", "/v1/follow-ups?limit=501", "/v1/follow-ups?cursor=%00",
                    "/v1/follow-ups?cursor=bm9wZQ", f"/v1/tickets/{ticket['id']}/events?cursor=e30",
                    f"/v1/tickets/{ticket['id']}/history?cursor=WyJub3QgYSBkYXRlIiwxXQ"):  # fmt: skip
            assert_problem(client.get(bad), 422)
    with gw.client(phone) as client:  # the customer-facing view pages the same way
        pages = walk(client, f"/v1/tickets/{ticket['id']}/events?limit=10")
        assert [e["id"] for p in pages for e in p] == all_ids
