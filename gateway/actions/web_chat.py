"""The customer's side of the web chat and contact form: start (through the normal intake), read the
wait and the centre's messages, write again into the same ticket, leave (an abandon before an answer).

Customers hold no token. The page carries a public widget key, which names the chat (or web)
integration credential the widget acts as and the page origins allowed to use it; starting returns a
session secret that reaches only the ticket it made, kept as a digest and expiring."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from gateway.actions import intake, ticket_work, waits
from gateway.actions.intake import Outcome
from gateway.documents.attachments import Attachment
from gateway.http.chat_schemas import ChatStartIn
from gateway.http.deps import Deps
from gateway.http.problems import Problem
from gateway.http.schemas import InquiryIn
from services.shared import widget_secrets
from services.shared.domain import CHANNEL_IDENTITY
from services.shared.store import api_credentials, chat_sessions, outbound_messages, tickets, widget_keys
from services.shared.store.api_credentials import Credential
from services.shared.store.chat_sessions import ChatSession
from services.shared.store.outbound_messages import OutboundMessage
from services.shared.store.tickets import Ticket
from services.shared.ticket_states import FINAL

# Before an agent's answer leaving is an abandon (the state machine allows it from these).
UNANSWERED = frozenset({"queued", "claimed"})
# The visitor id's identity field on each channel a widget key may serve.
VISITOR_FIELD = {"chat": "chat_visitor_id", "web": "web_user_id"}


@dataclass(frozen=True)
class Caller:
    """Who is asking, as far as a customer can be known: their address and the page's origin."""

    address: str
    origin: str | None
    # The origin the request was sent to (scheme and Host): the centre's own pages are always allowed.
    own_origin: str


@dataclass(frozen=True)
class Started:
    secret: str
    expires_at: datetime
    outcome: Outcome


@dataclass(frozen=True)
class State:
    ticket: Ticket
    wait: waits.Estimate | None
    messages: list[OutboundMessage]
    open: bool


def _origin_check(deps: Deps, caller: Caller, allowed: list[str]) -> None:
    if not widget_secrets.origin_allowed(
        caller.origin, allowed, (deps.settings.public_url, caller.own_origin)
    ):
        raise Problem(403, "Forbidden", f"this widget key is not for pages on {caller.origin}")


def _inquiry(form: ChatStartIn, channel: str, visitor: str) -> InquiryIn:
    customer = {
        VISITOR_FIELD[channel]: visitor,
        "name": form.name,
        "email": form.email,
        "phone": form.phone,
        "language": form.language,
    }
    try:
        return InquiryIn.model_validate(
            {
                "channel": channel,
                "external_id": f"widget-{visitor}",
                "customer": {k: v for k, v in customer.items() if v is not None},
                "text": form.text,
                "language": form.language,
            }
        )
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"][1:])} for e in exc.errors()]
        raise RequestValidationError(errors) from None


async def _credential(deps: Deps, caller: Caller, credential_id: int) -> Credential:
    async with deps.pool.connection() as conn:
        credential = await api_credentials.find_active_by_id(conn, credential_id)
    now = datetime.now(UTC)
    if credential is None or (credential.expires_at is not None and credential.expires_at <= now):
        await deps.limiter.failed(caller.address)
        raise Problem(401, "Unauthorized", "this widget key is revoked or expired")
    if credential.role != "integration" or credential.channel not in VISITOR_FIELD:
        raise Problem(403, "Forbidden", "this widget key is not for the chat or web channel")
    return credential


async def start(deps: Deps, caller: Caller, form: ChatStartIn, attachments: list[Attachment]) -> Started:
    """A new ticket through the normal intake (classified and routed as any), and its session."""
    limiter = deps.limiter
    await limiter.check_address(caller.address)
    async with deps.pool.connection() as conn:
        key = await widget_keys.find_active(conn, form.widget_key)
    if key is None:
        await limiter.failed(caller.address)
        raise Problem(401, "Unauthorized", "the widget key is unknown or revoked")
    _origin_check(deps, caller, key.allowed_origins)
    # Counted once the key is good, so a wrong key is the failed-authentication limit's business.
    await limiter.hit_key("chat_starts", caller.address)
    credential = await _credential(deps, caller, key.credential_id)
    assert credential.channel is not None
    visitor = widget_secrets.new_visitor_id()
    outcome = await intake.take(deps, credential, _inquiry(form, credential.channel, visitor), attachments)
    secret = widget_secrets.new_session_secret()
    expires_at = widget_secrets.session_expiry(datetime.now(UTC))
    async with deps.pool.connection() as conn:
        await chat_sessions.create(
            conn, widget_secrets.digest(secret), key.id, outcome.ticket.id, visitor, expires_at
        )
    return Started(secret, expires_at, outcome)


async def session(deps: Deps, caller: Caller, secret: str) -> ChatSession:
    """The open session of a secret (401 otherwise), from an origin its widget key allows (403)."""
    limiter = deps.limiter
    await limiter.check_address(caller.address)
    async with deps.pool.connection() as conn:
        found = await chat_sessions.find_open(conn, widget_secrets.digest(secret), datetime.now(UTC))
    if found is None:
        await limiter.failed(caller.address)
        raise Problem(401, "Unauthorized", "the chat session is unknown, ended or expired")
    _origin_check(deps, caller, found.allowed_origins)
    # A widget polls every few seconds: counted per session, as a token's reads are per credential.
    await limiter.hit_key("reads", f"chat-session:{found.id}")
    return found


async def state(deps: Deps, chat: ChatSession, after_id: int) -> State:
    """The ticket's status and wait, and the centre's messages to the customer after `after_id`; those
    are delivered once shown (the widget is the chat channel's delivery for its tickets)."""
    async with deps.pool.connection() as conn:
        ticket = await tickets.get(conn, chat.ticket_id)
        assert ticket is not None
        wait = await waits.estimate(conn, deps.waits, deps.settings.routing, ticket)
        found = await outbound_messages.for_recipient(
            conn, ticket.id, ticket.channel, chat.visitor, after_id=after_id
        )
        pending = [m.id for m in found if m.delivered_at is None]
        if pending:
            await outbound_messages.mark_delivered(conn, ticket.channel, pending, datetime.now(UTC))
    return State(ticket, wait, found, ticket.status not in FINAL)


async def write(deps: Deps, chat: ChatSession, text: str) -> None:
    """A follow-up into the session's own ticket's thread, as a customer's follow-up on any channel."""
    now = datetime.now(UTC)
    async with deps.pool.connection() as conn:
        ticket = await tickets.get(conn, chat.ticket_id)
        assert ticket is not None
        if ticket.status in FINAL:
            raise Problem(409, "Closed", f"ticket {ticket.id} is {ticket.status}: start a new chat")
        await tickets.join_thread(
            conn,
            ticket.id,
            channel=ticket.channel,
            external_id=f"widget-{chat.visitor}-{secrets.token_hex(6)}",
            text=text,
            subject="",
            at=now,
            identities=[(CHANNEL_IDENTITY[ticket.channel], chat.visitor, True)],
        )


async def _acting_credential(deps: Deps, chat: ChatSession) -> Credential:
    """The widget's integration credential, which the customer's own actions are taken as."""
    async with deps.pool.connection() as conn:
        credential = await api_credentials.find_active_by_id(conn, chat.credential_id)
    assert credential is not None  # the session was found only while it is active
    return credential


async def ask_for_person(deps: Deps, chat: ChatSession) -> None:
    """After an automatic answer, the customer wants a person: the ticket joins its queue (409 unless
    it was answered automatically), through the customer's own `request_human` action."""
    credential = await _acting_credential(deps, chat)
    await ticket_work.act(deps, chat.ticket_id, "request_human", credential=credential, reported=None)


async def leave(deps: Deps, chat: ChatSession) -> tuple[Ticket, bool]:
    """Ends the session; before an agent's answer the ticket is abandoned through the customer's own
    abandon action. Returns the ticket and whether it was abandoned."""
    credential = await _acting_credential(deps, chat)
    async with deps.pool.connection() as conn:
        ticket = await tickets.get(conn, chat.ticket_id)
    assert ticket is not None
    abandoned = False
    if ticket.status in UNANSWERED and ticket.answered_at is None:
        try:
            ticket = await ticket_work.act(deps, ticket.id, "abandon", credential=credential, reported=None)
            abandoned = True
        except Problem as exc:
            if exc.status != 409:  # answered meanwhile: leaving just closes
                raise
    async with deps.pool.connection() as conn:
        await chat_sessions.end(conn, chat.id, datetime.now(UTC))
        if not abandoned:
            current = await tickets.get(conn, chat.ticket_id)
            assert current is not None
            ticket = current
    return ticket, abandoned
