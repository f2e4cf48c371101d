"""Several router processes, 50+ agents and 5,000 tickets under random accepts, rejects, timeouts and
agents going offline: nobody double-assigned, no capacity exceeded, no offer lost."""

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from gateway.actions.offers import accept_locked
from gateway.actions.ticket_work import apply_locked
from gateway.http.problems import Problem
from services.shared.store import agents, ticket_offers, tickets
from tests.integration.router import rows

AGENTS = 56
TICKETS = 5000
ROUTERS = 3
# Thousands of offers, accepts, rejects, timeouts and presence changes; the test stops early once every
# ticket is resolved (TEST_RUN_S=35 lets the 5,000 run to the end).
RUN_S = float(os.environ.get("TEST_RUN_S", 15.0))
SEED = 20260301
# Fewer slots than the defaults, so agents are full most of the time and the routers, the pulls and
# the chaos compete for the same room.
CAPACITY = {"phone": 1, "chat": 2, "email": 2, "web": 1, "mobile": 1}

# The load an agent carries per channel (held + pending offers) beyond its capacity, at any moment.
OVER_CAPACITY = """
SELECT agent_id, channel, n FROM (
    SELECT agent_id, channel, count(*) AS n FROM (
        SELECT assigned_agent_id AS agent_id, channel FROM tickets WHERE status IN ('claimed', 'answered')
        UNION ALL
        SELECT agent_id, channel FROM ticket_offers WHERE outcome IS NULL) held
    GROUP BY agent_id, channel) load
WHERE n > routing_capacity(agent_id, channel)
"""


@dataclass
class Record:
    notified: dict[int, int] = field(default_factory=dict)  # offer id → agent, from NOTIFY
    accepted: dict[int, int] = field(default_factory=dict)  # ticket → agent that got it
    pulled: dict[int, int] = field(default_factory=dict)
    double: list[tuple[int, int, int]] = field(default_factory=list)
    over_capacity: list[Any] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    resolved: int = 0


def stop_routers(routers: list[subprocess.Popen[bytes]]) -> None:
    for router in routers:
        if router.poll() is None:
            router.send_signal(signal.SIGTERM)
    for router in routers:
        router.wait(timeout=10)


def start_routers(database_url: str, policies: Path) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ROUTING_POLICIES": str(policies),
        "ROUTER_TICK_MS": "50",
        "ROUTER_REOFFER_AFTER_S": "0.5",
        "LOG_LEVEL": os.environ.get("TEST_ROUTER_LOG", "WARNING"),
    }
    return [
        subprocess.Popen([sys.executable, "-m", "services.router"], env=env, stderr=subprocess.PIPE)
        for _ in range(ROUTERS)
    ]


async def simulate(  # noqa: C901 (a scripted scenario: each branch is one kind of agent behaviour)
    database_url: str,
    agent_ids: list[int],
    record: Record,
    deadline: float,
    routers: list[subprocess.Popen[bytes]],
) -> None:
    rng = random.Random(SEED)
    inbox: dict[int, asyncio.Queue[int]] = {a: asyncio.Queue() for a in agent_ids}
    offline: set[int] = set()
    done = asyncio.Event()
    async with (
        AsyncConnectionPool(database_url, min_size=12, max_size=12, kwargs={"autocommit": True}) as pool,
        await psycopg.AsyncConnection.connect(database_url, autocommit=True) as listen,
    ):
        await listen.execute("LISTEN ticket_offers")

        async def listener() -> None:
            async for note in listen.notifies():
                payload = json.loads(note.payload)
                if payload["state"] == "pending":
                    record.notified[payload["offer_id"]] = payload["agent_id"]
                    inbox[payload["agent_id"]].put_nowait(payload["offer_id"])

        async def resolve(agent_id: int, ticket_id: int) -> None:
            await asyncio.sleep(rng.uniform(0, 0.03))
            async with pool.connection() as conn, conn.transaction():
                ticket = await tickets.get(conn, ticket_id, for_update=True)
                assert ticket is not None and ticket.assigned_agent_id == agent_id, ticket
                if ticket.status == "claimed":
                    await apply_locked(
                        conn, ticket, "answer", at=datetime.now(UTC), policy=None, agent_id=agent_id
                    )
                    ticket = await tickets.get(conn, ticket_id)
                    assert ticket is not None
                await apply_locked(
                    conn,
                    ticket,
                    "resolve",
                    at=datetime.now(UTC),
                    policy=None,
                    agent_id=agent_id,
                    data={"resolution_code": "resolved"},
                )
            record.resolved += 1

        def took(agent_id: int, ticket_id: int, book: dict[int, int]) -> None:
            previous = record.accepted.get(ticket_id) or record.pulled.get(ticket_id)
            if previous is not None:
                record.double.append((ticket_id, previous, agent_id))
            book[ticket_id] = agent_id

        async def answer(agent_id: int, offer_id: int) -> None:
            await asyncio.sleep(rng.uniform(0, 0.05))  # reading the offer
            roll = rng.random()
            if roll < 0.65:
                try:
                    async with pool.connection() as conn, conn.transaction():
                        ticket = await accept_locked(conn, offer_id, agent_id, datetime.now(UTC), None)
                except Problem as exc:
                    record.outcomes[f"accept refused ({exc.extra.get('outcome', exc.status)})"] += 1
                    return
                took(agent_id, ticket.id, record.accepted)
                await resolve(agent_id, ticket.id)
            elif roll < 0.8:
                async with pool.connection() as conn:
                    ok = await ticket_offers.reject(conn, offer_id, agent_id, datetime.now(UTC))
                record.outcomes["rejected" if ok else "reject refused"] += 1
            else:
                record.outcomes["ignored"] += 1  # it times out

        async def agent(agent_id: int) -> None:
            work: set[asyncio.Task[None]] = set()
            while not done.is_set():
                try:
                    offer_id = await asyncio.wait_for(inbox[agent_id].get(), 0.2)
                except TimeoutError:
                    # Now and then an agent pulls work instead of waiting for an offer.
                    if agent_id % 7 == 0 and agent_id not in offline and rng.random() < 0.3:
                        async with pool.connection() as conn:
                            pulled = await tickets.claim_next_routed(conn, agent_id, datetime.now(UTC))
                        if pulled is not None:
                            took(agent_id, pulled.id, record.pulled)
                            work.add(asyncio.create_task(resolve(agent_id, pulled.id)))
                    continue
                work.add(asyncio.create_task(answer(agent_id, offer_id)))
            await asyncio.gather(*work)

        async def chaos() -> None:
            while not done.is_set():
                await asyncio.sleep(0.05)
                leaving = rng.choice(agent_ids)
                if leaving in offline:
                    continue
                offline.add(leaving)
                async with pool.connection() as conn, conn.transaction():
                    await agents.set_presence(conn, leaving, rng.choice(["offline", "away"]))
                await asyncio.sleep(rng.uniform(0.1, 0.4))
                async with pool.connection() as conn, conn.transaction():
                    await agents.set_presence(conn, leaving, "available")
                offline.discard(leaving)

        async def monitor() -> None:
            async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
                while not done.is_set():
                    cur = await conn.execute(OVER_CAPACITY)
                    record.over_capacity.extend(await cur.fetchall())
                    cur = await conn.execute("SELECT count(*) FROM tickets WHERE status <> 'resolved'")
                    row = await cur.fetchone()
                    if (row and row[0] == 0) or time.monotonic() > deadline:
                        done.set()
                    await asyncio.sleep(0.02)

        listening = asyncio.create_task(listener())
        await asyncio.gather(monitor(), chaos(), *(agent(a) for a in agent_ids))
        # The routers stop before the listener does, so every offer they made is heard.
        await asyncio.to_thread(stop_routers, routers)
        await asyncio.sleep(0.5)
        listening.cancel()


def test_routers_never_double_assign_or_exceed_capacity(database_url: str, db, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    agent_ids = []
    for n in range(AGENTS):
        queues = ["general"] + (["cards"] if n % 2 else []) + (["disputes_fraud"] if n % 5 == 0 else [])
        agent_ids.append(
            rows.agent(db, queues, skills={"fraud": rng.randint(1, 5)}, capacity=CAPACITY, name=f"a{n}")
        )
    now = datetime.now(UTC) - timedelta(minutes=5)
    per_batch = TICKETS // 10
    for batch in range(10):
        rows.tickets(
            db,
            per_batch,
            queue=["general", "cards", "disputes_fraud"][batch % 3],
            channel=["email", "chat", "phone", "web", "mobile"][batch % 5],
            priority=1 + batch % 4,
            queued_at=now + timedelta(seconds=batch),
        )
    policies = tmp_path / "routing.yaml"
    policies.write_text(
        "offer_timeout_s: 4\nqueues:\n  disputes_fraud:\n    skills: {fraud: 3}\n"
        "    steps:\n      - {after_s: 600, drop_skills: [fraud], also_queues: [general]}\n"
    )
    routers = start_routers(database_url, policies)
    record = Record()
    try:
        asyncio.run(simulate(database_url, agent_ids, record, time.monotonic() + RUN_S, routers))
    finally:
        stop_routers(routers)
    errors = [router.communicate()[1].decode() for router in routers]
    assert all(router.returncode == 0 for router in routers), errors

    async def expire_rest() -> int:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            return await ticket_offers.expire_due(conn, datetime.now(UTC) + timedelta(hours=1), limit=100_000)

    asyncio.run(expire_rest())

    assert record.double == []
    assert record.over_capacity == []
    statuses = dict(db.execute("SELECT status, count(*) FROM tickets GROUP BY status").fetchall())
    assert set(statuses) <= {"resolved", "claimed", "answered", "queued"}, statuses
    assert sum(statuses.values()) == TICKETS
    assert statuses.get("resolved", 0) == record.resolved
    # Every ticket claimed at most once, and by the agent the simulation saw take it.
    claims = db.execute(
        "SELECT ticket_id, array_agg(agent_id) FROM ticket_events WHERE type = 'claimed' GROUP BY ticket_id"
    ).fetchall()
    assert all(len(agents_) == 1 for _, agents_ in claims)
    assert {t: a[0] for t, a in claims} == {**record.accepted, **record.pulled}
    # No offer lost: each was announced to its agent and ended accepted or missed, with its event.
    offers = dict(db.execute("SELECT id, agent_id FROM ticket_offers").fetchall())
    assert offers and record.notified == offers
    outcomes = Counter(o for (o,) in db.execute("SELECT outcome FROM ticket_offers").fetchall())
    assert None not in outcomes
    # Accepted: each one a claim that names its offer (an agent may also pull a ticket offered to them).
    (via_offer,) = db.execute(
        "SELECT count(*) FROM ticket_events WHERE type = 'claimed' AND data ? 'offer_id'"
    ).fetchone()
    assert outcomes["accepted"] == via_offer >= len(record.accepted)
    (missed,) = db.execute("SELECT count(*) FROM ticket_events WHERE type = 'offer_missed'").fetchone()
    assert missed == outcomes["rejected"] + outcomes["timed_out"] + outcomes["withdrawn"]
    assert min(outcomes["rejected"], outcomes["timed_out"], outcomes["withdrawn"], len(record.pulled)) > 0
    per_agent = defaultdict(int)
    for agent_id in record.accepted.values():
        per_agent[agent_id] += 1
    print(
        f"\nstatuses {statuses}; offers {dict(outcomes)}; sim {dict(record.outcomes)}; "
        f"pulled {len(record.pulled)}; agents used {len(per_agent)}"
    )
