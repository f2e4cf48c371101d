"""Bearer-token authentication and the three roles: integration (one channel), agent, supervisor."""

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from gateway import tokens
from gateway.problems import Problem
from services.shared.store import api_credentials
from services.shared.store.api_credentials import Credential

ROLES = ("integration", "agent", "supervisor")
# Bounds memory when many distinct tokens are seen; the cache is simply emptied past this.
CACHE_LIMIT = 10_000


class TokenCache:
    """Recently seen valid tokens, so intake does not pay a query per request for its key."""

    def __init__(self, ttl_s: float):
        self.ttl_s = ttl_s
        self._entries: dict[bytes, tuple[Credential, float]] = {}

    def get(self, key: bytes) -> Credential | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key: bytes, credential: Credential) -> None:
        if len(self._entries) >= CACHE_LIMIT:
            self._entries.clear()
        self._entries[key] = (credential, time.monotonic() + self.ttl_s)


async def authenticate(request: Request) -> Credential:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <token>")
    return await credential_for(request, token.strip())


async def credential_for(request: Request, token: str) -> Credential:
    """The active credential of a bearer token; 401 when it is unknown or revoked."""
    key = tokens.digest(token)
    deps = request.app.state.deps
    credential = deps.token_cache.get(key)
    if credential is None:
        async with deps.pool.connection() as conn:
            credential = await api_credentials.find_active(conn, key)
        if credential is None:
            raise Problem(401, "Unauthorized", "the token is unknown or revoked")
        deps.token_cache.put(key, credential)
    return credential


def require(*roles: str) -> Callable[[Request], Awaitable[Credential]]:
    """A dependency that admits only the given roles."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    async def dependency(request: Request) -> Credential:
        return _admit(await authenticate(request), roles)

    # Read by the OpenAPI document (gateway/openapi.py) to declare the route's security.
    dependency.roles = roles  # type: ignore[attr-defined]
    return dependency


async def stream_credential(request: Request, access_token: str | None, *roles: str) -> Credential:
    """For Server-Sent Events: the bearer token from the header or, since EventSource cannot send
    headers, from `access_token` in the query; only the given roles."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else (access_token or "").strip()
    if not token:
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <token> or ?access_token=")
    return _admit(await credential_for(request, token), roles)


def _admit(credential: Credential, roles: tuple[str, ...]) -> Credential:
    if credential.role not in roles:
        raise Problem(403, "Forbidden", f"this needs the role {' or '.join(roles)}, not {credential.role}")
    return credential


Integration = Annotated[Credential, Depends(require("integration"))]
Agent = Annotated[Credential, Depends(require("agent"))]
Supervisor = Annotated[Credential, Depends(require("supervisor"))]
AnyRole = Annotated[Credential, Depends(require("integration", "agent", "supervisor"))]
