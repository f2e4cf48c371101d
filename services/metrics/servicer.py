"""The MetricsService gRPC servicer: translates requests and answers, and errors into status codes."""

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import psycopg
from google.protobuf.timestamp_pb2 import Timestamp
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from ticketing.v1 import metrics_pb2, metrics_pb2_grpc

from services.metrics import (
    demand,
    demand_rule,
    export,
    follower_status,
    kpis,
    live,
    queue_figures,
    report,
    set_aside_store,
)
from services.metrics.store import UnknownQueue
from services.shared import centre_clock
from services.shared.domain import channel_from_proto

log = logging.getLogger(__name__)

# A request waits this long for a pooled connection before answering UNAVAILABLE.
CONNECTION_TIMEOUT_S = 5.0
# How often a live stream looks for changes unless the caller asks otherwise, and the least it may
# ask: each look is a few indexed queries; the wallboard promises a change within 2 s, so half a
# second leaves room for a busy machine.
LIVE_INTERVAL_S = 0.5
LIVE_MIN_INTERVAL_S = 0.2
# A live stream sends its figures at least this often even when nothing changed (longest waits
# grow, and proxies close quiet connections).
LIVE_HEARTBEAT_S = 15.0
# Set-aside events per ListSetAsideEvents answer: the default, and the most one may ask for.
SET_ASIDE_PAGE = 50
SET_ASIDE_PAGE_MAX = 500


def kpi_query(request: metrics_pb2.GetKpisRequest) -> kpis.KpiQuery:
    """The query a request asks for; ValueError says what is wrong with it."""
    if not request.HasField("from") or not request.HasField("to"):
        raise ValueError("the period needs both `from` and `to`")
    if "\x00" in request.queue:
        # PostgreSQL text cannot hold NUL: a bad name, not an unavailable service.
        raise ValueError("a queue name cannot contain NUL")
    try:
        channel = channel_from_proto(request.channel)
    except ValueError:
        raise ValueError(f"unknown channel {request.channel}") from None
    return kpis.KpiQuery(
        start=getattr(request, "from").ToDatetime(tzinfo=UTC),
        end=request.to.ToDatetime(tzinfo=UTC),
        channel=channel,
        queue=request.queue or None,
        agent_id=request.agent_id or None,
        sl_threshold_s=request.sl_threshold_s if request.HasField("sl_threshold_s") else None,
        short_abandon_s=request.short_abandon_s,
    )


def _timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def figures_message(f: kpis.Figures) -> metrics_pb2.KpiFigures:
    # Unset optional fields are the nulls of docs/kpis.md: nothing to average.
    values = {name: value for name, value in vars(f).items() if value is not None}
    return metrics_pb2.KpiFigures(**values)


def kpis_response(report: kpis.KpiReport, zone: str = "UTC") -> metrics_pb2.GetKpisResponse:
    response = metrics_pb2.GetKpisResponse(
        overall=figures_message(report.overall), formula_version=report.formula_version, time_zone=zone
    )
    for channel, figures in report.by_channel.items():
        response.by_channel[channel].CopyFrom(figures_message(figures))
    for queue, figures in report.by_queue.items():
        response.by_queue[queue].CopyFrom(figures_message(figures))
    for agent, figures in report.by_agent.items():
        response.by_agent[agent].CopyFrom(figures_message(figures))
    if report.recorded_through is not None:
        response.recorded_through.CopyFrom(_timestamp(report.recorded_through))
    return response


def year_message(y: report.YearFigures) -> metrics_pb2.ReportYear:
    message = metrics_pb2.ReportYear(
        year=y.year, overall=figures_message(y.overall), months=[figures_message(m) for m in y.months]
    )
    for channel, f in y.by_channel.items():
        message.by_channel[channel].CopyFrom(figures_message(f))
    for queue, f in y.by_queue.items():
        message.by_queue[queue].CopyFrom(figures_message(f))
    for channel, months in y.channel_months.items():
        message.channel_months[channel].months.extend(figures_message(m) for m in months)
    return message


def report_response(r: report.Report, generated_at: datetime) -> metrics_pb2.GetReportResponse:
    response = metrics_pb2.GetReportResponse(
        current=year_message(r.current),
        previous=year_message(r.previous),
        formula_version=r.formula_version,
        generated_at=_timestamp(generated_at),
        sl_threshold_s=r.sl_threshold_s,
        time_zone=r.time_zone,
    )
    if r.recorded_through is not None:
        response.recorded_through.CopyFrom(_timestamp(r.recorded_through))
    response.demand.extend(metrics_pb2.IntentWeeks(intent=i, weeks=w) for i, w in r.demand.items())
    return response


def demand_count(row: demand.Row) -> metrics_pb2.DemandCount:
    message = metrics_pb2.DemandCount(
        key=row.key, this_week=row.this_week, last_week=row.last_week, same_week_last_year=row.last_year
    )
    if row.trend is not None:
        message.baseline_mean = row.trend.baseline_mean
        message.p_value = row.trend.p_value
        message.q_value = row.trend.q_value
        message.flag = row.trend.flag
    return message


def demand_response(d: demand.Demand) -> metrics_pb2.GetDemandResponse:
    response = metrics_pb2.GetDemandResponse(
        week=d.week,
        same_week_last_year=d.last_year_week,
        to=_timestamp(d.end),
        time_zone=d.time_zone,
        by_intent=[demand_count(r) for r in d.by_intent],
        by_queue=[demand_count(r) for r in d.by_queue],
        by_channel=[demand_count(r) for r in d.by_channel],
        phrases=[
            metrics_pb2.DemandPhrase(
                phrase=p.phrase, count=p.count, total=p.total, z=p.z, example_ticket_ids=p.examples
            )
            for p in d.phrases
        ],
        inquiries=d.inquiries,
        unplaced=d.unplaced,
        baseline_weeks=demand_rule.BASELINE_WEEKS,
        alpha=demand_rule.ALPHA,
        min_count=demand_rule.MIN_COUNT,
    )
    getattr(response, "from").CopyFrom(_timestamp(d.start))
    return response


def live_message(found: live.Live) -> metrics_pb2.LiveFigures:
    def states(a: live.AgentStates) -> metrics_pb2.AgentStates:
        return metrics_pb2.AgentStates(**vars(a))

    return metrics_pb2.LiveFigures(
        as_of=_timestamp(found.as_of),
        queues=[
            metrics_pb2.LiveQueue(
                queue=q.name, waiting=q.waiting, longest_wait_s=q.longest_wait_s,
                agents=states(q.agents or live.AgentStates()), today=figures_message(q.today),
            )
            for q in found.queues
        ],
        channels=[
            metrics_pb2.LiveChannel(
                channel=c.name, waiting=c.waiting, longest_wait_s=c.longest_wait_s,
                today=figures_message(c.today), sl_threshold_s=kpis.DEFAULT_SL_THRESHOLD_S[c.name],
            )
            for c in found.channels
        ],
        agents=states(found.agents),
        today=figures_message(found.today),
        time_zone=found.time_zone,
        agent_occupancy=[
            metrics_pb2.LiveAgent(
                agent_id=a.agent_id, name=a.name, occupancy=a.occupancy,
                available_s=a.available_s, handling_s=a.handling_s,
            )
            for a in found.agent_occupancy
        ],
    )  # fmt: skip


def queue_figures_response(
    found: list[queue_figures.QueueFigures], as_of: datetime, zone: str = "UTC"
) -> metrics_pb2.GetQueueFiguresResponse:
    return metrics_pb2.GetQueueFiguresResponse(
        queues=[
            metrics_pb2.QueueFigures(**{k: v for k, v in vars(q).items() if v is not None}) for q in found
        ],
        as_of=_timestamp(as_of),
        time_zone=zone,
    )


def follower_status_response(
    status: follower_status.FollowerStatus, stuck_after_s: float
) -> metrics_pb2.GetFollowerStatusResponse:
    response = metrics_pb2.GetFollowerStatusResponse(
        events_behind=status.events_behind,
        oldest_unprocessed_age_s=status.oldest_unprocessed_age_s,
        set_aside=status.set_aside,
        stuck=status.stuck,
        stuck_after_s=stuck_after_s,
    )
    if status.caught_up_at is not None:
        response.caught_up_at.CopyFrom(_timestamp(status.caught_up_at))
    return response


def set_aside_message(s: set_aside_store.SetAside) -> metrics_pb2.SetAsideEvent:
    message = metrics_pb2.SetAsideEvent(event_id=s.event_id, ticket_id=s.ticket_id, reason=s.reason)
    if s.set_aside_at is not None:
        message.set_aside_at.CopyFrom(_timestamp(s.set_aside_at))
    return message


class MetricsServicer(metrics_pb2_grpc.MetricsServiceServicer):
    def __init__(
        self,
        pool: AsyncConnectionPool,
        *,
        stuck_after_s: float = 60.0,
        zone: ZoneInfo = centre_clock.UTC_ZONE,
    ) -> None:
        self._pool = pool
        self._stuck_after_s = stuck_after_s
        # The centre's clock (CENTRE_TIMEZONE): the zone the rollups are cut in.
        self._zone = zone
        # Today's occupancy, shared by every live stream of this process.
        self._occupancy = live.OccupancyCache()

    async def GetKpis(self, request: metrics_pb2.GetKpisRequest, context: Any) -> metrics_pb2.GetKpisResponse:
        try:
            query = kpi_query(request)
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        try:
            async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                report = await kpis.compute(conn, query, self._zone)
        except UnknownQueue as exc:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"there is no queue {exc.args[0]!r}")
        except (psycopg.OperationalError, PoolTimeout) as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"PostgreSQL unavailable: {exc}")
        return kpis_response(report, self._zone.key)

    async def GetQueueFigures(
        self, request: metrics_pb2.GetQueueFiguresRequest, context: Any
    ) -> metrics_pb2.GetQueueFiguresResponse:
        if "\x00" in request.queue:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "a queue name cannot contain NUL")
        try:
            async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                found, as_of = await queue_figures.read(conn, request.queue or None, self._zone)
        except UnknownQueue as exc:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"there is no queue {exc.args[0]!r}")
        except (psycopg.OperationalError, PoolTimeout) as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"PostgreSQL unavailable: {exc}")
        return queue_figures_response(found, as_of, self._zone.key)

    async def GetReport(
        self, request: metrics_pb2.GetReportRequest, context: Any
    ) -> metrics_pb2.GetReportResponse:
        if not 1970 < request.year < 10_000:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"no report for the year {request.year}")
        try:
            async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                found = await report.compute(conn, request.year, self._zone)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"PostgreSQL unavailable: {exc}")
        return report_response(found, datetime.now(UTC))

    async def GetDemand(
        self, request: metrics_pb2.GetDemandRequest, context: Any
    ) -> metrics_pb2.GetDemandResponse:
        if request.iso_year or request.iso_week:
            year, week = request.iso_year, request.iso_week
        else:
            year, week = demand.week_of(datetime.now(UTC), self._zone)
        top = request.top_phrases or demand.TOP_PHRASES
        if not 1971 <= year <= 9998 or not 0 < top <= 100:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "the year must be 1971-9998, top_phrases 1-100"
            )
        try:
            demand.monday(year, week)
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        try:
            async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                found = await demand.compute(conn, year, week, self._zone, top_phrases=top)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"PostgreSQL unavailable: {exc}")
        return demand_response(found)

    async def WatchLive(
        self, request: metrics_pb2.WatchLiveRequest, context: Any
    ) -> AsyncIterator[metrics_pb2.LiveFigures]:
        interval = (
            max(LIVE_MIN_INTERVAL_S, request.interval_ms / 1000) if request.interval_ms else LIVE_INTERVAL_S
        )
        last: bytes | None = None
        sent_at = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                    message = live_message(await live.read(conn, self._zone, self._occupancy))
            except (psycopg.OperationalError, PoolTimeout) as exc:
                # The stream stays open through a database restart: the wallboard shows its last
                # figures and catches up when PostgreSQL is back.
                log.warning("live figures: PostgreSQL unavailable (%s)", exc)
                await asyncio.sleep(interval)
                continue
            # Longest waits move every second; they count as a change only with the rest.
            fingerprint = _without_clock(message)
            if fingerprint != last or loop.time() - sent_at >= LIVE_HEARTBEAT_S:
                yield message
                last, sent_at = fingerprint, loop.time()
            await asyncio.sleep(interval)

    async def ExportTickets(
        self, request: metrics_pb2.ExportTicketsRequest, context: Any
    ) -> AsyncIterator[metrics_pb2.ExportChunk]:
        if not request.HasField("from") or not request.HasField("to"):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "the period needs both `from` and `to`")
        start = getattr(request, "from").ToDatetime(tzinfo=UTC)
        end = request.to.ToDatetime(tzinfo=UTC)
        if start >= end:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "the period is empty: `from` must be before `to`"
            )
        try:
            async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                async for text in export.chunks(conn, start, end, self._zone):
                    yield metrics_pb2.ExportChunk(csv=text)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"PostgreSQL unavailable: {exc}")

    async def GetFollowerStatus(
        self, request: metrics_pb2.GetFollowerStatusRequest, context: Any
    ) -> metrics_pb2.GetFollowerStatusResponse:
        try:
            async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                status = await follower_status.read(conn, self._stuck_after_s)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"PostgreSQL unavailable: {exc}")
        return follower_status_response(status, self._stuck_after_s)

    async def ListSetAsideEvents(
        self, request: metrics_pb2.ListSetAsideEventsRequest, context: Any
    ) -> metrics_pb2.ListSetAsideEventsResponse:
        limit = request.limit or SET_ASIDE_PAGE
        if not 0 < limit <= SET_ASIDE_PAGE_MAX or request.after_id < 0:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"limit must be 1-{SET_ASIDE_PAGE_MAX} and after_id at least 0",
            )
        try:
            async with self._pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                found = await set_aside_store.page(conn, request.after_id, limit)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"PostgreSQL unavailable: {exc}")
        return metrics_pb2.ListSetAsideEventsResponse(events=[set_aside_message(s) for s in found])


def _without_clock(message: metrics_pb2.LiveFigures) -> bytes:
    copy = metrics_pb2.LiveFigures()
    copy.CopyFrom(message)
    copy.ClearField("as_of")
    for place in (*copy.queues, *copy.channels):
        # A wait that only grew is no change: readers count it up themselves from as_of.
        if place.HasField("longest_wait_s"):
            place.longest_wait_s = 0.0
    return copy.SerializeToString(deterministic=True)
