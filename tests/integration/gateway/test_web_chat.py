"""The web chat's session API on the real gateway and database: a widget key (made by the admin CLI)
starts a chat through the normal intake; the session secret reaches that one ticket only; the agent's
reply shows; a follow-up joins the thread; leaving before an answer abandons; CORS only for the key's
origins; starts limited per address; the contact form's files through the document path."""

import json
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
import pytest

from gateway.http.rate_limits import RateLimitSettings
from services.shared import tokens, widget_secrets
from services.shared.settings import Env
from tests.fixtures.gateway import Gateway
from tests.fixtures.pdfs import text_pdf
from tests.integration.gateway.helpers import assert_problem
from tests.integration.gateway.web_chat_helpers import SITE, session_client, start, widget_key

pytestmark = pytest.mark.integration


def one(db_url: str, sql: str, *args: object) -> Any:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(sql, args).fetchone()  # type: ignore[arg-type]
    return None if row is None else row[0] if len(row) == 1 else row


def test_a_chat_becomes_a_ticket_through_intake_and_its_secret_is_kept_only_as_a_digest(
    gateway_alone: Gateway,
) -> None:
    gw = gateway_alone
    key = widget_key(gw)
    started = start(gw, key, name="سارة", email="sara@example.com", language="ar")
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["status"] == "queued" and body["position"] == 1 and body["queue_depth"] == 1
    assert body["session_secret"].startswith("chs_") and started.headers["cache-control"] == "no-store"
    assert started.headers["access-control-allow-origin"] == SITE
    ticket = body["ticket_id"]
    row = one(
        gw.database_url, "SELECT channel, queue_id IS NOT NULL, body FROM tickets WHERE id = %s", ticket
    )
    assert row == ("chat", True, "بطاقتي انسرقت أمس، أبي أوقفها")
    # Routed as any inquiry: a `routed` event from the intake's classification (triage by fallback here).
    assert one(
        gw.database_url, "SELECT count(*) FROM ticket_events WHERE ticket_id = %s AND type = 'routed'", ticket
    )
    stored = one(gw.database_url, "SELECT secret_hash FROM chat_sessions WHERE ticket_id = %s", ticket)
    assert bytes(stored) == widget_secrets.digest(body["session_secret"])
    # The optional e-mail is kept, unverified: it finds nobody else's record.
    assert (
        one(
            gw.database_url,
            "SELECT verified FROM customer_identities WHERE kind = 'email' AND value = 'sara@example.com'",
        )
        is False
    )
    with session_client(gw, body["session_secret"]) as client:
        state = client.get("/v1/chat/session").json()
    assert (state["ticket_id"], state["status"], state["position"], state["messages"]) == (
        ticket,
        "queued",
        1,
        [],
    )


def test_the_agents_reply_shows_delivered_a_follow_up_joins_and_leaving_after_it_only_closes(
    gateway_alone: Gateway,
) -> None:
    gw = gateway_alone
    secret = start(gw, widget_key(gw)).json()["session_secret"]
    _, agent = gw.agent(["triage"])
    with gw.client(agent) as staff:
        ticket = staff.post("/v1/agent/claim", json={}).json()["id"]
        staff.post(f"/v1/tickets/{ticket}/reply", json={"text": "أهلاً، أوقفنا البطاقة"}).raise_for_status()
    # A notice to supervisors about this ticket is no message to the customer.
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO outbound_messages (ticket_id, channel, kind, recipient, body)
               VALUES (%s, 'chat', 'notification', 'lead', 'internal note')""",
            (ticket,),
        )
    with session_client(gw, secret) as client:
        state = client.get("/v1/chat/session").json()
        [reply] = state["messages"]
        assert (state["status"], reply["kind"], reply["body"]) == (
            "answered",
            "reply",
            "أهلاً، أوقفنا البطاقة",
        )
        assert one(
            gw.database_url,
            "SELECT delivered_at IS NOT NULL FROM outbound_messages WHERE id = %s",
            reply["id"],
        )
        assert client.get("/v1/chat/session", params={"after": reply["id"]}).json()["messages"] == []
        wrote = client.post("/v1/chat/session/messages", json={"text": "شكراً، وبعدين؟"})
        assert wrote.status_code == 200, wrote.text
        assert (
            one(
                gw.database_url,
                "SELECT data ->> 'text' FROM ticket_events"
                " WHERE ticket_id = %s AND type = 'customer_message'",
                ticket,
            )
            == "شكراً، وبعدين؟"
        )
        left = client.post("/v1/chat/session/leave").json()
        assert (left["ticket_id"], left["status"], left["abandoned"]) == (ticket, "answered", False)
        # The secret works no more.
        assert_problem(client.get("/v1/chat/session"), 401)
    assert one(gw.database_url, "SELECT status FROM tickets WHERE id = %s", ticket) == "answered"


def test_leaving_before_an_answer_is_an_abandon_through_the_customers_own_action(
    gateway_alone: Gateway,
) -> None:
    gw = gateway_alone
    body = start(gw, widget_key(gw)).json()
    with session_client(gw, body["session_secret"]) as client:
        left = client.post("/v1/chat/session/leave").json()
        assert (left["status"], left["abandoned"]) == ("abandoned", True)
        assert_problem(client.post("/v1/chat/session/messages", json={"text": "hello?"}), 401)
    assert (
        one(
            gw.database_url,
            "SELECT count(*) FROM ticket_events WHERE ticket_id = %s AND type = 'abandoned'",
            body["ticket_id"],
        )
        == 1
    )


def test_a_secret_reaches_only_its_session_and_a_token_is_no_secret(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    key = widget_key(gw)
    first = start(gw, key).json()
    with session_client(gw, first["session_secret"]) as client:
        # Not a bearer token of the API: the ticket routes refuse it.
        assert_problem(client.get(f"/v1/tickets/{first['ticket_id']}"), 401)
    for wrong in ("chs_" + "x" * 43, gw.token("integration", channel="chat"), tokens.new_token()):
        with session_client(gw, wrong) as client:
            assert_problem(client.get("/v1/chat/session"), 401)
            assert_problem(client.post("/v1/chat/session/leave"), 401)
    with httpx.Client(base_url=gw.url) as anonymous:
        assert_problem(anonymous.get("/v1/chat/session"), 401)
    assert one(gw.database_url, "SELECT status FROM tickets WHERE id = %s", first["ticket_id"]) == "queued"


def test_origins_keys_and_revocation(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    key = widget_key(gw, SITE, "https://help.example.gov.ae:8443")
    before = one(gw.database_url, "SELECT count(*) FROM tickets")
    assert_problem(start(gw, key, origin="https://evil.example"), 403)
    assert_problem(start(gw, "wk_" + "n" * 24), 401)
    assert one(gw.database_url, "SELECT count(*) FROM tickets") == before
    other = start(gw, key, origin="https://help.example.gov.ae:8443")
    assert other.status_code == 201
    # The centre's own pages (the contact form) may use any key.
    assert start(gw, key, origin=gw.url).status_code == 201
    secret = other.json()["session_secret"]
    with session_client(gw, secret, origin="https://evil.example") as client:
        assert_problem(client.get("/v1/chat/session"), 403)
    credential = one(gw.database_url, "SELECT credential_id FROM widget_keys WHERE public_key = %s", key)
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        conn.execute("UPDATE api_credentials SET revoked_at = now() WHERE id = %s", (credential,))
    with session_client(gw, secret, origin="https://help.example.gov.ae:8443") as client:
        assert_problem(client.get("/v1/chat/session"), 401)
    assert_problem(start(gw, key), 401)


def test_cors_answers_only_allowed_origins_and_only_on_the_chat_routes(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    widget_key(gw)
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    with httpx.Client(base_url=gw.url) as client:
        allowed = client.options("/v1/chat/sessions", headers={"Origin": SITE, **preflight})
        assert allowed.status_code == 204 and allowed.headers["access-control-allow-origin"] == SITE
        assert "authorization" in allowed.headers["access-control-allow-headers"]
        refused = client.options("/v1/chat/sessions", headers={"Origin": "https://evil.example", **preflight})
        assert "access-control-allow-origin" not in refused.headers
        # Errors are readable by the allowed page too (the widget tells a 429 from a failure).
        error = client.get("/v1/chat/session", headers={"Origin": SITE})
        assert error.status_code == 401 and error.headers["access-control-allow-origin"] == SITE
        other = client.get("/healthz", headers={"Origin": SITE})
        assert "access-control-allow-origin" not in other.headers


def test_starts_are_limited_per_address(start_gateway: Callable[..., Gateway]) -> None:
    gw = start_gateway(rate_limits=RateLimitSettings.from_env(Env({"RATE_LIMIT_CHAT_STARTS": "2/hour"})))
    key = widget_key(gw)
    assert [start(gw, key).status_code for _ in range(2)] == [201, 201]
    limited = start(gw, key)
    assert_problem(limited, 429)
    assert int(limited.headers["retry-after"]) > 0
    assert one(gw.database_url, "SELECT count(*) FROM tickets") == 2


def test_the_contact_form_posts_files_through_the_document_path(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    key = widget_key(gw, channel="web")
    pdf = text_pdf("Invoice 5521: 300 AED charged twice")
    session = {"widget_key": key, "text": "I was charged twice", "language": "en", "email": "o@example.com"}
    files = [
        ("session", (None, json.dumps(session))),
        ("attachments", ("invoice.pdf", pdf, "application/pdf")),
    ]
    made = httpx.post(f"{gw.url}/v1/chat/sessions/multipart", files=files)
    assert made.status_code == 201, made.text
    ticket = made.json()["ticket_id"]
    assert one(gw.database_url, "SELECT channel FROM tickets WHERE id = %s", ticket) == "web"
    assert one(
        gw.database_url, "SELECT filename, text FROM ticket_documents WHERE ticket_id = %s", ticket
    ) == (
        "invoice.pdf",
        "Invoice 5521: 300 AED charged twice",
    )
    bad = httpx.post(f"{gw.url}/v1/chat/sessions/multipart", files=[("session", (None, "{}"))])
    assert_problem(bad, 422)
    huge = httpx.post(
        f"{gw.url}/v1/chat/sessions/multipart",
        files=[
            *files[:1],
            (
                "attachments",
                ("big.pdf", b"%PDF" + b"0" * (gw.settings.max_body_bytes + 10), "application/pdf"),
            ),
        ],
    )
    assert_problem(huge, 413)


def test_the_script_and_the_contact_page(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    script = httpx.get(f"{gw.url}/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "/*@words*/" not in script.text and "إنهاء المحادثة" in script.text and "End chat" in script.text
    page = httpx.get(f"{gw.url}/contact", params={"lang": "ar"})
    assert page.status_code == 200 and 'dir="rtl"' in page.text and "تواصل معنا" in page.text
    assert "script-src 'self' 'sha256-" in page.headers["content-security-policy"]


def test_the_admin_command_refuses_what_is_not_an_origin(gateway_alone: Gateway, capsys: Any) -> None:
    from services.admin import cli

    gw = gateway_alone
    for origins in ("www.example.gov.ae", "https://www.example.gov.ae/contact", ","):
        argv = ["create-widget-key", "--name", "site", "--origins", origins]
        assert cli.run(argv, gw.database_url) == 2
    assert one(gw.database_url, "SELECT count(*) FROM widget_keys") == 0
    assert cli.run(["list-widget-keys"], gw.database_url) == 0
    key = widget_key(gw, "https://WWW.example.gov.ae:443/")
    capsys.readouterr()
    assert cli.run(["list-widget-keys"], gw.database_url) == 0
    assert f"{key}\tchat" in capsys.readouterr().out
    assert one(gw.database_url, "SELECT allowed_origins FROM widget_keys") == ["https://www.example.gov.ae"]


def test_after_an_automatic_answer_the_customer_can_ask_for_a_person(
    start_gateway: Callable[..., Gateway], metrics_addr: str
) -> None:
    from tests.integration.gateway.stand_in import FaqClassifier, serving

    with serving(FaqClassifier()) as addr:
        gw = start_gateway(classifier_addr=addr, metrics_addr=metrics_addr, classifier_timeout_s=3.0)
        body = start(gw, widget_key(gw), text="how do I activate it?", language="en").json()
        assert (body["status"], body["position"]) == ("self_served", None)
        with session_client(gw, body["session_secret"]) as client:
            state = client.get("/v1/chat/session").json()
            [answer] = state["messages"]
            assert (state["status"], state["open"], answer["kind"]) == ("self_served", True, "faq_answer")
            person = client.post("/v1/chat/session/human", params={"after": answer["id"]}).json()
            assert (person["status"], person["position"], person["messages"]) == ("queued", 1, [])
            assert_problem(client.post("/v1/chat/session/human"), 409)


def test_a_key_whose_credential_expired_stops_its_sessions_and_starts(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    key = widget_key(gw)
    secret = start(gw, key).json()["session_secret"]
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        conn.execute(
            """UPDATE api_credentials SET expires_at = now() - interval '1 second'
               WHERE id = (SELECT credential_id FROM widget_keys WHERE public_key = %s)""",
            (key,),
        )
    with session_client(gw, secret) as client:
        assert_problem(client.get("/v1/chat/session"), 401)
    assert_problem(start(gw, key), 401)
