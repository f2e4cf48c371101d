"""Rate limits per credential and route class, on failed authentications per client address, and on
concurrent streams per credential: in memory, so each gateway process counts on its own."""

import contextlib
import math
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from gateway.http.problems import Problem
from services.shared.settings import Env, SettingsError

INTAKE_PATHS = frozenset({"/v1/inquiries", "/v1/inquiries/multipart"})
# Computed by the metrics service from every ticket of a period: the dearest reads there are.
REPORT_PATHS = frozenset({"/v1/metrics/report", "/v1/metrics/export", "/v1/metrics/kpis"})
STREAM_TICKET_PATH = "/v1/stream-tickets"


def route_class(method: str, path: str) -> str:
    """Which limit a request counts against, by its method and route template (pure)."""
    if path in INTAKE_PATHS:
        return "intake"
    if path == STREAM_TICKET_PATH:
        return "stream_tickets"
    if path in REPORT_PATHS:
        return "reports"
    return "reads" if method in ("GET", "HEAD") else "actions"


@dataclass(frozen=True)
class RateLimitSettings:
    """Each limit is per credential and per gateway process (`limits` notation: `2000/second`,
    `100/minute`). A credential whose requests spread over GATEWAY_WORKERS processes (and replicas)
    may get up to that many times the figure; one keep-alive connection stays in one process."""

    # An integration's inquiries. The intake benchmark runs ~1500/s from one key, so the default
    # lets one process take all of that; lower bounds what a runaway integration costs the rest.
    intake: RateLimitItem
    # Agent and supervisor actions, outbound acks, callbacks: a person makes a few a minute, a
    # script many; higher admits busier scripts, lower stops a loop sooner.
    actions: RateLimitItem
    # Plain reads (a ticket, offers, positions, the supervisor overview polled every second).
    reads: RateLimitItem
    # KPIs, reports and exports, each a scan of a period in the metrics service.
    reports: RateLimitItem
    # Stream tickets: one per stream (re)connect; a page reconnects every few seconds at worst.
    stream_tickets: RateLimitItem
    # Requests with a wrong, expired or revoked token, per client address: each costs a query. Past
    # it, that address is refused any token not already known to this process until the window
    # ends. Behind a proxy the address is the proxy's unless uvicorn trusts its forwarded headers.
    auth_failures: RateLimitItem
    # Web chats and contact forms started, per client address (customers have no token to count by):
    # a person starts one or two; more is a script filling the queues with spam.
    chat_starts: RateLimitItem
    # Open Server-Sent Event streams per credential in one process; each holds a task, a gRPC call
    # or a queue. A console and a wallboard need one or two; more is a leak or abuse.
    max_streams: int

    @classmethod
    def from_env(cls, env: Env) -> "RateLimitSettings":
        def item(name: str, default: str) -> RateLimitItem:
            raw = env.str(name, default)
            try:
                return parse(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a rate such as 100/second, not {raw!r}") from None

        streams = env.int("MAX_STREAMS_PER_CREDENTIAL", 3)
        if streams < 1:
            raise SettingsError(f"MAX_STREAMS_PER_CREDENTIAL must be at least 1, not {streams}")
        return cls(
            intake=item("RATE_LIMIT_INTAKE", "2000/second"),
            actions=item("RATE_LIMIT_ACTIONS", "100/second"),
            reads=item("RATE_LIMIT_READS", "200/second"),
            reports=item("RATE_LIMIT_REPORTS", "60/minute"),
            stream_tickets=item("RATE_LIMIT_STREAM_TICKETS", "60/minute"),
            auth_failures=item("RATE_LIMIT_AUTH_FAILURES", "100/minute"),
            chat_starts=item("RATE_LIMIT_CHAT_STARTS", "20/hour"),
            max_streams=streams,
        )


def too_many(kind: str, retry_after_s: float) -> Problem:
    seconds = max(1, math.ceil(retry_after_s))
    return Problem(
        429,
        "Too many requests",
        f"over the {kind} limit; retry after {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


class RateLimiter:
    """The counters of one gateway process (a sliding window: no double burst at a window's edge)."""

    def __init__(self, settings: RateLimitSettings):
        self.settings = settings
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._streams: dict[int, int] = {}

    async def hit(self, kind: str, credential_id: int) -> None:
        """Counts a request of `kind` (a route class); 429 with Retry-After when over the limit."""
        await self._hit(getattr(self.settings, kind), kind, str(credential_id))

    async def hit_account(self, account: str) -> None:
        """Counts a provider-signed webhook against the intake limit of its provider account
        (`twilio:AC…`, `whatsapp:<phone-number-id>`), as a bearer token's requests count per credential."""
        await self._hit(self.settings.intake, "intake", account)

    async def hit_key(self, kind: str, key: str) -> None:
        """Counts a request of `kind` for a caller known by something other than a credential (a chat
        session, a client address); 429 with Retry-After when over the limit."""
        await self._hit(getattr(self.settings, kind), kind, key)

    async def check_address(self, address: str) -> None:
        """429 when `address` has failed authentication too often lately (counts nothing)."""
        item = self.settings.auth_failures
        if not await self._limiter.test(item, "auth_failures", address):
            raise too_many("failed authentication", await self._retry_after(item, "auth_failures", address))

    async def failed(self, address: str) -> None:
        await self._limiter.hit(self.settings.auth_failures, "auth_failures", address)

    async def _hit(self, item: RateLimitItem, kind: str, key: str) -> None:
        if not await self._limiter.hit(item, kind, key):
            raise too_many(kind.replace("_", " "), await self._retry_after(item, kind, key))

    async def _retry_after(self, item: RateLimitItem, kind: str, key: str) -> float:
        stats = await self._limiter.get_window_stats(item, kind, key)
        return stats.reset_time - time.time()

    def open_stream(self, credential_id: int) -> "StreamLease":
        """A lease on one of the credential's streams; 429 when it has MAX_STREAMS open here."""
        count = self._streams.get(credential_id, 0)
        if count >= self.settings.max_streams:
            raise Problem(
                429,
                "Too many streams",
                f"this credential has {count} streams open (at most {self.settings.max_streams}); "
                "close one first",
                headers={"Retry-After": "5"},
            )
        self._streams[credential_id] = count + 1
        return StreamLease(self._streams, credential_id)


class StreamLease:
    """Released when the stream ends; releasing twice is harmless (the body's end and the response's
    background task both release, since a client gone early may skip the body)."""

    def __init__(self, counts: dict[int, int], credential_id: int):
        self._counts = counts
        self._id = credential_id
        self._held = True

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        left = self._counts.get(self._id, 1) - 1
        if left > 0:
            self._counts[self._id] = left
        else:
            self._counts.pop(self._id, None)


Chunk = TypeVar("Chunk")


async def leased(lease: StreamLease, body: AsyncGenerator[Chunk, None]) -> AsyncIterator[Chunk]:
    """A stream's body that gives its lease back when it ends, however it ends; closing this closes
    the body at once (its own clean-up, such as an agent's sign-out, must not wait for the GC)."""
    async with contextlib.aclosing(body):
        try:
            async for chunk in body:
                yield chunk
        finally:
            lease.release()
