"""The MetricsService gRPC servicer: translates requests and answers, and errors into status codes."""

from datetime import UTC, datetime
from typing import Any

import grpc
import psycopg
from google.protobuf.timestamp_pb2 import Timestamp
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from ticketing.v1 import metrics_pb2, metrics_pb2_grpc

from services.metrics import kpis, queue_figures
from services.metrics.store import UnknownQueue
from services.shared.domain import channel_from_proto

# A request waits this long for a pooled connection before answering UNAVAILABLE.
CONNECTION_TIMEOUT_S = 5.0


def kpi_query(request: metrics_pb2.GetKpisRequest) -> kpis.KpiQuery:
    """The query a request asks for; ValueError says what is wrong with it."""
    if not request.HasField("from") or not request.HasField("to"):
        raise ValueError("the period needs both `from` and `to`")
    try:
        channel = channel_from_proto(request.channel)
    except ValueError:
        raise ValueError(f"unknown channel {request.channel}") from None
    return kpis.KpiQuery(
        start=getattr(request, "from").ToDatetime(tzinfo=UTC),
        end=request.to.ToDatetime(tzinfo=UTC),
        channel=channel,
        queue=request.queue or None,
        sl_threshold_s=request.sl_threshold_s if request.HasField("sl_threshold_s") else None,
        short_abandon_s=request.short_abandon_s,
    )


def _timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def figures_message(f: kpis.Figures) -> metrics_pb2.KpiFigures:
    # Unset optional fields are the nulls of KPIS.md: nothing to average.
    values = {name: value for name, value in vars(f).items() if value is not None}
    return metrics_pb2.KpiFigures(**values)


def kpis_response(report: kpis.KpiReport) -> metrics_pb2.GetKpisResponse:
    response = metrics_pb2.GetKpisResponse(
        overall=figures_message(report.overall), formula_version=report.formula_version
    )
    for channel, figures in report.by_channel.items():
        response.by_channel[channel].CopyFrom(figures_message(figures))
    if report.recorded_through is not None:
        response.recorded_through.CopyFrom(_timestamp(report.recorded_through))
    return response


def queue_figures_response(
    found: list[queue_figures.QueueFigures], as_of: datetime
) -> metrics_pb2.GetQueueFiguresResponse:
    return metrics_pb2.GetQueueFiguresResponse(
        queues=[
            metrics_pb2.QueueFigures(**{k: v for k, v in vars(q).items() if v is not None}) for q in found
        ],
        as_of=_timestamp(as_of),
    )


class MetricsServicer(metrics_pb2_grpc.MetricsServiceServicer):
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def GetKpis(self, request: metrics_pb2.GetKpisRequest, context: Any) -> metrics_pb2.GetKpisResponse:
        try:
            query = kpi_query(request)
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        try:
            async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                report = await kpis.compute(conn, query)
        except UnknownQueue as exc:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"there is no queue {exc.args[0]!r}")
        except (psycopg.OperationalError, PoolTimeout) as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"PostgreSQL unavailable: {exc}")
        return kpis_response(report)

    async def GetQueueFigures(
        self, request: metrics_pb2.GetQueueFiguresRequest, context: Any
    ) -> metrics_pb2.GetQueueFiguresResponse:
        try:
            async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                found, as_of = await queue_figures.read(conn, request.queue or None)
        except UnknownQueue as exc:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"there is no queue {exc.args[0]!r}")
        except (psycopg.OperationalError, PoolTimeout) as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"PostgreSQL unavailable: {exc}")
        return queue_figures_response(found, as_of)
