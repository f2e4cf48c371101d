"""KPIs, the yearly report, the per-ticket export and the set-aside events, from the metrics service
(supervisors only)."""

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, NoReturn
from zoneinfo import ZoneInfo

import grpc
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel
from ticketing.v1 import metrics_pb2

from gateway.actions import proactive_figures
from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import ChannelName
from gateway.reports import parquet_export
from gateway.reports import render as report_render
from gateway.reports import view as report_view
from gateway.reports.view import figures_to_dict
from services.shared import centre_clock, kpi_targets
from services.shared.domain import channel_to_proto
from services.shared.i18n import choice
from services.shared.store import queues

router = APIRouter(tags=["metrics"])

# An export streams for as long as the period takes; past this the gateway gives up on it.
EXPORT_DEADLINE_S = 600.0
# What a queue name may be (the queues table's own check): anything else is refused here with 422,
# before it reaches PostgreSQL (which cannot even hold a NUL in text).
QUEUE_NAME = r"^[a-z][a-z0-9_]{0,62}$"


class SetAsideEventOut(BaseModel):
    event_id: int
    ticket_id: int
    reason: str
    set_aside_at: datetime | None


class SetAsidePageOut(BaseModel):
    items: list[SetAsideEventOut]
    # Pass as `after_id` for the next page; null on the last one.
    next_after_id: int | None


def _timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(UTC))
    return stamp


UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": "The metrics service is not reachable"}}


def _unavailable(exc: grpc.aio.AioRpcError) -> NoReturn:
    if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
        raise Problem(422, "Invalid request", exc.details() or "") from None
    if exc.code() == grpc.StatusCode.NOT_FOUND:
        raise Problem(422, "Unknown queue", exc.details() or "") from None
    raise Problem(
        503, "Metrics unavailable", f"the metrics service did not answer ({exc.code().name})"
    ) from None


# What `from` and `to` take: an offset is kept; without one the centre's clock (CENTRE_TIMEZONE) applies.
BOUND_HELP = (
    "ISO 8601: a date-time with an offset (2026-01-01T00:00:00Z), one without (on the centre's clock, "
    "CENTRE_TIMEZONE), or a date (2026-01-01: the centre's midnight)"
)


def _bound(text: str, name: str, zone: ZoneInfo) -> datetime:
    try:
        return centre_clock.parse_bound(text, zone).astimezone(UTC)
    except ValueError as exc:
        raise Problem(422, "Invalid period", f"`{name}`: {exc}") from None
    except OverflowError:  # 0001-01-01T00:00+01:00 is in the year 0 in UTC
        raise Problem(422, "Invalid period", f"`{name}` must lie within the years 1 to 9999 in UTC") from None


def _period(from_: str | None, to: str | None, zone: ZoneInfo) -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    start = _bound(from_, "from", zone) if from_ else centre_clock.year_start(now.astimezone(zone).year, zone)
    end = _bound(to, "to", zone) if to else now
    if start >= end:
        raise Problem(422, "Invalid period", "`from` must be before `to`")
    return start, end


@router.get(
    "/v1/metrics/kpis",
    summary="KPI figures for a period, overall, per channel, queue and agent",
    responses=UNAVAILABLE,
)
async def get_kpis(
    _: Supervisor,
    deps: DepsDep,
    from_: Annotated[
        str | None,
        Query(alias="from", max_length=40, description=f"Start (inclusive); default 1 January. {BOUND_HELP}"),
    ] = None,
    to: Annotated[
        str | None, Query(max_length=40, description=f"End (exclusive); default now. {BOUND_HELP}")
    ] = None,
    channel: ChannelName | None = None,
    queue: Annotated[str | None, Query(max_length=63, pattern=QUEUE_NAME)] = None,
    agent_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    sl_threshold_s: Annotated[int | None, Query(ge=0, le=86_400)] = None,
    short_abandon_s: Annotated[int | None, Query(ge=0, le=3_600)] = None,
) -> dict[str, Any]:
    zone = deps.settings.centre_zone
    start, end = _period(from_, to, zone)
    request = metrics_pb2.GetKpisRequest(queue=queue or "", agent_id=agent_id or 0)
    request.to.CopyFrom(_timestamp(end))
    getattr(request, "from").CopyFrom(_timestamp(start))
    if channel:
        request.channel = channel_to_proto(channel)
    if sl_threshold_s is not None:
        request.sl_threshold_s = sl_threshold_s
    if short_abandon_s is not None:
        request.short_abandon_s = short_abandon_s
    try:
        reply = await deps.metrics.GetKpis(request, timeout=deps.settings.metrics_timeout_s)
    except grpc.aio.AioRpcError as exc:
        _unavailable(exc)
    overall = figures_to_dict(reply.overall)
    targets = deps.settings.kpi_targets
    by_channel = {name: figures_to_dict(f) for name, f in sorted(reply.by_channel.items())}
    return {
        "from": start.astimezone(zone).isoformat(),
        "to": end.astimezone(zone).isoformat(),
        # The clock whose days the metrics service cut the period into.
        "time_zone": reply.time_zone or "UTC",
        **overall,
        "by_channel": {
            name: {**f, "targets": kpi_targets.evaluate(f, targets.for_channel(name))}
            for name, f in by_channel.items()
        },
        "by_queue": {name: figures_to_dict(f) for name, f in sorted(reply.by_queue.items())},
        "by_agent": {str(agent): figures_to_dict(f) for agent, f in sorted(reply.by_agent.items())},
        "targets": kpi_targets.evaluate(overall, targets.overall),
        "formula_version": reply.formula_version,
        "recorded_through": reply.recorded_through.ToDatetime(tzinfo=UTC).isoformat()
        if reply.HasField("recorded_through")
        else None,
    }


def _format(request: Request, format_: str | None) -> str:
    if format_:
        return format_
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return "html"
    if "text/csv" in accept:
        return "csv"
    return "json"


@router.get(
    "/v1/metrics/report",
    summary="The yearly report: each KPI against target and last year, volumes per channel, charts",
    description="`format` (or the Accept header) picks JSON, CSV or an HTML page with SVG charts.",
    response_model=None,
    responses={
        200: {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            }
        },
        **UNAVAILABLE,
    },
)
async def get_report(
    _: Supervisor,
    deps: DepsDep,
    request: Request,
    year: Annotated[int, Query(ge=1971, le=9999)],
    format_: Annotated[Literal["json", "csv", "html"] | None, Query(alias="format")] = None,
    # The HTML page's language (else the Accept-Language header's, else Arabic); JSON and CSV carry ids.
    lang: Literal["ar", "en"] | None = None,
) -> Response | dict[str, Any]:
    try:
        reply = await deps.metrics.GetReport(
            metrics_pb2.GetReportRequest(year=year), timeout=deps.settings.metrics_timeout_s
        )
    except grpc.aio.AioRpcError as exc:
        _unavailable(exc)
    async with deps.pool.connection() as conn:
        names = await queues.display_names(conn)
        # The year's proactive messages (docs/channels.md); year 9999 has no next year to end it.
        proactive = (
            await proactive_figures.for_year(conn, year, deps.settings.centre_zone) if year < 9999 else None
        )
    report = report_view.build(reply, deps.settings.kpi_targets, names, proactive)
    chosen = _format(request, format_)
    if chosen == "csv":
        return PlainTextResponse(
            report_render.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="report-{year}.csv"'},
        )
    if chosen == "html":
        language = choice.choose(None, lang, request.headers.get("accept-language"))
        return HTMLResponse(report_render.to_html(report, language), headers={"Content-Language": language})
    return report


@router.get(
    "/v1/metrics/export",
    summary="One row per ticket created in the period (timeline, queue, agent, times, survey, quality, "
    "intent and confidence)",
    description="CSV, or Parquet with `format=parquet` (or Accept: application/vnd.apache.parquet).",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                parquet_export.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            }
        },
        **UNAVAILABLE,
    },
)
async def export(
    _: Supervisor,
    deps: DepsDep,
    http_request: Request,
    from_: Annotated[str, Query(alias="from", max_length=40, description=f"Start (inclusive). {BOUND_HELP}")],
    to: Annotated[str, Query(max_length=40, description=f"End (exclusive). {BOUND_HELP}")],
    format_: Annotated[Literal["csv", "parquet"] | None, Query(alias="format")] = None,
) -> StreamingResponse:
    zone = deps.settings.centre_zone
    start, end = _period(from_, to, zone)
    request = metrics_pb2.ExportTicketsRequest(to=_timestamp(end))
    getattr(request, "from").CopyFrom(_timestamp(start))
    call = deps.metrics.ExportTickets(request, timeout=EXPORT_DEADLINE_S)
    # The first chunk (the header) is read before answering, so an unavailable service is a 503
    # rather than a broken 200.
    try:
        first = await call.read()
    except grpc.aio.AioRpcError as exc:
        _unavailable(exc)

    async def rows() -> AsyncGenerator[str]:
        chunk = first
        try:
            while isinstance(chunk, metrics_pb2.ExportChunk):
                yield chunk.csv
                chunk = await call.read()
        finally:
            call.cancel()

    # Local dates: tickets-2026-01-01-2026-02-01.csv for January on the centre's clock.
    name = f"tickets-{start.astimezone(zone).date().isoformat()}-{end.astimezone(zone).date().isoformat()}"
    wants_parquet = parquet_export.MEDIA_TYPE in http_request.headers.get("accept", "")
    if (format_ or ("parquet" if wants_parquet else "csv")) == "parquet":
        return StreamingResponse(
            parquet_export.from_csv(rows(), zone.key),
            media_type=parquet_export.MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}.parquet"'},
        )
    name += ".csv"
    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/v1/metrics/set-aside",
    response_model=SetAsidePageOut,
    summary="Ticket events the metrics service could not process, with the reason (oldest event first)",
    description="Such events are left out of every figure; the rest are counted. Page with `after_id`.",
    responses=UNAVAILABLE,
)
async def set_aside(
    _: Supervisor,
    deps: DepsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    after_id: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="The last event id of the page before")
    ] = 0,
) -> SetAsidePageOut:
    try:
        reply = await deps.metrics.ListSetAsideEvents(
            metrics_pb2.ListSetAsideEventsRequest(after_id=after_id, limit=limit),
            timeout=deps.settings.metrics_timeout_s,
        )
    except grpc.aio.AioRpcError as exc:
        _unavailable(exc)
    items = [
        SetAsideEventOut(
            event_id=e.event_id,
            ticket_id=e.ticket_id,
            reason=e.reason,
            set_aside_at=e.set_aside_at.ToDatetime(tzinfo=UTC) if e.HasField("set_aside_at") else None,
        )
        for e in reply.events
    ]
    return SetAsidePageOut(items=items, next_after_id=items[-1].event_id if len(items) == limit else None)
