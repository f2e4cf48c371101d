"""Builds and runs the classifier's gRPC server: ClassifierService behind the internal credential."""

import asyncio
import contextlib
import signal

import grpc
from grpc_health.v1 import health
from ticketing.v1 import classifier_pb2_grpc

from services.classifier.faq import FaqMatcher
from services.classifier.serve import default_model
from services.classifier.serve.reload import ModelWatcher, RouterSlot
from services.classifier.serve.servicer import SERVICE_NAME, ClassifierServicer
from services.classifier.serve.startup import Serving
from services.shared.grpc_server import build_server, serve_until_signalled
from services.shared.internal_credential import ServerSecurity


def build(
    slot: RouterSlot, bind: str, security: ServerSecurity, faq: FaqMatcher | None = None
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """The server (not started), its bound port and its health servicer; call inside the event loop."""
    servicer = ClassifierServicer(slot, faq)
    return build_server(
        [(classifier_pb2_grpc.add_ClassifierServiceServicer_to_server, servicer, SERVICE_NAME)],
        bind,
        security,
    )


async def _build_default(watcher: ModelWatcher) -> None:
    if await default_model.build(watcher.path):
        await watcher.check()


async def _reread(watcher: ModelWatcher) -> None:
    await watcher.check(force=True)


async def serve(serving: Serving, bind: str, security: ServerSecurity, faq: FaqMatcher | None = None) -> None:
    """Serves until SIGTERM or SIGINT, after printing where it listens; SIGHUP re-reads the model file."""
    server, port, health_servicer = build(serving.slot, bind, security, faq)
    router = serving.slot.router
    print(f"classifier: gRPC on {bind.rpartition(':')[0]}:{port} (routing: {router.version})", flush=True)
    tasks: list[asyncio.Task[None]] = []
    watcher = serving.watcher
    if watcher is not None:
        tasks.append(asyncio.create_task(watcher.run()))
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: tasks.append(asyncio.create_task(_reread(watcher)))
        )
        if serving.build_out is not None:
            tasks.append(asyncio.create_task(_build_default(watcher)))
    try:
        await serve_until_signalled(server, health_servicer)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
