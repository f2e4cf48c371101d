"""The facts of one ticket that decide who may see and act on it."""

from dataclasses import dataclass, fields
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row, dict_row

from services.shared.store.tickets.record import COLUMNS, Ticket


@dataclass(frozen=True)
class AccessFacts:
    """What gateway/actions/access.py decides a caller's reach from: the ticket's channel, state and holder,
    and how one agent stands to it."""

    channel: str
    status: str
    assigned_agent_id: int | None
    reserved_agent_id: int | None
    # The agent serves the queue the ticket is in now.
    serves_queue: bool
    # The agent recorded an event on the ticket (offers made to them or missed by them do not count:
    # the router makes those, the agent did nothing).
    handled: bool
    # A pending offer of the ticket to the agent.
    offered: bool
    # The agent of the ticket's latest `resolved` event.
    resolved_by: int | None


# The facts that are not columns of the ticket itself (FACT_COLUMNS reads them beside a ticket).
FACT_COLUMNS = """
       EXISTS (SELECT 1 FROM agent_queues aq WHERE aq.agent_id = %(agent)s AND aq.queue_id = t.queue_id)
         AS serves_queue,
       EXISTS (SELECT 1 FROM ticket_events e
               WHERE e.ticket_id = t.id AND e.agent_id = %(agent)s
                 AND e.type NOT IN ('offered', 'offer_missed')) AS handled,
       EXISTS (SELECT 1 FROM ticket_offers o
               WHERE o.ticket_id = t.id AND o.agent_id = %(agent)s AND o.outcome IS NULL) AS offered,
       (SELECT e.agent_id FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'resolved'
        ORDER BY e.id DESC LIMIT 1) AS resolved_by"""
ACCESS_FACTS = f"""
SELECT t.channel, t.status, t.assigned_agent_id, t.reserved_agent_id,{FACT_COLUMNS}
FROM tickets t WHERE t.id = %(id)s
"""
# A ticket locked for a change together with its access facts: one round trip instead of two. The
# facts are read under the lock, so they cannot change before the change's transaction ends.
LOCKED_WITH_FACTS = f"""
SELECT {COLUMNS}, t.reserved_agent_id,{FACT_COLUMNS}
FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.id = %(id)s FOR UPDATE OF t
"""
_TICKET_FIELDS = tuple(f.name for f in fields(Ticket))
_FACT_ONLY = ("reserved_agent_id", "serves_queue", "handled", "offered", "resolved_by")


async def access_facts(
    conn: AsyncConnection[Any], ticket_id: int, agent_id: int | None
) -> AccessFacts | None:
    """The facts of one ticket as they concern `agent_id` (None: no agent); None when there is no such
    ticket. Inside a transaction holding the ticket's row lock they cannot change before it ends."""
    async with conn.cursor(row_factory=class_row(AccessFacts)) as cur:
        await cur.execute(ACCESS_FACTS, {"id": ticket_id, "agent": agent_id})
        return await cur.fetchone()


async def locked_with_facts(
    conn: AsyncConnection[Any], ticket_id: int, agent_id: int | None
) -> tuple[Ticket, AccessFacts] | None:
    """The ticket, row-locked in the caller's transaction, and its facts as they concern `agent_id`;
    None when there is no such ticket."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(LOCKED_WITH_FACTS, {"id": ticket_id, "agent": agent_id})
        row = await cur.fetchone()
    if row is None:
        return None
    ticket = Ticket(**{name: row[name] for name in _TICKET_FIELDS})
    facts = AccessFacts(
        channel=ticket.channel,
        status=ticket.status,
        assigned_agent_id=ticket.assigned_agent_id,
        **{name: row[name] for name in _FACT_ONLY},
    )
    return ticket, facts
