"""Takes in one SMS or WhatsApp message: a follow-up joins the customer's open ticket of that
conversation, else the message is an inquiry on the `chat` channel; each provider message id once.

Why `chat`: an SMS or WhatsApp conversation is an asynchronous text conversation with an agent, like
the web chat; `phone` would count messages in the call KPIs (answer speed, abandonment of calls) and
`mobile` is the centre's own app, whose identity is the app's signed-in user. The customer's number
is verified (the provider establishes the sender's number), so a person who calls and writes from
the same number is one customer.
"""

from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from gateway.actions import intake, ticket_work
from gateway.http.deps import Deps
from gateway.http.problems import Problem
from gateway.http.schemas import CustomerIn, InquiryIn
from services.shared.domain import Channel
from services.shared.store import messaging_threads, provider_events, tickets
from services.shared.store.api_credentials import Credential
from services.shared.store.tickets import Ticket

CHANNEL: Channel = "chat"
# What a message without text says on the ticket (a photo, a voice note, a location).
MEDIA_ONLY = "(media message without text)"


@dataclass(frozen=True)
class InboundText:
    provider: str  # "twilio" or "whatsapp": whose ids these are
    transport: str  # "sms", "twilio_whatsapp" or "whatsapp_cloud"
    message_id: str
    customer: str  # E.164
    centre: str  # our number (E.164) or WhatsApp phone-number id
    text: str
    at: datetime | None = None
    name: str | None = None


@dataclass(frozen=True)
class TextOutcome:
    status: str  # "created", "joined" or "duplicate"
    ticket: Ticket | None


async def take(deps: Deps, credential: Credential, message: InboundText) -> TextOutcome:
    at = ticket_work.event_time(deps, message.at, credential)
    text = message.text.strip() or MEDIA_ONLY
    identities = [("phone", message.customer, True)]
    async with deps.pool.connection() as conn:
        if await provider_events.seen(conn, message.provider, message.message_id):
            found = await tickets.by_external_id(conn, CHANNEL, message.message_id)
            return TextOutcome("duplicate", found)
        open_id = await messaging_threads.open_ticket(
            conn, CHANNEL, message.transport, message.customer, message.centre
        )
        if open_id is not None:
            await tickets.join_thread(
                conn,
                open_id,
                channel=CHANNEL,
                external_id=message.message_id,
                text=text,
                subject="",
                at=at,
                identities=identities,
            )
            await provider_events.claim(conn, message.provider, message.message_id, open_id)
            return TextOutcome("joined", await tickets.get(conn, open_id))
    try:
        inquiry = InquiryIn(
            channel=CHANNEL,
            external_id=message.message_id,
            customer=CustomerIn(phone=message.customer, name=message.name or None, verified={"phone": True}),
            text=text[:10_000],
            occurred_at=message.at,
        )
    except ValidationError as exc:
        raise Problem(422, "Malformed message", exc.errors()[0]["msg"]) from None
    outcome = await intake.take(deps, credential, inquiry, [])
    async with deps.pool.connection() as conn:
        await messaging_threads.remember(
            conn, outcome.ticket.id, message.transport, message.customer, message.centre
        )
        await provider_events.claim(conn, message.provider, message.message_id, outcome.ticket.id)
    status = "joined" if outcome.joined else "created" if outcome.created else "duplicate"
    return TextOutcome(status, outcome.ticket)
