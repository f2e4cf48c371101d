"""A slow classifier sheds load at the door (429 + Retry-After); a failing one falls back; no future is
left with an unretrieved exception."""

import asyncio
import gc
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2

from gateway.actions.classify_batcher import ClassifierBusy, ClassifyBatcher
from services.shared import grpc_channels
from tests.fixtures import internal_grpc
from tests.fixtures.aio_thread import LoopThread, start_grpc
from tests.fixtures.gateway import unused_port
from tests.integration.gateway.helpers import inquiry, someone

pytestmark = pytest.mark.integration

ADD = classifier_pb2_grpc.add_ClassifierServiceServicer_to_server
NAME = "ticketing.v1.ClassifierService"


class Slow(classifier_pb2_grpc.ClassifierServiceServicer):
    """Answers every call after `delay_s`: busy, not down."""

    def __init__(self, delay_s: float, fail: bool = False):
        self.delay_s = delay_s
        self.fail = fail

    async def Classify(self, request, context):
        await asyncio.sleep(self.delay_s)
        if self.fail:
            await context.abort(grpc.StatusCode.INTERNAL, "broken")
        return classifier_pb2.ClassifyResponse(queue="cards", intent=request.text)

    async def ClassifyBatch(self, request, context):
        await asyncio.sleep(self.delay_s)
        if self.fail:
            await context.abort(grpc.StatusCode.INTERNAL, "broken")
        return classifier_pb2.ClassifyBatchResponse(
            responses=[
                classifier_pb2.ClassifyResponse(queue="cards", intent=r.text) for r in request.requests
            ]
        )


def post_many(gw, channel: str, n: int, prefix: str = "") -> list:
    token = gw.token("integration", channel=channel)

    def post(i: int):
        with gw.client(token) as client:
            who = f"{prefix}{i}"
            body = inquiry(channel=channel, external_id=f"{channel}-{who}", customer=someone(who))
            return client.post("/v1/inquiries", json=body)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(post, range(n)))


def test_a_slow_classifier_sheds_load_with_429_and_nothing_falls_back(start_gateway) -> None:
    loop = LoopThread()
    server, port = start_grpc(loop, [(ADD, Slow(0.4), NAME)])
    try:
        gw = start_gateway(
            classifier_addr=f"127.0.0.1:{port}",
            metrics_addr=f"127.0.0.1:{unused_port()}",
            classifier_timeout_s=3.0,
            classifier_max_waiting=2,
        )
        responses = post_many(gw, "web", 8)
    finally:
        loop.run(server.stop(0))
        loop.close()
    statuses = sorted(r.status_code for r in responses)
    assert 201 in statuses and 429 in statuses, statuses
    assert set(statuses) == {201, 429}
    for r in responses:
        if r.status_code == 429:
            assert r.headers["Retry-After"] == "1"
            assert r.headers["content-type"].startswith("application/problem+json")
        else:
            assert (r.json()["routed_by"], r.json()["queue"]) == ("classifier", "cards")


def test_a_full_line_in_front_of_a_failing_classifier_falls_back_instead(start_gateway) -> None:
    loop = LoopThread()
    server, port = start_grpc(loop, [(ADD, Slow(0.3, fail=True), NAME)])
    try:
        gw = start_gateway(
            classifier_addr=f"127.0.0.1:{port}",
            metrics_addr=f"127.0.0.1:{unused_port()}",
            classifier_timeout_s=3.0,
            classifier_max_waiting=1,
        )
        first = post_many(gw, "chat", 1)  # fails: the fallback episode starts
        responses = post_many(gw, "chat", 6, prefix="more-")
    finally:
        loop.run(server.stop(0))
        loop.close()
    assert [r.status_code for r in first + responses] == [201] * 7
    assert {r.json()["routed_by"] for r in first + responses} == {"fallback"}


def request(text: str) -> classifier_pb2.ClassifyRequest:
    return classifier_pb2.ClassifyRequest(text=text, channel=common_pb2.CHANNEL_WEB)


@pytest.mark.parametrize("fail", [False, True])
def test_callers_past_their_deadline_leave_no_unretrieved_exception(fail: bool) -> None:
    loop = LoopThread()
    server, port = start_grpc(loop, [(ADD, Slow(0.2, fail=fail), NAME)])
    reported: list[dict] = []
    done = threading.Event()

    async def run() -> tuple[list[object], object]:
        asyncio.get_running_loop().set_exception_handler(lambda _, context: reported.append(context))
        async with grpc_channels.aio_channel(f"127.0.0.1:{port}", internal_grpc.CLIENT) as channel:
            batcher = ClassifyBatcher(classifier_pb2_grpc.ClassifierServiceStub(channel), 0.05, 20)
            outcomes = await asyncio.gather(
                *(batcher.classify(request(f"q{i}")) for i in range(30)), return_exceptions=True
            )
            # Let the calls in flight finish after their callers gave up.
            await asyncio.sleep(0.5)
            gc.collect()
            await asyncio.sleep(0)
            done.set()
            return outcomes, batcher.waiting

    try:
        outcomes, waiting = loop.run(run())
    finally:
        loop.run(server.stop(0))
        loop.close()
    assert done.is_set()
    assert reported == []
    # 20 waited until their deadline; the line was full for the other 10.
    assert sum(isinstance(o, TimeoutError) for o in outcomes) == 20
    assert sum(isinstance(o, ClassifierBusy) for o in outcomes) == 10
    assert waiting == 0
