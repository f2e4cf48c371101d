"""Occupancy from the daily rollup equals the live computation, on generated data: spans crossing
the centre's midnight, transfers, wrap-ups, open segments and open presence intervals, in a zone
without daylight saving and one that changes its clocks inside the period."""

import asyncio
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.types.json import Jsonb

from services.metrics import follower, occupancy_rollup, occupancy_source
from services.metrics.occupancy import Occupancy, Share
from tests.integration.test_kpi_scenarios import ticket
from tests.integration.test_metrics_service import catch_up, make_agent, make_customer

pytestmark = pytest.mark.integration

# Ten days around Europe/London's change to summer time (31 March 2024).
START = datetime(2024, 3, 26, tzinfo=UTC)
DAYS = 10
QUEUES = ["cards", "general"]


def _generate(db: psycopg.Connection, rng: random.Random) -> list[int]:
    """Four agents serving a queue or both, shifts of presence (the last left open), and tickets
    handled by them, some over midnight, some transferred, some with a wrap-up, some still open."""
    agents = [make_agent(db, f"Agent {i}") for i in range(4)]
    for i, agent in enumerate(agents):
        for queue in QUEUES[: 1 + i % 2]:
            db.execute(
                "INSERT INTO agent_queues (agent_id, queue_id) SELECT %s, id FROM queues WHERE name = %s",
                (agent, queue),
            )
        db.execute("DELETE FROM agent_presence_intervals WHERE agent_id = %s", (agent,))
        at = START - timedelta(hours=rng.uniform(0, 30))
        while at < START + timedelta(days=DAYS):
            state = rng.choice(["available", "available", "away", "offline"])
            end = at + timedelta(minutes=rng.uniform(20, 600))
            db.execute(
                "INSERT INTO agent_presence_intervals (agent_id, presence, started_at, ended_at)"
                " VALUES (%s, %s, %s, %s)",
                (agent, state, at, end),
            )
            at = end
        db.execute(
            "INSERT INTO agent_presence_intervals (agent_id, presence, started_at)"
            " VALUES (%s, 'available', %s)",
            (agent, at),
        )
    tickets = []
    for _ in range(120):
        start = START + timedelta(seconds=rng.uniform(0, DAYS * 86400))
        a, b = rng.sample(agents, 2)
        queue = rng.choice(QUEUES)
        # Mostly minutes; one in five several hours (over the centre's midnight now and then).
        held = rng.uniform(60, 1800) if rng.random() < 0.8 else rng.uniform(3600, 20 * 3600)
        steps: list[tuple] = [
            (0, "created"),
            (0, "routed", None, queue),
            (10, "claimed", a),
            (20, "answered", a),
        ]
        kind = rng.random()
        if kind < 0.15:  # still open: runs until now
            pass
        elif kind < 0.35:  # transferred to another agent
            steps += [(20 + held, "transferred", a), (40 + held, "claimed", b), (60 + held, "answered", b),
                      (60 + 2 * held, "resolved", b)]  # fmt: skip
        else:
            steps.append((20 + held, "resolved", a))
            if rng.random() < 0.4:
                steps.append((20 + held, "wrap_up_started", a, None, {"limit_s": rng.choice([30, 120, 600])}))
                if rng.random() < 0.7:
                    steps.append((20 + held + rng.uniform(5, 300), "wrap_up_ended", a))
        channel = rng.choice(["chat", "phone", "email"])
        found = ticket(db, channel, make_customer(db), start, steps)
        if kind < 0.15:
            db.execute(
                "UPDATE tickets SET status = 'answered', assigned_agent_id = %s WHERE id = %s", (a, found)
            )
        tickets.append(found)
    return tickets


def _shares(found: Occupancy) -> dict[str, dict[object, tuple[float, float]]]:
    def of(shares: dict[object, Share]) -> dict[object, tuple[float, float]]:
        return {k: (s.handling_s, s.available_s) for k, s in shares.items()}

    return {
        "overall": {None: (found.overall.handling_s, found.overall.available_s)},
        "by_agent": of(dict(found.by_agent)),
        "by_queue": of(dict(found.by_queue)),
        "by_channel": of(dict(found.by_channel)),
    }


async def _compare(database_url: str, zone: ZoneInfo, periods: list[tuple[datetime, datetime]]) -> int:
    """Asserts both paths agree over each period; returns how many rollup days were ready."""
    now = datetime.now(UTC)
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        cur = await conn.execute("SELECT count(*) FROM occupancy_days WHERE computed_until IS NOT NULL")
        ready = (await cur.fetchone())[0]
        for start, end in periods:
            live = _shares(await occupancy_source.read(conn, start, end, now))
            rolled = _shares(await occupancy_rollup.read(conn, start, end, now, zone))
            assert rolled.keys() == live.keys()
            for part, shares in live.items():
                assert rolled[part].keys() == shares.keys(), (part, start, end)
                for key, (handling_s, available_s) in shares.items():
                    expected = pytest.approx((handling_s, available_s), rel=1e-12, abs=1e-6)
                    assert rolled[part][key] == expected, (part, key, start, end)
        return ready


@pytest.mark.parametrize("zone_name", ["Asia/Riyadh", "Europe/London"])
def test_the_rollup_gives_the_live_figures(db, database_url, zone_name):
    zone = ZoneInfo(zone_name)
    rng = random.Random(zone_name)
    tickets = _generate(db, rng)
    end = START + timedelta(days=DAYS)
    periods = [
        (START - timedelta(days=2), end + timedelta(days=2)),  # whole days and more
        (START + timedelta(hours=5, minutes=17), end - timedelta(hours=7)),  # partial first and last days
        (START + timedelta(days=3, hours=2), START + timedelta(days=3, hours=9)),  # within one day
        (START + timedelta(days=4), datetime.now(UTC) + timedelta(days=1)),  # to past now
    ]
    asyncio.run(follower.rebuild_database(database_url, 50, zone=zone))
    assert asyncio.run(_compare(database_url, zone, periods)) >= DAYS

    # A transfer into the other queue, days later: the ticket's earlier days move with it.
    moved = tickets[0]
    last = db.execute("SELECT max(occurred_at) FROM ticket_events WHERE ticket_id = %s", (moved,)).fetchone()[
        0
    ]
    agent = db.execute("SELECT min(id) FROM agents").fetchone()[0]
    for seconds, kind in [
        (86400 * 2, "transferred"),
        (86400 * 2 + 60, "answered"),
        (86400 * 2 + 900, "resolved"),
    ]:
        db.execute(
            "INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, data)"
            " VALUES (%s, %s, %s, %s, %s)",
            (moved, kind, last + timedelta(seconds=seconds), agent, Jsonb({})),
        )
    db.execute(
        "UPDATE tickets SET queue_id = (SELECT id FROM queues WHERE name = 'general'),"
        " status = 'resolved' WHERE id = %s",
        (moved,),
    )

    catch_up(database_url, zone=zone)

    async def compute_due() -> None:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            while await follower.compute_occupancy_days(conn, 10, zone=zone):
                pass

    asyncio.run(compute_due())
    assert asyncio.run(_compare(database_url, zone, periods)) >= DAYS
