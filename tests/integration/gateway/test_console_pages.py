"""The agent console and the supervisor page in a real headless Chromium, against the real gateway."""

import base64
import time

import psycopg
import pytest

from tests.fixtures.gateway import Gateway
from tests.fixtures.pdfs import text_pdf
from tests.integration.gateway.helpers import inquiry
from tests.integration.routing_helpers import route

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SARA = {"phone": "+966501234567", "email": "sara@example.com", "name": "Sara"}


def one(db_url: str, sql: str, *args: object) -> object:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(sql, args).fetchone()  # type: ignore[arg-type]
    return None if row is None else row[0]


def wait_for(check, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def sign_in(page, gw: Gateway, token: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{gw.url}/console")
    page.fill("#token", token)
    page.click("#sign-in")
    page.locator("#desk").wait_for()


def test_an_agent_takes_an_offer_sees_history_and_documents_replies_and_resolves(
    gateway_alone: Gateway, browser_page
) -> None:
    gw, page = gateway_alone, browser_page
    phone = gw.token("integration", channel="phone")
    email = gw.token("integration", channel="email")
    agent_id, token = gw.agent(["triage"], name="Amal")
    # Sara called last week about her card: resolved. Today she writes by e-mail with a statement.
    with gw.client(phone) as client:
        # The phone platform knows her e-mail address (she signed in on the IVR): one person.
        sara = {**SARA, "verified": {"email": True}}
        earlier = client.post("/v1/inquiries", json=inquiry(external_id="p1", customer=sara)).json()
    with gw.client(token) as agent:
        agent.post("/v1/agent/claim", json={}).raise_for_status()
        agent.post(f"/v1/tickets/{earlier['id']}/answer", json={}).raise_for_status()
        agent.post(f"/v1/tickets/{earlier['id']}/resolve", json={"resolution_code": "card_blocked"})
        agent.put("/v1/agent/presence", json={"presence": "offline"}).raise_for_status()
    pdf = base64.b64encode(text_pdf("Statement: payment of 120 SAR to Unknown Shop")).decode()
    with gw.client(email) as client:
        ticket = client.post(
            "/v1/inquiries",
            json=inquiry(
                channel="email",
                external_id="m1",
                customer=SARA,
                text="I do not recognise a payment on my statement",
                attachments=[{"filename": "statement.pdf", "data_base64": pdf}],
            ),
        ).json()

    sign_in(page, gw, token)
    wait_for(
        lambda: one(gw.database_url, "SELECT presence FROM agents WHERE id = %s", agent_id) == "available"
    )
    page.wait_for_function("document.getElementById('stream-state').textContent === 'live'")
    assert route(gw.database_url, gw.settings.routing).offered == 1
    offer = page.locator(".offer")
    offer.wait_for()
    assert f"#{ticket['id']} E-mail" in offer.text_content()
    offer.locator("button.accept").click()

    page.wait_for_function(
        "document.getElementById('ticket-text').textContent.includes('do not recognise a payment')"
    )
    assert "120 SAR to Unknown Shop" in page.locator(".document-text").first.text_content()
    history = page.locator("#history").text_content()
    assert f"#{earlier['id']} Phone" in history and "card_blocked" in history
    assert page.locator(".offer").count() == 0
    assert one(gw.database_url, "SELECT status FROM tickets WHERE id = %s", ticket["id"]) == "answered"

    page.fill("#reply-text", "We are looking into this payment.")
    page.click("#reply")
    page.wait_for_function(
        "document.getElementById('thread').textContent.includes('looking into this payment')"
    )
    assert (
        one(
            gw.database_url,
            "SELECT recipient FROM outbound_messages WHERE kind = 'reply' AND ticket_id = %s",
            ticket["id"],
        )
        == "sara@example.com"
    )

    page.fill("#resolution-code", "refund_started")
    page.fill("#customer-note", "The refund reaches your account within 5 working days.")
    page.click("#resolve")
    wait_for(
        lambda: one(gw.database_url, "SELECT status FROM tickets WHERE id = %s", ticket["id"]) == "resolved"
    )
    assert (
        one(
            gw.database_url,
            "SELECT data ->> 'resolution_code' FROM ticket_events WHERE ticket_id = %s AND type = 'resolved'",
            ticket["id"],
        )
        == "refund_started"
    )
    assert (
        one(
            gw.database_url,
            "SELECT data ->> 'customer_note' FROM ticket_events WHERE ticket_id = %s AND type = 'resolved'",
            ticket["id"],
        )
        == "The refund reaches your account within 5 working days."
    )


def test_a_rejected_offer_leaves_the_console_and_closing_it_signs_the_agent_out(
    gateway_alone: Gateway, browser_page
) -> None:
    gw, page = gateway_alone, browser_page
    chat = gw.token("integration", channel="chat")
    agent_id, token = gw.agent(["triage"])
    with gw.client(chat) as client:
        ticket = client.post("/v1/inquiries", json=inquiry(channel="chat", external_id="c1")).json()
    sign_in(page, gw, token)
    page.wait_for_function("document.getElementById('stream-state').textContent === 'live'")
    route(gw.database_url, gw.settings.routing)
    page.locator(".offer button.reject").click()
    page.wait_for_function("document.querySelectorAll('.offer').length === 0")
    assert (
        one(gw.database_url, "SELECT outcome FROM ticket_offers WHERE ticket_id = %s", ticket["id"])
        == "rejected"
    )
    page.select_option("#presence", "away")
    wait_for(lambda: one(gw.database_url, "SELECT presence FROM agents WHERE id = %s", agent_id) == "away")
    page.click("#sign-out")
    page.locator("#login").wait_for()
    wait_for(lambda: one(gw.database_url, "SELECT presence FROM agents WHERE id = %s", agent_id) == "offline")
    # Signed in again, then the tab is closed: the stream's end signs the agent out.
    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_function("document.getElementById('stream-state').textContent === 'live'")
    assert one(gw.database_url, "SELECT presence FROM agents WHERE id = %s", agent_id) == "available"
    page.close()
    wait_for(lambda: one(gw.database_url, "SELECT presence FROM agents WHERE id = %s", agent_id) == "offline")


def test_the_supervisor_page_shows_every_queue_and_agent_live(gateway_alone: Gateway, browser_page) -> None:
    gw, page = gateway_alone, browser_page
    web = gw.token("integration", channel="web")
    agent_id, token = gw.agent(["triage", "cards"], name="Omar")
    with gw.client(web) as client:
        client.post("/v1/inquiries", json=inquiry(channel="web", external_id="w1")).raise_for_status()
    page.goto(f"{gw.url}/supervisor")
    page.fill("#token", gw.token("supervisor"))
    page.click("#login button")
    waiting = page.locator('[data-queue="triage"] [data-figure="waiting"]')
    waiting.wait_for()
    assert waiting.text_content() == "1"
    presence = page.locator(f'[data-agent="{agent_id}"] [data-figure="presence"]')
    assert presence.text_content() == "offline"
    with gw.client(token) as agent:
        agent.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
        agent.post("/v1/agent/claim", json={}).raise_for_status()
    # Live: the page follows without a reload.
    page.wait_for_function(
        f'document.querySelector(\'[data-agent="{agent_id}"] [data-figure="presence"]\').textContent'
        " === 'available'"
    )
    page.wait_for_function(
        "document.querySelector('[data-queue=\"triage\"] [data-figure=\"waiting\"]').textContent === '0'"
    )
    assert "Web portal 1/5" in page.locator(f'[data-agent="{agent_id}"] [data-figure="load"]').text_content()
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
