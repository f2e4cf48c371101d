"""A returning customer is told, at intake, how their recent ticket on the same matter ended.

A message only: the new ticket still routes and waits like any other (the customer may be writing
because the answer did not help). Called once the new ticket is stored, so the message is the first
thing the centre says about it, before any agent or wait notice. The intake's own statement leaves a
`returning` row in proactive_due when the customer was known (`may_be_told`): decided here and
cleared, or, should this process die first, by the proactive sweep (services/workers/proactive.py).
"""

from typing import Any

from psycopg import AsyncConnection

from gateway.settings import GatewaySettings
from services.shared.proactive import policy
from services.shared.store import proactive_messages
from services.shared.store.tickets import Ticket


def may_be_told(settings: GatewaySettings, intent: str, backfill: bool) -> bool:
    """Whether a new ticket of a known customer is looked at for a returning message at all: a
    back-filled inquiry is history (nobody is told), and one the classifier gave no intent matches
    nothing."""
    return not backfill and bool(intent) and settings.channels.proactive.returning_days > 0


async def tell_returning(conn: AsyncConnection[Any], settings: GatewaySettings, ticket: Ticket) -> bool:
    """Decides the `returning` message the intake left due (`may_be_told`): written when the customer
    had a ticket on its intent resolved within the window; True when one went out."""
    proactive = settings.channels.proactive
    # Looked up before any transaction: most inquiries find nothing, and pay this one query only
    # (which also clears the due row).
    due = await proactive_messages.returning_due(conn, ticket.id, proactive.returning_days)
    if due is None:
        return False
    outcome, text = policy.decision(due, proactive, settings.centre_zone)
    async with conn.transaction():
        sent = await proactive_messages.decide(conn, due, outcome, text)
        await proactive_messages.clear_returning(conn, ticket.id)
    return sent is not None
