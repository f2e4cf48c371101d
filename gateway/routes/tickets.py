"""Tickets: read one, and the agent and customer actions on it."""

from dataclasses import dataclass
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
    return CustomerTicketOut.model_validate(ticket)


@dataclass(frozen=True)
class AgentAction:
    """One action an agent takes on a ticket it holds: POST /v1/tickets/{id}/<path>."""

    path: str
    # The state machine's name for it (services/shared/ticket_changes.py), also the route's name.
    action: str
    summary: str
    body: type[NoteIn] = NoteIn
    # A body is optional (an empty POST means "now, no note") unless the action needs its fields.
    body_required: bool = False
    description: str | None = None

    def arguments(self, body: NoteIn) -> dict[str, Any]:
        """What ticket_work.act takes from the body besides its time."""
        if isinstance(body, TransferIn):
            return {"to_queue": body.queue, "data": body.event_data()}
        if isinstance(body, ResolveIn):
            note = {"customer_note": body.customer_note} if body.customer_note.strip() else {}
            return {"data": {"resolution_code": body.resolution_code, **body.event_data(), **note}}
        return {"data": body.event_data()}


AGENT_ACTIONS = (
    AgentAction("answer", "answer", "First answer by the agent holding it"),
    AgentAction(
        "await-customer",
        "await_customer",
        "Wait for the customer: the SLA clock pauses until they write again",
        description="Only for an `answered` ticket held by the agent (409 otherwise). The customer's next "
        "message (a `customer_message` event) resumes the clock; deadlines move on by the open time paused.",
    ),
    AgentAction("release", "release", "Give an unanswered ticket back"),
    AgentAction("transfer", "transfer", "Move to a queue", body=TransferIn, body_required=True),
    AgentAction("resolve", "resolve", "Resolve; a survey follows", body=ResolveIn),
)


def _agent_route(spec: AgentAction) -> None:
    async def act(ticket_id: int, credential: Credential, deps: Deps, body: NoteIn | None) -> TicketOut:
        body = body or spec.body()
        ticket = await ticket_work.act(
            deps,
            ticket_id,
            spec.action,
            credential=credential,
            reported=body.occurred_at,
            agent_id=credential.agent_id,
            **spec.arguments(body),
        )
        return TicketOut.model_validate(ticket)

    # The body's type is the action's, so FastAPI validates and documents each one as its own.
    if spec.body_required:

        async def endpoint(
            ticket_id: TicketId,
            body: Annotated[spec.body, Body()],  # type: ignore[name-defined]
            credential: Agent,
            deps: DepsDep,
        ) -> TicketOut:
            return await act(ticket_id, credential, deps, body)

    else:

        async def endpoint(  # type: ignore[misc]  # the same endpoint, with an optional body
            ticket_id: TicketId,
            credential: Agent,
            deps: DepsDep,
            body: Annotated[spec.body | None, Body()] = None,  # type: ignore[name-defined]
        ) -> TicketOut:
            return await act(ticket_id, credential, deps, body)

    router.add_api_route(
        f"/v1/tickets/{{ticket_id}}/{spec.path}",
        endpoint,
        methods=["POST"],
        name=spec.action,
        response_model=TicketOut,
        summary=spec.summary,
        description=spec.description,
    )


for _spec in AGENT_ACTIONS:
    _agent_route(_spec)


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
