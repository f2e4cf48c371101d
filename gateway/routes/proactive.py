"""GET /v1/metrics/proactive: the proactive messages of a year by kind, channel and outcome, and the
repeat contacts of tickets told of their resolution beside those that were not."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from gateway.actions import proactive_figures
from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep

router = APIRouter(tags=["metrics"])


class CountOut(BaseModel):
    kind: str
    channel: str
    # sent, suppressed (the channel holds the kind back) or stale (the ticket moved on first).
    outcome: str
    count: int


class RepeatOut(BaseModel):
    resolved: int
    # Of those, tickets whose customer opened another in the same queue within `window_days`.
    repeated: int
    # repeated / resolved; null with nothing resolved.
    rate: float | None


class ProactiveOut(BaseModel):
    year: int
    # The years are the centre's (CENTRE_TIMEZONE).
    time_zone: str
    counts: list[CountOut]
    window_days: int
    # Resolved in the year and told so by a proactive message, and the rest.
    told: RepeatOut
    not_told: RepeatOut


@router.get(
    "/v1/metrics/proactive",
    response_model=ProactiveOut,
    summary="Proactive messages of a year by kind, channel and outcome, and their effect on repeat contacts",
    description='Counted when decided (docs/channels.md, "Proactive messages"). Repeat contacts: '
    "tickets resolved in the year whose customer opened another in the same queue within 7 days, "
    "for tickets told of their resolution and for the others.",
)
async def proactive_summary(
    credential: Supervisor, deps: DepsDep, year: Annotated[int, Query(ge=1971, le=9998)]
) -> ProactiveOut:
    async with deps.pool.connection() as conn:
        figures = await proactive_figures.for_year(conn, year, deps.settings.centre_zone)
    return ProactiveOut.model_validate(figures)
