"""Demand for an ISO week from the metrics service (supervisors only): per intent, queue and channel
beside last week and the same week last year, rising and new intents, and the phrases of what the
classifier could not place (docs/demand.md)."""

from datetime import UTC
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import grpc
from fastapi import APIRouter, Query
from ticketing.v1 import metrics_pb2

from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.routes.metrics import UNAVAILABLE, _unavailable
from services.shared.i18n import catalogue, intent_names
from services.shared.store import queues

router = APIRouter(tags=["metrics"])

WEEK = r"^\d{4}-W\d{2}$"
# The rule's statement, as docs/demand.md gives it, so a reader of the figures has it beside them.
RULE = (
    "Conditional binomial test of two Poisson rates: this week's count x against the baseline weeks' "
    "total b, P(X >= x) for X ~ Binomial(x + b, 1 / (weeks + 1)); p-values adjusted by "
    "Benjamini-Hochberg over every intent seen; flagged when x >= min_count, x is above the baseline "
    "mean and the adjusted p-value <= alpha; 'new' when the baseline mean was under one a week."
)


def _change(now: int, before: int) -> float | None:
    """The relative change, None when there was nothing before."""
    return round((now - before) / before, 4) if before else None


def _count(c: metrics_pb2.DemandCount) -> dict[str, Any]:
    return {
        "this_week": c.this_week,
        "last_week": c.last_week,
        "same_week_last_year": c.same_week_last_year,
        "week_on_week": _change(c.this_week, c.last_week),
        "year_on_year": _change(c.this_week, c.same_week_last_year),
    }


def _intent_names(intent: str, queue_names: dict[str, dict[str, str]]) -> dict[str, str]:
    """The empty intent counts the tickets the classifier named no intent for."""
    if not intent:
        return {lang: catalogue.text(lang, "wallboard.demand_no_intent") for lang in catalogue.LANGUAGES}
    return intent_names.names(intent, queue_names)


def shape(reply: metrics_pb2.GetDemandResponse, queue_names: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The JSON answer; intents, queues and channels carry their display `names` (Arabic, English); the
    week's bounds are on the centre's clock, with their offset."""
    zone = ZoneInfo(reply.time_zone or "UTC")
    return {
        "week": reply.week,
        "same_week_last_year": reply.same_week_last_year,
        "from": getattr(reply, "from").ToDatetime(tzinfo=UTC).astimezone(zone).isoformat(),
        "to": reply.to.ToDatetime(tzinfo=UTC).astimezone(zone).isoformat(),
        "time_zone": reply.time_zone,
        "rule": {
            "statement": RULE,
            "baseline_weeks": reply.baseline_weeks,
            "alpha": reply.alpha,
            "min_count": reply.min_count,
        },
        "intents": [
            {
                "intent": c.key,
                "names": _intent_names(c.key, queue_names),
                **_count(c),
                "baseline_mean": round(c.baseline_mean, 3),
                "p_value": c.p_value,
                "q_value": c.q_value,
                "flag": c.flag or None,
            }
            for c in reply.by_intent
        ],
        "queues": [
            {"queue": c.key, "names": queue_names.get(c.key, {"ar": c.key, "en": c.key}), **_count(c)}
            for c in reply.by_queue
        ],
        "channels": [
            {"channel": c.key, "names": catalogue.names("channel", c.key), **_count(c)}
            for c in reply.by_channel
        ],
        "phrases": [
            {
                "phrase": p.phrase,
                "count": p.count,
                "total": p.total,
                "z": p.z,
                "example_ticket_ids": list(p.example_ticket_ids),
            }
            for p in reply.phrases
        ],
        "inquiries": reply.inquiries,
        "unplaced": reply.unplaced,
    }


@router.get(
    "/v1/metrics/demand",
    summary="An ISO week's demand per intent, queue and channel; rising and new intents; unplaced phrases",
    description=(
        "Weeks are ISO weeks on the centre's clock (CENTRE_TIMEZONE); without `week`, the week under way "
        "(counted so far). Intents are flagged by the rule in `rule` (docs/demand.md)."
    ),
    responses={422: {"description": "No such week"}, **UNAVAILABLE},
)
async def get_demand(
    _: Supervisor,
    deps: DepsDep,
    week: Annotated[
        str | None, Query(pattern=WEEK, max_length=8, description="ISO week, YYYY-Www (2026-W49)")
    ] = None,
    top_phrases: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    request = metrics_pb2.GetDemandRequest(top_phrases=top_phrases)
    if week:
        request.iso_year, request.iso_week = int(week[:4]), int(week[6:])
        if not 1971 <= request.iso_year <= 9998:
            raise Problem(422, "Invalid week", "the year must be 1971 to 9998")
    try:
        reply = await deps.metrics.GetDemand(request, timeout=deps.settings.metrics_timeout_s)
    except grpc.aio.AioRpcError as exc:
        _unavailable(exc)
    async with deps.pool.connection() as conn:
        names = await queues.display_names(conn)
    return shape(reply, names)
