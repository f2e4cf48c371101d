"""Queue position and estimated wait of a waiting ticket (the inputs read here, the maths pure)."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from psycopg import AsyncConnection

from services.shared.routing.eligibility import AgentView, qualifies, rule_for
from services.shared.routing.erlang import WaitInputs, estimated_wait_s
from services.shared.routing.policy import Policies
from services.shared.store import agents, tickets
from services.shared.store.tickets import Ticket

# Handling time assumed for a queue with no resolved ticket yet: five minutes, a common contact
# centre figure, until the queue's own history says otherwise.
DEFAULT_HANDLE_S = 300.0
# Arrivals are counted over this window: long enough to smooth bursts, short enough to follow the day.
ARRIVAL_WINDOW_S = 3600.0
# The agents and history behind an estimate are re-read at most this often per queue and channel;
# the position is always exact. Longer saves queries on a busy intake; shorter follows agents
# signing in and out sooner.
CONTEXT_TTL_S = 2.0

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class Estimate:
    position: int
    queue_depth: int
    wait_s: float | None


class _Expiring(Generic[K, V]):
    """Values kept for CONTEXT_TTL_S, by key."""

    def __init__(self) -> None:
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        return found[1] if found is not None and found[0] > time.monotonic() else None

    def put(self, key: K, value: V) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + CONTEXT_TTL_S, value)


class WaitContexts:
    """A short-lived cache of (slots, free slots, handling time, arrivals) per queue, channel and
    language, and of what those are made of: the agents available (one read for every queue) and each
    queue's history (one per queue, whatever the channel or language), so a busy intake reads each at
    most once per CONTEXT_TTL_S."""

    def __init__(self) -> None:
        self._contexts: _Expiring[tuple[int, str, str], tuple[int, int, float, float]] = _Expiring()
        self._agents: _Expiring[str, list[AgentView]] = _Expiring()
        self._loads: _Expiring[int, tickets.QueueLoad] = _Expiring()

    async def get(
        self, conn: AsyncConnection[Any], policies: Policies, ticket: Ticket, now: datetime
    ) -> tuple[int, int, float, float]:
        key = (ticket.queue_id, ticket.channel, ticket.language)
        found = self._contexts.get(key)
        if found is None:
            found = await self._context(conn, policies, ticket, now)
            self._contexts.put(key, found)
        return found

    async def _context(
        self, conn: AsyncConnection[Any], policies: Policies, ticket: Ticket, now: datetime
    ) -> tuple[int, int, float, float]:
        view = await tickets.waiting_one(conn, ticket.id)
        assert view is not None
        rule = rule_for(view, policies.for_queue(ticket.queue), now)
        available = self._agents.get("available")
        if available is None:
            available = await agents.routing_views(conn, presence="available")
            self._agents.put("available", available)
        slots = free = 0
        for agent in available:
            if not qualifies(view, agent, rule):
                slots += agent.capacity.get(ticket.channel, 0)
                free += max(0, agent.room(ticket.channel))
        load = self._loads.get(ticket.queue_id)
        if load is None:
            load = await tickets.queue_load(conn, ticket.queue_id, now, ARRIVAL_WINDOW_S)
            self._loads.put(ticket.queue_id, load)
        return slots, free, load.handle_s or DEFAULT_HANDLE_S, load.arrivals_per_s


async def estimate(
    conn: AsyncConnection[Any],
    contexts: WaitContexts,
    policies: Policies,
    ticket: Ticket,
    place: tickets.Position | None = None,
) -> Estimate | None:
    """None unless the ticket waits in a queue. `place` is its position when already counted (by
    the intake's statement), read otherwise."""
    if ticket.status != "queued":
        return None
    now = datetime.now(UTC)
    if place is None:
        place = await tickets.position(conn, ticket)
    slots, free, handle_s, arrivals = await contexts.get(conn, policies, ticket, now)
    wait = estimated_wait_s(WaitInputs(place.position, slots, free, handle_s, arrivals))
    return Estimate(place.position, place.queue_depth, None if wait is None else round(wait, 1))
