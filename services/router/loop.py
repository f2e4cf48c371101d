"""The router's loop: a pass whenever PostgreSQL says something changed, and at least every tick."""

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

import psycopg

from services.router.engine import EngineSettings, route_pass
from services.router.settings import RouterSettings
from services.shared import db, heartbeat

log = logging.getLogger(__name__)
WAKE_CHANNEL = "routing"
# How long notifications are gathered into one wake-up; a pass waits at most this for company.
DRAIN_S = 0.002


async def run(settings: RouterSettings, stop: asyncio.Event) -> None:
    """Routes until `stop` is set; reconnects after PostgreSQL goes away."""
    engine = EngineSettings(settings.policies, batch=settings.batch, reoffer_after_s=settings.reoffer_after_s)
    while not stop.is_set():
        try:
            await _serve(settings, engine, stop)
        except psycopg.OperationalError as exc:
            log.warning("database unavailable (%s); retrying in 1 s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)


async def _serve(settings: RouterSettings, engine: EngineSettings, stop: asyncio.Event) -> None:
    url = settings.database_url
    async with (
        await psycopg.AsyncConnection.connect(url, autocommit=True, application_name="router") as work,
        await psycopg.AsyncConnection.connect(
            url, autocommit=True, application_name="router-listen"
        ) as listen,
    ):
        await db.listen(listen, WAKE_CHANNEL)
        log.info("router ready")
        while not stop.is_set():
            started = time.perf_counter()
            result = await route_pass(work, engine, datetime.now(UTC))
            heartbeat.touch(settings.heartbeat_file)
            if result.offered or result.expired or result.overflowed:
                log.debug("pass in %.1f ms: %s", (time.perf_counter() - started) * 1000, result)
            if result.more and result.offered:
                continue
            await _wait(listen, settings.tick_s, stop)


async def _wait(listen: psycopg.AsyncConnection, tick_s: float, stop: asyncio.Event) -> None:
    """Returns on the first notification (draining any others queued), the tick, or stop."""
    stopper = asyncio.ensure_future(stop.wait())
    notified = asyncio.ensure_future(_next_notification(listen, tick_s))
    try:
        await asyncio.wait({stopper, notified}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not notified.done():
            notified.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await notified


async def _next_notification(listen: psycopg.AsyncConnection, timeout_s: float) -> None:
    async for _ in listen.notifies(timeout=timeout_s, stop_after=1):
        pass
    # Whatever else is queued by now is folded into this wake-up (a burst of intakes is one pass).
    async for _ in listen.notifies(timeout=DRAIN_S):
        pass
