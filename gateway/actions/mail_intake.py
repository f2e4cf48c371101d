"""Takes in one raw mail: drop what no person wrote, join the ticket a reply answers, else intake it."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from pydantic import ValidationError

from gateway.actions import intake
from gateway.documents.attachments import Attachment
from gateway.http.deps import Deps
from gateway.http.problems import Problem
from gateway.http.schemas import MAX_ATTACHMENTS, CustomerIn, InquiryIn, file_name
from services.shared import contact_points
from services.shared.mail import ignored, inbound, threads
from services.shared.mail.inbound import InboundMail
from services.shared.store import mail_dropped, mail_messages, tickets
from services.shared.store.api_credentials import Credential
from services.shared.store.tickets import Ticket
from services.shared.ticket_states import FINAL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailOutcome:
    # "created", "duplicate" (the same mail again), "joined" (a reply added to its ticket) or "ignored".
    status: str
    ticket: Ticket | None = None
    reason: str = ""


def sender_verified(mail: InboundMail, envelope_from: str | None) -> bool:
    """Whether the channel vouches for the From address: the SMTP envelope's sender is the same
    address. A hook that posts without an envelope vouches for it as its own check (as any e-mail
    integration does); a mismatch (forwarded, or forged From) keeps the address unverified."""
    if envelope_from is None:
        return True
    try:
        return contact_points.email_address(envelope_from.strip().strip("<>")) == mail.sender
    except ValueError:
        return False


async def take(deps: Deps, credential: Credential, raw: bytes, envelope_from: str | None) -> MailOutcome:
    channel = deps.settings.channels.email
    try:
        mail = inbound.parse(raw, channel.max_bytes)
    except inbound.MalformedMail as exc:
        raise Problem(422, "Malformed mail", str(exc)) from None
    why = ignored.reason(
        mail.message, envelope_from=envelope_from, our_addresses=channel.addresses, our_domain=channel.domain
    )
    if why is None and mail.sender in channel.addresses:
        why = "loop"
    async with deps.pool.connection() as conn:
        if why is None and await mail_messages.is_outbound(conn, mail.message_id):
            why = "loop"
        if why is not None:
            log.info("mail %s from %s dropped: %s", mail.message_id, mail.sender, why)
            # Counted for Prometheus (ticketing_mail_dropped_total): a jump is a loop or a bounce storm.
            await mail_dropped.count(conn, why, datetime.now(UTC))
            return MailOutcome("ignored", reason=why)
        verified = sender_verified(mail, envelope_from)
        external_id = mail.message_id if len(mail.message_id) <= 200 else _digest(mail.message_id)
        text = mail.text or mail.subject or ("(attachments only)" if mail.attachments else "")
        if not text.strip():
            raise Problem(422, "Empty mail", "the mail has no text, no subject and no attachment")
        open_id = await _answered_ticket(conn, mail, verified)
        if open_id is not None:
            await tickets.join_thread(
                conn,
                open_id,
                channel="email",
                external_id=external_id,
                text=text,
                subject=mail.subject,
                at=datetime.now(UTC),
                identities=[("email", mail.sender, verified)],
            )
            await mail_messages.remember_inbound(conn, mail.message_id, open_id)
            return MailOutcome("joined", await tickets.get(conn, open_id))
    try:
        inquiry = InquiryIn(
            channel="email",
            external_id=external_id,
            customer=CustomerIn(
                email=mail.sender, name=mail.sender_name or None, verified={"email": verified}
            ),
            subject=mail.subject,
            text=text,
        )
    except ValidationError as exc:
        raise Problem(422, "Malformed mail", exc.errors()[0]["msg"]) from None
    outcome = await intake.take(deps, credential, inquiry, _attachments(mail))
    async with deps.pool.connection() as conn:
        await mail_messages.remember_inbound(conn, mail.message_id, outcome.ticket.id)
    status = "joined" if outcome.joined else "created" if outcome.created else "duplicate"
    return MailOutcome(status, outcome.ticket)


async def _answered_ticket(conn: AsyncConnection[Any], mail: InboundMail, verified: bool) -> int | None:
    """The open e-mail ticket this mail replies to (by its thread's Message-IDs, else a `[#id]` in the
    subject), when its sender is the address that ticket's replies go to and the channel vouches for it."""
    if not verified:
        return None
    candidate = await mail_messages.ticket_of(conn, mail.replies_to)
    if candidate is None:
        candidate = threads.ticket_ref(mail.subject)
    if candidate is None:
        return None
    ticket = await tickets.get(conn, candidate)
    if ticket is None or ticket.channel != "email" or ticket.status in FINAL:
        return None
    if await tickets.reply_address(conn, ticket.id, "email") != mail.sender:
        return None
    return ticket.id


def _attachments(mail: InboundMail) -> list[Attachment]:
    kept = []
    for item in mail.attachments[:MAX_ATTACHMENTS]:
        try:
            name = file_name(item.filename)
        except ValueError:
            name = "attachment"
        kept.append(Attachment(name, item.content_type, item.data))
    if len(mail.attachments) > MAX_ATTACHMENTS:
        log.info(
            "mail %s: %d attachments past the first %d left out",
            mail.message_id,
            len(mail.attachments) - MAX_ATTACHMENTS,
            MAX_ATTACHMENTS,
        )
    return kept


def _digest(message_id: str) -> str:
    return "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
