"""Concurrent classifications leave in batches, and every caller gets its own answer."""

import asyncio

import grpc
import pytest
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2

from gateway.actions.classify_batcher import ClassifyBatcher
from services.shared import grpc_channels
from tests.fixtures import internal_grpc
from tests.fixtures.aio_thread import LoopThread, start_grpc

pytestmark = pytest.mark.integration


class Echo(classifier_pb2_grpc.ClassifierServiceServicer):
    """Answers each request with its own text as the intent, and counts the calls it gets."""

    def __init__(self) -> None:
        self.singles = 0
        self.batches: list[int] = []

    async def Classify(self, request, context):
        self.singles += 1
        await asyncio.sleep(0.01)
        return classifier_pb2.ClassifyResponse(queue="general", intent=request.text)

    async def ClassifyBatch(self, request, context):
        self.batches.append(len(request.requests))
        await asyncio.sleep(0.01)
        return classifier_pb2.ClassifyBatchResponse(
            responses=[
                classifier_pb2.ClassifyResponse(queue="general", intent=r.text) for r in request.requests
            ]
        )


def request(text: str) -> classifier_pb2.ClassifyRequest:
    return classifier_pb2.ClassifyRequest(text=text, channel=common_pb2.CHANNEL_WEB)


def test_concurrent_calls_are_batched_and_answered_each_in_turn() -> None:
    loop = LoopThread()
    echo = Echo()
    server, port = start_grpc(
        loop, [(classifier_pb2_grpc.add_ClassifierServiceServicer_to_server, echo, "x")]
    )

    async def run() -> list[str]:
        async with grpc_channels.aio_channel(f"127.0.0.1:{port}", internal_grpc.CLIENT) as channel:
            batcher = ClassifyBatcher(classifier_pb2_grpc.ClassifierServiceStub(channel), timeout_s=5)
            alone = await batcher.classify(request("alone"))
            replies = await asyncio.gather(*(batcher.classify(request(f"q{i}")) for i in range(100)))
            return [alone.intent] + [r.intent for r in replies]

    try:
        intents = loop.run(run())
    finally:
        loop.run(server.stop(0))
        loop.close()
    assert intents == ["alone"] + [f"q{i}" for i in range(100)]
    # An idle gateway sends one plain Classify; under load the rest leave in a few batches.
    assert echo.singles <= 3 and sum(echo.batches) + echo.singles == 101
    assert len(echo.batches) <= 10


def test_a_failed_batch_fails_each_caller_and_a_slow_one_times_out() -> None:
    class Failing(Echo):
        async def ClassifyBatch(self, request, context):
            await context.abort(grpc.StatusCode.INTERNAL, "broken")

    loop = LoopThread()
    server, port = start_grpc(
        loop, [(classifier_pb2_grpc.add_ClassifierServiceServicer_to_server, Failing(), "x")]
    )

    async def run() -> list[object]:
        async with grpc_channels.aio_channel(f"127.0.0.1:{port}", internal_grpc.CLIENT) as channel:
            batcher = ClassifyBatcher(classifier_pb2_grpc.ClassifierServiceStub(channel), timeout_s=0.005)
            return await asyncio.gather(
                *(batcher.classify(request(f"q{i}")) for i in range(10)), return_exceptions=True
            )

    try:
        outcomes = loop.run(run())
    finally:
        loop.run(server.stop(0))
        loop.close()
    assert all(isinstance(o, (grpc.aio.AioRpcError, TimeoutError)) for o in outcomes)
