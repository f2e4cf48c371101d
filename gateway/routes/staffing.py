"""GET /v1/staffing: agents needed per queue for a service-level target (Erlang C, or A with patience)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from gateway.actions import staffing
from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.routes.metrics import QUEUE_NAME

router = APIRouter(tags=["metrics"])


class PredictedOut(BaseModel):
    p_wait: float
    # Null when the agents signed in cannot keep up (Erlang C: the queue grows without end).
    service_level: float | None
    asa_s: float | None
    # Erlang A only (with patience_s); null for Erlang C.
    abandonment: float | None


class QueueStaffingOut(BaseModel):
    queue: str
    arrival_rate_per_h: float
    aht_s: float
    # "today" (the centre's day, from the metrics service), "recent" (last 200 resolved) or "default".
    aht_basis: str
    agents_signed_in: int
    # Null when no staff within the maths' bound meets the targets.
    agents_needed: int | None
    predicted: PredictedOut


class StaffingOut(BaseModel):
    target_sl: float
    target_s: float
    target_asa_s: float | None
    patience_s: float | None
    # The arrival rate is measured over this many seconds before now.
    arrival_window_s: float
    queues: list[QueueStaffingOut]


@router.get(
    "/v1/staffing",
    response_model=StaffingOut,
    summary="Staffing advice per queue: agents needed for a service-level target now (Erlang C / A)",
    description="Arrival rate over the last 30 minutes, today's handling time (talk and wrap-up) on "
    "the centre's clock, agents available now. With `patience_s` the maths is Erlang A (callers "
    "abandon after a mean patience); without it Erlang C.",
)
async def staffing_advice(
    credential: Supervisor,
    deps: DepsDep,
    queue: Annotated[str | None, Query(max_length=63, pattern=QUEUE_NAME)] = None,
    target_sl: Annotated[float, Query(gt=0, lt=1)] = 0.8,
    target_s: Annotated[float, Query(gt=0, le=86_400)] = 20,
    patience_s: Annotated[float | None, Query(gt=0, le=86_400)] = None,
    target_asa_s: Annotated[float | None, Query(gt=0, le=86_400)] = None,
) -> StaffingOut:
    try:
        measured = await staffing.measure(deps, queue)
    except staffing.UnknownQueue:
        raise Problem(422, "Unknown queue", f"there is no queue {queue!r}") from None
    advice = [staffing.advise(m, target_sl, target_s, patience_s, target_asa_s) for m in measured]
    return StaffingOut.model_validate(
        {
            "target_sl": target_sl,
            "target_s": target_s,
            "target_asa_s": target_asa_s,
            "patience_s": patience_s,
            "arrival_window_s": staffing.ARRIVAL_WINDOW_S,
            "queues": [staffing.as_dict(a) for a in advice],
        }
    )
