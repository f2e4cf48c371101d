"""Coalesces concurrent classifications into ClassifyBatch calls ("natural batching"), in a bounded line.

When nothing is in flight a request goes at once, alone, as a plain Classify: an idle gateway adds
no delay. While a call is in flight, new requests gather and leave together in the next call, so
under load the per-call costs (HTTP/2 framing, the servicer's dispatch) are paid once per batch
instead of once per inquiry. Every caller still gets its own answer, or its own error.

The line is bounded, waiting and in flight together, by what the classifier can answer within half
the deadline at the rate it answered over the last second (never below MIN_LINE, never above
`max_waiting`): past it the caller hears `ClassifierBusy` at once, and decides what that means
(gateway/classify.py). A caller that gives up
(its deadline, or its request cancelled) leaves the line: its request is not sent, or its answer is
dropped, and no exception is left unretrieved.
"""

import asyncio
import time
from collections import deque
from typing import Any

from ticketing.v1 import classifier_pb2, classifier_pb2_grpc

# Calls in flight at once: two lets one batch gather while another is being answered.
MAX_IN_FLIGHT = 2
# The servicer refuses larger batches (services/classifier/servicer.py MAX_BATCH).
MAX_BATCH = 64

# The line is never shorter than this: a burst after a quiet spell (no rate measured yet) is one
# full batch, answered in one call. At 32 (half a batch) a burst of 64 connections on two gateway
# workers was shed with 429 for its first 0.4 s (7.8 % of a 5 s run) though the classifier answers
# a batch of 64 in tens of milliseconds.
MIN_LINE = MAX_BATCH
# The share of the deadline a request may expect to wait in line. Lower sheds sooner and keeps p99
# further from the deadline; higher sheds less but lets a slowing classifier push waits past it.
LINE_SHARE_OF_DEADLINE = 0.5
# The answer rate is measured over this window.
RATE_WINDOW_S = 1.0

Pending = tuple[classifier_pb2.ClassifyRequest, "asyncio.Future[Any]", float]


class ClassifierBusy(Exception):
    """The line in front of the classifier is full."""


class ClassifyBatcher:
    def __init__(
        self,
        stub: classifier_pb2_grpc.ClassifierServiceStub,
        timeout_s: float,
        # None: no bound (nothing is shed).
        max_waiting: int | None = None,
    ):
        self._stub = stub
        self._timeout_s = timeout_s
        self._max_waiting = max_waiting
        self._pending: list[Pending] = []
        self._in_flight = 0
        # Requests in the calls in flight.
        self._in_flight_requests = 0
        # (time, answers) of each call answered in the last RATE_WINDOW_S.
        self._answered: deque[tuple[float, int]] = deque()
        # The calls' tasks, held so that none is collected while it runs.
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def waiting(self) -> int:
        """Requests in line: gathering for the next call, or in a call in flight."""
        return len(self._pending) + self._in_flight_requests

    @property
    def limit(self) -> int:
        """How many may be in line now (see the module's docstring)."""
        now = time.monotonic()
        while self._answered and self._answered[0][0] < now - RATE_WINDOW_S:
            self._answered.popleft()
        rate = sum(n for _, n in self._answered) / RATE_WINDOW_S
        return line_limit(rate, self._timeout_s, self._max_waiting or MIN_LINE)

    @property
    def full(self) -> bool:
        return self._max_waiting is not None and self.waiting >= self.limit

    async def classify(self, request: classifier_pb2.ClassifyRequest) -> classifier_pb2.ClassifyResponse:
        """The classifier's answer; raises ClassifierBusy when the line is full, grpc.aio.AioRpcError
        (or any error of the call), or TimeoutError past the deadline."""
        if self.full:
            raise ClassifierBusy()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future, time.monotonic() + self._timeout_s))
        self._send_more()
        # Waiting for a batch to leave counts against the same deadline as the call itself. On the
        # deadline (or the caller's cancellation) wait_for cancels the future: nobody sets it later.
        return await asyncio.wait_for(future, self._timeout_s)

    def _send_more(self) -> None:
        while self._in_flight < MAX_IN_FLIGHT:
            # Callers that gave up are not worth the classifier's time.
            self._pending = [p for p in self._pending if not p[1].done()]
            if not self._pending:
                return
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            self._in_flight += 1
            self._in_flight_requests += len(batch)
            task = asyncio.get_running_loop().create_task(self._send(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(self, batch: list[Pending]) -> None:
        # The call may run until the last of its callers gives up.
        timeout = max(0.001, max(deadline for _, _, deadline in batch) - time.monotonic())
        try:
            if len(batch) == 1:
                replies = [await self._stub.Classify(batch[0][0], timeout=timeout)]
            else:
                request = classifier_pb2.ClassifyBatchRequest(requests=[r for r, _, _ in batch])
                replies = list((await self._stub.ClassifyBatch(request, timeout=timeout)).responses)
            if len(replies) != len(batch):
                raise RuntimeError(f"{len(replies)} answers to {len(batch)} requests")
        except Exception as exc:  # every caller hears the call's failure, whatever it was
            for _, future, _ in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            self._answered.append((time.monotonic(), len(batch)))
            for (_, future, _), reply in zip(batch, replies, strict=True):
                if not future.done():
                    future.set_result(reply)
        finally:
            self._in_flight -= 1
            self._in_flight_requests -= len(batch)
            self._send_more()


def line_limit(rate_per_s: float, timeout_s: float, max_waiting: int) -> int:
    """Requests allowed in line: those answered within LINE_SHARE_OF_DEADLINE of the deadline at the
    measured rate, at least MIN_LINE, at most `max_waiting` (pure)."""
    return min(max_waiting, max(MIN_LINE, int(rate_per_s * timeout_s * LINE_SHARE_OF_DEADLINE)))
