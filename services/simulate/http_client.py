"""The replay's HTTP client (aiohttp).

httpx's connection pool slows as connections grow: against the stack's gateway here, `GET /healthz`
from 8 connections ran at ~410 requests/s and from 48 at ~115/s, while aiohttp ran the same at
~3,600/s and ~2,500/s. With 48 contacts in flight the replay was bound by its own client, so it
speaks aiohttp, through this one small surface (a reply read whole, as the driver uses it)."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp

# A kept-alive connection the server closed as the request went out: nothing was done, ask again.
Disconnected = (aiohttp.ServerDisconnectedError, aiohttp.ClientConnectionError)


@dataclass(frozen=True)
class Reply:
    status_code: int
    content: bytes
    headers: Mapping[str, str]
    # How many times it was asked (a request asked again after a lost connection may answer a retry).
    attempts: int = 1

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class Client:
    """`async with Client(url, connections) as client:` then `await client.post(path, json=…)`."""

    def __init__(self, base_url: str, connections: int, timeout_s: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.connections = connections
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "Client":
        # Idle connections are let go before uvicorn's keep-alive timeout (5 s) closes them under a
        # request: aiohttp's default (15 s) had requests meet a closed connection, and a request that
        # may have been done cannot be asked again blindly (a claim or an abandon is not idempotent).
        connector = aiohttp.TCPConnector(
            limit=self.connections, limit_per_host=self.connections, keepalive_timeout=3
        )
        self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        assert self._session is not None, "use the client inside `async with`"
        async with self._session.request(
            method, self.base_url + path, json=json, params=params, headers=headers
        ) as response:
            body = await response.read()
            return Reply(response.status, body, dict(response.headers))

    async def post(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("POST", path, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("GET", path, **kwargs)
