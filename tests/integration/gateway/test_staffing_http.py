"""GET /v1/staffing through the real gateway and metrics service: measured inputs, Erlang figures."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.fixtures.gateway import Gateway, unused_port
from tests.integration.gateway.helpers import assert_problem
from tests.integration.test_kpi_scenarios import ticket
from tests.integration.test_metrics_service import catch_up, make_agent, make_customer, make_ticket

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway(start_gateway: Callable[..., Gateway], metrics_addr: str) -> Gateway:
    return start_gateway(classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=metrics_addr)


def _serving(db: psycopg.Connection, queue: str, presence: str) -> int:
    agent = make_agent(db, f"{queue} {presence}")
    db.execute(
        "INSERT INTO agent_queues (agent_id, queue_id) SELECT %s, id FROM queues WHERE name = %s",
        (agent, queue),
    )
    db.execute("UPDATE agents SET presence = %s WHERE id = %s", (presence, agent))
    return agent


def test_staffing_advice_for_the_published_example(gateway: Gateway, db, database_url):
    now = datetime.now(UTC)
    if now - now.replace(hour=0, minute=0, second=0, microsecond=0) < timedelta(minutes=15):
        pytest.skip("today's handling must fall after the centre's (UTC) midnight")
    # 100 calls queued in `cards` in the last 30 minutes (200 an hour) and one an hour ago (outside
    # the window); today's five resolved calls took 180 s each: 10 erlangs, the textbook example.
    for i in range(100):
        make_ticket(db, "phone", "cards", now - timedelta(seconds=5 + 17 * i), status="queued",
                    queued_at=now - timedelta(seconds=5 + 17 * i))  # fmt: skip
    make_ticket(
        db, "phone", "cards", now - timedelta(hours=1), status="queued", queued_at=now - timedelta(hours=1)
    )
    agents = [_serving(db, "cards", "available") for _ in range(14)]
    _serving(db, "cards", "away")  # away takes no work: not counted
    for i in range(5):
        start = now - timedelta(seconds=600 + 10 * i)
        a = agents[i]
        ticket(db, "phone", make_customer(db), start, [(0, "created"), (0, "routed", None, "cards"),
            (5, "claimed", a), (10, "answered", a), (190, "resolved", a)])  # fmt: skip
    catch_up(database_url)
    supervisor = gateway.token("supervisor")
    with gateway.client(supervisor) as client:
        got = client.get("/v1/staffing", params={"queue": "cards", "target_sl": 0.8, "target_s": 20})
        every = client.get("/v1/staffing")
        patient = client.get("/v1/staffing", params={"queue": "cards", "patience_s": 120})
        assert_problem(client.get("/v1/staffing", params={"queue": "nowhere"}), 422)
        assert_problem(client.get("/v1/staffing", params={"target_sl": 1.5}), 422)
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["target_sl"], body["target_s"], body["arrival_window_s"]) == (0.8, 20, 1800)
    [cards] = body["queues"]
    assert cards["queue"] == "cards"
    assert cards["arrival_rate_per_h"] == pytest.approx(200)
    assert (cards["aht_s"], cards["aht_basis"]) == (180, "today")
    assert (cards["agents_signed_in"], cards["agents_needed"]) == (14, 14)
    assert cards["predicted"]["p_wait"] == pytest.approx(0.174, abs=1e-3)
    assert cards["predicted"]["service_level"] == pytest.approx(0.888, abs=1e-3)
    assert cards["predicted"]["asa_s"] == pytest.approx(7.8, abs=0.05)
    assert cards["predicted"]["abandonment"] is None

    queues = {q["queue"]: q for q in every.json()["queues"]}
    assert "cards" in queues and len(queues) > 1
    # A queue with no calls and no history: nobody needed, the default handling time.
    quiet = next(q for name, q in queues.items() if name != "cards")
    assert (quiet["arrival_rate_per_h"], quiet["agents_needed"], quiet["aht_basis"]) == (0, 0, "default")

    [with_patience] = patient.json()["queues"]
    assert with_patience["predicted"]["abandonment"] is not None
    assert 0 < with_patience["predicted"]["abandonment"] < 0.1
    assert with_patience["agents_needed"] <= 14
