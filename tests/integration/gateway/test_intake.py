"""Intake: classified over gRPC, idempotent on (channel, external_id), never failed by the classifier."""

import asyncio

import grpc
import psycopg
import pytest
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc

from tests.fixtures.aio_thread import LoopThread, start_grpc
from tests.fixtures.gateway import Gateway, unused_port
from tests.integration.gateway.helpers import assert_problem, counts, inquiry, someone

pytestmark = pytest.mark.integration

ADD = classifier_pb2_grpc.add_ClassifierServiceServicer_to_server
NAME = "ticketing.v1.ClassifierService"


def test_inquiries_are_routed_by_the_classifier_in_english_and_arabic(gateway: Gateway) -> None:
    phone = gateway.token("integration", channel="phone")
    with gateway.client(phone) as client:
        english = client.post(
            "/v1/inquiries",
            json=inquiry(external_id="en", text="I lost my card, please block it", customer=someone(1)),
        )
        arabic = client.post(
            "/v1/inquiries",
            json=inquiry(external_id="ar", text="فقدت بطاقتي أرجو إيقافها", customer=someone(2)),
        )
    assert english.status_code == 201, english.text
    assert english.headers["location"] == f"/v1/tickets/{english.json()['id']}"
    for response, language in ((english, "en"), (arabic, "ar")):
        ticket = response.json()
        assert ticket["routed_by"] == "classifier"
        # Lost cards are a fraud risk: the bank's fraud desk blocks them, first.
        assert ticket["queue"] == "disputes_fraud"
        assert ticket["language"] == language
        assert ticket["priority"] in ("high", "urgent")
        assert ticket["classification"]["model_version"]
        assert ticket["status"] == "queued"


def test_a_retry_answers_200_with_the_same_ticket_and_a_reused_id_answers_409(gateway: Gateway) -> None:
    mobile = gateway.token("integration", channel="mobile")
    body = inquiry(channel="mobile", external_id="app-msg-1")
    with gateway.client(mobile) as client:
        first = client.post("/v1/inquiries", json=body)
        before = counts(gateway.database_url)
        again = client.post("/v1/inquiries", json=body)
        other = client.post("/v1/inquiries", json=body | {"text": "a different question"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    problem = assert_problem(other, 409)
    assert problem["ticket_id"] == first.json()["id"]
    assert counts(gateway.database_url) == before


def test_the_classifier_being_down_never_fails_an_intake(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    with gw.client(gw.token("integration", channel="email")) as client:
        response = client.post("/v1/inquiries", json=inquiry(channel="email", external_id="mail-1"))
    assert response.status_code == 201
    ticket = response.json()
    assert (ticket["queue"], ticket["routed_by"]) == ("triage", "fallback")
    assert ticket["classification"]["reason"] == "classifier_unavailable"


class SlowClassifier(classifier_pb2_grpc.ClassifierServiceServicer):
    """A peer that answers after the gateway's deadline: a real server, just slow."""

    async def Classify(self, request, context):
        await asyncio.sleep(2)
        return classifier_pb2.ClassifyResponse(queue="cards")


def test_a_slow_classifier_falls_back_to_triage_within_the_deadline(start_gateway) -> None:
    loop = LoopThread()
    server, port = start_grpc(loop, [(ADD, SlowClassifier(), NAME)])
    try:
        gw = start_gateway(
            classifier_addr=f"127.0.0.1:{port}",
            metrics_addr=f"127.0.0.1:{unused_port()}",
            classifier_timeout_s=0.1,
        )
        with gw.client(gw.token("integration", channel="web")) as client:
            ticket = client.post("/v1/inquiries", json=inquiry(channel="web", external_id="w1")).json()
        assert (ticket["queue"], ticket["routed_by"]) == ("triage", "fallback")
        assert ticket["classification"]["reason"] == "classifier_deadline_exceeded"
        with psycopg.connect(gw.database_url) as conn:
            types = [
                t
                for (t,) in conn.execute(
                    "SELECT type FROM ticket_events WHERE ticket_id = %s ORDER BY id", (ticket["id"],)
                )
            ]
        assert types == ["created", "routed"]
    finally:
        loop.run(server.stop(0))
        loop.close()


def test_grpc_status_codes_other_than_ok_also_fall_back(start_gateway) -> None:
    class Broken(classifier_pb2_grpc.ClassifierServiceServicer):
        async def Classify(self, request, context):
            await context.abort(grpc.StatusCode.INTERNAL, "model file missing")

    loop = LoopThread()
    server, port = start_grpc(loop, [(ADD, Broken(), NAME)])
    try:
        gw = start_gateway(classifier_addr=f"127.0.0.1:{port}", metrics_addr=f"127.0.0.1:{unused_port()}")
        with gw.client(gw.token("integration", channel="chat")) as client:
            ticket = client.post("/v1/inquiries", json=inquiry(channel="chat", external_id="c1")).json()
        assert (
            ticket["routed_by"] == "fallback" and ticket["classification"]["reason"] == "classifier_internal"
        )
    finally:
        loop.run(server.stop(0))
        loop.close()
