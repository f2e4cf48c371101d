"""Translation between gRPC messages and KPI queries and figures (services/metrics/servicer.py)."""

from datetime import UTC, datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from ticketing.v1 import common_pb2, metrics_pb2

from services.metrics.kpis import report
from services.metrics.rollup import Counts
from services.metrics.servicer import kpi_query, kpis_response


def stamp(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts


def request(**fields) -> metrics_pb2.GetKpisRequest:
    req = metrics_pb2.GetKpisRequest(**fields)
    getattr(req, "from").CopyFrom(stamp(datetime(2024, 1, 1, tzinfo=UTC)))
    req.to.CopyFrom(stamp(datetime(2025, 1, 1, tzinfo=UTC)))
    return req


def test_request_to_query():
    query = kpi_query(
        request(channel=common_pb2.CHANNEL_CHAT, queue="cards", sl_threshold_s=45, short_abandon_s=5)
    )
    assert (query.start, query.end) == (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))
    assert (query.channel, query.queue, query.sl_threshold_s, query.short_abandon_s) == (
        "chat",
        "cards",
        45,
        5,
    )
    plain = kpi_query(request())
    assert (plain.channel, plain.queue, plain.sl_threshold_s, plain.short_abandon_s) == (None, None, None, 0)
    # Zero is a threshold, not "unset": only answers with no wait at all are in time.
    assert kpi_query(request(sl_threshold_s=0)).sl_threshold_s == 0


def test_missing_bounds_and_unknown_channel_are_refused():
    with pytest.raises(ValueError, match="from"):
        kpi_query(metrics_pb2.GetKpisRequest())
    no_end = metrics_pb2.GetKpisRequest()
    getattr(no_end, "from").CopyFrom(stamp(datetime(2024, 1, 1, tzinfo=UTC)))
    with pytest.raises(ValueError):
        kpi_query(no_end)
    with pytest.raises(ValueError, match="channel"):
        kpi_query(request(channel=99))


def test_nulls_stay_unset_and_channels_are_keyed_by_name():
    response = kpis_response(
        report(
            {("phone", 0, 0): Counts(offered=1, answered=1, answered_wait_us=4_000_000)},
            ["phone", "web"],
            {},
            None,
        )
    )
    assert response.overall.HasField("asa_s") and response.overall.asa_s == 4.0
    assert not response.overall.HasField("aht_s")
    assert not response.by_channel["web"].HasField("asa_s")
    assert set(response.by_channel) == {"phone", "web"}
    assert not response.HasField("recorded_through")
