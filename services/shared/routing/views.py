"""Turns stored rows into the pure modules' views."""

from services.shared.routing.eligibility import AgentView, TicketView
from services.shared.store.agents import RoutingAgent
from services.shared.store.tickets import Waiting


def agent_view(agent: RoutingAgent) -> AgentView:
    return AgentView(
        id=agent.id,
        name=agent.name,
        presence=agent.presence,
        queues=frozenset(agent.queues),
        skills=dict(agent.skills),
        languages=frozenset(agent.languages),
        load=dict(agent.load),
        capacity=dict(agent.capacity),
        last_assigned_at=agent.last_assigned_at,
        wrap_up_until=agent.wrap_up_until,
    )


def ticket_view(ticket: Waiting) -> TicketView:
    return TicketView(
        id=ticket.id,
        queue=ticket.queue,
        channel=ticket.channel,
        language=ticket.language,
        priority=ticket.priority,
        queued_at=ticket.queued_at,
        reserved_agent_id=ticket.reserved_agent_id,
    )
