"""Builds grpc.aio servers behind the internal credential, with the health service (and reflection when
asked for), and stops them gracefully."""

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.shared.grpc_token_check import RequireToken
from services.shared.internal_credential import ServerSecurity

log = logging.getLogger(__name__)

# Gives in-flight calls this long to finish on SIGTERM before they are cancelled.
GRACE_S = 5.0


def build_server(
    services: Sequence[tuple[Callable[[Any, grpc.aio.Server], None], Any, str]],
    bind: str,
    security: ServerSecurity,
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """`services` holds (add_XServicer_to_server, servicer, full service name) triples.

    Returns the server (not started), the bound port (useful with port 0) and its health servicer,
    whose status per service starts SERVING. Every method but health's needs the bearer secret.
    """
    server = grpc.aio.server(interceptors=[RequireToken(security.expected)])
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name]
    for add, servicer, name in services:
        add(servicer, server)
        names.append(name)
    if security.reflection:
        reflection.enable_server_reflection([*names, reflection.SERVICE_NAME], server)
    if security.tls_cert is not None and security.tls_key is not None:
        pair = (security.tls_key.read_bytes(), security.tls_cert.read_bytes())
        port = server.add_secure_port(bind, grpc.ssl_server_credentials([pair]))
    else:
        port = server.add_insecure_port(bind)
    if port == 0:
        raise OSError(f"cannot listen on {bind}")
    server._ticketing_service_names = [name for _, _, name in services]
    return server, port, health_servicer


async def start(server: grpc.aio.Server, health_servicer: health.aio.HealthServicer) -> None:
    await server.start()
    for name in ["", *server._ticketing_service_names]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)


async def serve_until_signalled(server: grpc.aio.Server, health_servicer: health.aio.HealthServicer) -> None:
    """Serves until SIGTERM or SIGINT, then reports NOT_SERVING and stops with a grace period."""
    await start(server, health_servicer)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping: finishing in-flight calls for up to %.0f s", GRACE_S)
    await health_servicer.enter_graceful_shutdown()
    await server.stop(GRACE_S)
