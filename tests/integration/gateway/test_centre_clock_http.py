"""The centre's clock through the gateway: `from`/`to` without an offset and plain dates are local,
the export's times and file name are local, and the yearly report names its zone (JSON, CSV, HTML)."""

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.gateway import Gateway, unused_port
from tests.fixtures.metrics_server import MetricsEndpoints
from tests.integration.gateway.helpers import assert_problem
from tests.integration.test_centre_clock import call
from tests.integration.test_metrics_service import catch_up, make_agent

pytestmark = pytest.mark.integration

DUBAI = ZoneInfo("Asia/Dubai")


@pytest.fixture
def gateway(
    start_gateway: Callable[..., Gateway], start_metrics_server: Callable[..., MetricsEndpoints]
) -> Gateway:
    """The gateway and the real metrics service, both on the centre's clock in Dubai."""
    metrics = start_metrics_server(centre_zone=DUBAI)
    return start_gateway(
        classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=metrics.addr, centre_zone=DUBAI
    )


def test_periods_exports_and_the_report_are_on_the_centres_clock(gateway: Gateway, db, database_url):
    agent = make_agent(db, "Amal")
    after_midnight = call(db, agent, datetime(2025, 12, 31, 21, 30, tzinfo=UTC))  # 01:30, 1 Jan, Dubai
    before_midnight = call(db, agent, datetime(2025, 12, 31, 19, 30, tzinfo=UTC))  # 23:30, 31 Dec
    catch_up(database_url, zone=DUBAI)

    with gateway.client(gateway.token("supervisor")) as client:
        new_year = client.get("/v1/metrics/kpis", params={"from": "2026-01-01", "to": "2026-01-02"})
        local_times = client.get(
            "/v1/metrics/kpis", params={"from": "2025-12-31T23:00", "to": "2026-01-01T01:00:00"}
        )
        in_utc = client.get(
            "/v1/metrics/kpis", params={"from": "2025-12-31T00:00:00Z", "to": "2026-01-01T00:00:00Z"}
        )
        export = client.get("/v1/metrics/export", params={"from": "2026-01-01", "to": "2026-01-02"})
        report = client.get("/v1/metrics/report", params={"year": 2026})
        as_csv = client.get("/v1/metrics/report", params={"year": 2026, "format": "csv"})
        as_html = client.get("/v1/metrics/report", params={"year": 2026, "format": "html"})
        for bad in ({"from": "soon"}, {"from": "2026-02-30"}, {"to": "01/01/2026"}):
            assert_problem(client.get("/v1/metrics/kpis", params=bad), 422)
        assert_problem(
            client.get("/v1/metrics/export", params={"from": "2026-01-02", "to": "2026-01-01"}), 422
        )

    assert new_year.status_code == 200, new_year.text
    body = new_year.json()
    assert (body["from"], body["to"], body["time_zone"]) == (
        "2026-01-01T00:00:00+04:00", "2026-01-02T00:00:00+04:00", "Asia/Dubai",
    )  # fmt: skip
    assert body["incoming"] == 1 and body["answered"] == 1
    assert local_times.json()["incoming"] == 1  # 23:30 is in, 01:30 is not
    # The whole UTC 31 December holds both calls.
    assert in_utc.json()["incoming"] == 2

    assert export.status_code == 200, export.text
    assert 'filename="tickets-2026-01-01-2026-01-02.csv"' in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [int(r["ticket_id"]) for r in rows] == [after_midnight]
    assert rows[0]["created_at"] == "2026-01-01T01:30:00+04:00"
    assert before_midnight not in [int(r["ticket_id"]) for r in rows]

    year = report.json()
    assert (year["time_zone"], year["year"]) == ("Asia/Dubai", 2026)
    assert year["overall"]["volumes"]["incoming"] == {
        "value": 1, "last_year": 1, "change": 0, "change_pct": 0.0,
    }  # fmt: skip
    first = next(csv.DictReader(io.StringIO(as_csv.text)))
    assert (first["section"], first["figure"], first["value"]) == ("report", "time_zone", "Asia/Dubai")
    assert '<span class="zone">Asia/Dubai</span>' in as_html.text
