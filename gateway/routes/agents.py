"""The agent's own work: presence, live offers (accept, reject), and pulling the next ticket."""

import asyncio
import json
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Path, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from gateway.actions import offers, ticket_work
from gateway.actions.offer_announcements import Announced
from gateway.http.agent_schemas import AgentOut, LanguageIn, OfferOut, PresenceIn, PresenceOut, WrapUpOut
from gateway.http.auth import Agent, StreamTicket, stream_credential
from gateway.http.deps import Deps, DepsDep
from gateway.http.problems import Problem
from gateway.http.rate_limits import leased
from gateway.http.schemas import EventTime, TicketOut
from services.shared.store import agents, ticket_offers, tickets
from services.shared.store.api_credentials import Credential

router = APIRouter(tags=["agents"])

OfferId = Annotated[int, Path(ge=1, le=2**63 - 1)]
# A comment line this often keeps proxies from closing an idle stream and finds a gone client.
HEARTBEAT_S = 10.0
# How soon a closed stream is noticed (the agent signed out, their offers given back).
DISCONNECT_CHECK_S = 0.5
# One stream lasts at most this long; the console reconnects. Bounds what a forgotten tab holds.
STREAM_DEADLINE_S = 3600.0


def _agent_id(credential: Credential) -> int:
    assert credential.agent_id is not None  # the schema ties agent tokens to an agent
    return credential.agent_id


@router.post(
    "/v1/agent/claim",
    response_model=TicketOut,
    summary="Claim the best waiting ticket of my queues (priority, then age) within my capacity",
    description="Not a ticket under offer to someone, nor one over my capacity for its channel. "
    "An offline agent who pulls is signed in (available); an away agent gets 409.",
    responses={204: {"description": "Nothing is waiting in my queues that I have room for"}},
)
async def claim(
    credential: Agent, deps: DepsDep, body: Annotated[EventTime | None, Body()] = None
) -> TicketOut | Response:
    reported = body.occurred_at if body else None
    ticket = await ticket_work.claim_next(deps, _agent_id(credential), reported, credential)
    if ticket is None:
        return Response(status_code=204)
    return TicketOut.model_validate(ticket)


@router.get("/v1/agent/me", response_model=AgentOut, summary="My presence, skills, capacity and load")
async def me(credential: Agent, deps: DepsDep) -> AgentOut:
    async with deps.pool.connection() as conn:
        found = await agents.routing_views(conn, agent_id=_agent_id(credential))
        language = await agents.language_of(conn, _agent_id(credential))
    if not found:
        raise Problem(404, "Not found", "your agent is inactive")
    return AgentOut.model_validate(found[0]).model_copy(update={"language": language})


@router.put(
    "/v1/agent/language",
    response_model=LanguageIn,
    summary="Set the language of my console (ar or en): it outranks ?lang= and the browser's",
)
async def set_language(body: LanguageIn, credential: Agent, deps: DepsDep) -> LanguageIn:
    async with deps.pool.connection() as conn:
        if not await agents.set_language(conn, _agent_id(credential), body.language):
            raise Problem(404, "Not found", "your agent is unknown")
    return body


@router.get("/v1/agent/tickets", response_model=list[TicketOut], summary="The tickets I hold now")
async def held(credential: Agent, deps: DepsDep) -> list[TicketOut]:
    async with deps.pool.connection() as conn:
        return [TicketOut.model_validate(t) for t in await tickets.held_by(conn, _agent_id(credential))]


@router.put(
    "/v1/agent/presence",
    response_model=PresenceOut,
    summary="Set my presence: available takes offers; away and offline take none",
    description="Leaving `available` gives back every pending offer at once. Each state's interval "
    "is recorded, for occupancy.",
)
async def set_presence(body: PresenceIn, credential: Agent, deps: DepsDep) -> PresenceOut:
    async with deps.pool.connection() as conn, conn.transaction():
        previous = await agents.set_presence(conn, _agent_id(credential), body.presence)
    if previous is None:
        raise Problem(404, "Not found", "your agent is unknown")
    return PresenceOut(presence=body.presence, previous=previous)


@router.post(
    "/v1/agent/wrap-up/end",
    response_model=WrapUpOut,
    summary="End my wrap-up (after-contact work): I take offers again",
    description="Wrap-up starts when I resolve, transfer or escalate a ticket I answered and lasts "
    "until I end it, change presence or pull work, or WRAP_UP_LIMIT_S passes. It counts in handling time.",
)
async def end_wrap_up(credential: Agent, deps: DepsDep) -> WrapUpOut:
    async with deps.pool.connection() as conn, conn.transaction():
        ended = await agents.end_wrap_up(conn, _agent_id(credential), datetime.now(UTC), "agent")
    return WrapUpOut(ended=ended)


@router.get("/v1/agent/offers", response_model=list[OfferOut], summary="My pending offers")
async def pending_offers(credential: Agent, deps: DepsDep) -> list[OfferOut]:
    async with deps.pool.connection() as conn:
        return [
            OfferOut.model_validate(o)
            for o in await ticket_offers.pending_for_agent(conn, _agent_id(credential))
        ]


@router.post(
    "/v1/agent/offers/{offer_id}/accept",
    response_model=TicketOut,
    summary="Accept an offer: the ticket is mine, claimed and answered",
    responses={409: {"description": "The offer expired, was withdrawn or decided already"}},
)
async def accept(
    offer_id: OfferId, credential: Agent, deps: DepsDep, body: Annotated[EventTime | None, Body()] = None
) -> TicketOut:
    reported = body.occurred_at if body else None
    at = ticket_work.event_time(deps, reported, credential)
    mark = ticket_work.backfill_mark(reported, credential)
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            ticket = await offers.accept_locked(
                conn, offer_id, _agent_id(credential), at, deps.settings.escalation, mark
            )
        # After the commit (autocommit pool): announced inside, the accepts' commits would queue.
        await ticket_offers.announce(conn, offer_id, _agent_id(credential), "accepted")
    return TicketOut.model_validate(ticket)


@router.post(
    "/v1/agent/offers/{offer_id}/reject",
    status_code=204,
    summary="Turn an offer down: it goes to the next agent and is recorded as missed",
    responses={409: {"description": "The offer is no longer pending"}},
)
async def reject(offer_id: OfferId, credential: Agent, deps: DepsDep) -> Response:
    async with deps.pool.connection() as conn:
        if not await ticket_offers.reject(conn, offer_id, _agent_id(credential), datetime.now(UTC)):
            raise Problem(409, "Offer closed", f"offer {offer_id} is not pending for you")
    return Response(status_code=204)


@router.get(
    "/v1/agent/offers/stream",
    summary="My offers, live (Server-Sent Events)",
    description="`offer` events carry a pending offer with its ticket; `offer_closed` events say "
    "an offer was accepted, rejected, timed out or withdrawn. On connect every pending offer is sent. "
    "When my last stream closes I am signed out (offline) and my pending offers go back at once.",
    response_class=StreamingResponse,
    # The role is checked in the body (a header or a stream ticket); declared for the OpenAPI document.
    openapi_extra={"x-roles": ["agent"]},
)
async def stream(
    request: Request,
    deps: DepsDep,
    ticket: StreamTicket = None,
) -> StreamingResponse:
    credential = await stream_credential(request, ticket, "agent")
    lease = deps.limiter.open_stream(credential.id)
    return StreamingResponse(
        leased(lease, _events(request, deps, _agent_id(credential))),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        background=BackgroundTask(lease.release),
    )


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n".encode()


async def _offer_event(deps: Deps, offer_id: int) -> bytes | None:
    """The `offer` event of an offer still pending (it may have closed since it was announced)."""
    async with deps.pool.connection() as conn:
        offer = await ticket_offers.get(conn, offer_id)
        if offer is None or offer.outcome is not None:
            return None
        ticket = await tickets.get(conn, offer.ticket_id)
    assert ticket is not None
    return _sse("offer", _offer_payload(offer, ticket))


def _offer_payload(offer: ticket_offers.Offer, ticket: tickets.Ticket) -> dict[str, Any]:
    return {
        **OfferOut.model_validate(offer).model_dump(mode="json"),
        "ticket": {
            "id": ticket.id,
            "channel": ticket.channel,
            "queue": ticket.queue,
            "priority": ticket.priority,
            "language": ticket.language,
            "subject": ticket.subject,
            "excerpt": ticket.body[:280],
        },
    }


async def _pending_events(deps: Deps, agent_id: int, announced: Announced) -> list[bytes]:
    """`offer` events for the agent's pending offers not announced yet, and `offer_closed` for those
    announced that closed unheard (while the notification connection was away)."""
    async with deps.pool.connection() as conn:
        pending = await ticket_offers.pending_for_agent(conn, agent_id)
        out = []
        for gone in announced.gone_from(o.id for o in pending):
            offer = await ticket_offers.get(conn, gone)
            state = offer.outcome if offer is not None and offer.outcome else "closed"
            out.append(_sse("offer_closed", {"offer_id": gone, "state": state}))
        for offer in pending:
            ticket = await tickets.get(conn, offer.ticket_id)
            if ticket is not None and announced.first_time(offer.id):
                out.append(_sse("offer", _offer_payload(offer, ticket)))
    return out


async def _events(request: Request, deps: Deps, agent_id: int) -> AsyncGenerator[bytes, None]:  # noqa: C901 (one loop of stream states; split, its cleanup would span functions)
    # Subscribed here, not in the handler: a client gone before the body starts never runs this
    # generator, and a subscription made outside it would never be dropped. Subscribed before the
    # pending offers are read, so an offer made in between is announced rather than missed.
    queue = deps.offers.subscribe(agent_id)
    # An offer made while this stream connects is both in the pending list and notified: sent once.
    announced = Announced()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_DEADLINE_S
    gone = True  # unless the stream ends at its deadline, for the console to reconnect at once
    try:
        yield b"retry: 2000\n\n"
        for event in await _pending_events(deps, agent_id, announced):
            yield event
        quiet_since = loop.time()
        while loop.time() < deadline:
            try:
                payload = await asyncio.wait_for(queue.get(), DISCONNECT_CHECK_S)
            except TimeoutError:
                if await request.is_disconnected():
                    break
                if loop.time() - quiet_since >= HEARTBEAT_S:
                    quiet_since = loop.time()
                    yield b": ping\n\n"
                continue
            state = payload.get("state")
            if state == "resync":
                for event in await _pending_events(deps, agent_id, announced):
                    yield event
            elif state == "pending":
                offer_id = int(payload["offer_id"])
                offer = await _offer_event(deps, offer_id)
                if offer is not None and announced.first_time(offer_id):
                    yield offer
            else:
                if payload.get("offer_id") is not None:
                    announced.closed(int(payload["offer_id"]))
                yield _sse("offer_closed", {"offer_id": payload.get("offer_id"), "state": state})
        else:
            gone = False
    finally:
        if deps.offers.unsubscribe(agent_id, queue) and gone:
            # The agent's last stream here is gone: they get no new offers and theirs go back. Shielded:
            # a client's disconnect cancels this generator, and the sign-out must still happen.
            with anyio.CancelScope(shield=True):
                async with deps.pool.connection() as conn, conn.transaction():
                    await agents.set_presence(conn, agent_id, "offline")
                # A GET, so the write-signalling middleware does not: the routers learn of the freed offers.
                deps.waker.signal()
