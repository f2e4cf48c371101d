"""GET /v1/metrics/kpis: KPI figures from the metrics service, in the shape KPIS.md gives."""

from datetime import UTC, datetime
from typing import Annotated, Any

import grpc
from fastapi import APIRouter, Query
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import AwareDatetime
from ticketing.v1 import metrics_pb2

from gateway.auth import Supervisor
from gateway.deps import DepsDep
from gateway.problems import Problem
from gateway.schemas import ChannelName
from services.shared import kpi_targets
from services.shared.domain import channel_to_proto

router = APIRouter(tags=["metrics"])


def _timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(UTC))
    return stamp


def figures_to_dict(figures: metrics_pb2.KpiFigures) -> dict[str, Any]:
    """Every field by name; an optional figure with nothing to average is null."""
    out: dict[str, Any] = {}
    for field in figures.DESCRIPTOR.fields:
        present = not field.has_presence or figures.HasField(field.name)
        out[field.name] = getattr(figures, field.name) if present else None
    return out


@router.get("/v1/metrics/kpis", summary="KPI figures for a period, overall and per channel, against targets")
async def get_kpis(
    _: Supervisor,
    deps: DepsDep,
    from_: Annotated[
        AwareDatetime | None, Query(alias="from", description="Start (inclusive); default 1 January")
    ] = None,
    to: Annotated[AwareDatetime | None, Query(description="End (exclusive); default now")] = None,
    channel: ChannelName | None = None,
    queue: Annotated[str | None, Query(max_length=63)] = None,
    sl_threshold_s: Annotated[int | None, Query(ge=0, le=86_400)] = None,
    short_abandon_s: Annotated[int | None, Query(ge=0, le=3_600)] = None,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    start = from_ or datetime(now.year, 1, 1, tzinfo=UTC)
    end = to or now
    if start >= end:
        raise Problem(422, "Invalid period", "`from` must be before `to`")
    request = metrics_pb2.GetKpisRequest(queue=queue or "")
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
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            raise Problem(422, "Invalid request", exc.details() or "") from None
        raise Problem(
            503, "Metrics unavailable", f"the metrics service did not answer ({exc.code().name})"
        ) from None
    overall = figures_to_dict(reply.overall)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        **overall,
        "by_channel": {name: figures_to_dict(f) for name, f in sorted(reply.by_channel.items())},
        "targets": kpi_targets.evaluate(overall),
        "formula_version": reply.formula_version,
    }
