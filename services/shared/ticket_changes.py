"""What each agent or customer action changes on a ticket (pure): columns to set and the event."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.shared.sla import MAX_LEVEL, EscalationPolicy
from services.shared.ticket_states import IllegalTransition, transition


class NotHolder(Exception):
    """The acting agent does not hold the ticket."""


class TooEarly(ValueError):
    """The action is dated before the ticket's latest event."""


@dataclass(frozen=True)
class TicketState:
    status: str
    channel: str
    queue_id: int
    assigned_agent_id: int | None
    answered_at: datetime | None
    last_event_at: datetime
    escalation_level: int


@dataclass(frozen=True)
class Change:
    columns: dict[str, Any]
    event_type: str
    event_queue_id: int
    event_data: dict[str, Any]


# Actions only the agent holding the ticket may take.
HOLDER_ONLY = frozenset({"answer", "release", "transfer", "resolve"})


def plan(
    action: str,
    state: TicketState,
    *,
    at: datetime,
    policy: EscalationPolicy,
    agent_id: int | None = None,
    to_queue_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Change:
    """The change `action` makes; raises IllegalTransition, NotHolder or TooEarly when it may not."""
    step = transition(action, state.status)
    if action in HOLDER_ONLY and state.assigned_agent_id != agent_id:
        raise NotHolder(f"ticket is not held by agent {agent_id}")
    if at < state.last_event_at:
        raise TooEarly(
            f"occurred_at {at.isoformat()} is before the ticket's last event at "
            f"{state.last_event_at.isoformat()}"
        )
    columns: dict[str, Any] = {"status": step.target, "last_event_at": at}
    queue_id = state.queue_id
    if action == "claim":
        columns["assigned_agent_id"] = agent_id
    elif action == "answer":
        columns["answered_at"] = state.answered_at or at
        columns["escalate_at"] = None
    elif action in ("release", "transfer"):
        columns["assigned_agent_id"] = None
        if action == "transfer":
            if to_queue_id is None:
                raise ValueError("transfer needs a queue")
            queue_id = to_queue_id
            columns["queue_id"] = to_queue_id
            # Waiting again, in a queue that has not seen it: the next level's clock starts now.
            level = state.escalation_level + 1
            columns["escalate_at"] = policy.due_at(state.channel, at, 1) if level <= MAX_LEVEL else None
    elif action == "resolve":
        columns["resolved_at"] = at
        columns["escalate_at"] = None
        columns["survey_due_at"] = at
    elif action == "abandon":
        columns["assigned_agent_id"] = None
        columns["escalate_at"] = None
    elif action == "request_human":
        # Answered automatically at intake, now waiting for a person: the wait starts here.
        columns["queued_at"] = at
        columns["escalate_at"] = policy.due_at(state.channel, at, state.escalation_level + 1)
    else:
        raise IllegalTransition(action, state.status)
    event_data = dict(data or {})
    if action == "transfer":
        event_data["from_queue_id"] = state.queue_id
    return Change(columns, step.event, queue_id, event_data)
