"""Occupancy through the real metrics service: the KPI report's and the live figures', by hand."""

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from ticketing.v1 import metrics_pb2, metrics_pb2_grpc

from services.shared import grpc_channels
from tests.fixtures import internal_grpc
from tests.integration.test_kpi_scenarios import ticket
from tests.integration.test_metrics_service import DEADLINE_S, catch_up, get_kpis, make_agent, make_customer

pytestmark = pytest.mark.integration

T = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
DAY = (datetime(2024, 3, 4, tzinfo=UTC), datetime(2024, 3, 5, tzinfo=UTC))


def _agent(db: psycopg.Connection, name: str, available: list[tuple[datetime, datetime | None]]) -> int:
    """An agent serving `cards`, available now, whose only presence intervals are `available`."""
    agent = make_agent(db, name)
    db.execute("UPDATE agents SET presence = 'available' WHERE id = %s", (agent,))
    db.execute(
        "INSERT INTO agent_queues (agent_id, queue_id) SELECT %s, id FROM queues WHERE name = 'cards'",
        (agent,),
    )
    db.execute("DELETE FROM agent_presence_intervals WHERE agent_id = %s", (agent,))
    for start, end in available:
        db.execute(
            """INSERT INTO agent_presence_intervals (agent_id, presence, started_at, ended_at)
               VALUES (%s, 'available', %s, %s)""",
            (agent, start, end),
        )
    return agent


def test_two_chats_at_once_and_a_wrap_up_in_the_kpi_report(db, database_url, metrics_addr):
    # Amal is available 08:00-09:00. Chat 1: answered 08:10, resolved 08:40, wrap-up ended at
    # 08:40:30 (limit 60 s). Chat 2: answered 08:20, resolved 08:50. Busy 08:10-08:50 once (the chats
    # overlap; the wrap-up lies inside chat 2): 40 of 60 minutes = 0.6667, not (30.5 + 30) / 60.
    # Handling: chat 1 1800 + 30 s wrap-up, chat 2 1800 s: AHT 1815 s (talk + after-contact work).
    amal = _agent(db, "Amal", [(T, T + timedelta(hours=1))])
    wrap = {"limit_s": 60}
    ticket(db, "chat", make_customer(db), T, [(0, "created"), (0, "routed", None, "cards"),
        (300, "claimed", amal), (600, "answered", amal), (2400, "resolved", amal),
        (2400, "wrap_up_started", amal, None, wrap), (2430, "wrap_up_ended", amal)])  # fmt: skip
    ticket(db, "chat", make_customer(db), T, [(0, "created"), (0, "routed", None, "cards"),
        (900, "claimed", amal), (1200, "answered", amal), (3000, "resolved", amal)])  # fmt: skip
    catch_up(database_url)

    response = get_kpis(metrics_addr, DAY)

    assert response.overall.occupancy == pytest.approx(40 / 60)
    assert response.overall.aht_s == pytest.approx(1815)
    assert response.by_queue["cards"].occupancy == pytest.approx(40 / 60)
    assert response.by_channel["chat"].occupancy == pytest.approx(40 / 60)
    assert response.by_agent[amal].occupancy == pytest.approx(40 / 60)
    # Nobody handled phone calls: 0 of the hour Amal could have taken them.
    assert response.by_channel["phone"].occupancy == 0
    assert response.formula_version == "kpis-3"
    # A day with nobody available has no occupancy at all (null, not 0).
    empty = get_kpis(metrics_addr, (DAY[1], DAY[1] + timedelta(days=1)))
    assert not empty.overall.HasField("occupancy")


def test_live_figures_carry_todays_occupancy_per_agent_and_queue(db, metrics_addr):
    now = datetime.now(UTC)
    if now - now.replace(hour=0, minute=0, second=0, microsecond=0) < timedelta(minutes=40):
        pytest.skip("the half hour below must fall after the centre's (UTC) midnight")
    # Available for the last 30 minutes and still; a call answered 20 minutes ago is still open:
    # busy 20 of 30 minutes (both grow with the clock, by well under a percent during the test).
    badr = _agent(db, "Badr", [(now - timedelta(minutes=30), None)])
    held = ticket(db, "phone", make_customer(db), now - timedelta(minutes=25), [(0, "created"),
        (0, "routed", None, "cards"), (240, "claimed", badr), (300, "answered", badr)])  # fmt: skip
    db.execute("UPDATE tickets SET status = 'answered', assigned_agent_id = %s WHERE id = %s", (badr, held))
    with grpc_channels.channel(metrics_addr, internal_grpc.CLIENT) as channel:
        call = metrics_pb2_grpc.MetricsServiceStub(channel).WatchLive(
            metrics_pb2.WatchLiveRequest(), timeout=DEADLINE_S
        )
        try:
            live = next(call)
        finally:
            call.cancel()
    [agent] = [a for a in live.agent_occupancy if a.agent_id == badr]
    assert agent.name == "Badr"
    assert agent.occupancy == pytest.approx(20 / 30, abs=0.01)
    assert agent.available_s == pytest.approx(1800, abs=20)
    cards = next(q for q in live.queues if q.queue == "cards")
    assert cards.today.occupancy == pytest.approx(20 / 30, abs=0.01)
    assert live.today.occupancy == pytest.approx(20 / 30, abs=0.01)
