"""Tickets: read one, and the agent and customer actions on it."""

from typing import Annotated

from fastapi import APIRouter, Body, Path

from gateway import ticket_work
from gateway.auth import Agent, AnyRole, Integration
from gateway.deps import Deps, DepsDep
from gateway.problems import Problem
from gateway.schemas import (
    DocumentOut,
    EventTime,
    NoteIn,
    ResolveIn,
    TicketDetailOut,
    TicketOut,
    TransferIn,
)
from services.shared.store import ticket_documents, ticket_events, tickets
from services.shared.store.api_credentials import Credential

router = APIRouter(tags=["tickets"])

TicketId = Annotated[int, Path(ge=1, le=2**63 - 1)]
# Bodies are optional: an empty POST means "now, no note".
OptionalNote = Annotated[NoteIn | None, Body()]


@router.get(
    "/v1/tickets/{ticket_id}",
    response_model=TicketDetailOut,
    summary="A ticket, its events and the text of its documents",
)
async def get_ticket(ticket_id: TicketId, credential: AnyRole, deps: DepsDep) -> TicketDetailOut:
    async with deps.pool.connection() as conn:
        ticket = await tickets.get(conn, ticket_id)
        # An integration sees only its own channel's tickets; others are as if absent.
        if ticket is None or (credential.role == "integration" and ticket.channel != credential.channel):
            raise Problem(404, "Not found", f"no ticket {ticket_id}")
        events = await ticket_events.for_ticket(conn, ticket_id)
        documents = await ticket_documents.for_ticket(conn, ticket_id)
    return TicketDetailOut(
        **TicketOut.of(ticket).model_dump(), events=events, documents=[DocumentOut.of(d) for d in documents]
    )


async def _customer_side(
    deps: Deps, ticket_id: int, action: str, credential: Credential, body: EventTime | None
) -> TicketOut:
    """An action the customer takes, through the integration of the ticket's own channel."""
    reported = body.occurred_at if body else None
    ticket = await ticket_work.act(
        deps, ticket_id, action, reported=reported, by=credential, channel_scope=credential.channel
    )
    return TicketOut.of(ticket)


@router.post(
    "/v1/tickets/{ticket_id}/answer", response_model=TicketOut, summary="First answer by the agent holding it"
)
async def answer(
    ticket_id: TicketId, credential: Agent, deps: DepsDep, body: OptionalNote = None
) -> TicketOut:
    body = body or NoteIn()
    ticket = await ticket_work.act(
        deps,
        ticket_id,
        "answer",
        reported=body.occurred_at,
        by=credential,
        agent_id=credential.agent_id,
        data=body.event_data(),
    )
    return TicketOut.of(ticket)


@router.post(
    "/v1/tickets/{ticket_id}/await-customer",
    response_model=TicketOut,
    summary="Wait for the customer: the SLA clock pauses until they write again",
    description="Only for an `answered` ticket held by the agent (409 otherwise). The customer's next "
    "message (a `customer_message` event) resumes the clock; deadlines move on by the open time paused.",
)
async def await_customer(
    ticket_id: TicketId, credential: Agent, deps: DepsDep, body: OptionalNote = None
) -> TicketOut:
    body = body or NoteIn()
    ticket = await ticket_work.act(
        deps,
        ticket_id,
        "await_customer",
        reported=body.occurred_at,
        by=credential,
        agent_id=credential.agent_id,
        data=body.event_data(),
    )
    return TicketOut.of(ticket)


@router.post(
    "/v1/tickets/{ticket_id}/release", response_model=TicketOut, summary="Give an unanswered ticket back"
)
async def release(
    ticket_id: TicketId, credential: Agent, deps: DepsDep, body: OptionalNote = None
) -> TicketOut:
    body = body or NoteIn()
    ticket = await ticket_work.act(
        deps,
        ticket_id,
        "release",
        reported=body.occurred_at,
        by=credential,
        agent_id=credential.agent_id,
        data=body.event_data(),
    )
    return TicketOut.of(ticket)


@router.post("/v1/tickets/{ticket_id}/transfer", response_model=TicketOut, summary="Move to a queue")
async def transfer(ticket_id: TicketId, body: TransferIn, credential: Agent, deps: DepsDep) -> TicketOut:
    ticket = await ticket_work.act(
        deps,
        ticket_id,
        "transfer",
        reported=body.occurred_at,
        by=credential,
        agent_id=credential.agent_id,
        to_queue=body.queue,
        data=body.event_data(),
    )
    return TicketOut.of(ticket)


@router.post("/v1/tickets/{ticket_id}/resolve", response_model=TicketOut, summary="Resolve; a survey follows")
async def resolve(
    ticket_id: TicketId, credential: Agent, deps: DepsDep, body: Annotated[ResolveIn | None, Body()] = None
) -> TicketOut:
    body = body or ResolveIn()
    data = {"resolution_code": body.resolution_code, **body.event_data()}
    ticket = await ticket_work.act(
        deps,
        ticket_id,
        "resolve",
        reported=body.occurred_at,
        by=credential,
        agent_id=credential.agent_id,
        data=data,
    )
    return TicketOut.of(ticket)


@router.post(
    "/v1/tickets/{ticket_id}/abandon",
    response_model=TicketOut,
    summary="The customer left before an answer (hung up, closed the chat)",
)
async def abandon(
    ticket_id: TicketId,
    credential: Integration,
    deps: DepsDep,
    body: Annotated[EventTime | None, Body()] = None,
) -> TicketOut:
    return await _customer_side(deps, ticket_id, "abandon", credential, body)


@router.post(
    "/v1/tickets/{ticket_id}/human",
    response_model=TicketOut,
    summary="The customer wants a person after an automatic answer: the ticket joins its queue",
    description="Only for a `self_served` ticket (409 otherwise). Its wait for an agent starts now.",
)
async def request_human(
    ticket_id: TicketId,
    credential: Integration,
    deps: DepsDep,
    body: Annotated[EventTime | None, Body()] = None,
) -> TicketOut:
    return await _customer_side(deps, ticket_id, "request_human", credential, body)
