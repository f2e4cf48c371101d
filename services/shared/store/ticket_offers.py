"""SQL for ticket_offers: reservations of a waiting ticket for one agent, until decided or expired.

An offer is made by the `routing_offer` function (0005_routing.sql), which takes the agent's and the
ticket's row locks and checks presence and capacity in one round trip. Every offer that is not
accepted is recorded as an `offer_missed` event, and every change is announced on the
`ticket_offers` channel (NOTIFY) for the agents' live streams.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

CHANNEL = "ticket_offers"
MISSED = ("rejected", "timed_out", "withdrawn")


@dataclass(frozen=True)
class Offer:
    id: int
    ticket_id: int
    agent_id: int
    queue_id: int
    channel: str
    offered_at: datetime
    expires_at: datetime
    outcome: str | None
    decided_at: datetime | None
    reason: dict[str, Any]


COLUMNS = "id, ticket_id, agent_id, queue_id, channel, offered_at, expires_at, outcome, decided_at, reason"


async def make(
    conn: AsyncConnection[Any], ticket_id: int, agent_id: int, ttl_s: float, reason: dict[str, Any]
) -> int | None:
    """Offers the ticket to the agent; None when either is taken, busy or full (nothing changes)."""
    cur = await conn.execute(
        "SELECT routing_offer(%s, %s, %s, %s)", (ticket_id, agent_id, timedelta(seconds=ttl_s), Jsonb(reason))
    )
    row = await cur.fetchone()
    return None if row is None or row[0] is None else int(row[0])


# Offers to many (ticket, agent) pairs in one statement and one transaction: each call locks its
# agent and ticket with SKIP LOCKED, so a batch never waits for anyone and cannot deadlock; its
# locks are held, and its notifications sent, until the batch commits (see OFFER_BATCH).
OFFER_MANY = """
SELECT routing_offer(u.ticket_id, u.agent_id, %s, u.reason)
FROM unnest(%s::bigint[], %s::integer[], %s::jsonb[]) WITH ORDINALITY AS u (ticket_id, agent_id, reason, n)
ORDER BY u.n
"""
# Offers per transaction. Larger batches cost fewer round trips; smaller ones reach agents sooner
# (a batch's offers are announced when it commits) and hold agents' rows for less time.
OFFER_BATCH = 32


async def make_many(
    conn: AsyncConnection[Any], attempts: list[tuple[int, int, dict[str, Any]]], ttl_s: float
) -> list[int | None]:
    """`make` for each (ticket, agent, reason), OFFER_BATCH to a statement; None where refused."""
    ttl = timedelta(seconds=ttl_s)
    made: list[int | None] = []
    for start in range(0, len(attempts), OFFER_BATCH):
        batch = attempts[start : start + OFFER_BATCH]
        cur = await conn.execute(
            OFFER_MANY,
            (ttl, [t for t, _, _ in batch], [a for _, a, _ in batch], [Jsonb(r) for _, _, r in batch]),
        )
        made.extend(None if row[0] is None else int(row[0]) for row in await cur.fetchall())
    return made


# The decided offers' `offer_missed` events and notifications, shared by every way an offer ends
# unaccepted. A ticket reserved for the agent who missed it goes back to its queue for anyone.
_MISSED_TAIL = """
, events AS (
    INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, queue_id, data)
    SELECT d.ticket_id, 'offer_missed', greatest(d.decided_at, t.last_event_at), d.agent_id, d.queue_id,
           jsonb_build_object('offer_id', d.id, 'outcome', d.outcome)
    FROM decided d JOIN tickets t ON t.id = d.ticket_id
), unreserved AS (
    UPDATE tickets t SET reserved_agent_id = NULL
    FROM decided d WHERE t.id = d.ticket_id AND t.reserved_agent_id = d.agent_id
)
SELECT d.id, d.agent_id, d.ticket_id, d.outcome,
       pg_notify('ticket_offers', json_build_object('offer_id', d.id, 'agent_id', d.agent_id,
                 'ticket_id', d.ticket_id, 'state', d.outcome)::text)
FROM decided d
"""

EXPIRE = (
    """
WITH due AS (
    SELECT id FROM ticket_offers WHERE outcome IS NULL AND expires_at <= %(now)s
    ORDER BY expires_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED
), decided AS (
    UPDATE ticket_offers o SET outcome = 'timed_out', decided_at = %(now)s
    FROM due WHERE o.id = due.id RETURNING o.*
)"""
    + _MISSED_TAIL
)

REJECT = (
    """
WITH decided AS (
    UPDATE ticket_offers SET outcome = 'rejected', decided_at = %(now)s
    WHERE id = %(offer)s AND agent_id = %(agent)s AND outcome IS NULL RETURNING *
)"""
    + _MISSED_TAIL
)

# Run after the agent's presence changed (in the same transaction, as its own statement, so it
# sees any offer a router committed while waiting for the agent's row).
WITHDRAW = (
    """
WITH decided AS (
    UPDATE ticket_offers SET outcome = 'withdrawn', decided_at = %(now)s
    WHERE agent_id = %(agent)s AND outcome IS NULL RETURNING *
)"""
    + _MISSED_TAIL
)

# Run after tickets moved to another queue, in the same transaction: a pending offer made in the
# queue a ticket left is withdrawn, so its agent can no longer accept a ticket that belongs
# elsewhere now, and the router may offer it in its new queue at once instead of after the offer's
# timeout. A caller holding the tickets locked (the escalation sweep) locks the offers first
# (`lock_pending_sync`): waiting for one here could deadlock with an accept, which locks the offer
# and then the ticket. The router's overflow runs it after its move committed, holding nothing.
WITHDRAW_MOVED = (
    """
WITH decided AS (
    UPDATE ticket_offers o SET outcome = 'withdrawn', decided_at = %(now)s
    FROM tickets t
    WHERE o.ticket_id = ANY(%(tickets)s) AND o.outcome IS NULL
      AND t.id = o.ticket_id AND t.queue_id <> o.queue_id
    RETURNING o.*
)"""
    + _MISSED_TAIL
)


# Run when a ticket stopped waiting other than by its offer's acceptance (the customer hung up or
# closed the chat), in the same transaction: its agent's slot is freed and the console drops the
# offer at once rather than at the timeout. The caller holds the ticket's lock; an offer being
# accepted right now is locked by the accept and passed over (waiting for it could deadlock), and
# that accept then finds the ticket no longer waiting.
WITHDRAW_STOPPED_WAITING = (
    """
WITH pending AS (
    SELECT id FROM ticket_offers WHERE ticket_id = %(ticket)s AND outcome IS NULL FOR UPDATE SKIP LOCKED
), decided AS (
    UPDATE ticket_offers o SET outcome = 'withdrawn', decided_at = %(now)s
    FROM pending WHERE o.id = pending.id RETURNING o.*
)"""
    + _MISSED_TAIL
)


async def expire_due(conn: AsyncConnection[Any], now: datetime, limit: int = 500) -> int:
    """Times out the offers past their expiry; returns how many."""
    cur = await conn.execute(EXPIRE, {"now": now, "limit": limit})
    return len(await cur.fetchall())


async def reject(conn: AsyncConnection[Any], offer_id: int, agent_id: int, now: datetime) -> bool:
    """The agent turns the offer down; False when it is not theirs or no longer pending."""
    cur = await conn.execute(REJECT, {"offer": offer_id, "agent": agent_id, "now": now})
    return bool(await cur.fetchall())


async def withdraw_for_agent(conn: AsyncConnection[Any], agent_id: int, now: datetime) -> int:
    cur = await conn.execute(WITHDRAW, {"agent": agent_id, "now": now})
    return len(await cur.fetchall())


async def withdraw_stopped_waiting(conn: AsyncConnection[Any], ticket_id: int, now: datetime) -> int:
    cur = await conn.execute(WITHDRAW_STOPPED_WAITING, {"ticket": ticket_id, "now": now})
    return len(await cur.fetchall())


async def withdraw_moved(conn: AsyncConnection[Any], ticket_ids: list[int], now: datetime) -> int:
    """For the router's overflow, which commits the move first (autocommit) and so holds no ticket
    lock here: an offer being accepted meanwhile is waited for, and stays accepted."""
    if not ticket_ids:
        return 0
    cur = await conn.execute(WITHDRAW_MOVED, {"tickets": ticket_ids, "now": now})
    return len(await cur.fetchall())


@dataclass(frozen=True)
class PendingLocks:
    # Tickets whose pending offer the caller's transaction now holds locked.
    held: frozenset[int]
    # Tickets whose pending offer someone else holds (being accepted, rejected or timed out now).
    busy: frozenset[int]


def lock_pending_sync(conn: Connection[Any], ticket_ids: list[int]) -> PendingLocks:
    """Locks the pending offers of tickets the caller holds locked, without waiting.

    The caller passes over the busy ones rather than wait, which could deadlock with an accept (it
    locks the offer, then the ticket). One cheap look when none is under offer, the usual case.
    """
    if not ticket_ids:
        return PendingLocks(frozenset(), frozenset())
    pending = conn.execute(
        "SELECT ticket_id FROM ticket_offers WHERE ticket_id = ANY(%s) AND outcome IS NULL", (ticket_ids,)
    ).fetchall()
    if not pending:
        return PendingLocks(frozenset(), frozenset())
    # No new offer can be made meanwhile (the tickets are locked); one decided meanwhile is not
    # locked here and counts as busy: its ticket waits for the next sweep, which is harmless.
    locked = conn.execute(
        """SELECT ticket_id FROM ticket_offers WHERE ticket_id = ANY(%s) AND outcome IS NULL
           FOR UPDATE SKIP LOCKED""",
        ([int(t) for (t,) in pending],),
    ).fetchall()
    held = frozenset(int(t) for (t,) in locked)
    return PendingLocks(held, frozenset(int(t) for (t,) in pending) - held)


def withdraw_moved_sync(conn: Connection[Any], ticket_ids: list[int], now: datetime) -> int:
    """Withdraws the pending offers of these tickets made in a queue they have left; returns how many.
    The caller holds the offers locked (`lock_pending_sync`)."""
    if not ticket_ids:
        return 0
    return len(conn.execute(WITHDRAW_MOVED, {"tickets": ticket_ids, "now": now}).fetchall())


async def get(conn: AsyncConnection[Any], offer_id: int) -> Offer | None:
    async with conn.cursor(row_factory=class_row(Offer)) as cur:
        await cur.execute(f"SELECT {COLUMNS} FROM ticket_offers WHERE id = %s", (offer_id,))
        return await cur.fetchone()


async def get_for_update(conn: AsyncConnection[Any], offer_id: int) -> Offer | None:
    async with conn.cursor(row_factory=class_row(Offer)) as cur:
        await cur.execute(f"SELECT {COLUMNS} FROM ticket_offers WHERE id = %s FOR UPDATE", (offer_id,))
        return await cur.fetchone()


async def mark(conn: AsyncConnection[Any], offer_id: int, agent_id: int, outcome: str, now: datetime) -> None:
    """Records the outcome of an offer the caller holds locked (`accepted`; the others use the above).

    Not announced here: the caller calls `announce` once its transaction committed. A NOTIFY inside
    the transaction would make its commit wait for every other notifying commit (docs/scaling.md);
    one lost to a crash in between leaves the offer on the agent's console until its stream resyncs.
    """
    await conn.execute(
        "UPDATE ticket_offers SET outcome = %s, decided_at = %s WHERE id = %s", (outcome, now, offer_id)
    )


async def announce(conn: AsyncConnection[Any], offer_id: int, agent_id: int, outcome: str) -> None:
    """Tells the agent's live streams an offer was decided (`mark`'s announcement, after its commit)."""
    payload = {"offer_id": offer_id, "agent_id": agent_id, "state": outcome}
    await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, json.dumps(payload)))


async def pending_for_agent(conn: AsyncConnection[Any], agent_id: int) -> list[Offer]:
    async with conn.cursor(row_factory=class_row(Offer)) as cur:
        await cur.execute(
            f"SELECT {COLUMNS} FROM ticket_offers WHERE agent_id = %s AND outcome IS NULL ORDER BY id",
            (agent_id,),
        )
        return await cur.fetchall()


async def for_ticket(conn: AsyncConnection[Any], ticket_id: int) -> list[Offer]:
    async with conn.cursor(row_factory=class_row(Offer)) as cur:
        await cur.execute(
            f"SELECT {COLUMNS} FROM ticket_offers WHERE ticket_id = %s ORDER BY id", (ticket_id,)
        )
        return await cur.fetchall()


async def recent_misses(
    conn: AsyncConnection[Any], ticket_ids: list[int], since: datetime
) -> set[tuple[int, int]]:
    """(ticket, agent) pairs whose offer was rejected or timed out since `since`: not offered again yet."""
    cur = await conn.execute(
        """SELECT DISTINCT ticket_id, agent_id FROM ticket_offers
           WHERE ticket_id = ANY(%s) AND outcome IN ('rejected', 'timed_out') AND decided_at >= %s""",
        (ticket_ids, since),
    )
    return {(int(t), int(a)) for t, a in await cur.fetchall()}


async def pending_counts(conn: AsyncConnection[Any]) -> dict[int, int]:
    """Pending offers per queue."""
    cur = await conn.execute(
        "SELECT queue_id, count(*) FROM ticket_offers WHERE outcome IS NULL GROUP BY queue_id"
    )
    return {int(q): int(n) for q, n in await cur.fetchall()}
