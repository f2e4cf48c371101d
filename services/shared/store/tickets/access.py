"""The facts of one ticket that decide who may see and act on it."""

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row


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


ACCESS_FACTS = """
SELECT t.channel, t.status, t.assigned_agent_id, t.reserved_agent_id,
       EXISTS (SELECT 1 FROM agent_queues aq WHERE aq.agent_id = %(agent)s AND aq.queue_id = t.queue_id)
         AS serves_queue,
       EXISTS (SELECT 1 FROM ticket_events e
               WHERE e.ticket_id = t.id AND e.agent_id = %(agent)s
                 AND e.type NOT IN ('offered', 'offer_missed')) AS handled,
       EXISTS (SELECT 1 FROM ticket_offers o
               WHERE o.ticket_id = t.id AND o.agent_id = %(agent)s AND o.outcome IS NULL) AS offered,
       (SELECT e.agent_id FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'resolved'
        ORDER BY e.id DESC LIMIT 1) AS resolved_by
FROM tickets t WHERE t.id = %(id)s
"""


async def access_facts(
    conn: AsyncConnection[Any], ticket_id: int, agent_id: int | None
) -> AccessFacts | None:
    """The facts of one ticket as they concern `agent_id` (None: no agent); None when there is no such
    ticket. Inside a transaction holding the ticket's row lock they cannot change before it ends."""
    async with conn.cursor(row_factory=class_row(AccessFacts)) as cur:
        await cur.execute(ACCESS_FACTS, {"id": ticket_id, "agent": agent_id})
        return await cur.fetchone()
