"""The agent's own work: claim the next ticket of the queues they serve."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from gateway import ticket_work
from gateway.auth import require
from gateway.deps import Deps, get_deps
from gateway.schemas import EventTime, TicketOut
from services.shared.store.api_credentials import Credential

router = APIRouter(tags=["agents"])


@router.post(
    "/v1/agent/claim",
    response_model=TicketOut,
    summary="Claim the best waiting ticket of my queues (priority, then age)",
    responses={204: {"description": "Nothing is waiting in my queues"}},
)
async def claim(
    body: Annotated[EventTime, Body()] = EventTime(),
    credential: Credential = Depends(require("agent")),
    deps: Deps = Depends(get_deps),
) -> TicketOut | Response:
    assert credential.agent_id is not None  # the schema ties agent tokens to an agent
    ticket = await ticket_work.claim_next(deps, credential.agent_id, body.occurred_at)
    if ticket is None:
        return Response(status_code=204)
    return TicketOut.of(ticket)
