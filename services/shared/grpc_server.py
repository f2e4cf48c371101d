"""Builds grpc.aio servers with the standard health service and reflection, and stops them gracefully."""

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

log = logging.getLogger(__name__)

# Gives in-flight calls this long to finish on SIGTERM before they are cancelled.
GRACE_S = 5.0


def build_server(
    services: Sequence[tuple[Callable[[Any, grpc.aio.Server], None], Any, str]],
    bind: str,
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """`services` holds (add_XServicer_to_server, servicer, full service name) triples.

    Returns the server (not started), the bound port (useful with port 0) and its health servicer,
    whose status per service starts SERVING.
    """
    server = grpc.aio.server()
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME]
    for add, servicer, name in services:
        add(servicer, server)
        names.append(name)
    reflection.enable_server_reflection(names, server)
    port = server.add_insecure_port(bind)
    if port == 0:
        raise OSError(f"cannot listen on {bind}")
    server._ticketing_service_names = [name for _, _, name in services]  # type: ignore[attr-defined]
    return server, port, health_servicer


async def start(server: grpc.aio.Server, health_servicer: health.aio.HealthServicer) -> None:
    await server.start()
    for name in [""] + server._ticketing_service_names:  # type: ignore[attr-defined]
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
