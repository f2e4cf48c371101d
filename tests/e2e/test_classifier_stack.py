"""docs/classifier.md through the running stack: stolen cards to the fraud desk, FAQ answered, PDF text."""

import base64
import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import running_stack
from tests.fixtures.pdfs import text_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_routing_self_service_and_documents_through_the_stack(
    tmp_path: Path, database_url: str, broker_url: str, default_model_path: Path
) -> None:
    extra = {
        "MODEL_PATH": default_model_path,
        "DATABASE_URL": database_url,
        "BROKER_URL": broker_url,
        "CELERY_QUEUE_PREFIX": f"e2e-{uuid.uuid4().hex[:8]}.",
        # The flow is under test here, not the deadline: a loaded machine must not route to triage.
        "CLASSIFIER_TIMEOUT_MS": "3000",
    }
    with running_stack(tmp_path / "run", extra, ready_timeout_s=90) as stack:
        stack.admin("create-agent", "Huda", "--queues", "disputes_fraud,cards,triage")
        agent = stack.token("--role", "agent", "--agent-id", "1", "--name", "Huda")
        key = stack.token("--role", "integration", "--channel", "chat", "--name", "widget")
        post = httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {key}"}, timeout=10)
        work = httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {agent}"}, timeout=10)
        with post, work:
            stolen = [
                ("en", "Someone stole my card this morning, please block it now"),
                ("ar", "سرقت بطاقتي هذا الصباح، أرجو إيقافها فوراً"),
            ]
            for i, (language, text) in enumerate(stolen):
                body = {
                    "channel": "chat",
                    "external_id": f"stolen-{i}",
                    "customer": {"chat_visitor_id": f"v{i}"},
                    "text": text,
                }
                ticket = post.post("/v1/inquiries", json=body).json()
                assert (ticket["queue"], ticket["routed_by"], ticket["language"]) == (
                    "disputes_fraud",
                    "classifier",
                    language,
                ), ticket
                assert ticket["priority"] in ("high", "urgent")
                assert ticket["classification"]["model_version"] != ""

            faq = post.post(
                "/v1/inquiries",
                json={
                    "channel": "chat",
                    "external_id": "faq-1",
                    "customer": {"chat_visitor_id": "v9"},
                    "text": "How do I activate my new card?",
                },
            )
            assert faq.status_code == 201, faq.text
            answered = faq.json()
            assert answered["status"] == "self_served" and answered["answer"]["text"], answered

            pdf = text_pdf("Statement of account\nDisputed payment: 420.00 EUR to ACME LTD on 3 March")
            with_doc = post.post(
                "/v1/inquiries",
                json={
                    "channel": "chat",
                    "external_id": "doc-1",
                    "customer": {"chat_visitor_id": "v10"},
                    "text": "Please look at the attached statement",
                    "attachments": [
                        {
                            "filename": "statement.pdf",
                            "content_type": "application/pdf",
                            "data_base64": base64.b64encode(pdf).decode(),
                        }
                    ],
                },
            ).json()
            seen = work.get(f"/v1/tickets/{with_doc['id']}").json()
            assert "ACME LTD" in seen["documents"][0]["text"]
