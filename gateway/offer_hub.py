"""Fans PostgreSQL's `ticket_offers` notifications out to the agents' live streams in this process.

One LISTEN connection per gateway process, opened with the first stream, reopened after PostgreSQL
goes away (a stream then re-reads its agent's pending offers, so nothing announced meanwhile is
missed).
"""

import asyncio
import contextlib
import json
import logging
from typing import Any

import psycopg

from services.shared.store.ticket_offers import CHANNEL

log = logging.getLogger(__name__)
# A queue per stream; a stream this far behind is a dead client, dropped rather than let grow.
MAX_BACKLOG = 1000
RECONNECT_S = 1.0


class OfferHub:
    def __init__(self, database_url: str):
        self._url = database_url
        self._streams: dict[int, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._task: asyncio.Task[None] | None = None
        # Set each time the LISTEN connection is (re)established: streams re-read pending offers.
        self.generation = 0

    def subscribe(self, agent_id: int) -> asyncio.Queue[dict[str, Any]]:
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(MAX_BACKLOG)
        self._streams.setdefault(agent_id, set()).add(queue)
        return queue

    def unsubscribe(self, agent_id: int, queue: asyncio.Queue[dict[str, Any]]) -> bool:
        """Drops a stream; True when it was the agent's last one in this process."""
        streams = self._streams.get(agent_id, set())
        streams.discard(queue)
        if streams:
            return False
        self._streams.pop(agent_id, None)
        return True

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True, application_name="gateway-offers"
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.generation += 1
                    self._broadcast({"state": "resync"})
                    async for note in conn.notifies():
                        self._deliver(json.loads(note.payload))
            except psycopg.OperationalError as exc:
                log.warning("offer notifications lost (%s); reconnecting", exc)
                await asyncio.sleep(RECONNECT_S)

    def _deliver(self, payload: dict[str, Any]) -> None:
        agent_id = payload.get("agent_id")
        if agent_id is None:
            self._broadcast(payload)
            return
        for queue in list(self._streams.get(int(agent_id), ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(payload)

    def _broadcast(self, payload: dict[str, Any]) -> None:
        for streams in self._streams.values():
            for queue in streams:
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(payload)
