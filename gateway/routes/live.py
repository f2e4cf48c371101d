"""Live figures as Server-Sent Events (GET /v1/metrics/live) and the wallboard page that shows them."""

import json
import time
from collections.abc import AsyncGenerator, Mapping
from datetime import UTC
from typing import Any

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.background import BackgroundTask
from ticketing.v1 import metrics_pb2

from gateway.http.auth import StreamTicket, stream_credential
from gateway.http.deps import Deps, DepsDep
from gateway.http.rate_limits import leased
from gateway.pages.localize import page
from gateway.reports.view import figures_to_dict
from services.shared.i18n import catalogue
from services.shared.kpi_targets import TargetTable
from services.shared.store import queues

router = APIRouter(tags=["metrics"])

# One stream lasts at most this long; the browser's EventSource then reconnects by itself (after
# RETRY_MS), so a deadline on every call costs the wallboard nothing.
STREAM_DEADLINE_S = 3600.0
RETRY_MS = 2000
# The figures a wallboard colours against their targets.
LIVE_TARGETS = ("asa_s", "service_level", "abandonment_rate", "avg_wait_s")
# How long a stream shows queues' display names before reading them again: a renamed queue shows
# its new name this much later, at one small query per stream per period.
NAMES_REFRESH_S = 60.0


def _targets(table: TargetTable, channel: str | None) -> dict[str, dict[str, Any]]:
    found = table.for_channel(channel)
    return {
        n: {"target": found[n].value, "direction": found[n].direction} for n in LIVE_TARGETS if n in found
    }


def live_to_dict(
    message: metrics_pb2.LiveFigures,
    targets: TargetTable,
    queue_names: Mapping[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The figures as the wallboard reads them; each channel and queue has its display `names`
    (Arabic and English) beside its id."""
    shown = queue_names or {}

    def wait(place: Any) -> float | None:
        return place.longest_wait_s if place.HasField("longest_wait_s") else None

    def agents(a: metrics_pb2.AgentStates) -> dict[str, int]:
        return {"available": a.available, "busy": a.busy, "away": a.away, "offline": a.offline}

    return {
        "as_of": message.as_of.ToDatetime(tzinfo=UTC).isoformat(),
        # "today" is the day on this clock (the centre's, CENTRE_TIMEZONE).
        "time_zone": message.time_zone or "UTC",
        "today": figures_to_dict(message.today),
        "agents": agents(message.agents),
        "targets": _targets(targets, None),
        "channels": [
            {
                "channel": c.channel,
                "names": catalogue.names("channel", c.channel),
                "waiting": c.waiting,
                "longest_wait_s": wait(c),
                "sl_threshold_s": c.sl_threshold_s,
                "today": figures_to_dict(c.today),
                "targets": _targets(targets, c.channel),
            }
            for c in message.channels
        ],
        "queues": [
            {
                "queue": q.queue,
                "names": shown.get(q.queue, {"ar": q.queue, "en": q.queue}),
                "waiting": q.waiting,
                "longest_wait_s": wait(q),
                "agents": agents(q.agents),
                "today": figures_to_dict(q.today),
                # Today's, as in `today` (repeated here for the wallboard's line per queue).
                "occupancy": q.today.occupancy if q.today.HasField("occupancy") else None,
            }
            for q in message.queues
        ],
        # Today's occupancy per agent: handling (talk and wrap-up, concurrent work once) / available.
        "agents_today": [
            {
                "agent_id": a.agent_id,
                "name": a.name,
                "occupancy": a.occupancy if a.HasField("occupancy") else None,
                "available_s": a.available_s,
                "handling_s": a.handling_s,
            }
            for a in message.agent_occupancy
        ],
    }


async def _events(request: Request, deps: Deps) -> AsyncGenerator[str, None]:
    yield f"retry: {RETRY_MS}\n\n"
    call = deps.metrics.WatchLive(metrics_pb2.WatchLiveRequest(), timeout=STREAM_DEADLINE_S)
    names: dict[str, dict[str, str]] = {}
    names_read = -NAMES_REFRESH_S
    try:
        async for message in call:
            if await request.is_disconnected():
                break
            if time.monotonic() - names_read >= NAMES_REFRESH_S:
                async with deps.pool.connection() as conn:
                    names = await queues.display_names(conn)
                names_read = time.monotonic()
            figures = live_to_dict(message, deps.settings.kpi_targets, names)
            data = json.dumps(figures, separators=(",", ":"), ensure_ascii=False)
            yield f"event: figures\ndata: {data}\n\n"
    except grpc.aio.AioRpcError as exc:
        # The page keeps its last figures and says so; EventSource reconnects after RETRY_MS.
        yield f"event: unavailable\ndata: {json.dumps({'reason': exc.code().name})}\n\n"
    finally:
        call.cancel()


@router.get(
    "/v1/metrics/live",
    summary="Live queue figures as Server-Sent Events (event `figures`), one at once and then on each change",
    response_class=StreamingResponse,
    # The role is checked in the body (a header or a stream ticket); declared for the OpenAPI document.
    openapi_extra={"x-roles": ["supervisor"]},
)
async def live(
    request: Request,
    deps: DepsDep,
    ticket: StreamTicket = None,
) -> StreamingResponse:
    credential = await stream_credential(request, ticket, "supervisor")
    lease = deps.limiter.open_stream(credential.id)
    return StreamingResponse(
        leased(lease, _events(request, deps)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        background=BackgroundTask(lease.release),
    )


@router.get(
    "/wallboard", response_class=HTMLResponse, summary="The wallboard page (asks for a supervisor token)"
)
async def wallboard(request: Request) -> HTMLResponse:
    # The page holds no figures itself: it reads them from /v1/metrics/live with a stream ticket it
    # gets with the token it is given.
    return page(request, "wallboard.html")
