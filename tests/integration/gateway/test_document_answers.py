"""Answers grounded in the customer's documents, through the gateway and the real classifier: a question
about a value the attached statement states is answered at intake, quoting the line and naming its page;
any other inquiry is queued, and the agent sees the passages that bear on it first."""

import base64
from pathlib import Path

import psycopg
import pytest

from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import inquiry, someone

pytestmark = pytest.mark.integration

SET = Path(__file__).resolve().parents[2] / "data" / "passages"


def statement(name: str = "statement_en.pdf") -> dict[str, str]:
    data = (SET / name).read_bytes()
    encoded = base64.b64encode(data).decode()
    return {"filename": name, "content_type": "application/pdf", "data_base64": encoded}


def outbound(database_url: str, ticket_id: int) -> list[tuple[str, str]]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT kind, body FROM outbound_messages WHERE ticket_id = %s ORDER BY id", (ticket_id,)
        ).fetchall()
    return [(kind, body) for kind, body in rows]


def test_a_question_about_the_statement_is_answered_with_its_line_and_page(gateway: Gateway) -> None:
    web = gateway.token("integration", channel="web")
    body = inquiry(
        channel="web",
        external_id="doc-1",
        customer={"web_user_id": "w-1", "name": "Sara", "language": "en"},
        text="Hello, when is the payment due date for my card?",
        attachments=[statement()],
    )
    with gateway.client(web) as client:
        response = client.post("/v1/inquiries", json=body)
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert ticket["status"] == "self_served" and ticket["queued_at"] is None
    answer = ticket["answer"]
    assert answer["faq_id"] == "document.date"
    assert "statement_en.pdf" in answer["text"] and "page 1" in answer["text"]
    assert "“Payment due date: 25/03/2026”" in answer["text"]
    # The answer went out on the customer's channel, as a FAQ answer does.
    assert outbound(gateway.database_url, ticket["id"]) == [("faq_answer", answer["text"])]


def test_an_arabic_question_is_answered_in_arabic_from_the_arabic_statement(gateway: Gateway) -> None:
    phone = gateway.token("integration", channel="phone")
    body = inquiry(
        external_id="doc-2",
        customer={**someone(2), "language": "ar"},
        text="السلام عليكم، كم المبلغ المستحق على بطاقتي؟",
        attachments=[statement("statement_ar.pdf")],
    )
    with gateway.client(phone) as client:
        response = client.post("/v1/inquiries", json=body)
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert ticket["status"] == "self_served", ticket
    text = ticket["answer"]["text"]
    assert "الصفحة 1" in text and "«إجمالي المبلغ المستحق: 1,250.75 درهم»" in text


def test_an_inquiry_asking_no_value_waits_for_an_agent_who_sees_the_passages_first(
    gateway: Gateway,
) -> None:
    mobile = gateway.token("integration", channel="mobile")
    body = inquiry(
        channel="mobile",
        external_id="doc-3",
        customer={"app_user_id": "u-3", "name": "Omar", "language": "en"},
        text="I do not recognise a transaction on my statement, please open a dispute",
        attachments=[statement()],
    )
    with gateway.client(mobile) as client:
        response = client.post("/v1/inquiries", json=body)
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert ticket["status"] == "queued" and ticket.get("answer") is None
    assert outbound(gateway.database_url, ticket["id"]) == []
    _, agent = gateway.agent([ticket["queue"]])
    with gateway.client(agent) as client:
        detail = client.get(f"/v1/tickets/{ticket['id']}").json()
    document = detail["documents"][0]
    assert [p["page"] for p in document["passages"]][:1] == [2]
    assert document["passages"][0]["text"].startswith("If you do not recognise a transaction")
    assert "Total amount due: 1,250.75 AED" in document["text"]
    # The customer's channel sees no passages: only what was read, in summary.
    with gateway.client(mobile) as client:
        seen = client.get(f"/v1/tickets/{ticket['id']}").json()
    assert "passages" not in seen["documents"][0] and "text" not in seen["documents"][0]
