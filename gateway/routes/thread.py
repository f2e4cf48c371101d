"""A ticket's conversation and place: position and wait, replies, the customer's history, transfer to
an agent, and reopening."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response

from gateway.actions import ticket_work, waits
from gateway.http import paging
from gateway.http.agent_schemas import PositionOut, ReplyIn, TransferToIn
from gateway.http.auth import Agent, AnyRole, require
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import NoteIn, TicketOut
from services.shared.domain import CHANNEL_IDENTITY
from services.shared.store import agents, outbound_messages, queues, ticket_events, tickets
from services.shared.store.api_credentials import Credential
from services.shared.store.outbound_messages import NewMessage
from services.shared.store.ticket_events import NewEvent

router = APIRouter(tags=["tickets"])

TicketId = Annotated[int, Path(ge=1, le=2**63 - 1)]
# Agents and supervisors; which tickets an agent reaches is gateway/actions/access.py's to decide.
Staff = Annotated[Credential, Depends(require("agent", "supervisor"))]


@router.get(
    "/v1/tickets/{ticket_id}/position",
    response_model=PositionOut,
    summary="The ticket's place in its queue and the estimated wait",
    description="From the queue's depth, the agents who may take it now and the queue's recent "
    "handling times (Erlang C where the agents keep up). The same reach as `GET /v1/tickets/{id}`.",
)
async def position(ticket_id: TicketId, credential: AnyRole, deps: DepsDep) -> PositionOut:
    async with deps.pool.connection() as conn:
        await ticket_work.reach(conn, credential, ticket_id)
        ticket = await tickets.get(conn, ticket_id)
        if ticket is None:
            raise Problem(404, "Not found", f"no ticket {ticket_id}")
        found = await waits.estimate(conn, deps.waits, deps.settings.routing, ticket)
    out = PositionOut(ticket_id=ticket.id, status=ticket.status, queue=ticket.queue)
    if found is not None:
        out = out.model_copy(
            update={
                "position": found.position,
                "queue_depth": found.queue_depth,
                "estimated_wait_s": found.wait_s,
            }
        )
    return out


@router.post(
    "/v1/tickets/{ticket_id}/reply",
    response_model=TicketOut,
    summary="Write to the customer on the ticket's channel (the first reply answers the ticket)",
    description="The text goes out as an outbound message (kind `reply`) and joins the thread as an "
    "`agent_message` event. Only the agent holding the ticket may reply.",
)
async def reply(ticket_id: TicketId, body: ReplyIn, credential: Agent, deps: DepsDep) -> TicketOut:
    at = ticket_work.event_time(deps, body.occurred_at, credential)
    mark = ticket_work.backfill_mark(body.occurred_at, credential)
    async with deps.pool.connection() as conn, conn.transaction():
        ticket = await tickets.get(conn, ticket_id, for_update=True)
        await ticket_work.reach(conn, credential, ticket_id, exists=ticket is not None)
        assert ticket is not None
        if ticket.assigned_agent_id != credential.agent_id or ticket.status not in ("claimed", "answered"):
            raise Problem(
                409, "Not your ticket", f"ticket {ticket_id} is not held by you", status_now=ticket.status
            )
        if ticket.status == "claimed":
            await ticket_work.apply_locked(
                conn,
                ticket,
                "answer",
                at=at,
                policy=deps.settings.escalation,
                agent_id=credential.agent_id,
                data=mark,
            )
        at = max(at, ticket.last_event_at)
        recipient = await tickets.reply_address(conn, ticket.id, CHANNEL_IDENTITY[ticket.channel])
        message_id = await outbound_messages.insert(
            conn,
            NewMessage(ticket.channel, "reply", body.text, recipient, ticket.id, ticket.customer_id),
        )
        await ticket_events.append(
            conn,
            NewEvent(
                ticket.id,
                "agent_message",
                at,
                credential.agent_id,
                ticket.queue_id,
                {"text": body.text, "message_id": message_id, **mark},
            ),
        )
        await tickets.touch(conn, ticket.id, at)
        updated = await tickets.get(conn, ticket_id)
    assert updated is not None
    return TicketOut.model_validate(updated)


@router.post(
    "/v1/tickets/{ticket_id}/transfer-to-agent",
    response_model=TicketOut,
    summary="Hand the ticket to another agent (and queue), with a note",
    description="The ticket waits in the queue (its own unless `queue` is given) reserved for the agent: "
    "they are offered it first; if they miss the offer or go offline it is anyone's in the queue. "
    "409 when that agent is not available now.",
)
async def transfer_to_agent(
    ticket_id: TicketId, body: TransferToIn, credential: Agent, deps: DepsDep
) -> TicketOut:
    if body.agent_id is None:
        raise Problem(422, "Invalid request", "give agent_id (to move to a queue only, use /transfer)")
    async with deps.pool.connection() as conn:
        await ticket_work.reach(conn, credential, ticket_id)
        presence = await agents.presence_of(conn, body.agent_id, active_only=True)
        if presence is None:
            raise Problem(422, "Unknown agent", f"there is no active agent {body.agent_id}")
        # A reservation is cleared when its agent leaves `available`; one made for an agent already
        # away or offline would never be offered to anyone, so it is refused instead.
        if presence != "available":
            raise Problem(409, "Agent not available", f"agent {body.agent_id} is {presence}; try later")
        current = await tickets.get(conn, ticket_id)
        if current is None:
            raise Problem(404, "Not found", f"no ticket {ticket_id}")
        queue = body.queue or current.queue
        if body.queue and await queues.id_by_name(conn, body.queue) is None:
            raise Problem(422, "Unknown queue", f"there is no queue {body.queue!r}")
    data: dict[str, Any] = {"to_agent_id": body.agent_id, **body.event_data()}
    ticket = await ticket_work.act(
        deps,
        ticket_id,
        "transfer",
        credential=credential,
        reported=body.occurred_at,
        agent_id=credential.agent_id,
        to_queue=queue,
        data=data,
        extra_columns={"reserved_agent_id": body.agent_id},
    )
    return TicketOut.model_validate(ticket)


@router.post(
    "/v1/tickets/{ticket_id}/escalate",
    response_model=TicketOut,
    summary="Hand the ticket up a tier, with a note: one escalation level higher, priority raised",
    description="It goes to its queue's escalation queue when one is set (`python -m services.admin "
    "set-escalation-queue`), else it waits in its own queue at the higher priority. Holder only.",
)
async def escalate(
    ticket_id: TicketId, credential: Agent, deps: DepsDep, body: Annotated[NoteIn | None, Body()] = None
) -> TicketOut:
    body = body or NoteIn()
    async with deps.pool.connection() as conn:
        await ticket_work.reach(conn, credential, ticket_id)
        current = await tickets.get(conn, ticket_id)
        if current is None:
            raise Problem(404, "Not found", f"no ticket {ticket_id}")
        target = await queues.escalation_target(conn, current.queue_id)
        names = dict(await queues.names(conn))
    ticket = await ticket_work.act(
        deps,
        ticket_id,
        "escalate",
        credential=credential,
        reported=body.occurred_at,
        agent_id=credential.agent_id,
        to_queue=names.get(target) if target is not None else None,
        data=body.event_data(),
    )
    return TicketOut.model_validate(ticket)


@router.post(
    "/v1/tickets/{ticket_id}/reopen",
    response_model=TicketOut,
    summary="Reopen a resolved ticket: it waits in its queue again",
    description="Only the agent who resolved it, or a supervisor (403 for any other agent who can see "
    "it; 404 for one who cannot): reopening changes the resolver's first-contact resolution and "
    "cancels the ticket's survey.",
)
async def reopen(
    ticket_id: TicketId, credential: Staff, deps: DepsDep, body: Annotated[NoteIn | None, Body()] = None
) -> TicketOut:
    body = body or NoteIn()
    ticket = await ticket_work.act(
        deps,
        ticket_id,
        "reopen",
        credential=credential,
        reported=body.occurred_at,
        agent_id=credential.agent_id,
        data=body.event_data(),
    )
    return TicketOut.model_validate(ticket)


@router.get(
    "/v1/tickets/{ticket_id}/history",
    summary="The customer's history on every channel: their tickets, newest first, and each one's thread",
    description="Through a ticket the caller may see (404 otherwise): an agent reads the history of "
    "the customers of their own work only. A page of at most `limit` tickets; the `Link` header "
    "points at the next page.",
    responses={200: {"headers": paging.LINK_HEADER}},
)
async def history(
    ticket_id: TicketId,
    credential: Staff,
    deps: DepsDep,
    request: Request,
    response: Response,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    cursor: paging.Cursor = None,
) -> dict[str, Any]:
    after = _history_position(cursor)
    async with deps.pool.connection() as conn:
        await ticket_work.reach(conn, credential, ticket_id)
        ticket = await tickets.get(conn, ticket_id)
        if ticket is None:
            raise Problem(404, "Not found", f"no ticket {ticket_id}")
        found = await tickets.for_customer(conn, ticket.customer_id, limit=limit + 1, before=after)
        items = [await _history_item(conn, other) for other in found[:limit]]
    if len(found) > limit:
        last = found[limit - 1]
        paging.link_next(response, request.url, paging.encode(last.created_at.isoformat(), last.id))
    return {"customer_id": ticket.customer_id, "tickets": items}


def _history_position(cursor: str | None) -> tuple[datetime, int] | None:
    keys = paging.decode(cursor, (str, int))
    if keys is None:
        return None
    try:
        at = datetime.fromisoformat(keys[0])
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise Problem(422, "Invalid cursor", "the cursor is not one this API gave; start again without it")
    return at, keys[1]


async def _history_item(conn: Any, other: tickets.Ticket) -> dict[str, Any]:
    events = await ticket_events.for_ticket(
        conn, other.id, types=("customer_message", "agent_message", "resolved")
    )
    thread = [
        {
            "at": e["occurred_at"],
            "from": "customer" if e["type"] == "customer_message" else "agent",
            "channel": e["data"].get("channel", other.channel),
            "text": e["data"].get("text", ""),
        }
        for e in events
        if e["type"] in ("customer_message", "agent_message")
    ]
    return {
        "id": other.id,
        "channel": other.channel,
        "queue": other.queue,
        "status": other.status,
        "subject": other.subject,
        "text": other.body,
        "created_at": other.created_at,
        "resolved_at": other.resolved_at,
        "resolution_code": next(
            (e["data"].get("resolution_code") for e in reversed(events) if e["type"] == "resolved"),
            None,
        ),
        "thread": thread,
    }
