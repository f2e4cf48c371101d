"""Routing passes against the real database: offers, capacity, timeouts, offline agents, widening."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from services.router.engine import EngineSettings, PassResult, route_pass
from services.shared.routing.policy import parse
from services.shared.store import agents, ticket_offers
from tests.integration.router import rows

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def settings(queues: dict[str, Any] | None = None, timeout_s: float = 30) -> EngineSettings:
    return EngineSettings(parse({"offer_timeout_s": timeout_s, "queues": queues or {}}), reoffer_after_s=60)


def run_pass(url: str, engine: EngineSettings, now: datetime) -> PassResult:
    async def go() -> PassResult:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            return await route_pass(conn, engine, now)

    return asyncio.run(go())


def pending(db: psycopg.Connection) -> list[tuple[int, int]]:
    return db.execute(
        "SELECT ticket_id, agent_id FROM ticket_offers WHERE outcome IS NULL ORDER BY ticket_id"
    ).fetchall()


def test_best_ticket_goes_to_the_most_proficient_agent_within_capacity(database_url: str, db) -> None:
    novice = rows.agent(db, ["cards"], skills={"cards": 2})
    expert = rows.agent(db, ["cards"], skills={"cards": 5})
    old = rows.tickets(db, 1, queue="cards", channel="phone", queued_at=T0)
    urgent = rows.tickets(
        db, 1, queue="cards", channel="phone", queued_at=T0 + timedelta(minutes=1), priority=4
    )
    newest = rows.tickets(db, 1, queue="cards", channel="phone", queued_at=T0 + timedelta(minutes=2))
    result = run_pass(database_url, settings({"cards": {"skills": {"cards": 1}}}), T0 + timedelta(minutes=3))
    # One phone call each: the urgent ticket to the expert, the oldest to the novice, the newest waits.
    assert result.offered == 2
    assert pending(db) == [(old[0], novice), (urgent[0], expert)]
    assert db.execute("SELECT status FROM tickets WHERE id = %s", (newest[0],)).fetchone() == ("queued",)
    events = db.execute(
        "SELECT ticket_id, agent_id FROM ticket_events WHERE type = 'offered' ORDER BY ticket_id"
    )
    assert events.fetchall() == [(old[0], novice), (urgent[0], expert)]
    # A second pass finds every agent full: nothing more is offered.
    assert run_pass(database_url, settings(), T0 + timedelta(minutes=3)).offered == 0


def test_an_offer_not_taken_in_time_goes_to_the_next_agent_and_is_recorded_missed(
    database_url: str, db
) -> None:
    first = rows.agent(db, ["general"])
    second = rows.agent(db, ["general"])
    db.execute("UPDATE agents SET last_assigned_at = now() WHERE id = %s", (second,))  # first idled longest
    (ticket,) = rows.tickets(db, 1, queued_at=T0)
    engine = settings(timeout_s=5)
    run_pass(database_url, engine, T0)
    assert pending(db) == [(ticket, first)]
    now = datetime.now(UTC)
    (expires_at,) = db.execute("SELECT expires_at FROM ticket_offers").fetchone()
    result = run_pass(database_url, engine, max(now, expires_at) + timedelta(seconds=1))
    assert result.expired == 1 and result.offered == 1
    assert pending(db) == [(ticket, second)]
    missed = db.execute(
        "SELECT agent_id, data ->> 'outcome' FROM ticket_events WHERE type = 'offer_missed'"
    ).fetchall()
    assert missed == [(first, "timed_out")]


def test_a_rejected_offer_goes_to_the_next_agent(database_url: str, db) -> None:
    first = rows.agent(db, ["general"])
    second = rows.agent(db, ["general"])
    (ticket,) = rows.tickets(db, 1, queued_at=T0)
    run_pass(database_url, settings(), T0)
    ((_, offered_to),) = pending(db)
    (offer_id,) = db.execute("SELECT id FROM ticket_offers").fetchone()

    async def reject() -> bool:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            return await ticket_offers.reject(conn, offer_id, offered_to, datetime.now(UTC))

    assert asyncio.run(reject())
    run_pass(database_url, settings(), datetime.now(UTC))
    assert pending(db) == [(ticket, second if offered_to == first else first)]


def test_an_agent_going_offline_gets_nothing_and_their_offers_go_back_at_once(database_url: str, db) -> None:
    leaving = rows.agent(db, ["general"])
    (ticket,) = rows.tickets(db, 1, queued_at=T0)
    run_pass(database_url, settings(), T0)
    assert pending(db) == [(ticket, leaving)]

    async def offline() -> None:
        async with (
            await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn,
            conn.transaction(),
        ):
            assert await agents.set_presence(conn, leaving, "offline") == "available"

    asyncio.run(offline())
    assert pending(db) == []
    assert db.execute("SELECT outcome FROM ticket_offers").fetchall() == [("withdrawn",)]
    assert run_pass(database_url, settings(), T0).offered == 0
    staying = rows.agent(db, ["general"])
    run_pass(database_url, settings(), T0)
    assert pending(db) == [(ticket, staying)]
    intervals = db.execute(
        "SELECT presence, ended_at IS NULL FROM agent_presence_intervals WHERE agent_id = %s ORDER BY id",
        (leaving,),
    ).fetchall()
    assert intervals == [("offline", False), ("available", False), ("offline", True)]


def test_steps_widen_who_is_eligible_as_the_ticket_waits(database_url: str, db) -> None:
    fraud_novice = rows.agent(db, ["disputes_fraud"], skills={"fraud": 1})
    cards_agent = rows.agent(db, ["cards"])
    arabic_only = rows.agent(db, ["disputes_fraud"], skills={"fraud": 5}, languages=["ar"])
    (ticket,) = rows.tickets(db, 1, queue="disputes_fraud", queued_at=T0, language="en")
    policy = {
        "disputes_fraud": {
            "skills": {"fraud": 3},
            "steps": [
                {"after_s": 120, "skills": {"fraud": 1}},
                {"after_s": 300, "drop_skills": ["fraud"], "also_queues": ["cards"]},
            ],
        }
    }
    engine = settings(policy)
    # Nobody at first: the expert does not speak English, the novice lacks proficiency.
    assert run_pass(database_url, engine, T0 + timedelta(seconds=60)).offered == 0
    assert run_pass(database_url, engine, T0 + timedelta(seconds=130)).offered == 1
    assert pending(db) == [(ticket, fraud_novice)]
    assert arabic_only and cards_agent  # eligible later only for the cards step
    step = db.execute("SELECT reason ->> 'step' FROM ticket_offers").fetchone()
    assert step == ("1",)


def test_widening_to_another_queue_and_overflow(database_url: str, db) -> None:
    cards_agent = rows.agent(db, ["cards"])
    general_agent = rows.agent(db, ["general"], presence="away")
    (ticket,) = rows.tickets(db, 1, queue="disputes_fraud", queued_at=T0)
    policy = {
        "disputes_fraud": {
            "steps": [{"after_s": 300, "also_queues": ["cards"]}],
            "overflow": {"after_s": 600, "queue": "general"},
        }
    }
    assert run_pass(database_url, settings(policy), T0 + timedelta(seconds=200)).offered == 0
    assert run_pass(database_url, settings(policy), T0 + timedelta(seconds=310)).offered == 1
    assert pending(db) == [(ticket, cards_agent)]
    db.execute("UPDATE ticket_offers SET outcome = 'withdrawn', decided_at = now()")
    db.execute("UPDATE agents SET presence = 'offline' WHERE id = %s", (cards_agent,))
    result = run_pass(database_url, settings(policy), T0 + timedelta(seconds=700))
    assert result.overflowed == 1
    assert db.execute(
        "SELECT q.name FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.id = %s", (ticket,)
    ).fetchone() == ("general",)
    assert general_agent  # away: still nothing offered
    assert result.offered == 0
