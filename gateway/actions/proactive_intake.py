"""A returning customer is told, at intake, how their recent ticket on the same matter ended.

A message only: the new ticket still routes and waits like any other (the customer may be writing
because the answer did not help). Called once the new ticket is stored, so the message is the first
thing the centre says about it, before any agent or wait notice.
"""

from datetime import timedelta
from typing import Any

from psycopg import AsyncConnection

from gateway.settings import GatewaySettings
from services.shared.domain import CHANNEL_IDENTITY
from services.shared.proactive import policy
from services.shared.store import outbound_messages, proactive_messages, tickets
from services.shared.store.tickets import Ticket


async def tell_returning(
    conn: AsyncConnection[Any], settings: GatewaySettings, ticket: Ticket, backfill: bool
) -> bool:
    """Writes the `returning` message for a new ticket when the customer had a ticket on its intent
    resolved within the window; True when one went out. A back-filled inquiry is history (nobody is
    told), and an inquiry the classifier gave no intent matches nothing."""
    proactive = settings.channels.proactive
    if backfill or not ticket.intent or proactive.returning_days <= 0:
        return False
    since = ticket.created_at - timedelta(days=proactive.returning_days)
    # Looked up before any transaction: most inquiries find nothing, and pay one indexed query only.
    earlier = await proactive_messages.earlier_resolved(
        conn, ticket.customer_id, ticket.intent, ticket.id, since
    )
    if earlier is None:
        return False
    async with conn.transaction():
        outcome = policy.outcome("returning", ticket.channel, ticket.status, proactive)
        decided = await proactive_messages.record(
            conn, ticket.id, "returning", ticket.channel, outcome, ticket.created_at, earlier.ticket_id
        )
        if decided is None or outcome != "sent":
            return False
        language = policy.language(ticket.language, earlier.customer_language)
        text = policy.body(
            "returning",
            language,
            ticket_id=earlier.ticket_id,
            note=earlier.customer_note,
            resolved_at=earlier.resolved_at,
            zone=settings.centre_zone,
        )
        recipient = await tickets.reply_address(conn, ticket.id, CHANNEL_IDENTITY[ticket.channel])
        message_id = await outbound_messages.insert(
            conn,
            outbound_messages.NewMessage(
                ticket.channel, "proactive", text, recipient, ticket.id, ticket.customer_id
            ),
        )
        await proactive_messages.attach(conn, decided, message_id)
    return True
