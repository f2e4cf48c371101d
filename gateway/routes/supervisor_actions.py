"""A supervisor's actions from the supervisor page: move a ticket to another queue, set an agent away."""

from typing import Annotated

from fastapi import APIRouter, Path

from gateway.actions import ticket_work
from gateway.http.agent_schemas import MoveIn, PresenceOut, SupervisorPresenceIn
from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import TicketOut
from services.shared.store import agents

router = APIRouter(tags=["supervisor"])

TicketId = Annotated[int, Path(ge=1, le=2**63 - 1)]
AgentId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post(
    "/v1/supervisor/tickets/{ticket_id}/move",
    response_model=TicketOut,
    summary="Move a waiting or held ticket to another queue (a held one leaves its agent)",
    description="Recorded as a `transferred` event with `by: supervisor`. Not a classifier correction: "
    "a supervisor moves work to balance queues, which says nothing about where the text belonged.",
)
async def move(ticket_id: TicketId, body: MoveIn, credential: Supervisor, deps: DepsDep) -> TicketOut:
    ticket = await ticket_work.act(
        deps,
        ticket_id,
        "move",
        credential=credential,
        reported=body.occurred_at,
        to_queue=body.queue,
        data={**body.event_data(), "credential_id": credential.id},
        # A ticket reserved for one agent (a transfer to them) is anyone's in its new queue.
        extra_columns={"reserved_agent_id": None},
    )
    return TicketOut.model_validate(ticket)


@router.put(
    "/v1/supervisor/agents/{agent_id}/presence",
    response_model=PresenceOut,
    summary="Set an agent away or offline: their pending offers go back at once",
)
async def set_presence(
    agent_id: AgentId, body: SupervisorPresenceIn, _: Supervisor, deps: DepsDep
) -> PresenceOut:
    async with deps.pool.connection() as conn, conn.transaction():
        previous = await agents.set_presence(conn, agent_id, body.presence)
    if previous is None:
        raise Problem(404, "Not found", f"no agent {agent_id}")
    return PresenceOut(presence=body.presence, previous=previous)
