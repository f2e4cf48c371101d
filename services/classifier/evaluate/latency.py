"""Timing of classifications for the evaluation command: in process, and over gRPC against a real server."""

import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import grpc
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2

from services.shared import grpc_channels
from services.shared.internal_credential import ClientSecurity

# Every call over gRPC has a deadline; a decision takes well under a millisecond.
DEADLINE_S = 5.0
# How long the server may take to load the model and answer.
START_TIMEOUT_S = 60.0
BATCH = 64


def summary(timings: Sequence[float]) -> dict[str, float]:
    """p50 and p99 in milliseconds, and calls per second (sequential)."""
    cuts = statistics.quantiles(timings, n=100)
    return {"p50_ms": cuts[49] * 1e3, "p99_ms": cuts[98] * 1e3, "per_s": len(timings) / sum(timings)}


def time_calls(call: Callable[[str], object], texts: Sequence[str]) -> list[float]:
    for text in texts[:20]:  # warm up
        call(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        call(text)
        timings.append(time.perf_counter() - started)
    return timings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(model_path: Path) -> Iterator[grpc.Channel]:
    """`python -m services.classifier` serving `model_path` on loopback, and a channel to it."""
    address = f"127.0.0.1:{_free_port()}"
    # A secret of its own: the server lives only for this evaluation.
    token = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "MODEL_PATH": str(model_path),
        "CLASSIFIER_BIND": address,
        "LOG_LEVEL": "WARNING",
        "INTERNAL_GRPC_TOKEN": token,
        "GRPC_TLS_CERT": "",
        "GRPC_TLS_KEY": "",
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "services.classifier"], env=env, stdout=subprocess.DEVNULL
    )
    try:
        with grpc_channels.channel(address, ClientSecurity(token)) as channel:
            grpc.channel_ready_future(channel).result(timeout=START_TIMEOUT_S)
            yield channel
    finally:
        child.terminate()
        child.wait(30)


def over_grpc(channel: grpc.Channel, texts: Sequence[str]) -> dict[str, dict[str, float]]:
    stub = classifier_pb2_grpc.ClassifierServiceStub(channel)

    def classify(text: str) -> object:
        request = classifier_pb2.ClassifyRequest(text=text, channel=common_pb2.CHANNEL_CHAT)
        return stub.Classify(request, timeout=DEADLINE_S)

    single = summary(time_calls(classify, texts))
    batches = [texts[start : start + BATCH] for start in range(0, len(texts) - BATCH + 1, BATCH)]
    started = time.perf_counter()
    for batch in batches:
        requests = [classifier_pb2.ClassifyRequest(text=t, channel=common_pb2.CHANNEL_CHAT) for t in batch]
        stub.ClassifyBatch(classifier_pb2.ClassifyBatchRequest(requests=requests), timeout=DEADLINE_S)
    elapsed = time.perf_counter() - started
    return {"Classify": single, f"ClassifyBatch of {BATCH}": {"per_s": len(batches) * BATCH / elapsed}}
