"""The metrics process: the gRPC server (MetricsService behind the internal credential, health) and the
event follower."""

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health
from psycopg_pool import AsyncConnectionPool
from ticketing.v1 import metrics_pb2, metrics_pb2_grpc

from services.metrics import prometheus
from services.metrics.follower import ensure_zone, follow_forever
from services.metrics.servicer import MetricsServicer
from services.metrics.settings import MetricsSettings
from services.shared import grpc_server
from services.shared.db import open_async_pool

log = logging.getLogger(__name__)

SERVICE_NAME = metrics_pb2.DESCRIPTOR.services_by_name["MetricsService"].full_name
# How long stopping waits for a follower pass to finish before cancelling it.
FOLLOWER_STOP_S = 10.0


@dataclass
class MetricsService:
    settings: MetricsSettings
    pool: AsyncConnectionPool
    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _follower: asyncio.Task[None] | None = None
    _http: Any = None
    _http_pool: Any = None
    # The port Prometheus text is served on (0 until started; None when switched off).
    http_port: int | None = 0

    def start_http(self) -> None:
        if not self.settings.http_bind:
            self.http_port = None
            return
        self._http, self._http_pool = prometheus.serve(
            self.settings.http_bind,
            self.settings.database_url,
            self.settings.prometheus_token,
            stuck_after_s=self.settings.follower_stuck_after_s,
        )
        self.http_port = self._http.server_port

    def start_follower(self) -> None:
        self._follower = asyncio.create_task(
            follow_forever(
                self.pool,
                interval_s=self.settings.follow_interval_s,
                batch_size=self.settings.batch_size,
                stop=self._stop,
                zone=self.settings.centre_zone,
            ),
            name="metrics-follower",
        )

    async def prepare_rollups(self) -> None:
        """Rebuilds the rollups first when they were cut in another zone than CENTRE_TIMEZONE."""
        async with self.pool.connection() as conn:
            await ensure_zone(conn, self.settings.centre_zone, self.settings.batch_size)

    async def start(self) -> None:
        """Serves and follows (for tests; `serve` does the same until a signal)."""
        await self.prepare_rollups()
        await grpc_server.start(self.server, self.health)
        self.start_http()
        self.start_follower()

    async def close(self, grace: float = grpc_server.GRACE_S) -> None:
        self._stop.set()
        if self._follower is not None:
            try:
                await asyncio.wait_for(self._follower, FOLLOWER_STOP_S)
            except TimeoutError:
                log.warning("follower did not stop within %.0f s; cancelled", FOLLOWER_STOP_S)
        await self.server.stop(grace)
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http_pool.close()
        await self.pool.close()


async def open_service(settings: MetricsSettings) -> MetricsService:
    """Opens the pool and builds the server, bound but not yet serving."""
    # One connection for the follower, the rest for concurrent report calls.
    pool = await open_async_pool(
        settings.database_url, min_size=2, max_size=8, name="metrics", autocommit=True
    )
    try:
        server, port, health_servicer = grpc_server.build_server(
            [
                (
                    metrics_pb2_grpc.add_MetricsServiceServicer_to_server,
                    MetricsServicer(
                        pool, stuck_after_s=settings.follower_stuck_after_s, zone=settings.centre_zone
                    ),
                    SERVICE_NAME,
                )
            ],
            settings.bind,
            settings.security,
        )
    except BaseException:
        await pool.close()
        raise
    return MetricsService(settings, pool, server, port, health_servicer)


async def serve(settings: MetricsSettings) -> None:
    service = await open_service(settings)
    try:
        await service.prepare_rollups()
    except BaseException:
        await service.close(grace=0)
        raise
    service.start_http()
    log.info(
        "metrics: gRPC on %s (port %d), Prometheus on %s, following ticket_events, days in %s",
        settings.bind, service.port, settings.http_bind or "(off)", settings.centre_zone.key,
    )  # fmt: skip
    service.start_follower()
    try:
        await grpc_server.serve_until_signalled(service.server, service.health)
    finally:
        # The server has stopped gracefully by now; this stops the follower and closes the pool.
        await service.close(grace=0)
