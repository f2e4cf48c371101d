"""Tickets: read one, and the agent and customer actions on it."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response

from gateway.actions import ticket_views, ticket_work
from gateway.actions.ticket_views import CustomerEventOut, CustomerTicketDetailOut, CustomerTicketOut
from gateway.http import paging
from gateway.http.auth import Agent, AnyRole, Integration
from gateway.http.deps import Deps, DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import (
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
    response_model=TicketDetailOut | CustomerTicketDetailOut,
    summary="A ticket, the first page of its events and its documents",
    description="Staff see the whole record (documents' text, notes, the classifier's details); a "
    "channel's integration sees its own channel's tickets only, in the customer-facing view. A ticket "
    "out of the caller's reach answers 404, as one that does not exist. At most `limit` events; the "
    "rest from `GET /v1/tickets/{id}/events` (the `Link` header points there when there are more).",
    responses={200: {"headers": paging.LINK_HEADER}},
)
async def get_ticket(
    ticket_id: TicketId,
    credential: AnyRole,
    deps: DepsDep,
    request: Request,
    response: Response,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
) -> TicketDetailOut | CustomerTicketDetailOut:
    async with deps.pool.connection() as conn:
        await ticket_work.reach(conn, credential, ticket_id)
        ticket = await tickets.get(conn, ticket_id)
        if ticket is None:
            raise Problem(404, "Not found", f"no ticket {ticket_id}")
        events, after = await _event_page(conn, credential, ticket_id, None, limit)
        documents = await ticket_documents.for_ticket(conn, ticket_id)
    events_url = request.url.replace(path=f"{request.url.path}/events", query=f"limit={limit}")
    paging.link_next(response, events_url, after)
    return ticket_views.detail_view(credential, ticket, events, list(documents))


@router.get(
    "/v1/tickets/{ticket_id}/events",
    response_model=list[dict[str, Any]] | list[CustomerEventOut],
    summary="A ticket's events, oldest first, a page at a time",
    description="The same reach and view as `GET /v1/tickets/{id}`: integrations see only the events a "
    "customer may see, without notes or the classifier's details.",
    responses={200: {"headers": paging.LINK_HEADER}},
)
async def get_events(
    ticket_id: TicketId,
    credential: AnyRole,
    deps: DepsDep,
    request: Request,
    response: Response,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    cursor: paging.Cursor = None,
) -> list[dict[str, Any]]:
    keys = paging.decode(cursor, (int,))
    async with deps.pool.connection() as conn:
        await ticket_work.reach(conn, credential, ticket_id)
        events, after = await _event_page(conn, credential, ticket_id, keys[0] if keys else 0, limit)
    paging.link_next(response, request.url, after)
    return ticket_views.events_view(credential, events)


async def _event_page(
    conn: Any, credential: Credential, ticket_id: int, after_id: int | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the events `credential` may see, and the cursor of the next page (None: the last)."""
    found = await ticket_events.for_ticket(
        conn, ticket_id, after_id=after_id or 0, limit=limit + 1, types=ticket_views.event_types(credential)
    )
    if len(found) <= limit:
        return found, None
    return found[:limit], paging.encode(found[limit - 1]["id"])


async def _customer_side(
    deps: Deps, ticket_id: int, action: str, credential: Credential, body: EventTime | None
) -> CustomerTicketOut:
    """An action the customer takes, through the integration of the ticket's own channel."""
    reported = body.occurred_at if body else None
    ticket = await ticket_work.act(deps, ticket_id, action, credential=credential, reported=reported)
    return CustomerTicketOut.of(ticket)


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
        credential=credential,
        reported=body.occurred_at,
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
        credential=credential,
        reported=body.occurred_at,
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
        credential=credential,
        reported=body.occurred_at,
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
        credential=credential,
        reported=body.occurred_at,
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
        credential=credential,
        reported=body.occurred_at,
        agent_id=credential.agent_id,
        data=data,
    )
    return TicketOut.of(ticket)


@router.post(
    "/v1/tickets/{ticket_id}/abandon",
    response_model=CustomerTicketOut,
    summary="The customer left before an answer (hung up, closed the chat)",
)
async def abandon(
    ticket_id: TicketId,
    credential: Integration,
    deps: DepsDep,
    body: Annotated[EventTime | None, Body()] = None,
) -> CustomerTicketOut:
    return await _customer_side(deps, ticket_id, "abandon", credential, body)


@router.post(
    "/v1/tickets/{ticket_id}/human",
    response_model=CustomerTicketOut,
    summary="The customer wants a person after an automatic answer: the ticket joins its queue",
    description="Only for a `self_served` ticket (409 otherwise). Its wait for an agent starts now.",
)
async def request_human(
    ticket_id: TicketId,
    credential: Integration,
    deps: DepsDep,
    body: Annotated[EventTime | None, Body()] = None,
) -> CustomerTicketOut:
    return await _customer_side(deps, ticket_id, "request_human", credential, body)
