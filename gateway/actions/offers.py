"""An agent's answer to an offer: accept (the ticket is claimed and answered) or reject."""

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from gateway.actions.ticket_work import apply_locked
from gateway.http.problems import Problem
from services.shared.store import ticket_offers, tickets
from services.shared.store.tickets import Ticket


async def accept_locked(
    conn: AsyncConnection[Any],
    offer_id: int,
    agent_id: int,
    at: datetime,
    policy: Any,
    mark: dict[str, Any] | None = None,
) -> Ticket:
    """Accepts the agent's pending offer inside the caller's transaction.

    Locks are taken in the order every path takes them (agent, offer, ticket), so accepting never
    deadlocks with a timeout or a withdrawal of the same offer. An offer that expired, was withdrawn
    or is not this agent's is refused (409, 404) and nothing changes. Accepting claims and answers
    the ticket in one step, each through the state machine with its own event; the offer's reserved
    slot becomes the held ticket's. `mark` goes into both events' data (a back-fill's flag).
    The caller announces the acceptance (`ticket_offers.announce`) once its transaction committed.
    """
    offer = await ticket_offers.get_for_update(conn, offer_id)
    if offer is None or offer.agent_id != agent_id:
        raise Problem(404, "Not found", f"no offer {offer_id} for you")
    ticket = await tickets.get(conn, offer.ticket_id, for_update=True)
    assert ticket is not None
    if offer.outcome is not None:
        raise Problem(409, "Offer closed", f"offer {offer_id} was {offer.outcome}", outcome=offer.outcome)
    if offer.expires_at <= at:
        raise Problem(409, "Offer closed", f"offer {offer_id} expired", outcome="timed_out")
    await ticket_offers.mark(conn, offer_id, agent_id, "accepted", at)
    at = max(at, ticket.last_event_at)
    await apply_locked(
        conn,
        ticket,
        "claim",
        at=at,
        policy=policy,
        agent_id=agent_id,
        data={"offer_id": offer_id, **(mark or {})},
        extra_columns={"reserved_agent_id": None},
    )
    claimed = await tickets.get(conn, ticket.id)
    assert claimed is not None
    await apply_locked(conn, claimed, "answer", at=at, policy=policy, agent_id=agent_id, data=mark)
    answered = await tickets.get(conn, ticket.id)
    assert answered is not None
    return answered
