"""Routing: offers and claims per second with 100 agents against a bare `SKIP LOCKED` claim loop, and
the time from a ticket being routed to its offer reaching an agent.

Offers are made by router passes (skills, languages, capacity), then every agent claims what they were
offered (`routing_claim`, as the console's accept does); the figure is tickets assigned per second
over both. Each run checks that no ticket was given to two agents (one `claimed` event per ticket).

Prints figures; asserts nothing about speed (machines differ). The floor is measured in the same run,
on the same database: the same agents and as many tickets, claimed by the same number of workers
with the original single-statement claim (`CLAIM_NEXT` below: no skills, no capacity, no offers).
Run: `.venv/bin/python -m pytest tests/benchmarks/bench_routing.py -m benchmark -s`.
"""

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from services.router.engine import EngineSettings, route_pass
from services.shared.routing.policy import parse
from services.shared.store import tickets
from tests.benchmarks import procwatch
from tests.benchmarks.conftest import size
from tests.benchmarks.results import Figure, Results
from tests.integration.router import rows

# Past pytest's default timeout on a busy machine (the sizes are full-size).
pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(1800)]

AGENTS = 100
TICKETS = size("TEST_BENCH_ROUTING_TICKETS", 5000, 200)
WORKERS = 2
# Room for every ticket: the figures are about deciding, not about agents being full.
CAPACITY = {"email": 3 * TICKETS // AGENTS}
LATENCY_TICKETS = size("TEST_BENCH_LATENCY_TICKETS", 500, 20)
# Tickets per second arriving while latency is measured: a busy contact centre's intake.
ARRIVALS_PER_S = 100
POLICIES = {
    "offer_timeout_s": 300,
    "queues": {"cards": {"skills": {"cards": 2}, "steps": [{"after_s": 60, "also_queues": ["general"]}]}},
}


def setup_agents(db: psycopg.Connection[Any]) -> list[int]:
    return [
        rows.agent(
            db,
            ["general", "cards"],
            skills={"cards": 1 + n % 5},
            languages=["en", "ar"][: 1 + n % 2],
            capacity=CAPACITY,
            name=f"a{n}",
        )
        for n in range(AGENTS)
    ]


def add_tickets(db: psycopg.Connection[Any], count: int) -> None:
    at = datetime.now(UTC) - timedelta(seconds=30)
    for n, queue in enumerate(("general", "cards")):
        rows.tickets(db, count // 2, queue=queue, channel="email", language=["en", "ar"][n], queued_at=at)


def clear(db: psycopg.Connection[Any]) -> None:
    """Everything held or offered is done: every agent has all their room again."""
    db.execute("UPDATE ticket_offers SET outcome = 'withdrawn', decided_at = now() WHERE outcome IS NULL")
    db.execute(
        "UPDATE tickets SET status = 'resolved', resolved_at = now(), answered_at = now() "
        "WHERE status <> 'resolved'"
    )


def in_threads(work: Any, count: int) -> float:
    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


# The floor: the pull claim that came before the router (docs/routing.md), the best waiting ticket
# of the agent's queues (priority, then age) in one statement; SKIP LOCKED lets concurrent claims
# pass over a ticket being taken.
CLAIM_NEXT = f"""
WITH next AS (
    SELECT id FROM tickets
    WHERE status = 'queued'
      AND queue_id IN (SELECT queue_id FROM agent_queues WHERE agent_id = %(agent_id)s)
    ORDER BY priority DESC, queued_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), t AS (
    UPDATE tickets SET status = 'claimed', assigned_agent_id = %(agent_id)s,
        last_event_at = greatest(last_event_at, %(at)s)
    FROM next WHERE tickets.id = next.id
    RETURNING tickets.*
), events AS (
    INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, queue_id, data)
    SELECT id, 'claimed', last_event_at, %(agent_id)s, queue_id, '{{}}' FROM t
)
SELECT {tickets.COLUMNS} FROM t JOIN queues q ON q.id = t.queue_id
"""


def claim_loop(database_url: str, agent_ids: list[int]) -> tuple[int, float]:
    claimed = [0] * WORKERS

    def work(worker: int) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            n = worker
            while True:
                row = conn.execute(CLAIM_NEXT, {"agent_id": agent_ids[n % AGENTS], "at": datetime.now(UTC)})
                if row.fetchone() is None:
                    return
                claimed[worker] += 1
                n += WORKERS

    elapsed = in_threads(work, WORKERS)
    return sum(claimed), elapsed


def router_passes(database_url: str) -> tuple[int, float]:
    engine = EngineSettings(parse(POLICIES))
    offered = [0] * WORKERS

    def work(worker: int) -> None:
        async def go() -> None:
            async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
                idle = 0
                while idle < 2:
                    result = await route_pass(conn, engine, datetime.now(UTC))
                    offered[worker] += result.offered
                    idle = 0 if result.offered else idle + 1

        asyncio.run(go())

    elapsed = in_threads(work, WORKERS)
    return sum(offered), elapsed


def claim_offers(database_url: str, agent_ids: list[int]) -> tuple[int, float]:
    """Every agent claims the tickets offered to them (the accept of the agent's console)."""
    claimed = [0] * WORKERS

    def work(worker: int) -> None:
        async def go() -> None:
            async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
                for agent_id in agent_ids[worker::WORKERS]:
                    while await tickets.claim_next_routed(conn, agent_id, datetime.now(UTC)) is not None:
                        claimed[worker] += 1

        asyncio.run(go())

    elapsed = in_threads(work, WORKERS)
    return sum(claimed), elapsed


def double_assignments(db: psycopg.Connection[Any], after_ticket: int = 0) -> int:
    """Tickets (of ids above `after_ticket`) claimed more than once, or offered to two agents at
    once: must be none."""
    (twice,) = db.execute(
        """SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE type = 'claimed' AND ticket_id > %s
                                 GROUP BY ticket_id HAVING count(*) > 1) AS t""",
        (after_ticket,),
    ).fetchone()
    (offered_twice,) = db.execute(
        """SELECT count(*) FROM (SELECT ticket_id FROM ticket_offers
                                 WHERE (outcome IS NULL OR outcome = 'accepted') AND ticket_id > %s
                                 GROUP BY ticket_id HAVING count(*) > 1) AS t""",
        (after_ticket,),
    ).fetchone()
    return int(twice) + int(offered_twice)


def latency(database_url: str, policies: Path) -> list[float]:
    """A real router process; tickets arrive one by one; the agent side LISTENs for the offers."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ROUTING_POLICIES": str(policies),
        "LOG_LEVEL": "WARNING",
    }
    router = subprocess.Popen([sys.executable, "-m", "services.router"], env=env)
    routed: dict[int, float] = {}
    delivered: dict[int, float] = {}
    try:
        with (
            psycopg.connect(database_url, autocommit=True) as listen,
            psycopg.connect(database_url, autocommit=True) as db,
        ):
            listen.execute("LISTEN ticket_offers")
            time.sleep(1.0)  # the router is listening
            done = threading.Event()

            def hear() -> None:
                for note in listen.notifies(timeout=1.0):
                    payload = json.loads(note.payload)
                    if payload["state"] == "pending":
                        delivered[payload["ticket_id"]] = time.perf_counter()
                    if done.is_set() and len(delivered) >= len(routed):
                        return

            def heard_all() -> None:
                while not (done.is_set() and len(delivered) >= len(routed)):
                    hear()

            hearing = threading.Thread(target=heard_all)
            hearing.start()
            gap = 1 / ARRIVALS_PER_S
            for n in range(LATENCY_TICKETS):
                (ticket_id,) = rows.tickets(
                    db,
                    1,
                    queue=["general", "cards"][n % 2],
                    channel="email",
                    language=["en", "ar"][n % 2],
                    queued_at=datetime.now(UTC),
                )
                routed[ticket_id] = time.perf_counter()  # committed: the ticket is routed to its queue
                time.sleep(gap)
            done.set()
            hearing.join(30)
    finally:
        router.send_signal(signal.SIGTERM)
        router.wait(10)
    return [delivered[t] - routed[t] for t in routed if t in delivered]


def test_routing_decisions_per_second_and_offer_latency(
    database_url: str, db: Any, tmp_path: Path, bench_results: Results
) -> None:
    agent_ids = setup_agents(db)
    db.execute("UPDATE agents SET presence = 'available'")
    add_tickets(db, TICKETS)
    # The router's passes and the agents' claims run in this process's threads, as the claim loop.
    roles = {
        "router and agents (this process)": lambda: [os.getpid()],
        "postgres": procwatch.postgres_backends(db, conninfo_to_dict(database_url)["dbname"]),
    }
    with procwatch.watch(roles) as floor_watch:
        claims, claim_s = claim_loop(database_url, agent_ids)
    assert double_assignments(db) == 0
    clear(db)
    (last,) = db.execute("SELECT max(id) FROM tickets").fetchone()
    add_tickets(db, TICKETS)
    with procwatch.watch(roles) as route_watch:
        decisions, route_s = router_passes(database_url)
        accepted, accept_s = claim_offers(database_url, agent_ids)
    assert claims == decisions == accepted == TICKETS  # each did the whole job
    assert double_assignments(db, last) == 0
    floor = claims / claim_s
    rate = decisions / (route_s + accept_s)
    print(
        f"\nbare SKIP LOCKED claim loop: {claims} claims in {claim_s:.2f} s = {floor:,.0f}/s "
        f"({WORKERS} workers)"
        f"\nrouter (skills, languages, capacity, offers): {decisions} offers in {route_s:.2f} s = "
        f"{decisions / route_s:,.0f}/s; agents' claims of them {accept_s:.2f} s = "
        f"{accepted / accept_s:,.0f}/s "
        f"({WORKERS} workers)\nratio offer+claim / claim loop: {rate / floor:.2f}"
    )
    bench_results.add(
        Figure(
            f"routing: offers and claims, {AGENTS} agents",
            rate,
            "tickets/s",
            floor,
            "bare SKIP LOCKED claim loop",
            saturates=route_watch.saturates(),
            cpu=route_watch.percent,
            note=f"{TICKETS} tickets, {WORKERS} workers; offers {decisions / route_s:,.0f}/s, "
            f"claims {accepted / accept_s:,.0f}/s; double assignments 0 (checked); "
            f"floor saturates {floor_watch.saturates()}",
        )
    )
    clear(db)
    policies = tmp_path / "routing.yaml"
    policies.write_text(json.dumps(POLICIES))  # JSON is YAML
    waits = latency(database_url, policies)
    assert len(waits) == LATENCY_TICKETS
    cuts = statistics.quantiles(waits, n=100)
    print(
        f"routed -> offer delivered ({LATENCY_TICKETS} tickets at {ARRIVALS_PER_S}/s, one router process): "
        f"p50 {cuts[49] * 1e3:.1f} ms, p99 {cuts[98] * 1e3:.1f} ms"
    )
    bench_results.add(
        Figure(
            "routing: routed → offer delivered, p99",
            cuts[98] * 1e3,
            "ms",
            lower=True,
            note=f"{LATENCY_TICKETS} tickets at {ARRIVALS_PER_S}/s, one router process; "
            f"p50 {cuts[49] * 1e3:.1f} ms",
        )
    )
