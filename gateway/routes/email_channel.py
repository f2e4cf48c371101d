"""POST /v1/channels/email/inbound: raw RFC 5322 mail, from the SMTP listener or a mail service's hook."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from gateway.actions import mail_intake
from gateway.http.auth import Integration
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem

router = APIRouter(tags=["channels"])

STATUS_CODES = {"created": 201, "duplicate": 200, "joined": 200, "ignored": 202}
BODY: dict[str, Any] = {
    "required": True,
    "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
}


@router.post(
    "/v1/channels/email/inbound",
    status_code=201,
    summary="Take in one e-mail (raw RFC 5322)",
    description="The body is the whole message as received (`Content-Type: message/rfc822`), with an "
    "integration token of the `email` channel. A new mail opens a ticket (201); the same Message-ID "
    "again answers 200 with that ticket; a reply (In-Reply-To / References, or `[#id]` in the "
    "subject) from the ticket's own address joins its open ticket (200, `joined`). Auto-replies, "
    "bounces, list mail and our own mail looping back are accepted and dropped (202, `ignored`, with "
    "the reason). `X-Envelope-From` carries the SMTP envelope sender when there is one: the From "
    "address is verified only when it matches. Malformed or oversized mail: 422 / 413.",
    openapi_extra={"requestBody": BODY},
    responses={
        200: {"description": "A retry or a joined reply"},
        202: {"description": "Dropped"},
        415: {"description": "The body is not message/rfc822"},
    },
)
async def inbound_mail(
    request: Request,
    credential: Integration,
    deps: DepsDep,
    envelope_from: Annotated[str | None, Header(alias="X-Envelope-From", max_length=320)] = None,
) -> JSONResponse:
    if credential.channel != "email":
        raise Problem(403, "Forbidden", f"this key posts {credential.channel} inquiries, not email")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "message/rfc822":
        raise Problem(415, "Unsupported media type", "send the mail as message/rfc822")
    outcome = await mail_intake.take(deps, credential, await request.body(), envelope_from)
    body: dict[str, Any] = {"status": outcome.status}
    if outcome.ticket is not None:
        body.update(ticket_id=outcome.ticket.id, ticket_status=outcome.ticket.status)
    if outcome.reason:
        body["reason"] = outcome.reason
    return JSONResponse(body, status_code=STATUS_CODES[outcome.status])
