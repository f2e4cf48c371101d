"""Demand and the export's intent, confidence and Parquet, through the real gateway and metrics service."""

import csv
import io
from collections.abc import Callable

import pyarrow.parquet as pq
import pytest

from tests.fixtures.gateway import Gateway, unused_port
from tests.fixtures.metrics_server import MetricsEndpoints
from tests.integration.gateway.helpers import assert_problem
from tests.integration.test_metrics_demand import DUBAI, MONDAY, arrange
from tests.integration.test_metrics_service import catch_up, make_agent

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway(
    start_gateway: Callable[..., Gateway], start_metrics_server: Callable[..., MetricsEndpoints]
) -> Gateway:
    metrics = start_metrics_server(centre_zone=DUBAI)
    return start_gateway(
        classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=metrics.addr, centre_zone=DUBAI
    )


def test_a_weeks_demand_as_json(gateway: Gateway, db):
    unplaced = arrange(db)
    with gateway.client(gateway.token("supervisor")) as client:
        response = client.get("/v1/metrics/demand", params={"week": "2026-W10", "top_phrases": 5})
        for bad in ("2026-10", "2025-W53", "2026-W00", "0000-W00", "9999-W01"):
            assert_problem(client.get("/v1/metrics/demand", params={"week": bad}), 422)
    with gateway.client(gateway.token("agent", agent_id=make_agent(db, "Eve"))) as client:
        assert_problem(client.get("/v1/metrics/demand"), 403)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["week"], body["same_week_last_year"], body["time_zone"]) == (
        "2026-W10",
        "2025-W10",
        "Asia/Dubai",
    )
    assert (body["from"], body["to"]) == ("2026-03-02T00:00:00+04:00", "2026-03-09T00:00:00+04:00")
    card = body["intents"][0]
    assert (card["intent"], card["flag"], card["this_week"], card["last_week"]) == (
        "card_arrival",
        "rising",
        16,
        3,
    )
    assert card["names"] == {"ar": "تأخر وصول البطاقة", "en": "Card not yet arrived"}
    assert card["same_week_last_year"] == 4 and card["week_on_week"] == pytest.approx(13 / 3, abs=1e-4)
    assert body["intents"][1]["flag"] == "new"
    # No catalogue names visa_letter (an operator's own intent, no such queue): its id, humanised.
    visa = next(i for i in body["intents"] if i["intent"] == "visa_letter")
    assert visa["names"] == {"ar": "visa letter", "en": "visa letter"}
    assert body["rule"]["baseline_weeks"] == 8 and "Benjamini-Hochberg" in body["rule"]["statement"]
    chat = next(c for c in body["channels"] if c["channel"] == "chat")
    assert chat["names"]["ar"] == "محادثة" or chat["names"]["ar"] != "chat"
    assert {q["queue"] for q in body["queues"]} == {"cards", "general", "triage"}
    assert len(body["phrases"]) <= 5
    assert set(body["phrases"][0]["example_ticket_ids"]) <= set(unplaced)


def test_the_export_carries_intent_and_confidence_as_csv_and_parquet(gateway: Gateway, db, database_url):
    arrange(db)
    # The export reads the follower's rows: each ticket needs its events.
    db.execute(
        """INSERT INTO ticket_events (ticket_id, type, occurred_at, queue_id)
           SELECT id, kind, created_at, CASE WHEN kind = 'routed' THEN queue_id END
           FROM tickets, (VALUES ('created'), ('routed')) AS k (kind) ORDER BY id, kind"""
    )
    catch_up(database_url, zone=DUBAI)
    period = {"from": MONDAY.isoformat(), "to": "2026-03-07"}
    with gateway.client(gateway.token("supervisor")) as client:
        as_csv = client.get("/v1/metrics/export", params=period)
        as_parquet = client.get("/v1/metrics/export", params={**period, "format": "parquet"})
        by_accept = client.get(
            "/v1/metrics/export", params=period, headers={"Accept": "application/vnd.apache.parquet"}
        )
        assert_problem(client.get("/v1/metrics/export", params={**period, "format": "xlsx"}), 422)

    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {(r["intent"], r["confidence"]) for r in rows} >= {("card_arrival", "0.9"), ("", "0.2")}
    assert as_parquet.status_code == 200, as_parquet.text
    assert as_parquet.headers["content-type"] == "application/vnd.apache.parquet"
    assert 'filename="tickets-2026-03-02-2026-03-07.parquet"' in as_parquet.headers["content-disposition"]
    table = pq.read_table(io.BytesIO(as_parquet.content))
    assert table.num_rows == len(rows)
    parquet_rows = table.to_pylist()
    assert [r["ticket_id"] for r in parquet_rows] == [int(r["ticket_id"]) for r in rows]
    assert {(r["intent"], r["confidence"]) for r in parquet_rows} >= {("card_arrival", 0.9), ("", 0.2)}
    assert parquet_rows[0]["created_at"].utcoffset().total_seconds() == 4 * 3600
    assert by_accept.content == as_parquet.content
