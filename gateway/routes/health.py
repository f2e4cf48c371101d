"""Liveness and readiness: alive, and whether PostgreSQL, the classifier and metrics answer."""

import asyncio

import grpc
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.deps import Deps, DepsDep
from gateway.problems import problem_response

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_S = 1.0


@router.get("/healthz", summary="The gateway process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _database(deps: Deps) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S), deps.pool.connection() as conn:
            await conn.execute("SELECT 1")
        return True
    except Exception:
        return False


async def _grpc_serving(channel: grpc.aio.Channel) -> bool:
    try:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=CHECK_TIMEOUT_S
        )
    except grpc.aio.AioRpcError:
        return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


@router.get("/readyz", summary="PostgreSQL, the classifier and the metrics service are reachable")
async def readyz(deps: DepsDep) -> JSONResponse:
    database, classifier, metrics = await asyncio.gather(
        _database(deps), _grpc_serving(deps.classifier_channel), _grpc_serving(deps.metrics_channel)
    )
    checks = {"database": database, "classifier": classifier, "metrics": metrics}
    if all(checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    down = ", ".join(name for name, ok in checks.items() if not ok)
    return problem_response(503, "Not ready", f"not reachable: {down}", checks=checks)
