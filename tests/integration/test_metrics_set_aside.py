"""Poison events written straight into ticket_events: the real follower sets them aside with the reason
and counts everything else, exactly once, as following and rebuilding agree (real PostgreSQL, gRPC)."""

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from ticketing.v1 import metrics_pb2, metrics_pb2_grpc

from services.metrics import follower
from services.shared import grpc_channels
from tests.fixtures import internal_grpc
from tests.fixtures.metrics_server import MetricsEndpoints
from tests.integration.test_metrics_service import (
    DEADLINE_S,
    T0,
    add_event,
    as_dict,
    catch_up,
    get_kpis,
    make_agent,
    metrics_rows,
    scripted,
)

pytestmark = pytest.mark.integration

YEAR_1 = datetime(1, 1, 1, tzinfo=UTC)


def set_aside_rows(db: psycopg.Connection) -> list[tuple[int, int, str]]:
    return db.execute("SELECT event_id, ticket_id, reason FROM event_set_aside ORDER BY event_id").fetchall()


def event_ids(db: psycopg.Connection, ticket: int) -> list[int]:
    return [
        r[0] for r in db.execute("SELECT id FROM ticket_events WHERE ticket_id = %s ORDER BY id", (ticket,))
    ]


def status(addr: str) -> metrics_pb2.GetFollowerStatusResponse:
    with grpc_channels.channel(addr, internal_grpc.CLIENT) as channel:
        return metrics_pb2_grpc.MetricsServiceStub(channel).GetFollowerStatus(
            metrics_pb2.GetFollowerStatusRequest(), timeout=DEADLINE_S
        )


def listed(addr: str, **fields) -> list[tuple[int, int, str]]:
    with grpc_channels.channel(addr, internal_grpc.CLIENT) as channel:
        reply = metrics_pb2_grpc.MetricsServiceStub(channel).ListSetAsideEvents(
            metrics_pb2.ListSetAsideEventsRequest(**fields), timeout=DEADLINE_S
        )
    return [(e.event_id, e.ticket_id, e.reason) for e in reply.events]


def prometheus(endpoints: MetricsEndpoints) -> dict[str, float]:
    """Unlabelled samples by name."""
    text = httpx.get(f"{endpoints.http_url}/metrics", timeout=10).text
    return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples if not s.labels}


def rollups(db: psycopg.Connection) -> list[list[tuple]]:
    return [
        db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
        for table in ("kpi_daily", "kpi_monthly", "kpi_totals")
    ]


def answered_call(db: psycopg.Connection, agent: int, start: datetime) -> int:
    """A phone call answered after 20 s and resolved 100 s later."""
    return scripted(db, "phone", start, [(0, "created"), (0, "routed", None, "cards"), (10, "claimed", agent),
                                         (20, "answered", agent), (120, "resolved", agent)])  # fmt: skip


def test_a_ticket_dated_year_1_is_set_aside_and_later_tickets_are_counted(
    db, database_url, metrics_endpoints, caplog
):
    caplog.set_level(logging.ERROR, logger="services.metrics.follower")
    agent = make_agent(db, "Amal")
    # What intake accepted before it refused such dates: a phone inquiry created in the year 1.
    poison = scripted(db, "phone", YEAR_1, [(0, "created"), (0, "routed", None, "cards")], "queued")
    later = [answered_call(db, agent, T0 + timedelta(minutes=i)) for i in range(3)]

    catch_up(database_url)

    found = set_aside_rows(db)
    assert [(e, t) for e, t, _ in found] == [(e, poison) for e in event_ids(db, poison)]
    assert all(reason.startswith("OverflowError: ") for _, _, reason in found), found
    phone = as_dict(get_kpis(metrics_endpoints.addr).by_channel["phone"])
    assert (phone["offered"], phone["answered"], phone["resolved"]) == (3, 3, 3)
    assert phone["asa_s"] == pytest.approx(20.0) and phone["aht_s"] == pytest.approx(100.0)
    counted = {r[0] for r in db.execute("SELECT ticket_id FROM ticket_metrics")}
    assert counted == set(later)
    # One log line per set-aside event, with its id and the reason.
    lines = [r.getMessage() for r in caplog.records if "set aside" in r.getMessage()]
    assert sorted(lines) == sorted(
        f"follower: event {e} of ticket {t} set aside: {why}" for e, t, why in found
    )

    reply = status(metrics_endpoints.addr)
    assert (reply.events_behind, reply.set_aside, reply.stuck) == (0, 2, False)
    assert reply.oldest_unprocessed_age_s == 0.0
    assert listed(metrics_endpoints.addr) == found
    assert listed(metrics_endpoints.addr, after_id=found[0][0], limit=1) == found[1:]
    samples = prometheus(metrics_endpoints)
    assert samples["ticketing_metrics_events_set_aside_total"] == 2
    assert samples["ticketing_metrics_follower_lag_events"] == 0
    assert samples["ticketing_metrics_follower_stuck"] == 0


def test_bad_events_of_a_ticket_are_set_aside_alone_without_half_written_sums(db, database_url, metrics_addr):
    agent = make_agent(db, "Amal")
    ticket = scripted(db, "phone", T0, [(0, "created"), (0, "routed", None, "cards"), (10, "claimed", agent),
                                        (20, "answered", agent)], "resolved")  # fmt: skip
    # A score the timeline cannot read, and one the sums cannot hold (written after the ticket's
    # row in the same try, so that row must be rolled back with them); the resolution after both
    # must still be counted.
    add_event(db, ticket, "survey_answered", T0 + timedelta(seconds=30), data={"score": "lots"})
    add_event(db, ticket, "quality_evaluated", T0 + timedelta(seconds=40), agent, data={"score": 1e300})
    add_event(db, ticket, "resolved", T0 + timedelta(seconds=120), agent)
    other = answered_call(db, agent, T0 + timedelta(minutes=5))

    catch_up(database_url)

    found = set_aside_rows(db)
    survey_event, quality_event = event_ids(db, ticket)[4:6]
    assert [(e, t) for e, t, _ in found] == [(survey_event, ticket), (quality_event, ticket)]
    assert "double precision" in found[0][2] and "lots" in found[0][2]
    row = db.execute(
        "SELECT answered_at, resolved_at, handle_s, survey_score, quality_scores, last_event_id"
        " FROM ticket_metrics WHERE ticket_id = %s",
        (ticket,),
    ).fetchone()
    assert row[:5] == (T0 + timedelta(seconds=20), T0 + timedelta(seconds=120), 100.0, None, [])
    assert row[5] == event_ids(db, ticket)[-1]
    phone = as_dict(get_kpis(metrics_addr).by_channel["phone"])
    assert (phone["offered"], phone["answered"], phone["resolved"]) == (2, 2, 2)
    assert db.execute("SELECT 1 FROM ticket_metrics WHERE ticket_id = %s", (other,)).fetchone()

    # Following and rebuilding give the same rows and sums; the set-aside events stay so, keeping
    # their first time; a rebuild told to retry them sets the same ones aside again.
    followed, sums = metrics_rows(db), rollups(db)
    first_times = db.execute("SELECT event_id, set_aside_at FROM event_set_aside ORDER BY 1").fetchall()
    assert asyncio.run(follower.rebuild_database(database_url, batch_size=1)) == 2
    assert (metrics_rows(db), rollups(db)) == (followed, sums)
    assert (
        db.execute("SELECT event_id, set_aside_at FROM event_set_aside ORDER BY 1").fetchall() == first_times
    )
    asyncio.run(follower.rebuild_database(database_url, batch_size=10, retry_set_aside=True))
    assert (metrics_rows(db), rollups(db)) == (followed, sums)
    assert set_aside_rows(db) == found

    # The cursor reset: reading every event again changes nothing and sets nothing aside twice.
    db.execute("UPDATE metrics_cursor SET last_tx = '0', last_id = 0")
    catch_up(database_url)
    assert (metrics_rows(db), rollups(db), set_aside_rows(db)) == (followed, sums, found)


def test_a_rebuild_sets_aside_what_following_never_saw(db, database_url):
    agent = make_agent(db, "Amal")
    poison = scripted(db, "phone", YEAR_1, [(0, "created"), (0, "routed", None, "cards")], "queued")
    good = answered_call(db, agent, T0)

    assert asyncio.run(follower.rebuild_database(database_url, batch_size=1000)) == 1

    assert [(e, t) for e, t, _ in set_aside_rows(db)] == [(e, poison) for e in event_ids(db, poison)]
    assert [r[0] for r in db.execute("SELECT ticket_id FROM ticket_metrics")] == [good]


def test_a_fault_that_is_not_about_an_event_sets_nothing_aside(db, database_url):
    ticket = answered_call(db, make_agent(db, "Amal"), T0)
    # As after a deploy whose migration has not run: every ticket would fail alike.
    db.execute("ALTER TABLE ticket_metrics RENAME TO ticket_metrics_away")

    async def passes_until_the_event_is_read() -> None:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            # Passes read nothing while any transaction of the cluster older than the events is open.
            deadline = time.monotonic() + 20
            while not await follower.follow_once(conn, batch_size=100):
                assert time.monotonic() < deadline, "the follower never read the events"
                await asyncio.sleep(0.05)

    with pytest.raises(psycopg.errors.UndefinedTable):
        asyncio.run(passes_until_the_event_is_read())
    db.execute("ALTER TABLE ticket_metrics_away RENAME TO ticket_metrics")

    assert set_aside_rows(db) == []
    catch_up(database_url)
    assert [r[0] for r in db.execute("SELECT ticket_id FROM ticket_metrics")] == [ticket]
