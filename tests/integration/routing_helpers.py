"""Running one routing pass from a test, and reading an agent's offer stream in a thread."""

import asyncio
import contextlib
import json
import queue
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import psycopg

from services.router.engine import EngineSettings, PassResult, route_pass
from services.shared.routing.policy import Policies


def route(database_url: str, policies: Policies, now: datetime | None = None) -> PassResult:
    async def go() -> PassResult:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            return await route_pass(conn, EngineSettings(policies), now or datetime.now(UTC))

    # In a thread of its own: a test driving Playwright's sync API already runs an event loop here.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


class OfferStream:
    """GET /v1/agent/offers/stream over a plain socket, read in a background thread; events arrive on
    `events`. A socket so that `close` really closes the connection at once (an HTTP client's close
    from another thread waits for the blocked read)."""

    def __init__(self, url: str, token: str):
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        parts = urlsplit(url)
        self._sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
        self._sock.sendall(
            (
                f"GET /v1/agent/offers/stream HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
            ).encode()
        )
        self._file = self._sock.makefile("rb")
        status = self._file.readline().decode()
        assert " 200 " in status, status
        while self._file.readline() not in (b"\r\n", b""):
            pass  # headers
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        event = ""
        try:
            for raw in self._file:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    self.events.put((event, json.loads(line.removeprefix("data: "))))
        except (OSError, ValueError):
            pass

    def next(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        while True:
            event, data = self.events.get(timeout=timeout)
            if event == kind:
                return data

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(5)
