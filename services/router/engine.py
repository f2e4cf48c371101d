"""One routing pass: time out offers, overflow queues, then offer waiting tickets to agents.

Safe with any number of routers at once: every offer is made by `routing_offer`, which takes the
agent's and the ticket's row locks and re-checks presence, capacity and pending offers after
taking them. The snapshot read here only decides what to try; a stale one costs a refused attempt,
never a double assignment. The attempts of a pass go to PostgreSQL in one pipeline: each commits
on its own, and a refused one changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg import AsyncConnection

from services.shared.routing import ranking
from services.shared.routing.eligibility import AgentView, TicketView, qualifies, rule_for
from services.shared.routing.policy import Policies
from services.shared.store import agents, ticket_offers, tickets
from services.shared.ticket_states import TRANSITIONS

# Pages of waiting tickets one pass may read looking for work the free agents can take.
MAX_PAGES = 20


@dataclass(frozen=True)
class PassResult:
    offered: int
    attempts: int
    expired: int
    overflowed: int
    # More tickets waited than one pass looked at: run again at once.
    more: bool


@dataclass(frozen=True)
class EngineSettings:
    policies: Policies
    # How many waiting tickets one pass reads.
    batch: int = 1000
    # An agent who rejected or let a ticket's offer expire is not offered it again for this long,
    # so the next agent gets it; after that they may (they could be the only one who can take it).
    reoffer_after_s: float = 60.0


async def route_pass(conn: AsyncConnection[Any], settings: EngineSettings, now: datetime) -> PassResult:
    """`conn` is autocommit: each offer commits alone, so agents see it at once."""
    expired = await ticket_offers.expire_due(conn, now)
    overflowed = await _overflow(conn, settings.policies, now)
    free = await agents.routing_views(conn, presence="available")
    # An agent in wrap-up is offered nothing until it ends (routing_offer checks again under lock).
    free = [a for a in free if not a.in_wrap_up(now) and any(a.room(c) > 0 for c in a.capacity)]
    if not free:
        return PassResult(0, 0, expired, overflowed, False)
    rooms = {a.id: {c: a.room(c) for c in a.capacity} for a in free}
    priorities = {q: p.priority for q, p in settings.policies.by_queue.items()}
    since = now - timedelta(seconds=settings.reoffer_after_s)
    offered = attempts = 0
    after = tickets.FIRST_PAGE
    more = False
    # Page through the waiting tickets until the free agents are full: tickets nobody can take now
    # (no qualified agent, or only full ones) must not hide those behind them.
    for _ in range(MAX_PAGES):
        channels = sorted({c for room in rooms.values() for c, r in room.items() if r > 0})
        if not channels:
            break
        waiting = await tickets.waiting(conn, channels, settings.batch, after)
        if not waiting:
            break
        last = waiting[-1]
        after = (-last.priority, last.queued_at, last.id)
        views = sorted(waiting, key=lambda t: ranking.ticket_order(t, priorities))
        misses = await ticket_offers.recent_misses(conn, [t.id for t in views], since)
        plan = _plan(views, free, rooms, misses, settings.policies, now)
        made = await ticket_offers.make_many(conn, plan, settings.policies.offer_timeout_s)
        page_offered = sum(1 for offer in made if offer is not None)
        attempts += len(plan)
        offered += page_offered
        # A refused attempt (another router was quicker, or an agent's state changed) may leave
        # room that another pass can use at once.
        more = more or len(waiting) >= settings.batch or len(plan) > page_offered
    return PassResult(offered, attempts, expired, overflowed, more)


def _plan(
    views: list[TicketView],
    free: list[AgentView],
    rooms: dict[int, dict[str, int]],
    misses: set[tuple[int, int]],
    policies: Policies,
    now: datetime,
) -> list[tuple[int, int, dict[str, Any]]]:
    """(ticket, agent, reason) for each ticket in order, to the best agent with room left.

    Tickets alike (queue, channel, language, step, reservation) share one ranked list of qualified
    agents, so a pass costs about one eligibility check per agent and kind of ticket, not per ticket.
    """
    plan = []
    ranked: dict[tuple[Any, ...], tuple[list[AgentView], dict[str, Any]]] = {}
    for ticket in views:
        rule = rule_for(ticket, policies.for_queue(ticket.queue), now)
        key = (ticket.queue, ticket.channel, ticket.language, rule.step, ticket.reserved_agent_id)
        if key not in ranked:
            qualified = [a for a in free if not qualifies(ticket, a, rule)]
            ranked[key] = (ranking.best(qualified, rule), {"step": rule.step, "queues": list(rule.queues)})
        agents_, reason = ranked[key]
        for agent in agents_:
            if rooms[agent.id].get(ticket.channel, 0) > 0 and (ticket.id, agent.id) not in misses:
                rooms[agent.id][ticket.channel] -= 1
                plan.append((ticket.id, agent.id, reason))
                break
        if not any(r > 0 for room in rooms.values() for r in room.values()):
            break
    return plan


async def _overflow(conn: AsyncConnection[Any], policies: Policies, now: datetime) -> int:
    moved = 0
    event = TRANSITIONS["overflow"].event
    for policy in policies.by_queue.values():
        if policy.overflow is not None:
            before = now - timedelta(seconds=policy.overflow.after_s)
            ids = await tickets.overflow(
                conn, policy.queue, policy.overflow.queue, before=before, now=now, event=event
            )
            # The move skipped tickets under offer as its snapshot saw them; an offer another router
            # committed just before the move took its lock is withdrawn now, so it can't be accepted
            # for a queue the ticket has left.
            await ticket_offers.withdraw_moved(conn, ids, now)
            moved += len(ids)
    return moved
