"""A running classifier server: swaps in a new model file without a restart, refuses a broken one, and
stops working on a batch whose caller's deadline has passed."""

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2

from services.classifier import keyword_table, model_file
from services.classifier.decision import Decision, ModelInfo
from services.classifier.serve import server, startup
from services.classifier.serve.learned_router import LearnedRouter
from services.classifier.serve.linear_model import LinearModel
from services.classifier.serve.reload import ModelWatcher, RouterSlot
from services.classifier.serve.servicer import MAX_BATCH
from services.shared import grpc_channels
from services.shared.grpc_server import start
from tests.fixtures import internal_grpc
from tests.fixtures.aio_thread import LoopThread
from tests.fixtures.learned_model import SMALL_INFO

pytestmark = pytest.mark.integration

DEADLINE_S = 5.0
POLL_S = 0.05


@pytest.fixture
def loop() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.close()


def _serve(loop: LoopThread, slot: RouterSlot) -> tuple[grpc.aio.Server, str]:
    async def build() -> tuple[grpc.aio.Server, int]:
        grpc_server, port, health_servicer = server.build(slot, "127.0.0.1:0", internal_grpc.SERVER)
        await start(grpc_server, health_servicer)
        return grpc_server, port

    grpc_server, port = loop.run(build())
    return grpc_server, f"127.0.0.1:{port}"


def _version(stub: classifier_pb2_grpc.ClassifierServiceStub) -> str:
    return stub.GetModelInfo(classifier_pb2.GetModelInfoRequest(), timeout=DEADLINE_S).model_version


def _wait_for(stub: classifier_pb2_grpc.ClassifierServiceStub, version: str) -> None:
    deadline = time.monotonic() + 10
    while _version(stub) != version and time.monotonic() < deadline:
        time.sleep(POLL_S)


def test_a_new_model_file_is_served_without_a_restart(
    loop: LoopThread, small_model: LinearModel, tmp_path: Path
) -> None:
    path = tmp_path / "router.npz"
    model_file.save(small_model, dataclasses.replace(SMALL_INFO, version="learned-first"), path)
    table = keyword_table.load()
    make = startup.router_factory(table, 0.5)
    slot = RouterSlot(make(*model_file.load(path)))
    watcher = ModelWatcher(path, slot, make, POLL_S)

    async def watch() -> asyncio.Task[None]:
        return asyncio.create_task(watcher.run())

    grpc_server, address = _serve(loop, slot)
    task = loop.run(watch())
    try:
        with grpc_channels.channel(address, internal_grpc.CLIENT) as channel:
            stub = classifier_pb2_grpc.ClassifierServiceStub(channel)
            assert _version(stub) == "learned-first"
            model_file.save(small_model, dataclasses.replace(SMALL_INFO, version="learned-second"), path)
            _wait_for(stub, "learned-second")
            assert _version(stub) == "learned-second"
            request = classifier_pb2.ClassifyRequest(
                text="my card was stolen", channel=common_pb2.CHANNEL_CHAT
            )
            assert stub.Classify(request, timeout=DEADLINE_S).model_version == "learned-second"
            path.write_bytes(path.read_bytes()[:1000])  # a copy cut short
            time.sleep(POLL_S * 10)
            assert _version(stub) == "learned-second"
            assert stub.Classify(request, timeout=DEADLINE_S).queue == "disputes_fraud"
    finally:
        loop.loop.call_soon_threadsafe(task.cancel)
        loop.run(grpc_server.stop(grace=None))


class CountingRouter:
    """The learned router, counting its decisions."""

    def __init__(self, router: LearnedRouter):
        self._router = router
        self.decisions = 0

    @property
    def version(self) -> str:
        return self._router.version

    @property
    def info(self) -> ModelInfo:
        return self._router.info

    def decide(
        self, text: str, subject: str, channel: str | None, language_hint: str, customer_tier: str
    ) -> Decision:
        self.decisions += 1
        return self._router.decide(text, subject, channel, language_hint, customer_tier)


def test_a_batch_stops_when_its_deadline_passes(loop: LoopThread, default_router: LearnedRouter) -> None:
    counting = CountingRouter(default_router)
    grpc_server, address = _serve(loop, RouterSlot(counting))
    # Long inquiries: the whole batch takes far longer than the deadline.
    text = "My card was declined at the shop and I do not know why, it worked yesterday. " * 25
    requests = [classifier_pb2.ClassifyRequest(text=text, channel=common_pb2.CHANNEL_EMAIL)] * MAX_BATCH
    try:
        with grpc_channels.channel(address, internal_grpc.CLIENT) as channel:
            stub = classifier_pb2_grpc.ClassifierServiceStub(channel)
            grpc.channel_ready_future(channel).result(timeout=DEADLINE_S)
            started = time.perf_counter()
            stub.ClassifyBatch(
                classifier_pb2.ClassifyBatchRequest(requests=requests[:16]), timeout=DEADLINE_S
            )
            per_decision = (time.perf_counter() - started) / 16
            counting.decisions = 0
            with pytest.raises(grpc.RpcError) as caught:
                stub.ClassifyBatch(
                    classifier_pb2.ClassifyBatchRequest(requests=requests), timeout=per_decision * 40
                )
            assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            time.sleep(per_decision * MAX_BATCH)  # had it gone on, it would have finished by now
            assert counting.decisions < MAX_BATCH / 2
    finally:
        loop.run(grpc_server.stop(grace=None))
