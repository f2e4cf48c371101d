"""PDF attachments: read in worker processes within limits, stored with the ticket, shown to the agent."""

import asyncio
import base64
import json
import sys
from collections.abc import Callable, Iterator

import pytest

from gateway.documents.worker_pool import DocumentWorkers, worker_argv
from gateway.settings import DocumentLimits
from services.shared.settings import Env
from tests.fixtures.gateway import Gateway, unused_port
from tests.fixtures.pdfs import broken_pdf, encrypted_pdf, text_pdf
from tests.integration.gateway.helpers import assert_problem, counts, inquiry, someone
from tests.integration.gateway.stand_in import FaqClassifier, serving

pytestmark = pytest.mark.integration

STATEMENT = "Card statement March 2026\nChargeback request for payment 4471 (42.00)"


def attachment(filename: str, data: bytes, content_type: str = "application/pdf") -> dict[str, str]:
    return {
        "filename": filename,
        "content_type": content_type,
        "data_base64": base64.b64encode(data).decode(),
    }


@pytest.fixture
def classifier() -> Iterator[tuple[FaqClassifier, str]]:
    servicer = FaqClassifier()
    with serving(servicer) as addr:
        yield servicer, addr


@pytest.fixture
def start(
    start_gateway: Callable[..., Gateway], classifier: tuple[FaqClassifier, str]
) -> Callable[..., Gateway]:
    """Starts a gateway on the stand-in classifier; keyword arguments are DOCUMENT_* variables."""

    def start(**document_env: str) -> Gateway:
        return start_gateway(
            classifier_addr=classifier[1],
            metrics_addr=f"127.0.0.1:{unused_port()}",
            classifier_timeout_s=3.0,
            documents=DocumentLimits.from_env(Env(document_env)),
        )

    return start


def test_each_attachment_is_stored_read_or_with_a_note_and_informs_routing(
    start: Callable[..., Gateway], classifier: tuple[FaqClassifier, str]
) -> None:
    gw = start()
    web = gw.token("integration", channel="web")
    _, agent = gw.agent(["disputes_fraud"])
    body = inquiry(
        channel="web",
        text="Please look at the attached documents",
        attachments=[
            attachment("statement.pdf", text_pdf(*STATEMENT.split("\n"))),
            attachment("locked.pdf", encrypted_pdf(text_pdf("secret"))),
            attachment("broken.pdf", broken_pdf()),
            attachment("photo.png", b"\x89PNG\r\n\x1a\n", "image/png"),
        ],
    )
    with gw.client(web) as client:
        response = client.post("/v1/inquiries", json=body)
    assert response.status_code == 201, response.text
    ticket = response.json()
    # The statement's text reached the classifier, which routed on it.
    assert "Chargeback request" in classifier[0].requests[-1].documents_text
    assert ticket["queue"] == "disputes_fraud"
    summary = [(d["filename"], d["pages"], d["characters"] > 0, d["note"]) for d in ticket["documents"]]
    assert summary == [
        ("statement.pdf", 2, True, ""),
        ("locked.pdf", None, False, "encrypted with a password: not read"),
        ("broken.pdf", None, False, summary[2][3]),
        ("photo.png", None, False, "not a PDF: not read"),
    ]
    assert summary[2][3].startswith("not a readable PDF")
    with gw.client(agent) as client:
        assert client.post("/v1/agent/claim", json={}).json()["id"] == ticket["id"]
        detail = client.get(f"/v1/tickets/{ticket['id']}").json()
    statement = detail["documents"][0]
    assert statement["text"] == STATEMENT.replace("\n", "\n\n")
    assert statement["bytes"] == len(text_pdf(*STATEMENT.split("\n")))
    assert [d["text"] for d in detail["documents"][1:]] == ["", "", ""]
    assert [d["note"] for d in detail["documents"]] == [d["note"] for d in ticket["documents"]]


def test_files_sent_as_multipart_are_the_same_inquiry_as_base64_in_json(
    start: Callable[..., Gateway],
) -> None:
    gw = start()
    mobile = gw.token("integration", channel="mobile")
    long_pdf = text_pdf(*(f"page {i}" for i in range(15)))
    body = inquiry(channel="mobile", external_id="app-7", text="my statement")
    with gw.client(mobile) as client:
        response = client.post(
            "/v1/inquiries/multipart",
            data={"inquiry": json.dumps(body)},
            files=[
                ("attachments", ("long.pdf", long_pdf, "application/pdf")),
                ("attachments", ("C:\\scans\\short.pdf", text_pdf("short one"), "application/pdf")),
            ],
        )
        assert response.status_code == 201, response.text
        ticket = response.json()
        # The same inquiry retried as JSON, attachments in base64: the same ticket, not a conflict.
        as_json = body | {
            "attachments": [attachment("long.pdf", long_pdf), attachment("short.pdf", text_pdf("short one"))]
        }
        retry = client.post("/v1/inquiries", json=as_json)
    assert [(d["filename"], d["pages"], d["note"]) for d in ticket["documents"]] == [
        ("long.pdf", 15, "read the first 10 of 15 pages"),
        ("short.pdf", 1, ""),
    ]
    assert retry.status_code == 200 and retry.json() == ticket


def test_bad_attachments_are_refused_and_write_nothing(start: Callable[..., Gateway]) -> None:
    gw = start()
    email = gw.token("integration", channel="email")
    before = counts(gw.database_url)
    pdf = attachment("a.pdf", text_pdf("x"))
    with gw.client(email) as client:
        bad_base64 = client.post(
            "/v1/inquiries",
            json=inquiry(channel="email", attachments=[pdf | {"data_base64": "not*base64"}]),
        )
        assert "not valid base64" in assert_problem(bad_base64, 422)["errors"][0]["message"]
        assert_problem(
            client.post("/v1/inquiries", json=inquiry(channel="email", attachments=[pdf] * 6)), 422
        )
        huge = attachment("huge.pdf", b"%PDF-1.4\n" + b"0" * (800 * 1024))
        assert_problem(client.post("/v1/inquiries", json=inquiry(channel="email", attachments=[huge])), 413)
        form = {"inquiry": json.dumps(inquiry(channel="email"))}
        six = [("attachments", (f"{i}.pdf", b"%PDF-1.4", "application/pdf")) for i in range(6)]
        assert_problem(client.post("/v1/inquiries/multipart", data=form, files=six), 422)
        one = [("attachments", ("a.pdf", b"%PDF-1.4", "application/pdf"))]
        assert_problem(client.post("/v1/inquiries/multipart", data={"inquiry": "{not json"}, files=one), 400)
        wrong = {"inquiry": json.dumps(inquiry(channel="email") | {"text": ""})}
        problem = assert_problem(client.post("/v1/inquiries/multipart", data=wrong, files=one), 422)
        assert problem["errors"][0]["location"] == "body.inquiry.text"
        assert_problem(client.post("/v1/inquiries/multipart", files=one), 422)  # no inquiry field
    assert counts(gw.database_url) == before


def test_too_large_or_too_slow_documents_land_with_a_note(start: Callable[..., Gateway]) -> None:
    small = start(DOCUMENT_MAX_BYTES="2000")
    slow = start(DOCUMENT_TIMEOUT_MS="1")
    for n, gw in enumerate((small, slow)):
        phone = gw.token("integration", channel="phone")
        big = text_pdf("x" * 3000)
        with gw.client(phone) as client:
            response = client.post(
                "/v1/inquiries",
                json=inquiry(
                    external_id=f"c{n}", customer=someone(n), attachments=[attachment("big.pdf", big)]
                ),
            )
        assert response.status_code == 201, response.text
        (document,) = response.json()["documents"]
        assert document["characters"] == 0 and document["bytes"] == len(big)
        expected = (
            f"{len(big)} bytes is over the 2000-byte limit" if gw is small else "took longer than 0.001 s"
        )
        assert document["note"].startswith(expected)


# A worker speaking the real protocol that hangs on a document saying "stuck", as a PDF that keeps
# pypdf busy would; any other document gets its bytes back as text.
HANGING_WORKER = """
import json, sys, time
while len(header := sys.stdin.buffer.read(4)) == 4:
    data = sys.stdin.buffer.read(int.from_bytes(header, "big"))
    if b"stuck" in data:
        time.sleep(60)
    reply = json.dumps({"pages": 1, "text": data.decode(), "note": ""}).encode()
    sys.stdout.buffer.write(len(reply).to_bytes(4, "big") + reply)
    sys.stdout.buffer.flush()
"""


def test_a_worker_that_overruns_is_killed_and_replaced() -> None:
    async def scenario() -> list[object]:
        workers = DocumentWorkers([sys.executable, "-c", HANGING_WORKER], workers=1, timeout_s=2)
        try:
            first = await workers.read(b"before")
            stuck = await workers.read(b"stuck")
            after = await workers.read(b"after")
            return [first.text, stuck.note, after.text, workers.killed]
        finally:
            await workers.close()

    assert asyncio.run(scenario()) == ["before", "took longer than 2 s to read: not read", "after", 1]


def test_the_real_worker_reads_pdfs_one_after_another() -> None:
    async def scenario() -> list[str]:
        workers = DocumentWorkers(
            worker_argv(max_pages=10, max_chars=1000, memory_mb=512), workers=2, timeout_s=10
        )
        try:
            found = await asyncio.gather(*(workers.read(text_pdf(f"document {i}")) for i in range(5)))
            return [f.text for f in found]
        finally:
            await workers.close()

    assert asyncio.run(scenario()) == [f"document {i}" for i in range(5)]


def test_a_follow_up_that_joins_an_open_ticket_keeps_its_attachments_there(
    start: Callable[..., Gateway],
) -> None:
    gw = start()
    email = gw.token("integration", channel="email")
    letter, receipt, note = (
        text_pdf("Letter from the bank"),
        text_pdf("Receipt 1", "Receipt 2"),
        text_pdf("n"),
    )
    with gw.client(email) as client:
        first = client.post(
            "/v1/inquiries",
            json=inquiry(channel="email", external_id="m1", attachments=[attachment("letter.pdf", letter)]),
        )
        assert first.status_code == 201, first.text
        follow = inquiry(channel="email", external_id="m2", text="Here are the receipts")
        files = [
            ("attachments", ("receipt.pdf", receipt, "application/pdf")),
            ("attachments", ("locked.pdf", encrypted_pdf(note), "application/pdf")),
        ]
        joined = client.post("/v1/inquiries/multipart", data={"inquiry": json.dumps(follow)}, files=files)
        # A retry of the same follow-up answers the same and adds nothing.
        again = client.post("/v1/inquiries/multipart", data={"inquiry": json.dumps(follow)}, files=files)
        by_json = client.post(
            "/v1/inquiries",
            json=inquiry(
                channel="email", external_id="m3", text="And a note", attachments=[attachment("n.pdf", note)]
            ),
        )
    ticket_id = first.json()["id"]
    for answer in (joined, again, by_json):
        assert answer.status_code == 200, answer.text
        assert answer.json()["joined"] is True and answer.json()["id"] == ticket_id
    expected = [
        ("letter.pdf", 1, ""),
        ("receipt.pdf", 2, ""),
        ("locked.pdf", None, "encrypted with a password: not read"),
    ]
    shown = [(d["filename"], d["pages"], d["note"]) for d in joined.json()["documents"]]
    assert shown == expected
    assert again.json()["documents"] == joined.json()["documents"]
    with gw.client(gw.token("supervisor")) as client:
        detail = client.get(f"/v1/tickets/{ticket_id}").json()
    assert [(d["filename"], d["pages"], d["note"]) for d in detail["documents"]] == [
        *expected,
        ("n.pdf", 1, ""),
    ]
    assert [d["text"] for d in detail["documents"]][:2] == ["Letter from the bank", "Receipt 1\n\nReceipt 2"]
