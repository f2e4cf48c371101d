"""What the routes need, built once at start-up from the settings and closed at shutdown."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated

import grpc
from fastapi import Depends, Request
from psycopg_pool import AsyncConnectionPool
from ticketing.v1 import classifier_pb2_grpc, metrics_pb2_grpc

from gateway.actions.classify_batcher import ClassifyBatcher
from gateway.actions.classify_episodes import Episodes
from gateway.actions.offer_hub import OfferHub
from gateway.actions.routing_waker import RoutingWaker
from gateway.actions.waits import WaitContexts
from gateway.documents.worker_pool import DocumentWorkers, worker_argv
from gateway.http.auth import TokenCache
from gateway.http.rate_limits import RateLimiter
from gateway.settings import GatewaySettings
from services.shared import egress, grpc_channels
from services.shared.db import open_async_pool
from services.shared.store.routing_wake import AFTER_COMMIT_OPTIONS


@dataclass
class Deps:
    settings: GatewaySettings
    pool: AsyncConnectionPool
    classifier_channel: grpc.aio.Channel
    metrics_channel: grpc.aio.Channel
    classifier: ClassifyBatcher
    metrics: metrics_pb2_grpc.MetricsServiceStub
    token_cache: TokenCache
    documents: DocumentWorkers
    # The agents' live offer streams in this process.
    offers: OfferHub
    # Wakes the routers after this process's commits (the pool's connections do not, see below).
    waker: RoutingWaker
    waits: WaitContexts
    # Rate limits and stream caps, counted in this process.
    limiter: RateLimiter
    # Resolves callback hosts for the egress check (the system resolver; a table in tests).
    resolve: egress.Resolve = egress.system_resolve
    # Fallback and shedding episodes of this process, logged once each (gateway/classify.py).
    episodes: Episodes = field(default_factory=Episodes)


@asynccontextmanager
async def built(
    settings: GatewaySettings, resolve: egress.Resolve = egress.system_resolve
) -> AsyncIterator[Deps]:
    # The pool's sessions tell the routers' wake-up trigger to stay quiet: a NOTIFY inside a
    # transaction serialises commits. The waker notifies after them instead.
    pool = await open_async_pool(
        settings.database_url,
        min_size=2,
        max_size=settings.db_pool_max,
        name="gateway",
        autocommit=True,
        options=AFTER_COMMIT_OPTIONS,
    )
    waker = RoutingWaker(settings.database_url)
    waker.start()
    # Channels connect lazily and reconnect by themselves (within ~0.6 s of a peer's return, see
    # grpc_channels.RECONNECT_OPTIONS), so the gateway starts without its peers.
    # Both put the internal secret on every call.
    classifier_channel = grpc_channels.aio_channel(settings.classifier_addr, settings.internal_grpc)
    metrics_channel = grpc_channels.aio_channel(settings.metrics_addr, settings.internal_grpc)
    limits = settings.documents
    # Worker processes start with the first document, so a gateway that never sees one runs none.
    documents = DocumentWorkers(
        worker_argv(max_pages=limits.max_pages, max_chars=limits.max_chars, memory_mb=limits.memory_mb),
        workers=limits.workers,
        timeout_s=limits.timeout_s,
    )
    token_cache = TokenCache(settings.auth_cache_s)
    # The offer hub's LISTEN connection also hears revocations; it opens now, not with the first
    # stream, so that tokens are cached only while revocations can be heard.
    offers = OfferHub(settings.database_url, on_revoked=token_cache.revoked, on_listening=token_cache.heard)
    offers.start()
    try:
        yield Deps(
            settings=settings,
            pool=pool,
            classifier_channel=classifier_channel,
            metrics_channel=metrics_channel,
            classifier=ClassifyBatcher(
                classifier_pb2_grpc.ClassifierServiceStub(classifier_channel),
                settings.classifier_timeout_s,
                settings.classifier_max_waiting,
            ),
            metrics=metrics_pb2_grpc.MetricsServiceStub(metrics_channel),
            token_cache=token_cache,
            documents=documents,
            offers=offers,
            waker=waker,
            waits=WaitContexts(),
            resolve=resolve,
            limiter=RateLimiter(settings.rate_limits),
        )
    finally:
        await waker.close()
        await offers.close()
        await documents.close()
        await classifier_channel.close()
        await metrics_channel.close()
        await pool.close()


async def get_deps(request: Request) -> Deps:
    # async on purpose: FastAPI runs a plain-def dependency in a thread pool, a hop per request.
    return request.app.state.deps


DepsDep = Annotated[Deps, Depends(get_deps)]
