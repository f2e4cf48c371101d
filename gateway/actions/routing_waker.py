"""Wakes the routers after this process's writes committed, many writes to one NOTIFY.

The gateway's pool connections tell the `routing_wake` trigger not to notify inside their
transactions (services/shared/store/routing_wake.py): a notifying commit waits for every other one,
which capped intake near one client's commit rate. Instead, a write signals this waker once its
transaction committed, and the waker sends `NOTIFY routing` on a connection of its own, which
writes nothing. Signals arriving within WINDOW_S of the first are answered by that one NOTIFY; one
arriving while it is being sent causes another, so the last write is always followed by a wake-up.
A NOTIFY that fails is logged and dropped: the routers also pass every ROUTER_TICK_MS.
"""

import asyncio
import contextlib
import logging
from typing import Any

import psycopg

from services.shared.store import routing_wake

log = logging.getLogger(__name__)
# How long signals are gathered into one NOTIFY: short next to a router's pass and a customer's
# wait, long enough that busy intake costs at most 50 notifications a second per process rather than
# one per write (each wakes every router for a pass; at 3 ms, the waker and the routers' passes took
# about 5 % of a gateway process's CPU under the simulator's load).
WINDOW_S = 0.02
CONNECT_TIMEOUT_S = 5
RETRY_S = 1.0


class RoutingWaker:
    def __init__(self, database_url: str, *, window_s: float = WINDOW_S):
        self._url = database_url
        self._window_s = window_s
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: psycopg.AsyncConnection[Any] | None = None
        # NOTIFYs sent, for tests and the log.
        self.sent = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    def signal(self) -> None:
        """Called after a commit that may give the routers work (a ticket, an offer, a presence)."""
        self._wanted.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._wanted.is_set():
            # A write committed after the last NOTIFY: told now rather than at the routers' tick.
            with contextlib.suppress(psycopg.Error, OSError):
                await self._send()
        if self._conn is not None:
            await self._conn.close()

    async def _run(self) -> None:
        while True:
            await self._wanted.wait()
            await asyncio.sleep(self._window_s)
            # Cleared before sending: a signal from now on (its commit may not be covered by this
            # NOTIFY's arrival order at the routers) sets it again and causes the next one.
            self._wanted.clear()
            try:
                await self._send()
            except (psycopg.Error, OSError) as exc:
                log.warning("routers not woken (%s); they pass at their next tick", exc)
                if self._conn is not None:
                    with contextlib.suppress(psycopg.Error, OSError):
                        await self._conn.close()
                    self._conn = None
                await asyncio.sleep(RETRY_S)

    async def _send(self) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(
                self._url, autocommit=True, application_name="gateway-wake", connect_timeout=CONNECT_TIMEOUT_S
            )
        await routing_wake.wake(self._conn)
        self.sent += 1
