"""The internal gRPC servers answer only callers with the internal secret, on real servers on loopback:
no credential and a wrong one are UNAUTHENTICATED, the right one is answered; health stays open;
reflection is off unless asked for and then behind the secret; TLS when configured."""

import asyncio
import datetime as dt
import ipaddress
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2, metrics_pb2, metrics_pb2_grpc

from services.classifier import keyword_table
from services.classifier.serve import server
from services.classifier.serve.reload import RouterSlot
from services.shared import grpc_channels
from services.shared.grpc_server import start
from services.shared.internal_credential import ClientSecurity, ServerSecurity
from tests.fixtures import internal_grpc
from tests.fixtures.aio_thread import LoopThread

pytestmark = pytest.mark.integration

DEADLINE_S = 5.0
RIGHT = (("authorization", f"Bearer {internal_grpc.TOKEN}"),)
WRONG = (("authorization", "Bearer " + "x" * len(internal_grpc.TOKEN)),)
# Each credential a caller may present: none, a wrong one, the right one.
CREDENTIALS = {"none": None, "wrong": WRONG, "right": RIGHT}


def _classify(channel: grpc.Channel, metadata: Any) -> object:
    request = classifier_pb2.ClassifyRequest(text="my card was stolen", channel=common_pb2.CHANNEL_CHAT)
    stub = classifier_pb2_grpc.ClassifierServiceStub(channel)
    return stub.Classify(request, timeout=DEADLINE_S, metadata=metadata)


def _classify_batch(channel: grpc.Channel, metadata: Any) -> object:
    request = classifier_pb2.ClassifyRequest(text="my card was stolen", channel=common_pb2.CHANNEL_CHAT)
    stub = classifier_pb2_grpc.ClassifierServiceStub(channel)
    batch = classifier_pb2.ClassifyBatchRequest(requests=[request, request])
    return stub.ClassifyBatch(batch, timeout=DEADLINE_S, metadata=metadata)


def _get_kpis(channel: grpc.Channel, metadata: Any) -> object:
    now = dt.datetime.now(dt.UTC)
    request = metrics_pb2.GetKpisRequest()
    getattr(request, "from").FromDatetime(now - dt.timedelta(days=1))
    request.to.FromDatetime(now)
    return metrics_pb2_grpc.MetricsServiceStub(channel).GetKpis(
        request, timeout=DEADLINE_S, metadata=metadata
    )


def _export_tickets(channel: grpc.Channel, metadata: Any) -> object:
    now = dt.datetime.now(dt.UTC)
    request = metrics_pb2.ExportTicketsRequest()
    getattr(request, "from").FromDatetime(now - dt.timedelta(days=1))
    request.to.FromDatetime(now)
    stub = metrics_pb2_grpc.MetricsServiceStub(channel)
    return list(stub.ExportTickets(request, timeout=DEADLINE_S, metadata=metadata))


def _watch_live(channel: grpc.Channel, metadata: Any) -> object:
    stub = metrics_pb2_grpc.MetricsServiceStub(channel)
    call = stub.WatchLive(metrics_pb2.WatchLiveRequest(), timeout=DEADLINE_S, metadata=metadata)
    try:
        return next(call)  # the stream never ends by itself: its first figures are the answer
    finally:
        call.cancel()


def _assert_only_the_right_secret_is_answered(addr: str, call: Callable[[grpc.Channel, Any], object]) -> None:
    with grpc.insecure_channel(addr) as channel:
        for name, metadata in CREDENTIALS.items():
            if name == "right":
                assert call(channel, metadata)
                continue
            with pytest.raises(grpc.RpcError) as caught:
                call(channel, metadata)
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED, name


@pytest.mark.parametrize("call", [_classify, _classify_batch], ids=["Classify", "ClassifyBatch"])
def test_the_classifier_answers_only_the_internal_secret(classifier_addr: str, call: Any) -> None:
    _assert_only_the_right_secret_is_answered(classifier_addr, call)


@pytest.mark.parametrize(
    "call", [_export_tickets, _get_kpis, _watch_live], ids=["ExportTickets", "GetKpis", "WatchLive"]
)
def test_the_metrics_service_answers_only_the_internal_secret(metrics_addr: str, call: Any) -> None:
    _assert_only_the_right_secret_is_answered(metrics_addr, call)


def test_a_client_channel_carries_the_secret_on_every_kind_of_call(metrics_addr: str) -> None:
    with grpc_channels.channel(metrics_addr, internal_grpc.CLIENT) as channel:
        assert _get_kpis(channel, None)
        assert _export_tickets(channel, None)
        assert _watch_live(channel, None)


def test_the_gateway_s_asyncio_channel_carries_the_secret_on_every_kind_of_call(metrics_addr: str) -> None:
    """Unary and streaming answers alike (grpc.aio files a channel interceptor under one kind of call)."""

    async def run() -> list[object]:
        now = dt.datetime.now(dt.UTC)
        kpis = metrics_pb2.GetKpisRequest()
        getattr(kpis, "from").FromDatetime(now - dt.timedelta(days=1))
        kpis.to.FromDatetime(now)
        export = metrics_pb2.ExportTicketsRequest(to=kpis.to)
        getattr(export, "from").CopyFrom(getattr(kpis, "from"))
        async with grpc_channels.aio_channel(metrics_addr, internal_grpc.CLIENT) as channel:
            stub = metrics_pb2_grpc.MetricsServiceStub(channel)
            live = stub.WatchLive(metrics_pb2.WatchLiveRequest(), timeout=DEADLINE_S)
            # Read to the end: a stream dropped halfway leaves the servicer's cursor to the
            # garbage collector, whose warning would land on a later test.
            chunks = [chunk async for chunk in stub.ExportTickets(export, timeout=DEADLINE_S)]
            answers = [await stub.GetKpis(kpis, timeout=DEADLINE_S), chunks[0], await live.read()]
            live.cancel()
            return answers

    kpis, header, figures = asyncio.run(run())
    assert isinstance(kpis, metrics_pb2.GetKpisResponse)
    assert isinstance(header, metrics_pb2.ExportChunk) and header.csv.startswith("ticket_id,")
    assert isinstance(figures, metrics_pb2.LiveFigures)


def test_health_needs_no_credential_and_unknown_methods_are_refused_alike(classifier_addr: str) -> None:
    """Container probes cannot send metadata; health tells only SERVING. Without the secret an unknown
    method is UNAUTHENTICATED too, so a stranger cannot tell which methods exist."""
    with grpc.insecure_channel(classifier_addr) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=DEADLINE_S)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        unknown = channel.unary_unary("/ticketing.v1.ClassifierService/NoSuchMethod")
        with pytest.raises(grpc.RpcError) as caught:
            unknown(b"", timeout=DEADLINE_S)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as caught:
            unknown(b"", timeout=DEADLINE_S, metadata=RIGHT)
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


@pytest.fixture
def loop() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.close()


def _serve_classifier(loop: LoopThread, security: ServerSecurity, bind: str = "127.0.0.1:0") -> Any:
    async def build() -> tuple[grpc.aio.Server, int]:
        grpc_server, port, health = server.build(RouterSlot(keyword_table.load()), bind, security)
        await start(grpc_server, health)
        return grpc_server, port

    return loop.run(build())


def _list_services(channel: grpc.Channel, metadata: Any) -> set[str]:
    responses = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
        timeout=DEADLINE_S,
        metadata=metadata,
    )
    return {s.name for r in responses for s in r.list_services_response.service}


def test_reflection_when_asked_for_is_behind_the_secret(loop: LoopThread) -> None:
    grpc_server, port = _serve_classifier(loop, ServerSecurity(internal_grpc.TOKEN, reflection=True))
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            with pytest.raises(grpc.RpcError) as caught:
                _list_services(channel, None)
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert _list_services(channel, RIGHT) >= {
                "ticketing.v1.ClassifierService",
                "grpc.health.v1.Health",
                "grpc.reflection.v1alpha.ServerReflection",
            }
    finally:
        loop.run(grpc_server.stop(0))


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_with_tls_configured_the_server_speaks_only_tls(loop: LoopThread, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    grpc_server, port = _serve_classifier(
        loop, ServerSecurity(internal_grpc.TOKEN, tls_cert=cert, tls_key=key)
    )
    addr = f"localhost:{port}"
    try:
        with grpc_channels.channel(addr, ClientSecurity(internal_grpc.TOKEN, tls_ca=cert)) as channel:
            assert _classify(channel, None)
        with grpc.insecure_channel(addr) as plaintext, pytest.raises(grpc.RpcError) as caught:
            _classify(plaintext, RIGHT)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        loop.run(grpc_server.stop(0))


@pytest.mark.parametrize("module", ["services.classifier", "services.metrics", "gateway"])
def test_a_server_or_client_without_the_secret_refuses_to_start_naming_it(module: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "INTERNAL_GRPC_TOKEN"}
    env["DATABASE_URL"] = "postgresql://unused/x"
    done = subprocess.run([sys.executable, "-m", module], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "INTERNAL_GRPC_TOKEN is required" in done.stderr
