"""The metrics follower through the gateway: its lag and set-aside count in /readyz, the supervisors'
list of set-aside events, and metrics query parameters that must be 4xx, never 5xx (real servers)."""

import time
from collections.abc import Callable, Iterator

import httpx
import psycopg
import pytest

from tests.fixtures.gateway import Gateway
from tests.fixtures.metrics_server import MetricsEndpoints
from tests.integration.gateway.helpers import assert_problem
from tests.integration.gateway.stand_in import FaqClassifier, serving
from tests.integration.test_metrics_service import T0, make_agent, scripted, wait_for
from tests.integration.test_metrics_set_aside import YEAR_1, event_ids, prometheus

pytestmark = pytest.mark.integration

# Short, so a held follower counts as stuck within the test.
STUCK_AFTER_S = 0.5


@pytest.fixture
def metrics(start_metrics_server: Callable[..., MetricsEndpoints]) -> MetricsEndpoints:
    return start_metrics_server(follower_stuck_after_s=STUCK_AFTER_S)


@pytest.fixture
def gateway(start_gateway: Callable[..., Gateway], metrics: MetricsEndpoints) -> Iterator[Gateway]:
    """The gateway with the real metrics service and a classifier stand-in (so /readyz can be ready)."""
    with serving(FaqClassifier()) as classifier_addr:
        yield start_gateway(classifier_addr=classifier_addr, metrics_addr=metrics.addr)


def readyz(gateway: Gateway) -> httpx.Response:
    with gateway.client() as client:
        return client.get("/readyz")


def test_readyz_shows_the_lag_of_a_held_follower_and_recovers(gateway: Gateway, metrics, db, database_url):
    wait_for(lambda: readyz(gateway).json()["status"] == "ready")
    with psycopg.connect(database_url) as holder:
        # Holding the cursor row stops every follower pass, as a follower that hangs would.
        holder.execute("SELECT 1 FROM metrics_cursor FOR UPDATE")
        scripted(db, "chat", T0, [(0, "created"), (0, "routed", None, "general")], "queued")
        time.sleep(STUCK_AFTER_S + 0.3)

        held = readyz(gateway)
        samples = prometheus(metrics)
        holder.rollback()

    assert held.status_code == 200, held.text
    body = held.json()
    assert (body["status"], body["checks"]["metrics_follower"]) == ("degraded", False)
    assert body["checks"]["metrics"] is True
    follower = body["metrics_follower"]
    assert (follower["events_behind"], follower["set_aside"], follower["stuck"]) == (2, 0, True)
    assert follower["oldest_unprocessed_age_s"] > STUCK_AFTER_S
    assert follower["stuck_after_s"] == STUCK_AFTER_S
    assert samples["ticketing_metrics_follower_lag_events"] == 2
    assert samples["ticketing_metrics_follower_oldest_unprocessed_seconds"] > STUCK_AFTER_S
    assert samples["ticketing_metrics_follower_stuck"] == 1

    wait_for(lambda: readyz(gateway).json()["status"] == "ready")
    after = readyz(gateway).json()["metrics_follower"]
    assert (after["events_behind"], after["oldest_unprocessed_age_s"], after["stuck"]) == (0, 0.0, False)


def test_readyz_counts_set_aside_events_and_stays_ready(gateway: Gateway, db):
    poison = scripted(db, "phone", YEAR_1, [(0, "created"), (0, "routed", None, "cards")], "queued")
    wait_for(lambda: readyz(gateway).json()["metrics_follower"]["set_aside"] == 2)
    body = readyz(gateway).json()
    assert body["status"] == "ready" and body["metrics_follower"]["events_behind"] == 0
    assert len(event_ids(db, poison)) == 2


def test_supervisors_page_through_set_aside_events(gateway: Gateway, db):
    poisons = [
        scripted(
            db, "phone", YEAR_1, [(0, "created"), (0, "routed", None, "cards"), (5, "abandoned")], "abandoned"
        )
        for _ in range(2)
    ]
    expected = [(e, t) for t in poisons for e in event_ids(db, t)]
    wait_for(lambda: db.execute("SELECT count(*) FROM event_set_aside").fetchone()[0] == 6)
    supervisor = gateway.token("supervisor")

    with gateway.client(supervisor) as client:
        first = client.get("/v1/metrics/set-aside", params={"limit": 4})
        rest = client.get(
            "/v1/metrics/set-aside", params={"limit": 4, "after_id": first.json()["next_after_id"]}
        )
        every = client.get("/v1/metrics/set-aside")
        for params in ({"limit": 0}, {"limit": 501}, {"after_id": -1}, {"after_id": "x"}):
            assert_problem(client.get("/v1/metrics/set-aside", params=params), 422)
    with gateway.client(gateway.token("agent", agent_id=make_agent(db, "Eve"))) as client:
        assert_problem(client.get("/v1/metrics/set-aside"), 403)
    with gateway.client() as client:
        assert_problem(client.get("/v1/metrics/set-aside"), 401)

    assert first.status_code == 200, first.text
    assert [(i["event_id"], i["ticket_id"]) for i in first.json()["items"]] == expected[:4]
    assert first.json()["next_after_id"] == expected[3][0]
    assert [(i["event_id"], i["ticket_id"]) for i in rest.json()["items"]] == expected[4:]
    assert rest.json()["next_after_id"] is None
    items = every.json()["items"]
    assert [(i["event_id"], i["ticket_id"]) for i in items] == expected
    assert all(i["reason"].startswith("OverflowError") and i["set_aside_at"] for i in items)


def test_metrics_query_parameters_are_4xx_never_5xx(gateway: Gateway):
    with gateway.client(gateway.token("supervisor")) as client:
        for queue in ("car\x00ds", "Cards", "cards;", "x" * 64):
            assert_problem(client.get("/v1/metrics/kpis", params={"queue": queue}), 422)
        assert_problem(client.get("/v1/metrics/kpis", params={"queue": "no_such_queue"}), 422)
        assert client.get("/v1/metrics/kpis", params={"queue": "cards"}).status_code == 200
        for year in (1970, 10_000):
            assert_problem(client.get("/v1/metrics/report", params={"year": year}), 422)
        for year in (1971, 9999):
            for fmt in ("json", "csv", "html"):
                answer = client.get("/v1/metrics/report", params={"year": year, "format": fmt})
                assert answer.status_code == 200, (year, fmt, answer.text)
        assert client.get("/v1/metrics/report", params={"year": 9999}).json()["year"] == 9999


@pytest.mark.parametrize("path", ["/v1/metrics/kpis", "/v1/metrics/export"])
def test_periods_at_the_ends_of_the_calendar_are_4xx_never_5xx(gateway: Gateway, path: str):
    with gateway.client(gateway.token("supervisor")) as client:
        for start, end in [
            ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
            ("0001-01-01T00:00:00+01:00", "2024-01-01T00:00:00Z"),
            ("2024-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00"),
        ]:
            answer = client.get(path, params={"from": start, "to": end})
            assert answer.status_code < 500, (start, end, answer.status_code, answer.text)
