"""POST /v1/stream-tickets: a short-lived, single-use ticket that opens one Server-Sent Events
stream, so a page's EventSource never carries the bearer token in its URL."""

from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter
from pydantic import Field

from gateway.http.auth import AnyRole
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import Strict
from services.shared import tokens
from services.shared.store import stream_tickets

router = APIRouter(tags=["auth"])

# Each stream and the roles that may open it (the stream's route checks them again on use).
STREAMS = {
    "/v1/agent/offers/stream": ("agent",),
    "/v1/metrics/live": ("supervisor",),
}


class StreamTicketIn(Strict):
    stream: Literal["/v1/agent/offers/stream", "/v1/metrics/live"] = Field(
        description="The stream the ticket opens; it opens no other."
    )


class StreamTicketOut(Strict):
    ticket: str = Field(description="Pass as `?ticket=`; it works once.")
    stream: str
    expires_at: datetime
    url: str = Field(description="The stream's path with the ticket, for EventSource.")


@router.post(
    "/v1/stream-tickets",
    status_code=201,
    response_model=StreamTicketOut,
    summary="A single-use ticket that opens one of my streams within a minute",
    description="EventSource cannot send an Authorization header; a URL with a long-lived token "
    "would end up in history and access logs. The ticket is bound to this credential and to the "
    "stream, works once, and expires after STREAM_TICKET_TTL_S (60 s by default). Ask again on "
    "every reconnect.",
    responses={403: {"description": "This role may not open that stream"}},
)
async def issue(body: StreamTicketIn, credential: AnyRole, deps: DepsDep) -> StreamTicketOut:
    roles = STREAMS[body.stream]
    if credential.role not in roles:
        raise Problem(403, "Forbidden", f"{body.stream} needs the role {' or '.join(roles)}")
    ticket = tokens.new_stream_ticket()
    expires_at = datetime.now(UTC) + timedelta(seconds=deps.settings.stream_ticket_ttl_s)
    async with deps.pool.connection() as conn:
        await stream_tickets.issue(conn, tokens.digest(ticket), credential.id, body.stream, expires_at)
    return StreamTicketOut(
        ticket=ticket, stream=body.stream, expires_at=expires_at, url=f"{body.stream}?ticket={ticket}"
    )
