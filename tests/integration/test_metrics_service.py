"""The metrics service over real gRPC and PostgreSQL: KPIs from scripted events, computed by hand."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import psycopg
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from psycopg.types.json import Jsonb
from ticketing.v1 import common_pb2, metrics_pb2, metrics_pb2_grpc

from services.metrics import follower
from services.metrics.store import Position
from services.shared import grpc_channels
from tests.fixtures import internal_grpc

pytestmark = pytest.mark.integration

DEADLINE_S = 5
T0 = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)
MARCH = (datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
# The queue and handling figures this file works out; tests/integration/test_kpi_scenarios.py has
# the rest (fcr, csat, quality, volumes).
FIGURES = [
    "offered", "answered", "abandoned", "waiting", "self_served", "asa_s", "avg_wait_s",
    "service_level", "abandonment_rate", "aht_s", "resolved",
]  # fmt: skip


# --- arranging rows with plain SQL --------------------------------------------------------------


def make_agent(db: psycopg.Connection, name: str) -> int:
    return db.execute("INSERT INTO agents (name) VALUES (%s) RETURNING id", (name,)).fetchone()[0]


def make_customer(db: psycopg.Connection) -> int:
    return db.execute("INSERT INTO customers (display_name) VALUES ('A customer') RETURNING id").fetchone()[0]


def make_ticket(
    db: psycopg.Connection,
    channel: str,
    queue: str,
    created_at: datetime,
    *,
    status: str = "resolved",
    agent: int | None = None,
    queued_at: datetime | None = None,
    answered_at: datetime | None = None,
    last_event_at: datetime | None = None,
) -> int:
    """A ticket with every NOT NULL column filled; the metrics service reads only a few of them."""
    customer = make_customer(db)
    return db.execute(
        """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status,
               priority, body, routed_by, assigned_agent_id, created_at, queued_at, answered_at,
               last_event_at)
           VALUES (%s, gen_random_uuid()::text, '\\x00', %s, (SELECT id FROM queues WHERE name = %s), %s,
               2, 'My card has not arrived', 'classifier', %s, %s, %s, %s, %s)
           RETURNING id""",
        (channel, customer, queue, status, agent, created_at, queued_at, answered_at,
         last_event_at or created_at),
    ).fetchone()[0]  # fmt: skip


def add_event(
    db: psycopg.Connection,
    ticket: int,
    kind: str,
    at: datetime,
    agent: int | None = None,
    queue: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    db.execute(
        """INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, queue_id, data)
           VALUES (%s, %s, %s, %s, (SELECT id FROM queues WHERE name = %s), %s)""",
        (ticket, kind, at, agent, queue, Jsonb(data or {})),
    )


def scripted(
    db: psycopg.Connection, channel: str, start: datetime, steps: list[tuple], status: str = "resolved"
) -> int:
    """A ticket created at `start` whose events are (seconds after start, type[, agent[, queue]])."""
    routed_to = next(step[3] for step in steps if step[1] == "routed")
    ticket = make_ticket(db, channel, routed_to, start, status=status)
    for seconds, kind, *rest in steps:
        agent, queue = ([*rest, None, None])[:2]
        data = {"level": 1} if kind == "escalated" else None
        add_event(db, ticket, kind, start + timedelta(seconds=seconds), agent, queue, data)
    return ticket


def march_scenario(db: psycopg.Connection) -> None:
    """Ten tickets; the expected figures below are worked out from these steps by hand."""
    a1, a2 = make_agent(db, "Amal"), make_agent(db, "Badr")
    # Phone: answered in 10 s, handled 240 s.
    scripted(db, "phone", T0, [(0, "created"), (0, "routed", None, "cards"), (5, "claimed", a1),
                              (10, "answered", a1), (250, "resolved", a1)])  # fmt: skip
    # Phone: answered in 30 s, transferred: segments 130..190 and 215..335 = 180 s.
    scripted(db, "phone", T0 + timedelta(seconds=100), [
        (0, "created"), (0, "routed", None, "cards"), (20, "claimed", a1), (30, "answered", a1),
        (90, "transferred", a1, "general"), (100, "claimed", a2), (115, "answered", a2),
        (235, "resolved", a2)])  # fmt: skip
    # Phone: abandoned after 12 s; and after 2 s (a short abandonment).
    scripted(db, "phone", T0 + timedelta(seconds=200),
             [(0, "created"), (0, "routed", None, "cards"), (12, "abandoned")], "abandoned")  # fmt: skip
    scripted(db, "phone", T0 + timedelta(seconds=300),
             [(0, "created"), (0, "routed", None, "cards"), (2, "abandoned")], "abandoned")  # fmt: skip
    # Chat: escalated while waiting, answered in 150 s, handled 150 s, reopened, handled 60 s more.
    scripted(db, "chat", T0, [
        (0, "created"), (0, "routed", None, "general"), (130, "escalated", None, "general"),
        (140, "claimed", a1), (150, "answered", a1), (300, "resolved", a1),
        (1000, "reopened", None, "general"), (1010, "claimed", a2), (1020, "answered", a2),
        (1080, "resolved", a2)])  # fmt: skip
    # Chat: still waiting.
    scripted(
        db, "chat", T0 + timedelta(seconds=500), [(0, "created"), (0, "routed", None, "general")], "queued"
    )
    # Email: answered by the FAQ, never asked for a human.
    scripted(db, "email", T0 + timedelta(seconds=10),
             [(0, "created"), (0, "routed", None, "general"), (0, "self_served")], "self_served")  # fmt: skip
    # Web: answered by the FAQ, asked for a human at +600, answered 3400 s later, handled 100 s.
    scripted(db, "web", T0 + timedelta(seconds=20), [
        (0, "created"), (0, "routed", None, "cards"), (0, "self_served"),
        (580, "human_requested", None, "general"), (680, "claimed", a1), (3980, "answered", a1),
        (4080, "resolved", a1)])  # fmt: skip
    # Mobile: queued in February (answered after 90 s, in March), resolved in March after 270 s.
    scripted(db, "mobile", datetime(2024, 2, 29, 23, 59, tzinfo=UTC), [
        (0, "created"), (0, "routed", None, "cards"), (10, "claimed", a1), (90, "answered", a1),
        (360, "resolved", a1)])  # fmt: skip
    # Email: queued in March, answered after 7200 s, resolved in April.
    start = T0 + timedelta(seconds=1000)
    april_2 = (datetime(2024, 4, 2, tzinfo=UTC) - start).total_seconds()
    scripted(db, "email", start, [(0, "created"), (0, "routed", None, "cards"), (7000, "claimed", a2),
                                  (7200, "answered", a2), (april_2, "resolved", a2)])  # fmt: skip


def figs(
    offered, answered, abandoned, waiting, self_served, asa_s, avg_wait_s, service_level,
    abandonment_rate, aht_s, resolved,
) -> dict[str, Any]:  # fmt: skip
    return dict(locals())


# Worked out by hand from march_scenario. Waits: phone 10, 30 (answered), 12, 2 (abandoned);
# chat 150 (answered), one waiting; web 3400; email 7200. Handling of tickets resolved in March:
# phone 240 and 180, chat 210, web 100, mobile 270.
EXPECTED_MARCH = {
    "phone": figs(4, 2, 2, 0, 0, (10 + 30) / 2, (10 + 30 + 12 + 2) / 4, 1 / 4, 2 / 4, (240 + 180) / 2, 2),
    "chat": figs(2, 1, 0, 1, 0, 150.0, 150.0, 0.0, 0.0, 210.0, 1),
    "email": figs(1, 1, 0, 0, 1, 7200.0, 7200.0, 1.0, 0.0, None, 0),
    "mobile": figs(0, 0, 0, 0, 0, None, None, None, None, 270.0, 1),
    "web": figs(1, 1, 0, 0, 0, 3400.0, 3400.0, 1.0, 0.0, 100.0, 1),
}
EXPECTED_MARCH_OVERALL = figs(
    8, 5, 2, 1, 1, (10 + 30 + 150 + 3400 + 7200) / 5, (10 + 30 + 150 + 3400 + 7200 + 12 + 2) / 7,
    3 / 7, 2 / 7, (240 + 180 + 210 + 100 + 270) / 5, 5,
)  # fmt: skip


# --- calling the service -------------------------------------------------------------------------


def stamp(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts


def get_kpis(
    addr: str, period: tuple[datetime, datetime] = MARCH, **fields: Any
) -> metrics_pb2.GetKpisResponse:
    request = metrics_pb2.GetKpisRequest(to=stamp(period[1]), **fields)
    getattr(request, "from").CopyFrom(stamp(period[0]))
    with grpc_channels.channel(addr, internal_grpc.CLIENT) as channel:
        return metrics_pb2_grpc.MetricsServiceStub(channel).GetKpis(request, timeout=DEADLINE_S)


def as_dict(f: metrics_pb2.KpiFigures) -> dict[str, Any]:
    """Unset optional fields (nothing to average) as None."""
    return {name: getattr(f, name) if _plain(name) or f.HasField(name) else None for name in FIGURES}


def _plain(name: str) -> bool:
    return not metrics_pb2.KpiFigures.DESCRIPTOR.fields_by_name[name].has_presence


def catch_up(database_url: str, timeout_s: float = 20.0, zone: ZoneInfo = follower.UTC_ZONE) -> None:
    """Runs follower passes (small batches, the rollups cut in `zone`) until the cursor has passed
    every committed event."""

    async def run() -> None:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            cur = await conn.execute(
                "SELECT e.tx::text, e.id FROM ticket_events e ORDER BY e.tx DESC, e.id DESC LIMIT 1"
            )
            row = await cur.fetchone()
            target = Position(int(row[0]), row[1]) if row else None
            deadline = time.monotonic() + timeout_s
            while True:
                await follower.follow_once(conn, batch_size=3, zone=zone)
                cur = await conn.execute("SELECT last_tx::text, last_id FROM metrics_cursor")
                tx, event_id = await cur.fetchone()
                if target is None or Position(int(tx), event_id) >= target:
                    return
                assert time.monotonic() < deadline, "the follower did not catch up"
                await asyncio.sleep(0.05)

    asyncio.run(run())


def metrics_rows(db: psycopg.Connection) -> list[tuple]:
    """Every column but recomputed_at (when, not what)."""
    rows = db.execute("SELECT * FROM ticket_metrics ORDER BY ticket_id")
    names = [c.name for c in rows.description]
    return [tuple(v for n, v in zip(names, row, strict=True) if n != "recomputed_at") for row in rows]


# --- tests ----------------------------------------------------------------------------------------


def test_kpis_match_hand_computed_figures_overall_and_per_channel(db, database_url, metrics_addr):
    march_scenario(db)
    catch_up(database_url)

    response = get_kpis(metrics_addr)

    assert as_dict(response.overall) == pytest.approx(EXPECTED_MARCH_OVERALL)
    assert sorted(response.by_channel) == sorted(EXPECTED_MARCH)
    for channel, expected in EXPECTED_MARCH.items():
        assert as_dict(response.by_channel[channel]) == pytest.approx(expected), channel
    assert response.formula_version
    assert response.HasField("recorded_through")


def test_short_abandonments_and_one_threshold_for_all(db, database_url, metrics_addr):
    march_scenario(db)
    catch_up(database_url)

    short = get_kpis(metrics_addr, short_abandon_s=5)
    # The 2 s abandonment is left out; the 12 s one stays.
    assert as_dict(short.by_channel["phone"]) == pytest.approx(
        figs(3, 2, 1, 0, 0, 20.0, (10 + 30 + 12) / 3, 1 / 3, 1 / 3, 210.0, 2)
    )
    overall = as_dict(short.overall)
    assert (overall["offered"], overall["abandoned"]) == (7, 1)
    assert overall["avg_wait_s"] == pytest.approx((10 + 30 + 150 + 3400 + 7200 + 12) / 6)
    assert (overall["service_level"], overall["abandonment_rate"]) == pytest.approx((3 / 6, 1 / 6))

    one = get_kpis(metrics_addr, sl_threshold_s=200)
    # In time within 200 s: phone 10 and 30, chat 150; not web 3400 nor email 7200.
    assert one.overall.service_level == pytest.approx(3 / 7)
    levels = {c: f.service_level if f.HasField("service_level") else None for c, f in one.by_channel.items()}
    assert levels == pytest.approx({"phone": 2 / 4, "chat": 1.0, "email": 0.0, "mobile": None, "web": 0.0})


def test_channel_queue_and_period_filters(db, database_url, metrics_addr):
    march_scenario(db)
    catch_up(database_url)

    chat = get_kpis(metrics_addr, channel=common_pb2.CHANNEL_CHAT)
    assert list(chat.by_channel) == ["chat"]
    assert as_dict(chat.overall) == pytest.approx(EXPECTED_MARCH["chat"])

    # Last queued in `general`: the transferred phone call, both chats, the web ticket handed to a
    # human, and the self-served e-mail (routed there at intake).
    # Waits 30 + 150 + 3400 = 3580; only the web answer is in time.
    general = get_kpis(metrics_addr, queue="general")
    assert as_dict(general.overall) == pytest.approx(
        figs(
            4, 3, 0, 1, 1, (30 + 150 + 3400) / 3, (30 + 150 + 3400) / 3, 1 / 3, 0.0, (180 + 210 + 100) / 3, 3
        )
    )

    # February: only the mobile ticket, queued on the 29th; its resolution on 1 March is not in it.
    february = get_kpis(metrics_addr, (datetime(2024, 2, 1, tzinfo=UTC), MARCH[0]))
    assert as_dict(february.overall) == pytest.approx(figs(1, 1, 0, 0, 0, 90.0, 90.0, 1.0, 0.0, None, 0))


def test_same_events_twice_and_a_rebuild_give_identical_figures(db, database_url, metrics_addr):
    march_scenario(db)
    catch_up(database_url)
    first, rows = get_kpis(metrics_addr), metrics_rows(db)

    db.execute("UPDATE metrics_cursor SET last_tx = '0', last_id = 0")
    catch_up(database_url)
    again = get_kpis(metrics_addr)

    written = asyncio.run(follower.rebuild_database(database_url, batch_size=4))
    rebuilt = get_kpis(metrics_addr)

    assert written == 10
    for response in (again, rebuilt):
        assert response.overall == first.overall
        assert dict(response.by_channel) == dict(first.by_channel)
    assert as_dict(rebuilt.overall) == pytest.approx(EXPECTED_MARCH_OVERALL)
    assert metrics_rows(db) == rows


def test_an_event_whose_transaction_commits_late_is_not_lost(db, database_url, metrics_addr):
    early = scripted(db, "phone", T0, [(0, "created"), (0, "routed", None, "cards")], "queued")
    later = scripted(db, "phone", T0, [(0, "created"), (0, "routed", None, "cards")], "queued")
    agent = make_agent(db, "Amal")
    catch_up(database_url)

    with psycopg.connect(database_url) as slow:  # a transaction left open
        add_event(slow, early, "answered", T0 + timedelta(seconds=10), agent)  # the smaller event id
        slow_tx = slow.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
        add_event(db, later, "answered", T0 + timedelta(seconds=20), agent)  # commits first
        for _ in range(3):
            asyncio.run(_one_pass(database_url))
        # The follower waits behind the open transaction instead of passing it.
        cursor_tx = db.execute("SELECT last_tx::text FROM metrics_cursor").fetchone()[0]
        assert int(cursor_tx) < int(slow_tx)
        slow.commit()

    catch_up(database_url)
    figures = as_dict(get_kpis(metrics_addr).overall)
    assert (figures["offered"], figures["answered"], figures["asa_s"]) == (2, 2, pytest.approx(15.0))


async def _one_pass(database_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await follower.follow_once(conn, batch_size=100)


def test_the_server_follows_by_itself_and_survives_lost_connections(db, metrics_addr):
    scripted(db, "chat", T0, [(0, "created"), (0, "routed", None, "general")], "queued")
    wait_for(lambda: get_kpis(metrics_addr).overall.offered == 1)

    # Every connection of the server is cut, as when PostgreSQL restarts.
    killed = db.execute(
        """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'metrics'"""
    ).fetchone()[0]
    assert killed >= 1
    scripted(db, "chat", T0, [(0, "created"), (0, "routed", None, "general")], "queued")

    wait_for(lambda: _offered_or_zero(metrics_addr) == 2)


def _offered_or_zero(addr: str) -> int:
    try:
        return get_kpis(addr).overall.offered
    except grpc.RpcError as exc:  # a request may meet a cut connection once
        assert exc.code() == grpc.StatusCode.UNAVAILABLE
        return 0


def wait_for(condition, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def counts(q: metrics_pb2.QueueFigures) -> tuple[int, ...]:
    return (q.waiting, q.in_progress, q.answered_today, q.abandoned_today)


def test_queue_figures_are_live_from_tickets(db, metrics_addr):
    now = db.execute("SELECT now()").fetchone()[0]
    agent = make_agent(db, "Amal")
    two_days_ago = now - timedelta(days=2)
    make_ticket(db, "phone", "cards", now - timedelta(seconds=100), status="queued",
                queued_at=now - timedelta(seconds=100))  # fmt: skip
    make_ticket(
        db,
        "chat",
        "cards",
        now - timedelta(seconds=40),
        status="queued",
        queued_at=now - timedelta(seconds=40),
    )
    make_ticket(db, "phone", "cards", now, status="claimed", agent=agent, queued_at=now)
    make_ticket(db, "phone", "cards", now, status="answered", agent=agent, queued_at=now, answered_at=now)
    make_ticket(db, "email", "general", now, status="resolved", queued_at=now, answered_at=now)
    make_ticket(db, "phone", "general", now, status="abandoned", queued_at=now)
    make_ticket(db, "phone", "general", two_days_ago, status="abandoned", queued_at=two_days_ago)
    make_ticket(db, "web", "general", two_days_ago, status="resolved", answered_at=two_days_ago)

    with grpc_channels.channel(metrics_addr, internal_grpc.CLIENT) as channel:
        stub = metrics_pb2_grpc.MetricsServiceStub(channel)
        every = stub.GetQueueFigures(metrics_pb2.GetQueueFiguresRequest(), timeout=DEADLINE_S)
        cards_only = stub.GetQueueFigures(
            metrics_pb2.GetQueueFiguresRequest(queue="cards"), timeout=DEADLINE_S
        )
        with pytest.raises(grpc.RpcError) as unknown:
            stub.GetQueueFigures(metrics_pb2.GetQueueFiguresRequest(queue="nope"), timeout=DEADLINE_S)

    found = {q.queue: q for q in every.queues}
    cards, general, triage = found["cards"], found["general"], found["triage"]
    assert (cards.waiting, cards.in_progress, cards.answered_today, cards.abandoned_today) == (2, 2, 1, 0)
    assert 100 <= cards.longest_wait_s < 130
    assert (general.waiting, general.in_progress, general.answered_today, general.abandoned_today) == (
        0,
        0,
        1,
        1,
    )
    assert not general.HasField("longest_wait_s")
    assert (triage.waiting, triage.in_progress, triage.answered_today, triage.abandoned_today) == (0, 0, 0, 0)
    assert [q.queue for q in cards_only.queues] == ["cards"]
    only = cards_only.queues[0]
    assert (only.waiting, only.in_progress, only.answered_today, only.abandoned_today) == (2, 2, 1, 0)
    assert every.as_of.ToDatetime(tzinfo=UTC) >= now
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    "period",
    [(MARCH[1], MARCH[0]), (MARCH[0], MARCH[0]), (MARCH[0], None), (None, MARCH[1])],
    ids=["reversed", "empty", "no-to", "no-from"],
)
def test_a_bad_period_is_invalid_argument(metrics_addr, period):
    request = metrics_pb2.GetKpisRequest()
    if period[0]:
        getattr(request, "from").CopyFrom(stamp(period[0]))
    if period[1]:
        request.to.CopyFrom(stamp(period[1]))
    with (
        grpc_channels.channel(metrics_addr, internal_grpc.CLIENT) as channel,
        pytest.raises(grpc.RpcError) as error,
    ):
        metrics_pb2_grpc.MetricsServiceStub(channel).GetKpis(request, timeout=DEADLINE_S)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_bad_parameters_and_unknown_queue(metrics_addr):
    for fields, code in [
        ({"sl_threshold_s": -1}, grpc.StatusCode.INVALID_ARGUMENT),
        ({"channel": 42}, grpc.StatusCode.INVALID_ARGUMENT),
        ({"queue": "no_such_queue"}, grpc.StatusCode.NOT_FOUND),
    ]:
        with pytest.raises(grpc.RpcError) as error:
            get_kpis(metrics_addr, **fields)
        assert error.value.code() == code, fields


def test_an_empty_period_has_zeros_and_nulls(metrics_addr):
    response = get_kpis(metrics_addr)
    assert as_dict(response.overall) == figs(0, 0, 0, 0, 0, None, None, None, None, None, 0)
    assert sorted(response.by_channel) == ["chat", "email", "mobile", "phone", "web"]


def test_health_is_serving(metrics_addr):
    with grpc_channels.channel(metrics_addr, internal_grpc.CLIENT) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "ticketing.v1.MetricsService"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=DEADLINE_S)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_is_off_by_default(metrics_addr):
    """Even a caller with the internal credential learns no service list (GRPC_REFLECTION=1 turns it on)."""
    with (
        grpc_channels.channel(metrics_addr, internal_grpc.CLIENT) as channel,
        pytest.raises(grpc.RpcError) as error,
    ):
        list(
            reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=DEADLINE_S
            )
        )
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
