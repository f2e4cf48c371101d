"""Fans PostgreSQL's `ticket_offers` notifications out to the agents' live streams in this process,
and hands token revocations (`api_credentials_revoked`) to the token cache.

One LISTEN connection per gateway process, opened at start, reopened after PostgreSQL goes away (a
stream then re-reads its agent's pending offers, and the token cache, which may have missed a
revocation meanwhile, is emptied and bypassed until the connection is back).
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

import psycopg

from services.shared import db
from services.shared.store.api_credentials import REVOKED_CHANNEL
from services.shared.store.ticket_offers import CHANNEL

log = logging.getLogger(__name__)
# A queue per stream; a stream this far behind is a dead client, dropped rather than let grow.
MAX_BACKLOG = 1000
RECONNECT_S = 1.0


def _ignore_revoked(credential_id: int) -> None:
    pass


def _ignore_listening(listening: bool) -> None:
    pass


class OfferHub:
    def __init__(
        self,
        database_url: str,
        *,
        on_revoked: Callable[[int], None] = _ignore_revoked,
        on_listening: Callable[[bool], None] = _ignore_listening,
    ):
        self._url = database_url
        self._on_revoked = on_revoked
        # Told True when the LISTEN connection is up, False when it is lost: while it is down a
        # revocation could be missed.
        self._on_listening = on_listening
        self._streams: dict[int, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._task: asyncio.Task[None] | None = None
        # Set each time the LISTEN connection is (re)established: streams re-read pending offers.
        self.generation = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    def subscribe(self, agent_id: int) -> asyncio.Queue[dict[str, Any]]:
        self.start()
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
                    await db.listen(conn, CHANNEL, REVOKED_CHANNEL)
                    self.generation += 1
                    self._on_listening(True)
                    self._broadcast({"state": "resync"})
                    async for note in conn.notifies():
                        if note.channel == REVOKED_CHANNEL:
                            self._on_revoked(int(note.payload))
                        else:
                            self._deliver(json.loads(note.payload))
            except psycopg.OperationalError as exc:
                self._on_listening(False)
                log.warning("offer and revocation notifications lost (%s); reconnecting", exc)
                await asyncio.sleep(RECONNECT_S)
            finally:
                self._on_listening(False)

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
