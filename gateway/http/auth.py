"""Bearer-token authentication and the three roles: integration (one channel), agent, supervisor;
expiry, revocation, last use, rate limits, and the stream tickets that stand in for tokens in URLs."""

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from gateway.http.problems import Problem
from gateway.http.rate_limits import route_class
from services.shared import tokens
from services.shared.store import api_credentials, stream_tickets
from services.shared.store.api_credentials import Credential

ROLES = ("integration", "agent", "supervisor")
# Bounds memory when many distinct tokens are seen; the cache is simply emptied past this.
CACHE_LIMIT = 10_000
# How often one process records a token's use: finer costs intake writes, coarser blurs "last used".
TOUCH_EVERY_S = 60.0


class TokenCache:
    """Recently seen valid tokens, so intake does not pay a query per request for its key.

    Revocation empties it in every process at once (PostgreSQL NOTIFY, heard by the offer hub's
    LISTEN connection); while that connection is down nothing is cached, since a revocation could
    be missed. The TTL only bounds changes made behind the admin's back (an UPDATE by hand)."""

    def __init__(self, ttl_s: float):
        self.ttl_s = ttl_s
        self._entries: dict[bytes, tuple[Credential, float]] = {}
        self._touched: dict[int, float] = {}
        self.listening = False
        # Bumped by every revocation: a lookup that began before one is not cached after it.
        self.epoch = 0

    def get(self, key: bytes) -> Credential | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key: bytes, credential: Credential, epoch: int) -> None:
        if not self.listening or epoch != self.epoch:
            return
        if len(self._entries) >= CACHE_LIMIT:
            self._entries.clear()
        self._entries[key] = (credential, time.monotonic() + self.ttl_s)

    def revoked(self, credential_id: int) -> None:
        self.epoch += 1
        for key in [k for k, (c, _) in self._entries.items() if c.id == credential_id]:
            del self._entries[key]

    def heard(self, listening: bool) -> None:
        """The revocation feed is up (True) or lost (False): either way, what is cached is doubtful."""
        self.listening = listening
        self.epoch += 1
        self._entries.clear()

    def touch_due(self, credential_id: int) -> bool:
        """True at most once per TOUCH_EVERY_S per credential: time to record its use."""
        now = time.monotonic()
        if now - self._touched.get(credential_id, -TOUCH_EVERY_S) < TOUCH_EVERY_S:
            return False
        if len(self._touched) >= CACHE_LIMIT:
            self._touched.clear()
        self._touched[credential_id] = now
        return True


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _route_path(request: Request) -> str:
    # The scope's raw path, not request.url: building the URL costs more than the rest of this.
    route = request.scope.get("route")
    return str(route.path) if route is not None and hasattr(route, "path") else str(request.scope["path"])


async def authenticate(request: Request) -> Credential:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <token>")
    credential = await credential_for(request, token.strip())
    await request.app.state.deps.limiter.hit(route_class(request.method, _route_path(request)), credential.id)
    return credential


async def credential_for(request: Request, token: str) -> Credential:
    """The active credential of a bearer token; 401 when it is unknown, revoked or expired."""
    key = tokens.digest(token)
    deps = request.app.state.deps
    cache: TokenCache = deps.token_cache
    credential = cache.get(key)
    if credential is None:
        address = client_address(request)
        await deps.limiter.check_address(address)
        epoch = cache.epoch
        async with deps.pool.connection() as conn:
            credential = await api_credentials.find_active(conn, key)
        if credential is None:
            await deps.limiter.failed(address)
            raise Problem(401, "Unauthorized", "the token is unknown or revoked")
        cache.put(key, credential, epoch)
    return await _usable(request, credential)


async def _usable(request: Request, credential: Credential) -> Credential:
    """The credential unless it has expired; its use recorded now and then."""
    deps = request.app.state.deps
    now = datetime.now(UTC)
    if credential.expires_at is not None and credential.expires_at <= now:
        await deps.limiter.failed(client_address(request))
        raise Problem(
            401,
            "Token expired",
            f"the token expired at {credential.expires_at.isoformat()}; ask an administrator for a new one",
        )
    if deps.token_cache.touch_due(credential.id):
        async with deps.pool.connection() as conn:
            await api_credentials.touch(conn, credential.id, now)
    return credential


def require(*roles: str) -> Callable[[Request], Awaitable[Credential]]:
    """A dependency that admits only the given roles."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    async def dependency(request: Request) -> Credential:
        return _admit(await authenticate(request), roles)

    # Read by the OpenAPI document (gateway/http/openapi.py) to declare the route's security.
    dependency.roles = roles  # type: ignore[attr-defined]
    return dependency


async def stream_credential(request: Request, ticket: str | None, *roles: str) -> Credential:
    """For Server-Sent Events: the bearer token from the header or, since EventSource cannot send
    headers, a single-use stream ticket (POST /v1/stream-tickets) in `?ticket=`; only the given
    roles. A long-lived token in the URL is refused: URLs end up in history and access logs."""
    if "access_token" in request.query_params:
        raise Problem(
            401,
            "Unauthorized",
            "tokens in URLs are not accepted: POST /v1/stream-tickets with the bearer token, "
            "then open the stream with ?ticket=",
        )
    if request.headers.get("authorization"):
        return _admit(await authenticate(request), roles)
    if not ticket:
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <token> or ?ticket=<stream ticket>")
    return _admit(await _redeem(request, ticket.strip()), roles)


async def _redeem(request: Request, ticket: str) -> Credential:
    """The credential a stream ticket was issued to; the ticket is used up, whatever the answer."""
    deps = request.app.state.deps
    address = client_address(request)
    await deps.limiter.check_address(address)
    async with deps.pool.connection() as conn:
        used = await stream_tickets.consume(conn, tokens.digest(ticket))
        found = None if used is None else used.credential_id
        credential = None if found is None else await api_credentials.find_active_by_id(conn, found)
    if used is None or credential is None:
        await deps.limiter.failed(address)
        raise Problem(401, "Unauthorized", "the stream ticket is unknown, used already, or its token revoked")
    if used.path != request.url.path:
        await deps.limiter.failed(address)
        raise Problem(401, "Unauthorized", f"the stream ticket is for {used.path}, not {request.url.path}")
    if used.expires_at <= datetime.now(UTC):
        raise Problem(401, "Stream ticket expired", "the stream ticket has expired; ask for a new one")
    return await _usable(request, credential)


def _admit(credential: Credential, roles: tuple[str, ...]) -> Credential:
    if credential.role not in roles:
        raise Problem(403, "Forbidden", f"this needs the role {' or '.join(roles)}, not {credential.role}")
    return credential


Integration = Annotated[Credential, Depends(require("integration"))]
Agent = Annotated[Credential, Depends(require("agent"))]
Supervisor = Annotated[Credential, Depends(require("supervisor"))]
AnyRole = Annotated[Credential, Depends(require("integration", "agent", "supervisor"))]
StreamTicket = Annotated[
    str | None,
    Query(description="A stream ticket (POST /v1/stream-tickets): EventSource cannot send headers"),
]
