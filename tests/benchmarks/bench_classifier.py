"""Classifier latency: learned-model and keyword-table decisions in process, Classify over gRPC on loopback.

Prints p50/p99 and calls per second; asserts nothing about speed (machines differ).
Run: `.venv/bin/python -m pytest tests/benchmarks/bench_classifier.py -m benchmark -s`.
"""

import statistics
import time
from collections.abc import Callable

import pytest
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2

from services.classifier import keyword_table
from services.classifier.serve.learned_router import LearnedRouter
from services.shared import grpc_channels
from tests.benchmarks.conftest import SMOKE, size
from tests.benchmarks.results import Figure, Results
from tests.fixtures import internal_grpc

# Past pytest's default timeout on a busy machine (the sizes are full-size).
pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(1800)]

# Typical inquiries of both languages, short and long, matched and not.
INQUIRIES = [
    "My card was stolen yesterday, please block it",
    "How do I activate my new card?",
    "Why was I charged a fee for my transfer to Spain last week? I thought transfers were free.",
    "My top up is still pending after an hour",
    "I don't recognise a payment on my statement from a shop I have never been to",
    "What is your exchange rate for US dollars?",
    "Hello, good morning",
    "سُرقت بطاقتي البارحة، أرجو إيقافها فورا",
    "كيف أفعل بطاقتي الجديدة؟",
    "لماذا تم خصم رسوم على التحويل الذي أرسلته إلى صديقي في الأردن؟",
    "تعبئة الرصيد لا تزال معلقة منذ ساعة",
    "هناك دفعة لا أتعرف عليها في كشف حسابي",
    "مرحبا، صباح الخير",
]
ROUNDS = size("TEST_BENCH_CLASSIFIER_ROUNDS", 400, 5)
# The learned model takes a minute to train on a machine that has none cached: not in the smoke run.
needs_learned_model = pytest.mark.skipif(SMOKE, reason="the smoke run trains no model")


def measure(call: Callable[[str], object]) -> list[float]:
    for text in INQUIRIES:  # warm up
        call(text)
    timings = []
    for _ in range(ROUNDS):
        for text in INQUIRIES:
            started = time.perf_counter()
            call(text)
            timings.append(time.perf_counter() - started)
    return timings


def report(label: str, timings: list[float], results: Results) -> None:
    cuts = statistics.quantiles(timings, n=100)
    results.add(
        Figure(
            f"classifier: {label}",
            len(timings) / sum(timings),
            "decisions/s",
            note=f"p50 {cuts[49] * 1e3:.3f} ms, p99 {cuts[98] * 1e3:.3f} ms, one at a time",
        )
    )
    print(
        f"\n{label}: {len(timings)} calls, p50 {cuts[49] * 1e3:.3f} ms, p99 {cuts[98] * 1e3:.3f} ms, "
        f"{len(timings) / sum(timings):,.0f} calls/s"
    )


@needs_learned_model
def test_learned_model_in_process(request: pytest.FixtureRequest, bench_results: Results) -> None:
    default_router: LearnedRouter = request.getfixturevalue("default_router")
    report(
        f"learned model {default_router.version}, in process",
        measure(lambda text: default_router.decide(text, "", "chat", "", "")),
        bench_results,
    )


def test_keyword_table_in_process(bench_results: Results) -> None:
    table = keyword_table.load()
    report(
        f"keyword table {table.version}, in process",
        measure(lambda text: table.decide(text, "", "chat", "", "")),
        bench_results,
    )


@needs_learned_model
def test_classify_over_grpc(request: pytest.FixtureRequest, bench_results: Results) -> None:
    classifier_addr: str = request.getfixturevalue("classifier_addr")
    with grpc_channels.channel(classifier_addr, internal_grpc.CLIENT) as channel:
        stub = classifier_pb2_grpc.ClassifierServiceStub(channel)

        def classify(text: str) -> object:
            request = classifier_pb2.ClassifyRequest(text=text, channel=common_pb2.CHANNEL_CHAT)
            return stub.Classify(request, timeout=5.0)

        report(
            "Classify over gRPC on loopback, learned model (one channel, sequential)",
            measure(classify),
            bench_results,
        )
