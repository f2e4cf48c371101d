"""Builds and runs the classifier's gRPC server: ClassifierService plus health and reflection."""

import grpc
from grpc_health.v1 import health
from ticketing.v1 import classifier_pb2_grpc

from services.classifier.decision import Router
from services.classifier.servicer import SERVICE_NAME, ClassifierServicer
from services.shared.grpc_server import build_server, serve_until_signalled


def build(router: Router, bind: str) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """The server (not started), its bound port and its health servicer; call inside the event loop."""
    servicer = ClassifierServicer(router)
    return build_server(
        [(classifier_pb2_grpc.add_ClassifierServiceServicer_to_server, servicer, SERVICE_NAME)], bind
    )


async def serve(router: Router, bind: str) -> None:
    """Serves until SIGTERM or SIGINT, after printing where it listens."""
    server, port, health_servicer = build(router, bind)
    print(f"classifier: gRPC on {bind.rpartition(':')[0]}:{port} (routing: {router.version})", flush=True)
    await serve_until_signalled(server, health_servicer)
