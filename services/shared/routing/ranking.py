"""The order of waiting tickets and of the agents who may take one (pure)."""

from collections.abc import Iterable, Mapping
from datetime import datetime

from services.shared.routing.eligibility import AgentView, TicketView
from services.shared.routing.policy import Rule


def ticket_order(ticket: TicketView, queue_priority: Mapping[str, int]) -> tuple[int, datetime, int]:
    """Best first: priority (raised or lowered by the queue's policy), then the longest waiting."""
    return (-(ticket.priority + queue_priority.get(ticket.queue, 0)), ticket.queued_at, ticket.id)


def proficiency(agent: AgentView, rule: Rule) -> int:
    """How well the agent fits the rule's skills: the sum of their levels in the skills it asks for."""
    return sum(agent.skills.get(skill, 0) for skill in rule.skills)


def agent_order(agent: AgentView, rule: Rule) -> tuple[int, datetime, int]:
    """Best first: highest proficiency, then the longest idle (least recently given work)."""
    return (-proficiency(agent, rule), agent.last_assigned_at, agent.id)


def best(agents: Iterable[AgentView], rule: Rule) -> list[AgentView]:
    return sorted(agents, key=lambda a: agent_order(a, rule))
