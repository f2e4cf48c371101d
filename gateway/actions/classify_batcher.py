"""Coalesces concurrent classifications into ClassifyBatch calls ("natural batching").

When nothing is in flight a request goes at once, alone, as a plain Classify: an idle gateway adds
no delay. While a call is in flight, new requests gather and leave together in the next call, so
under load the per-call costs (HTTP/2 framing, the servicer's dispatch) are paid once per batch
instead of once per inquiry. Every caller still gets its own answer, or its own error.
"""

import asyncio
from typing import Any

import grpc
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc

# Calls in flight at once: two lets one batch gather while another is being answered.
MAX_IN_FLIGHT = 2
# The servicer refuses larger batches (services/classifier/servicer.py MAX_BATCH).
MAX_BATCH = 64


class ClassifyBatcher:
    def __init__(self, stub: classifier_pb2_grpc.ClassifierServiceStub, timeout_s: float):
        self._stub = stub
        self._timeout_s = timeout_s
        self._pending: list[tuple[classifier_pb2.ClassifyRequest, asyncio.Future[Any]]] = []
        self._in_flight = 0

    async def classify(self, request: classifier_pb2.ClassifyRequest) -> classifier_pb2.ClassifyResponse:
        """The classifier's answer; raises grpc.aio.AioRpcError, or TimeoutError past the deadline."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        self._send_more()
        # Waiting for a batch to leave counts against the same deadline as the call itself.
        return await asyncio.wait_for(asyncio.shield(future), self._timeout_s)

    def _send_more(self) -> None:
        while self._pending and self._in_flight < MAX_IN_FLIGHT:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            self._in_flight += 1
            asyncio.get_running_loop().create_task(self._send(batch))

    async def _send(self, batch: list[tuple[classifier_pb2.ClassifyRequest, asyncio.Future[Any]]]) -> None:
        try:
            if len(batch) == 1:
                replies = [await self._stub.Classify(batch[0][0], timeout=self._timeout_s)]
            else:
                request = classifier_pb2.ClassifyBatchRequest(requests=[r for r, _ in batch])
                replies = list((await self._stub.ClassifyBatch(request, timeout=self._timeout_s)).responses)
        except grpc.aio.AioRpcError as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for (_, future), reply in zip(batch, replies, strict=True):
                if not future.done():
                    future.set_result(reply)
        finally:
            self._in_flight -= 1
            self._send_more()
