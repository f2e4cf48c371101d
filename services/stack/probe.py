"""Health probes for the stack's servers: gRPC health and HTTP readiness; also a CLI for container checks.

`python -m services.stack.probe grpc localhost:50051` or `... http http://localhost:8080/readyz`
exits 0 when the server answers healthy, 1 otherwise; `... fresh /tmp/router.alive 30` exits 0 when a
heartbeat file (services/shared/heartbeat.py) was touched in the last 30 seconds. The gRPC health
service needs no internal credential (it tells only SERVING or not); with GRPC_TLS_CA set the probe
speaks TLS.
"""

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.shared import heartbeat

# A probe that waits longer tolerates a busy server but reports a dead one later.
TIMEOUT_S = 3.0


def _channel(addr: str, tls_ca: Path | None) -> grpc.Channel:
    if tls_ca is None:
        return grpc.insecure_channel(addr)
    return grpc.secure_channel(addr, grpc.ssl_channel_credentials(tls_ca.read_bytes()))


def grpc_serving(addr: str, timeout_s: float = TIMEOUT_S, tls_ca: Path | None = None) -> bool:
    """True when the server's standard health service says the whole server is SERVING."""
    with _channel(addr, tls_ca) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=timeout_s)
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def http_ok(url: str, timeout_s: float = TIMEOUT_S) -> bool:
    """True when GET `url` answers 2xx."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


# Each probe takes its target and a timeout in seconds.
CHECKS: dict[str, Callable[[str, float], bool]] = {"grpc": grpc_serving, "http": http_ok}


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "fresh" and _is_number(argv[2]):
        return 0 if heartbeat.fresh(Path(argv[1]), float(argv[2])) else 1
    if len(argv) != 2 or argv[0] not in CHECKS:
        print(
            "usage: python -m services.stack.probe {grpc HOST:PORT | http URL | fresh PATH SECONDS}",
            file=sys.stderr,
        )
        return 2
    if argv[0] == "grpc" and os.environ.get("GRPC_TLS_CA"):
        return 0 if grpc_serving(argv[1], tls_ca=Path(os.environ["GRPC_TLS_CA"])) else 1
    return 0 if CHECKS[argv[0]](argv[1], TIMEOUT_S) else 1


def _is_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
