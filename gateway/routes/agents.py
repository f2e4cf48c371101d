"""The agent's own work: claim the next ticket of the queues they serve."""

from typing import Annotated

from fastapi import APIRouter, Body, Response

from gateway import ticket_work
from gateway.auth import Agent
from gateway.deps import DepsDep
from gateway.schemas import EventTime, TicketOut

router = APIRouter(tags=["agents"])


@router.post(
    "/v1/agent/claim",
    response_model=TicketOut,
    summary="Claim the best waiting ticket of my queues (priority, then age)",
    responses={204: {"description": "Nothing is waiting in my queues"}},
)
async def claim(
    credential: Agent, deps: DepsDep, body: Annotated[EventTime | None, Body()] = None
) -> TicketOut | Response:
    assert credential.agent_id is not None  # the schema ties agent tokens to an agent
    ticket = await ticket_work.claim_next(deps, credential.agent_id, body.occurred_at if body else None)
    if ticket is None:
        return Response(status_code=204)
    return TicketOut.of(ticket)
