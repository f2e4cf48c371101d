"""POST /v1/tickets/{id}/quality: a supervisor scores a handled ticket 0-100 (the quality figure)."""

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from gateway.actions import ticket_work
from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import EventTime
from services.shared.store import quality_evaluations

router = APIRouter(tags=["tickets"])


class QualityIn(EventTime):
    # Two decimals, as the evaluations table keeps them (88.4 of 100 reads as 0.884 in the KPIs).
    score: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2, strict=False)
    comment: str = Field("", max_length=5000)


@router.post(
    "/v1/tickets/{ticket_id}/quality",
    status_code=201,
    summary="Score the handling of a ticket 0-100 (supervisors); the quality KPI is their mean",
    description="The ticket must have been answered by an agent (409 otherwise). Each POST is one "
    "evaluation.",
)
async def evaluate(
    ticket_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: QualityIn,
    credential: Supervisor,
    deps: DepsDep,
) -> dict[str, Any]:
    at = ticket_work.event_time(deps, body.occurred_at, credential)
    try:
        async with deps.pool.connection() as conn:
            found = await quality_evaluations.record(
                conn, ticket_id, credential.id, body.score, body.comment, at
            )
    except quality_evaluations.NotHandled as exc:
        raise Problem(409, "Not handled", str(exc)) from None
    if found is None:
        raise Problem(404, "Not found", f"no ticket {ticket_id}")
    return {
        "id": found.id,
        "ticket_id": found.ticket_id,
        "score": float(found.score),
        "comment": found.comment,
        "evaluated_at": found.evaluated_at.isoformat(),
    }
