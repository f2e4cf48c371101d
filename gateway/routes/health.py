"""Liveness and readiness: alive, whether PostgreSQL, the classifier and metrics answer, and whether the
metrics service's event follower keeps up."""

import asyncio
from typing import Any

import grpc
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2, health_pb2_grpc
from ticketing.v1 import metrics_pb2

from gateway.http.deps import Deps, DepsDep
from gateway.http.problems import problem_response
from services.shared import db

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_S = 1.0


@router.get("/healthz", summary="The gateway process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _database(deps: Deps) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S), deps.pool.connection() as conn:
            await db.ping(conn)
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


async def _follower(deps: Deps) -> dict[str, Any] | None:
    """The metrics service's event follower: its lag, set-aside count and whether it is stuck."""
    try:
        reply = await deps.metrics.GetFollowerStatus(
            metrics_pb2.GetFollowerStatusRequest(), timeout=CHECK_TIMEOUT_S
        )
    except grpc.aio.AioRpcError:
        return None
    return {
        "events_behind": reply.events_behind,
        "oldest_unprocessed_age_s": round(reply.oldest_unprocessed_age_s, 3),
        "set_aside": reply.set_aside,
        "stuck": reply.stuck,
        "stuck_after_s": reply.stuck_after_s,
    }


@router.get(
    "/readyz",
    summary="PostgreSQL, the classifier and the metrics service are reachable; the metrics follower keeps up",
    description="503 when a dependency does not answer. A stuck metrics follower (its first unprocessed "
    "event older than the metrics service's METRICS_FOLLOWER_STUCK_AFTER_S) or an unknown follower "
    "status is 200 with status `degraded`: figures are late, but the gateway serves every request.",
)
async def readyz(deps: DepsDep) -> JSONResponse:
    database, classifier, metrics, follower = await asyncio.gather(
        _database(deps),
        _grpc_serving(deps.classifier_channel),
        _grpc_serving(deps.metrics_channel),
        _follower(deps),
    )
    reachable = {"database": database, "classifier": classifier, "metrics": metrics}
    checks = {**reachable, "metrics_follower": follower is not None and not follower["stuck"]}
    if not all(reachable.values()):
        down = ", ".join(name for name, ok in reachable.items() if not ok)
        return problem_response(
            503, "Not ready", f"not reachable: {down}", checks=checks, metrics_follower=follower
        )
    # Taking the gateway out of service for late figures would stop intake too: degraded, not down.
    status = "ready" if checks["metrics_follower"] else "degraded"
    return JSONResponse({"status": status, "checks": checks, "metrics_follower": follower})
